import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { versions } from "../../components/versions";
import { unavailabilityReason } from "../../scripts/toolchain/build";
import { cachedBinary, entryDir, publishEntry, recipeHash, removeAbandonedTempDirs, removeTree } from "../../scripts/toolchain/cache";
import { REPO_ROOT, WrapperRecipe, checkWrapperRequirements, recipes } from "../../scripts/toolchain/recipes";
import {
    LOCAL_STACK_PASSPHRASE,
    Toolchain,
    ensureToolchain,
    formatStatus,
    stackEnvironment,
} from "../../scripts/toolchain/toolchain";

const tempDirs: string[] = [];

function tempDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `groundwork-${prefix}-`));
    tempDirs.push(dir);
    return dir;
}

after(() => tempDirs.forEach(removeTree));

/** Sets environment variables for one test and returns what puts them back (unset ones are deleted, not set to "undefined"). */
function overrideEnv(values: Record<string, string>): () => void {
    const saved = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
    Object.assign(process.env, values);
    return () => {
        for (const [name, value] of Object.entries(saved)) {
            if (value === undefined) {
                delete process.env[name];
            } else {
                process.env[name] = value;
            }
        }
    };
}

describe("toolchain: download failures", () => {
    const cases: { name: string; output: string; reason: string | undefined }[] = [
        {
            name: "a commit the proxy does not serve (go mod download -json)",
            output:
                '{\n\t"Path": "github.com/pulumi/pulumi-tls/provider/v5",\n\t"Error": "github.com/pulumi/pulumi-tls/provider/v5@c3b9a61e: ' +
                'invalid version: reading https://proxy.example.com/github.com/pulumi/pulumi-tls/provider/v5/@v/c3b9a61e.info: 403 Forbidden\\n\\tserver response: This module version is not available."\n}',
            reason: 'the Go module proxy does not serve github.com/pulumi/pulumi-tls/provider/v5@c3b9a61e ("This module version is not available.")',
        },
        {
            name: "a dependency missing during go list",
            output:
                "go: gocloud.dev@v0.46.1-0.20260810195832-b5401c07b5f1: reading https://proxy.example.com/gocloud.dev/@v/v0.46.1-0.20260810195832-b5401c07b5f1.zip: 404 Not Found",
            reason: "the Go module proxy does not serve gocloud.dev@v0.46.1-0.20260810195832-b5401c07b5f1",
        },
        {
            name: "a dependency missing while compiling (the importing file is named first)",
            output:
                "/home/u/go/pkg/mod/github.com/pulumi/pulumi-terraform-bridge/v3@v3.135.0/pkg/tfgen/convert_cli.go:34:2: " +
                "github.com/pulumi/pulumi-yaml@v1.37.1-0.20260717123218-294c561f47f4: reading https://proxy.example.com/github.com/pulumi/pulumi-yaml/@v/v1.37.1-0.20260717123218-294c561f47f4.zip: 403 Forbidden",
            reason: "the Go module proxy does not serve github.com/pulumi/pulumi-yaml@v1.37.1-0.20260717123218-294c561f47f4",
        },
        {
            name: "a module the checksum database does not know",
            output:
                "go: verifying go.mod: github.com/pulumi/pulumi-kubernetes/sdk/v4@v4.32.0/go.mod: reading https://proxy.example.com/sumdb/sum.golang.org/lookup/github.com/pulumi/pulumi-kubernetes/sdk/v4@v4.32.0: 404 Not Found",
            reason: "the checksum database has no entry for github.com/pulumi/pulumi-kubernetes/sdk/v4@v4.32.0",
        },
        {
            name: "no network",
            output: "go: github.com/rhysd/actionlint@v1.7.12: Get \"https://proxy.example.com/...\": dial tcp: lookup proxy.example.com: no such host",
            reason: "the Go module proxy cannot be reached while fetching github.com/rhysd/actionlint@v1.7.12",
        },
        {
            name: "a compile error (a broken recipe, not an unavailable module)",
            output: "# github.com/pulumi/pulumi-random/provider/v4\n./resources.go:49:24: undefined: shim.NewProvider",
            reason: undefined,
        },
    ];
    for (const { name, output, reason } of cases) {
        it(name, () => assert.equal(unavailabilityReason(output), reason));
    }
});

