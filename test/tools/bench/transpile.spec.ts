import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const repoRoot = path.resolve(__dirname, "..", "..", "..");
const preload = path.join(repoRoot, "tools", "transpile.mjs");
const report = "const m = require('node:module'); console.log(JSON.stringify({ env: process.env.NODE_COMPILE_CACHE, dir: m.getCompileCacheDir?.() ?? null }))";

/** What a process started with tools/transpile.mjs sees of the compile cache, under `env`. */
function compileCache(env: NodeJS.ProcessEnv): { env: string; dir: string | null } {
    const run = spawnSync(process.execPath, ["-r", preload, "-e", report], { cwd: repoRoot, env, encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    return JSON.parse(run.stdout) as { env: string; dir: string | null };
}

describe("tools/transpile.mjs: the compile cache of the engine runs' Node.js processes", () => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== "NODE_COMPILE_CACHE"));
    const chosen = fs.mkdtempSync(path.join(os.tmpdir(), "groundwork-compile-cache-"));
    after(() => fs.rmSync(chosen, { recursive: true, force: true }));
    const cases = [
        { name: "defaults to node_modules/.cache, exported to the processes it starts", env: clean, expected: path.join(repoRoot, "node_modules", ".cache", "groundwork-node-compile") },
        { name: "keeps a directory the caller chose", env: { ...clean, NODE_COMPILE_CACHE: chosen }, expected: chosen },
    ];
    for (const { name, env, expected } of cases) {
        it(name, () => {
            const seen = compileCache(env);
            assert.equal(seen.env, expected);
            // Node.js 22.1 and later cache there (in a subdirectory per Node.js version); older ones have no compile cache.
            if (seen.dir !== null) {
                assert.ok(seen.dir.startsWith(`${expected}${path.sep}`), `${seen.dir} is under ${expected}`);
            }
        });
    }
});
