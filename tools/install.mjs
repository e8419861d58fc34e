/**
 * Installs the locked dependencies when they are missing or older than package-lock.json, so that the
 * README's commands work on a fresh clone. Plain JavaScript without dependencies: it runs on the
 * machine's own Node (20 or later) before the project's Node 24 exists.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const stamp = join(modules, ".groundwork-lock-sha256");
const projectNode = join(modules, ".bin", process.platform === "win32" ? "node.cmd" : "node");
const lockHash = createHash("sha256").update(readFileSync(join(root, "package-lock.json"))).digest("hex");

function installedFor(hash) {
    return existsSync(stamp) && readFileSync(stamp, "utf8").trim() === hash && existsSync(projectNode);
}

function run(command, args) {
    const result = spawnSync(command, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
    if (result.status !== 0) {
        const how = result.error ? result.error.message : `exit ${result.status ?? result.signal}`;
        process.stderr.write(`install: \`${command} ${args.join(" ")}\` failed (${how}); fix the npm registry access above and run it again\n`);
        process.exit(1);
    }
}

if (!installedFor(lockHash)) {
    const reason = !existsSync(modules) ? "not installed yet"
        : existsSync(stamp) ? "older than package-lock.json"
            : "installed without this script's record of package-lock.json";
    process.stderr.write(`install: dependencies ${reason}; running npm ci\n`);
    // --ignore-scripts keeps @pulumi/kubernetes from downloading its provider plugin; the one install
    // script needed is the `node` package's, which fetches the Node 24 binary from the registry.
    run("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"]);
    run("npm", ["rebuild", "node"]);
    writeFileSync(stamp, `${lockHash}\n`);
}
