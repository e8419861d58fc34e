/**
 * Loads the repository's TypeScript like `ts-node --transpile-only`, but keeps each transpiled file
 * in node_modules/.cache/groundwork-ts, keyed by its content, the compiler version and the
 * tsconfig: a start with nothing changed loads no compiler and transpiles nothing (ts-node
 * transpiles every file of the program on every start, 2 to 3 s of CPU for `platform()`).
 * Use it as `node --import ./tools/transpile.mjs <file.ts>`; type errors are `npm run typecheck`'s job.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import Module, { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// V8's code cache of every module loaded (Node.js 22.1 and later; older versions have no such cache): a third less
// CPU to load @pulumi/pulumi, @pulumi/kubernetes and @pulumi/policy once warm. Set in the environment, so that
// the Node.js processes the engine starts (the policy analyzer, the stand-ins) use the same directory.
process.env.NODE_COMPILE_CACHE ??= path.join(root, "node_modules", ".cache", "groundwork-node-compile");
Module.enableCompileCache?.(process.env.NODE_COMPILE_CACHE);

const load = createRequire(path.join(root, "package.json"));
const cacheDir = path.join(root, "node_modules", ".cache", "groundwork-ts");
const tsconfig = path.join(root, "tsconfig.json");
const salt = createHash("sha256").update(load("typescript/package.json").version).update(fs.readFileSync(tsconfig)).digest("hex");

let compiler;
/** The compiler and the repository's compiler options, loaded on the first cache miss only. */
function typescript() {
    if (!compiler) {
        const ts = load("typescript");
        const { config } = ts.readConfigFile(tsconfig, ts.sys.readFile);
        const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions, root);
        compiler = { ts, options: { ...options, sourceMap: false, inlineSourceMap: true, inlineSources: true } };
    }
    return compiler;
}

Module._extensions[".ts"] = (module, filename) => {
    const source = fs.readFileSync(filename, "utf8");
    const cached = path.join(cacheDir, `${createHash("sha256").update(salt).update(filename).update("\0").update(source).digest("hex")}.js`);
    let output;
    try {
        output = fs.readFileSync(cached, "utf8");
    } catch {
        const { ts, options } = typescript();
        output = ts.transpileModule(source, { compilerOptions: options, fileName: filename }).outputText;
        fs.mkdirSync(cacheDir, { recursive: true });
        // Written aside and renamed, so that a concurrent start never reads half a file.
        const staged = `${cached}.${process.pid}`;
        fs.writeFileSync(staged, output);
        fs.renameSync(staged, cached);
    }
    module._compile(output, filename);
};
