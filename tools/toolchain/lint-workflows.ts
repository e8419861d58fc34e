import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../cli/paths";
import { ToolchainError } from "./recipes";
import { ensureToolchain } from "./toolchain";

const WORKFLOW_DIR = path.join(REPO_ROOT, ".github", "workflows");

/** Lints every workflow with the pinned actionlint (built into the toolchain cache on first use); returns its exit code. */
export async function lintWorkflows(report: (line: string) => void = () => undefined): Promise<number> {
    const toolchain = await ensureToolchain({ tools: ["actionlint"], report });
    const [actionlint] = toolchain.tools;
    if (!actionlint.binary) {
        throw new ToolchainError(`actionlint ${actionlint.version} is ${actionlint.state}: ${actionlint.reason}`);
    }
    const workflows = fs
        .readdirSync(WORKFLOW_DIR)
        .filter((name) => /\.ya?ml$/.test(name))
        .map((name) => path.relative(REPO_ROOT, path.join(WORKFLOW_DIR, name)));
    if (workflows.length === 0) {
        throw new ToolchainError(`no workflow files in ${path.relative(REPO_ROOT, WORKFLOW_DIR)}`);
    }
    const result = spawnSync(actionlint.binary, workflows, { cwd: REPO_ROOT, stdio: "inherit" });
    if (result.status === 0) {
        report(`actionlint: ${workflows.length} workflows clean`);
    }
    return result.status ?? 1;
}

if (require.main === module) {
    lintWorkflows((line) => process.stderr.write(`${line}\n`)).then(
        (code) => {
            process.exitCode = code;
        },
        (error: unknown) => {
            process.stderr.write(`lint-workflows: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exitCode = 1;
        },
    );
}
