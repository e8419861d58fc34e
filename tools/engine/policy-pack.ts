/**
 * The policy pack as prebuilt JavaScript for the engine runs. Given a TypeScript pack, Pulumi's
 * pack runner registers ts-node with type-checking on, so every `--policy-pack policy` type-checks
 * the pack and the @pulumi/* declarations it imports before the first resource is analysed (most
 * of the pack's cost in `npm run bench`). `npm run typecheck` already checks policy/, so here it is
 * only transpiled, once per content, into node_modules/.cache, where Node still resolves the pack's
 * dependencies from the repository's node_modules.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as TypeScript from "typescript";
import { defineCommand, runAsMain, UsageError } from "../cli/command-line";
import { REPO_ROOT } from "../cli/paths";
import { publishEntry, removeTree } from "../toolchain/cache";

export const POLICY_PACK_DIR = path.join(REPO_ROOT, "policy");
const CACHE = path.join(REPO_ROOT, "node_modules", ".cache", "groundwork-policy-pack");
/** The pack project's files that are not TypeScript but that the runner reads. */
const PROJECT_FILES = ["PulumiPolicy.yaml", "package.json", "tsconfig.json"];
// Every engine run imports this module; only a changed pack needs the compiler, whose loading alone costs a few hundred ms of CPU.
const load = createRequire(__filename);

function packSources(directory = POLICY_PACK_DIR): string[] {
    return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
        const file = path.join(directory, entry.name);
        if (entry.isDirectory()) {
            return entry.name === "node_modules" || entry.name === "bin" ? [] : packSources(file);
        }
        return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [file] : [];
    }).sort();
}

/** The prebuilt pack's directory, transpiled now unless this content was transpiled before. */
export function prebuiltPolicyPack(): string {
    const sources = packSources();
    const hash = createHash("sha256").update((load("typescript/package.json") as { version: string }).version);
    for (const file of [...sources, ...PROJECT_FILES.map((name) => path.join(POLICY_PACK_DIR, name))]) {
        hash.update(path.relative(POLICY_PACK_DIR, file)).update("\0").update(fs.readFileSync(file)).update("\0");
    }
    const entry = path.join(CACHE, hash.digest("hex").slice(0, 16));
    if (fs.existsSync(path.join(entry, "package.json"))) {
        return entry;
    }
    const ts = load("typescript") as typeof TypeScript;
    const { config } = ts.readConfigFile(path.join(POLICY_PACK_DIR, "tsconfig.json"), ts.sys.readFile);
    const { options } = ts.convertCompilerOptionsFromJson((config as { compilerOptions?: unknown }).compilerOptions ?? {}, POLICY_PACK_DIR);
    const staged = `${entry}.tmp-${process.pid}`;
    for (const file of sources) {
        const output = path.join(staged, path.relative(POLICY_PACK_DIR, file)).replace(/\.ts$/, ".js");
        fs.mkdirSync(path.dirname(output), { recursive: true });
        fs.writeFileSync(output, ts.transpileModule(fs.readFileSync(file, "utf8"), { compilerOptions: options, fileName: file }).outputText);
    }
    fs.copyFileSync(path.join(POLICY_PACK_DIR, "PulumiPolicy.yaml"), path.join(staged, "PulumiPolicy.yaml"));
    const manifest = JSON.parse(fs.readFileSync(path.join(POLICY_PACK_DIR, "package.json"), "utf8")) as { main: string };
    fs.writeFileSync(path.join(staged, "package.json"), `${JSON.stringify({ ...manifest, main: manifest.main.replace(/\.ts$/, ".js") }, null, 2)}\n`);
    // Another process may have published the same content first; its copy is as good as ours.
    publishEntry(staged, entry);
    removeTree(staged);
    return entry;
}

export const prebuildCommand = defineCommand({
    name: "pss:prebuild",
    usage: `usage: npm run --silent pss:prebuild

Transpiles the policy pack in policy/ to JavaScript (once per content, into node_modules/.cache) and
prints its directory, for \`pulumi preview --policy-pack <directory>\`: a TypeScript pack is
type-checked again on every run, a JavaScript one is not (\`npm run typecheck\` checks policy/).
  --help    this text`,
    options: {},
    interpret(_values, positionals) {
        if (positionals.length > 0) {
            throw new UsageError(`unexpected argument ${positionals[0]}`);
        }
        return {};
    },
});

if (require.main === module) {
    void runAsMain(prebuildCommand, () => {
        process.stdout.write(`${prebuiltPolicyPack()}\n`);
        return 0;
    });
}
