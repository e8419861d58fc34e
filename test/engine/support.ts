/**
 * The engine tests' shared setup: one engine session and one loopback chart repository for the
 * whole run, and throwaway stacks, each in its own work directory with a copy of Pulumi.yaml, its
 * own file backend and render directory, so that no test touches the repository's stack files,
 * its .pulumi-state/ or out/.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { InlineProgramArgs, Stack } from "@pulumi/pulumi/automation";
import * as YAML from "yaml";
import { controlPlaneBinaries } from "../../tools/cluster";
import { ControlPlane, ControlPlaneBinaries, startControlPlane } from "../../tools/cluster/control-plane";
import { EngineSession, EventLog, openStack, policyOptions, scratchDirectory, startEngine } from "../../tools/engine/session";
import { engineRunConfig } from "../../tools/engine/stack-config";
import { buildRepository, serveRepository } from "../../tools/helm-repo";
import { removeTree } from "../../tools/toolchain/cache";
import { REPO_ROOT } from "../../tools/cli/paths";
import { ToolchainError } from "../../tools/toolchain";
import { RawConfig, readStackConfig, withOverrides } from "../support/stack-config";

export const TEST_PASSPHRASE = "groundwork-engine-tests";

let session: EngineSession | undefined;
let skipReason: string | undefined;
let controlPlane: ControlPlaneBinaries | undefined;
let controlPlaneSkipReason: string | undefined;
let chartServer: http.Server | undefined;
export let chartRepositoryUrl = "";
const scratchDirectories: string[] = [];

export function scratch(prefix: string): string {
    const directory = scratchDirectory(prefix);
    scratchDirectories.push(directory);
    return directory;
}

/**
 * Root hooks: start the engine once (building it on a cold machine, with progress on stderr).
 * Where the engine truly cannot exist (no Go and no pulumi CLI), every test reports itself as
 * skipped with the reason; any other failure fails the run.
 */
export const mochaHooks = {
    async beforeAll(this: Mocha.Context) {
        this.timeout(0);
        const report = (line: string) => process.stderr.write(`      ${line}\n`);
        session = await unlessUnavailable(() => startEngine(report), (reason) => (skipReason = reason));
        if (!session) {
            return;
        }
        // Built here, where no test timeout applies: a cold build of the control plane takes many minutes.
        controlPlane = await unlessUnavailable(() => controlPlaneBinaries(report), (reason) => (controlPlaneSkipReason = reason));
        const charts = scratch("charts");
        buildRepository(path.join(REPO_ROOT, "test", "fixtures", "charts"), charts);
        const served = await serveRepository(charts, 0);
        chartServer = served.server;
        chartRepositoryUrl = served.url;
    },
    afterAll() {
        chartServer?.close();
        scratchDirectories.forEach(removeTree);
    },
};

/** What `start` gives, or undefined with the reason when the toolchain says the piece cannot be had here. */
async function unlessUnavailable<T>(start: () => Promise<T>, unavailable: (reason: string) => void): Promise<T | undefined> {
    try {
        return await start();
    } catch (error) {
        if (!(error instanceof ToolchainError)) {
            throw error;
        }
        unavailable(error.message);
        return undefined;
    }
}

/** The engine session, or a skip naming why the engine is absent on this machine. */
export function engine(context: Mocha.Context): EngineSession {
    if (!session) {
        context.skip();
        throw new Error(`engine not available: ${skipReason}`);
    }
    return session;
}

/** The control plane's binaries, or a skip naming why they cannot be built on this machine. */
export function controlPlaneBinariesOrSkip(context: Mocha.Context): ControlPlaneBinaries {
    engine(context);
    if (!controlPlane) {
        context.skip();
        throw new Error(`control plane not available: ${controlPlaneSkipReason}`);
    }
    return controlPlane;
}

/** A loopback control plane in a scratch directory named `name`, its progress indented under the test; skips where it cannot be built. */
export function startTestControlPlane(context: Mocha.Context, name: string): Promise<ControlPlane> {
    const binaries = controlPlaneBinariesOrSkip(context);
    return startControlPlane({ binaries, dataDir: path.join(scratch(name), "data"), report: (line) => process.stderr.write(`      ${line}\n`) });
}

export interface ThrowawayStack {
    stack: Stack;
    workDir: string;
    /** Where the stack's manifests are rendered, when its config renders them. */
    renderDirectory?: string;
    env: Record<string, string>;
    session: EngineSession;
}

/**
 * A stack named `test-<name>` whose config is `config`, in a fresh work directory with its own
 * backend. `program` defaults to Groundwork's platform.
 */
export async function throwawayStack(
    context: Mocha.Context,
    name: string,
    config: RawConfig,
    program?: InlineProgramArgs["program"],
): Promise<ThrowawayStack> {
    const current = engine(context);
    const workDir = scratch(name);
    fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(workDir, "Pulumi.yaml"));
    const stackName = `test-${name}`;
    fs.writeFileSync(path.join(workDir, `Pulumi.${stackName}.yaml`), YAML.stringify({ config }));
    const backend = path.join(workDir, "state");
    fs.mkdirSync(backend);
    const env = { ...current.toolchain.env, PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: TEST_PASSPHRASE };
    const { platform } = await import("../../components/program");
    const stack = await openStack(current, { stackName, workDir, env, program: program ?? (async () => platform()) });
    return { stack, workDir, env, session: current, renderDirectory: (config["groundwork:cluster"] as { renderDirectory?: string } | undefined)?.renderDirectory };
}

/**
 * A committed stack's config, changed only where the engine tests must: manifests rendered into
 * a scratch directory instead of a cluster, charts from the loopback fixture repository, and no
 * Cloudflare edge (its provider plugin cannot be had here).
 */
export function engineConfig(stackFile: string, overrides: RawConfig = {}): RawConfig {
    const renderDirectory = path.join(scratch(`render-${stackFile}`), "manifests");
    return withOverrides(engineRunConfig(readStackConfig(stackFile), renderDirectory, chartRepositoryUrl), overrides);
}

/** The pack enforced with the project's settings, plus an event log. */
export function withPolicy(events: EventLog): ReturnType<typeof policyOptions> & { onEvent: EventLog["onEvent"] } {
    return { ...policyOptions(scratch("pack")), onEvent: events.onEvent };
}