describe("toolchain: wrapper modules agree with components/versions.ts", () => {
    const wrappers = recipes.filter((recipe): recipe is WrapperRecipe => recipe.kind === "wrapper");

    for (const recipe of wrappers) {
        it(`${recipe.moduleDir}/go.mod pins what the versions table says`, () => checkWrapperRequirements(recipe));
    }

    const pulumiWrapper = wrappers.find((recipe) => recipe.tool === "pulumi") as WrapperRecipe;
    const languageHost = wrappers.find((recipe) => recipe.tool === "pulumi-language-nodejs") as WrapperRecipe;
    const mismatches: { name: string; recipe: WrapperRecipe; goMod: string; message: RegExp }[] = [
        {
            name: "a tagged requirement at another version",
            recipe: pulumiWrapper,
            goMod: "module x\n\nrequire (\n\tgithub.com/pulumi/pulumi/pkg/v3 v3.258.0\n\tgithub.com/pulumi/pulumi/sdk/v3 v3.259.0\n)\n",
            message: /requires github\.com\/pulumi\/pulumi\/pkg\/v3 v3\.258\.0, but components\/versions\.ts asks for v3\.259\.0/,
        },
        {
            name: "a missing requirement",
            recipe: pulumiWrapper,
            goMod: "module x\n\nrequire github.com/pulumi/pulumi/sdk/v3 v3.259.0\n",
            message: /requires github\.com\/pulumi\/pulumi\/pkg\/v3 \(nothing\)/,
        },
        {
            name: "a pseudo-version of another commit",
            recipe: languageHost,
            goMod:
                "module x\n\nrequire (\n\tgithub.com/pulumi/pulumi/pkg/v3 v3.259.0\n\tgithub.com/pulumi/pulumi/sdk/v3 v3.259.0\n" +
                "\tgithub.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 v3.0.0-20260819165155-0ac56e876614\n)\n",
            message: new RegExp(`a pseudo-version of commit ${versions.toolchain.commits.languageNodejs}`),
        },
    ];
    for (const { name, recipe, goMod, message } of mismatches) {
        it(`rejects ${name}`, () => {
            const moduleDir = tempDir("wrapper");
            fs.writeFileSync(path.join(moduleDir, "go.mod"), goMod);
            assert.throws(() => checkWrapperRequirements({ ...recipe, moduleDir }), message);
        });
    }
});

describe("toolchain: cache entries", () => {
    it("keys an entry by a hash of the wrapper's files", () => {
        const moduleDir = tempDir("wrapper");
        fs.cpSync(path.join(REPO_ROOT, "scripts/toolchain/modules/actionlint"), moduleDir, { recursive: true });
        const recipe = { ...(recipes.find((candidate) => candidate.tool === "actionlint") as WrapperRecipe), moduleDir };
        const before = recipeHash(recipe);
        fs.appendFileSync(path.join(moduleDir, "go.sum"), "example.com/extra v1.0.0 h1:AAAA=\n");
        assert.notEqual(recipeHash(recipe), before);
    });

    it("keeps the entry published first when two builds race", () => {
        const root = tempDir("publish");
        const first = path.join(root, "first");
        const second = path.join(root, "second");
        const entry = path.join(root, "entry");
        for (const [dir, content] of [[first, "first"], [second, "second"]]) {
            fs.mkdirSync(dir);
            fs.writeFileSync(path.join(dir, "binary"), content);
        }
        publishEntry(first, entry);
        publishEntry(second, entry);
        assert.equal(fs.readFileSync(path.join(entry, "binary"), "utf8"), "first");
    });

    it("removes scratch directories of dead processes only", () => {
        const root = tempDir("scratch");
        const deadPid = 2 ** 22 + 1; // above Linux's pid_max
        const dead = path.join(root, `.tmp-pulumi-${deadPid}-0badcafe`);
        const live = path.join(root, `.tmp-pulumi-${process.pid}-0badcafe`);
        for (const dir of [dead, live]) {
            fs.mkdirSync(path.join(dir, "src"), { recursive: true });
            fs.chmodSync(path.join(dir, "src"), 0o555);
        }
        removeAbandonedTempDirs(root);
        assert.deepEqual([fs.existsSync(dead), fs.existsSync(live)], [false, true]);
    });
});

describe("toolchain: stack passphrases", () => {
    const toolchain = { env: { PULUMI_HOME: "/cache/pulumi-home" } } as unknown as Toolchain;
    const cases: { name: string; stack: string; base: NodeJS.ProcessEnv; passphrase?: string; throws?: RegExp }[] = [
        { name: "local stack, nothing set: the documented default", stack: "local", base: {}, passphrase: LOCAL_STACK_PASSPHRASE },
        { name: "local stack, passphrase set: the environment wins", stack: "local", base: { PULUMI_CONFIG_PASSPHRASE: "s3cret" }, passphrase: "s3cret" },
        { name: "an empty passphrase is a passphrase", stack: "staging", base: { PULUMI_CONFIG_PASSPHRASE: "" }, passphrase: "" },
        { name: "a passphrase file is used as is", stack: "production", base: { PULUMI_CONFIG_PASSPHRASE_FILE: "/run/secret" }, passphrase: undefined },
        { name: "shared stack, nothing set: refused", stack: "production", base: {}, throws: /PULUMI_CONFIG_PASSPHRASE is not set, and stack "production"/ },
    ];
    for (const { name, stack, base, passphrase, throws } of cases) {
        it(name, () => {
            if (throws) {
                assert.throws(() => stackEnvironment(toolchain, stack, base), throws);
                return;
            }
            const env = stackEnvironment(toolchain, stack, base);
            assert.equal(env.PULUMI_CONFIG_PASSPHRASE, passphrase);
            assert.equal(env.PULUMI_HOME, "/cache/pulumi-home");
        });
    }
});

