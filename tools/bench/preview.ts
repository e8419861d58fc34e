/**
 * One measured preview, run by `npm run bench` in a process of its own so that its wall time and
 * memory are the run's alone: Groundwork's program (staging in render mode, or N synthetic tiers)
 * or the baseline program, on the real engine, in a throwaway work directory and backend. The
 * program module is imported inside the inline program, so its TypeScript compile counts, as it
 * does for `pulumi preview`. Reads its job (a JSON file) and writes its result beside it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import { EngineEvent } from "@pulumi/pulumi/automation";
import * as YAML from "yaml";
import { buildRepository, serveRepository } from "../helm-repo";
import { openStack, policyOptions, scratchDirectory, startEngine } from "../engine/session";
import { removeTree } from "../toolchain/cache";
import { REPO_ROOT } from "../cli/paths";
import { benchConfig, withTiers } from "./configs";

export interface PreviewJob {
    program: "groundwork" | "baseline";
    /** Synthetic tiers instead of staging's own three. */
    tiers?: number;
    policy: boolean;
    /** For the baseline: one ConfigMap per entry, holding about that many bytes of input. */
    inputSizes?: number[];
    /** A `file:` path for Pulumi's --tracing output. */
    tracing?: string;
    result: string;
}

export interface PreviewResult {
    previewMs: number;
    /**
     * CPU time of the preview in this process and every process it waited for (the CLI, and the
     * plugins and analyzer the CLI waited for): the figure a busy shared machine skews least.
     */
    cpuMs: number;
    /** Resources the preview registered, the stack itself left out. */
    resources: number;
    /** JSON size of each resource's inputs (for the baseline's sizing). */
    inputSizes: number[];
    mandatoryFindings: number;
}

const STACK_NAME = "bench";
const PASSPHRASE = "groundwork-bench";
const FIXTURE_CHARTS = path.join(REPO_ROOT, "test", "fixtures", "charts");

/** Plain resources with the given input sizes through the same provider, rendering like Groundwork. */
function baselineProgram(renderDirectory: string, inputSizes: readonly number[]): () => Promise<void> {
    return async () => {
        const provider = new k8s.Provider("render", { renderYamlToDirectory: renderDirectory });
        // The provider is one of the resources counted; a ConfigMap's envelope is about 100 bytes of the size.
        inputSizes.slice(1).forEach((size, i) => {
            new k8s.core.v1.ConfigMap(`baseline-${i}`, {
                metadata: { name: `baseline-${i}`, namespace: "baseline" },
                data: { payload: "x".repeat(Math.max(0, size - 100)) },
            }, { provider });
        });
    };
}

/** utime, stime, cutime and cstime of /proc/self/stat, in clock ticks of 10 ms (USER_HZ on Linux). */
function treeCpuMs(): number {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 to 17 of proc(5), counted from the state field (3).
    return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) * 10;
}

async function main(job: PreviewJob): Promise<void> {
    const session = await startEngine(() => undefined);
    const scratch = scratchDirectory("bench");
    const charts = path.join(scratch, "charts");
    buildRepository(FIXTURE_CHARTS, charts);
    const { server, url } = await serveRepository(charts, 0);
    try {
        const renderDirectory = path.join(scratch, "manifests");
        const config = job.tiers === undefined ? benchConfig(renderDirectory, url) : withTiers(benchConfig(renderDirectory, url), job.tiers);
        const workDir = path.join(scratch, "project");
        fs.mkdirSync(path.join(workDir, "state"), { recursive: true });
        fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(workDir, "Pulumi.yaml"));
        fs.writeFileSync(path.join(workDir, `Pulumi.${STACK_NAME}.yaml`), YAML.stringify({ config }));
        const env = { ...session.toolchain.env, PULUMI_BACKEND_URL: `file://${path.join(workDir, "state")}`, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE };
        const program = job.program === "baseline"
            ? baselineProgram(renderDirectory, job.inputSizes ?? [])
            : async () => (await import("../../components/program")).platform();
        const stack = await openStack(session, { stackName: STACK_NAME, workDir, env, program });

        const inputSizes = new Map<string, number>();
        let mandatoryFindings = 0;
        const onEvent = (event: EngineEvent) => {
            const step = event.resourcePreEvent?.metadata;
            if (step && step.type !== "pulumi:pulumi:Stack") {
                inputSizes.set(step.urn, JSON.stringify(step.new?.inputs ?? {}).length);
            }
            if (event.policyEvent?.enforcementLevel === "mandatory") {
                mandatoryFindings++;
            }
        };
        const started = process.hrtime.bigint();
        const cpuBefore = treeCpuMs();
        await stack.preview({ onEvent, ...(job.policy ? policyOptions(scratch) : {}), ...(job.tracing ? { tracing: job.tracing } : {}) });
        const result: PreviewResult = {
            previewMs: Number(process.hrtime.bigint() - started) / 1e6,
            cpuMs: treeCpuMs() - cpuBefore,
            resources: inputSizes.size,
            inputSizes: [...inputSizes.values()],
            mandatoryFindings,
        };
        fs.writeFileSync(job.result, JSON.stringify(result));
    } finally {
        server.close();
        removeTree(scratch);
    }
}

if (require.main === module) {
    main(JSON.parse(fs.readFileSync(process.argv[2], "utf8")) as PreviewJob).catch((error: unknown) => {
        process.stderr.write(`bench preview: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
    });
}