describe("toolchain: without Go", () => {
    it("reports every uncached tool as unavailable instead of failing", async () => {
        const restore = overrideEnv({ PATH: tempDir("empty-path"), XDG_CACHE_HOME: tempDir("cold-cache") });
        try {
            const toolchain = await ensureToolchain();
            assert.deepEqual(new Set(toolchain.tools.map((tool) => tool.state)), new Set(["unavailable"]));
            assert.match(toolchain.tools[0].reason ?? "", /`go` is not on PATH: install Go 1\.25 or newer/);
            assert.equal(toolchain.engine, false);
            assert.equal(toolchain.binDir, undefined);
        } finally {
            restore();
        }
    });
});

describe("toolchain: a warm cache", () => {
    let cacheHome: string;
    let restoreEnv: () => void;
    let installLog: string;

    /** Puts an executable at every cache entry; the fake `pulumi` records plugin installs the way the real one lays them out. */
    function seedCache(): void {
        installLog = path.join(cacheHome, "plugin-installs.log");
        const root = path.join(cacheHome, "groundwork", "toolchain");
        for (const recipe of recipes) {
            const dir = entryDir(root, recipe);
            fs.mkdirSync(dir, { recursive: true });
            const script =
                recipe.tool === "pulumi"
                    ? [
                          "#!/bin/sh",
                          `echo "$*" >> '${installLog}'`,
                          'dir="$PULUMI_HOME/plugins/resource-$4-v$5"',
                          'mkdir -p "$dir" && cp "$7" "$dir/pulumi-resource-$4"',
                      ].join("\n")
                    : "#!/bin/sh\nexit 0";
            fs.writeFileSync(path.join(dir, recipe.binary), `${script}\n`, { mode: 0o755 });
        }
    }

    function installs(): string[] {
        return fs.existsSync(installLog) ? fs.readFileSync(installLog, "utf8").trim().split("\n") : [];
    }

    beforeEach(() => {
        cacheHome = tempDir("cache");
        restoreEnv = overrideEnv({ XDG_CACHE_HOME: cacheHome });
        seedCache();
    });

    afterEach(() => restoreEnv());

    it("reuses every cached binary and installs each provider at its exact version", async () => {
        const lines: string[] = [];
        const toolchain = await ensureToolchain({ report: (line) => lines.push(line) });
        const root = path.join(cacheHome, "groundwork", "toolchain");
        assert.deepEqual(
            toolchain.tools.map((tool) => `${tool.tool} ${tool.state}`),
            recipes.map((recipe) => `${recipe.tool} cached`),
        );
        assert.deepEqual(lines, toolchain.tools.map(formatStatus));
        assert.equal(toolchain.engine, true);
        assert.deepEqual(toolchain.providers, { kubernetes: true, random: true, tls: true, cloudflare: true });
        // The engine finds its language host beside the CLI, so both must be in binDir, first on PATH.
        const binDir = toolchain.binDir as string;
        for (const tool of ["pulumi", "pulumi-language-nodejs"]) {
            const cached = cachedBinary(root, recipes.find((recipe) => recipe.tool === tool) as WrapperRecipe) as string;
            assert.equal(fs.statSync(path.join(binDir, tool)).ino, fs.statSync(cached).ino);
        }
        assert.equal(toolchain.env.PATH.split(path.delimiter)[0], binDir);
        assert.equal(toolchain.env.PULUMI_IGNORE_AMBIENT_PLUGINS, "true");
        assert.equal(toolchain.env.PULUMI_HOME, path.join(root, "pulumi-home"));
        assert.equal(toolchain.env.PULUMI_BACKEND_URL, `file://${path.join(REPO_ROOT, ".pulumi-state")}`);
        assert.equal(toolchain.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION, "true");
        assert.equal(toolchain.env.PULUMI_SKIP_UPDATE_CHECK, "true");
        assert.deepEqual(
            installs().map((line) => line.split(" ").slice(0, 5).join(" ")),
            Object.entries(versions.toolchain.plugins).map(([name, version]) => `plugin install resource ${name} ${version}`),
        );
    });

    it("is idempotent: a second run installs nothing again", async () => {
        await ensureToolchain();
        const afterFirst = installs().length;
        await ensureToolchain();
        assert.equal(installs().length, afterFirst);
    });

    it("reinstalls a provider whose installed copy is gone", async () => {
        await ensureToolchain();
        const root = path.join(cacheHome, "groundwork", "toolchain");
        fs.rmSync(path.join(root, "pulumi-home", "plugins", `resource-tls-v${versions.toolchain.plugins.tls}`), { recursive: true });
        await ensureToolchain();
        assert.equal(installs().filter((line) => line.includes("resource tls ")).length, 2);
    });
});
