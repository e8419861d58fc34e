/**
 * `npm run local`: the local stack on the real Pulumi engine, with a file state backend under
 * .pulumi-state/, the fixture charts served from a loopback Helm repository, and the policy pack
 * enforced. The program is `platform()` itself, run as an Automation API inline program. By default
 * the manifests are rendered; with `--cluster` the same stack, or the stack file `--stack-file`
 * names, is deployed (as `local-cluster`) into the loopback control plane (tools/cluster), which
 * stops when the run ends.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { parsePlatformConfig } from "../components/config";
import { platform } from "../components/program";
import { defineCommand, runAsMain, UsageError } from "./cli/command-line";
import { buildRepository, serveRepository } from "./helm-repo";
import { ControlPlane, startCluster } from "./cluster";
import { EMULATED } from "./cluster/emulation";
import { workloads } from "./cluster/workloads";
import { RawConfig, StackFile, clusterRunConfig, declaredTierSecrets, offlineRunConfig, namedStorageClasses, placementNodeLabels, readStackFile, routedReceivers } from "./engine/stack-config";
import type { AlertReceiver } from "../components/addons/monitoring/config";
import { Stack } from "@pulumi/pulumi/automation";
import { EventLog, openStack, policyOptions, scratchDirectory, startEngine } from "./engine/session";
import { checkNetwork, networkLine } from "./network/check";
import { ensureNetworkJudge } from "./network/judge";
import { Manifest } from "./network/matrix";
import { countByComponent, describeChanges, describeFindings, line, renderedManifests } from "./engine/report";
import { LOCAL_CLUSTER_STACK, LOCAL_STACK, REPO_ROOT, STATE_DIR } from "./cli/paths";
import { describePlugins, formatElapsed, stackEnvironment } from "./toolchain";
import { removeTree } from "./toolchain/cache";

const FIXTURE_CHARTS = path.join(REPO_ROOT, "test", "fixtures", "charts");
const PROGRESS_MS = 5_000;
const LOCAL_STACK_FILE = path.join(REPO_ROOT, `Pulumi.${LOCAL_STACK}.yaml`);

type Operation = "up" | "preview" | "destroy";

export const localCommand = defineCommand({
    name: "npm run local",
    usage: `usage: npm run local [-- --preview | --destroy] [--cluster [--stack-file FILE]]

Deploys the local stack (Pulumi.local.yaml) with the real Pulumi engine: manifests are rendered
under the stack's cluster.renderDirectory, state is kept in .pulumi-state/, and the policy pack
in policy/ is enforced. The first run builds the engine from Go modules (minutes; progress shown).
  --preview           show what would change, deploy nothing
  --destroy           delete everything the local stack deployed (the rendered manifests)
  --cluster           deploy into a real control plane on 127.0.0.1 instead of rendering (stack
                      local-cluster, kept in .pulumi-state/cluster/ with the cluster's data); the
                      control plane starts for the run and stops at its end
  --stack-file FILE   with --cluster, deploy this stack file or example (e.g. examples/agentguard.yaml)
                      instead of Pulumi.local.yaml, in a cluster of its own (.pulumi-state/cluster-<name>/);
                      charts come from the fixture repository, the edge is off, data is unprotected,
                      and its application secrets and alert receivers' credentials get random values
                      (receivers under .invalid: they reach no one)
  --help              this text`,
    options: { preview: { type: "boolean" }, destroy: { type: "boolean" }, cluster: { type: "boolean" }, "stack-file": { type: "string" } },
    interpret({ preview, destroy, cluster = false, "stack-file": stackFile }, positionals): { operation: Operation; cluster: boolean; stackFile: StackFile | undefined } {
        if (positionals.length > 0) {
            throw new UsageError(`unexpected argument ${positionals[0]}`);
        }
        if (preview && destroy) {
            throw new UsageError("--preview and --destroy exclude each other");
        }
        if (stackFile !== undefined && !cluster) {
            throw new UsageError("--stack-file only applies with --cluster: the rendered local stack is Pulumi.local.yaml");
        }
        return { operation: preview ? "preview" : destroy ? "destroy" : "up", cluster, stackFile: stackFile === undefined ? undefined : stackFileArgument(stackFile) };
    },
});

/** The stack file `--stack-file` names, read before anything starts, or a usage error saying what is wrong with it. */
function stackFileArgument(argument: string): StackFile {
    try {
        return readStackFile(path.resolve(argument));
    } catch (error) {
        throw new UsageError(`--stack-file ${argument}: ${(error as Error).message}`);
    }
}

/** The stack's `groundwork:charts.url` must be a loopback URL with a port: this run serves it. */
function loopbackPort(chartsJson: string | undefined): number {
    const url = chartsJson === undefined ? undefined : (JSON.parse(chartsJson) as { url?: string }).url;
    const parsed = url === undefined ? undefined : URL.parse(url);
    if (!parsed || parsed.hostname !== "127.0.0.1" || parsed.port === "") {
        throw new Error(`groundwork:charts.url in Pulumi.local.yaml is ${JSON.stringify(url)}; npm run local serves the fixture charts itself, so set it to http://127.0.0.1:<port>`);
    }
    return Number(parsed.port);
}

/**
 * Where a `--cluster` run keeps its generated stack file, state and cluster data (etcd, keys, logs):
 * the local stack's in .pulumi-state/cluster/, any other stack file's in a cluster of its own, so
 * that one never replaces the other's resources.
 */
function clusterWorkDir(source: StackFile): string {
    return path.join(STATE_DIR, source.file === LOCAL_STACK_FILE ? "cluster" : `cluster-${source.name}`);
}

/**
 * Writes the `--cluster` stack: `source`'s config as it runs here (offlineRunConfig, with the local
 * stack's loopback chart repository), deployed into the cluster (clusterRunConfig), its data
 * unprotected so that `--destroy` can remove it, under the local stack's passphrase salt. Its
 * application secrets are the generated ones of earlier runs, encrypted under that salt (a stack
 * file's own are encrypted with its stack's passphrase, and real secrets have no place here).
 * Returns the secrets still without a value, each with a random one for this run to set.
 */
function writeClusterStack(workDir: string, source: StackFile, cluster: ControlPlane): GeneratedSecret[] {
    fs.mkdirSync(workDir, { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(workDir, "Pulumi.yaml"));
    const local = YAML.parse(fs.readFileSync(LOCAL_STACK_FILE, "utf8")) as { config: RawConfig; encryptionsalt: string };
    const chartsUrl = (local.config["groundwork:charts"] as { url: string }).url;
    const generated = path.join(workDir, `Pulumi.${LOCAL_CLUSTER_STACK}.yaml`);
    const earlierConfig = fs.existsSync(generated) ? (YAML.parse(fs.readFileSync(generated, "utf8")) as { config: RawConfig }).config : {};
    const earlier = (earlierConfig["groundwork:tierSecrets"] ?? {}) as Record<string, Record<string, unknown>>;
    const kept: Record<string, Record<string, unknown>> = {};
    const missing: GeneratedSecret[] = [];
    for (const [tier, name] of declaredTierSecrets(source.config)) {
        const value = earlier[tier]?.[name];
        if (value === undefined) {
            missing.push({ path: `groundwork:tierSecrets.${tier}.${name}`, value: randomBytes(24).toString("base64url") });
        } else {
            kept[tier] = { ...kept[tier], [name]: value };
        }
    }
    const config: RawConfig = { ...clusterRunConfig(offlineRunConfig(source.config, chartsUrl), cluster), "groundwork:protectData": false };
    delete config["groundwork:tierSecrets"];
    if (Object.keys(kept).length > 0) {
        config["groundwork:tierSecrets"] = kept;
    }
    for (const { receiver, key } of routedReceivers(source.config)) {
        delete config[key];
        if (earlierConfig[key] === undefined) {
            missing.push({ path: key, value: receiverStandIn[receiver]() });
        } else {
            config[key] = earlierConfig[key];
        }
    }
    const header = `# Generated by npm run local -- --cluster from ${path.relative(REPO_ROOT, source.file)}; edit that file instead.\n`;
    fs.writeFileSync(generated, `${header}${YAML.stringify({ config, encryptionsalt: local.encryptionsalt })}`);
    return missing;
}

/** A secret the `--cluster` run sets itself: a stack file's own values are encrypted with its stack's passphrase. */
interface GeneratedSecret {
    path: string;
    value: string;
}

/** Credentials of the alert receivers a stack file routes to, for a cluster whose Alertmanager sends nothing: they reach no one. */
const receiverStandIn: Record<AlertReceiver, () => string> = {
    pagerDuty: () => randomBytes(16).toString("hex"),
    slack: () => `https://hooks.slack.invalid/services/${randomBytes(12).toString("base64url")}`,
};

async function run({ operation, cluster: inCluster, stackFile }: ReturnType<typeof localCommand.interpret>): Promise<number> {
    const started = Date.now();
    const progress = (text: string) => process.stderr.write(`${text}\n`);
    const session = await startEngine(progress);
    const stackName = inCluster ? LOCAL_CLUSTER_STACK : LOCAL_STACK;
    const env = stackEnvironment(session.toolchain, stackName) as Record<string, string>;
    if (!inCluster) {
        const stack = await openStack(session, { stackName, program: async () => platform(), env });
        return deploy(operation, stack, env, started, session, undefined);
    }
    const source = stackFile ?? readStackFile(LOCAL_STACK_FILE);
    const workDir = clusterWorkDir(source);
    const cluster = await startCluster(path.join(workDir, "data"), progress, { nodeLabels: placementNodeLabels(source.config), storageClasses: namedStorageClasses(source.config) });
    try {
        const missingSecrets = writeClusterStack(workDir, source, cluster);
        env.PULUMI_BACKEND_URL = `file://${path.join(workDir, "state")}`;
        fs.mkdirSync(path.join(workDir, "state"), { recursive: true });
        const stack = await openStack(session, { stackName, workDir, program: async () => platform(), env });
        for (const secret of missingSecrets) {
            // Kept in the generated stack file, so later runs reuse them and change nothing.
            await stack.setConfig(secret.path, { value: secret.value, secret: true }, true);
        }
        const secrets = declaredTierSecrets(source.config).length + routedReceivers(source.config).length;
        const origin = `${path.relative(REPO_ROOT, source.file)}: charts from the fixture repository, edge off, data unprotected`
            + (secrets > 0 ? `, ${secrets} secrets random (${missingSecrets.length} generated by this run)` : "");
        return await deploy(operation, stack, env, started, session, { cluster, origin });
    } finally {
        await cluster.stop();
    }
}

/** A `--cluster` run's cluster, and where its stack came from, for the summary. */
interface ClusterRun {
    cluster: ControlPlane;
    origin: string;
}

async function deploy(operation: Operation, stack: Stack, env: Record<string, string>, started: number, session: Awaited<ReturnType<typeof startEngine>>, clusterRun: ClusterRun | undefined): Promise<number> {
    const progress = (text: string) => process.stderr.write(`${text}\n`);
    const stackName = stack.name;
    const config = await stack.getAllConfig();
    const renderDirectory = (JSON.parse(config["groundwork:cluster"]?.value ?? "{}") as { renderDirectory?: string }).renderDirectory;

    const scratch = scratchDirectory("local");
    const charts = path.join(scratch, "charts");
    buildRepository(FIXTURE_CHARTS, charts);
    const port = loopbackPort(config["groundwork:charts"]?.value);
    const { server } = await serveRepository(charts, port).catch((error: NodeJS.ErrnoException) => {
        throw new Error(error.code === "EADDRINUSE" ? `port ${port} (groundwork:charts.url) is in use: stop what listens there (another npm run local?) and run again` : error.message);
    });

    const events = new EventLog();
    const parents = new Map<string, string | undefined>();
    let done = 0;
    const onEvent: typeof events.onEvent = (event) => {
        events.onEvent(event);
        const step = event.resourcePreEvent?.metadata;
        if (step) {
            parents.set(step.urn, (step.new ?? step.old)?.parent || undefined);
        }
        if (event.resOutputsEvent) {
            done++;
        }
    };
    const ticker = setInterval(() => progress(line(operation, `${done} resources done · ${formatElapsed(Date.now() - started)}`)), PROGRESS_MS);
    progress(line(operation, `${stackName} stack, state in ${path.relative(REPO_ROOT, env.PULUMI_BACKEND_URL.replace(/^file:\/\//, ""))}/`));
    let changes: Record<string, number> | undefined;
    let failure: unknown;
    // Ctrl-C reaches the CLI as a cancel, so that it ends the operation and releases the stack's lock.
    const interrupt = new AbortController();
    const cancel = () => interrupt.abort();
    process.on("SIGINT", cancel);
    process.on("SIGTERM", cancel);
    try {
        const signal = interrupt.signal;
        if (operation === "destroy") {
            changes = (await stack.destroy({ onEvent, signal })).summary.resourceChanges;
        } else if (operation === "preview") {
            changes = (await stack.preview({ ...policyOptions(scratch), onEvent, signal })).changeSummary;
        } else {
            changes = (await stack.up({ ...policyOptions(scratch), onEvent, signal })).summary.resourceChanges;
        }
    } catch (error) {
        failure = error;
    } finally {
        process.off("SIGINT", cancel);
        process.off("SIGTERM", cancel);
        clearInterval(ticker);
        server.close();
        removeTree(scratch);
    }

    const out = (label: string, text: string) => process.stdout.write(`${line(label, text)}\n`);
    out("stack", `${stackName} · ${operation}${failure ? " FAILED" : ` · ${describeChanges(changes)}`}`);
    for (const [component, count] of countByComponent(parents.keys(), parents)) {
        out("", `${String(count).padStart(4)}  ${component}`);
    }
    if (operation !== "destroy") {
        out("policy", `groundwork-pod-security: ${describeFindings(events.findings)}`);
        for (const finding of events.findings.filter((candidate) => candidate.level === "mandatory")) {
            out("", `${finding.policy}: ${finding.urn ?? "(stack)"}: ${finding.message.split("\n")[0]}`);
        }
    }
    if (renderDirectory !== undefined && operation === "up" && !failure) {
        const directory = path.resolve(REPO_ROOT, renderDirectory);
        const manifests = renderedManifests(directory);
        out("manifests", `${manifests.files} under ${path.relative(REPO_ROOT, directory)}/`);
        out("", `${manifests.secrets.length} of them hold Secrets in plaintext (out/ is git-ignored; delete it when done)`);
    }
    out("providers", `${describePlugins(session.toolchain).join(" · ")} · cloudflare not loaded (no edge in the local stack)`);
    const cli = session.toolchain.tools.find((tool) => tool.tool === "pulumi");
    out("engine", `pulumi ${cli?.version} (${cli?.state === "found" ? `found at ${cli.binary}` : `${cli?.state}, built from Go modules`}); inline program, no language host`);
    out("elapsed", formatElapsed(Date.now() - started));
    if (failure) {
        process.stderr.write(`\nnpm run local: ${operation} failed:\n${engineError(failure)}\n`);
    }
    const allReady = clusterRun === undefined || await reportCluster(clusterRun, out);
    const networkRight = operation !== "up" || failure !== undefined || await reportNetwork(stack, config, out, progress);
    return failure || !allReady || !networkRight ? 1 : 0;
}

/**
 * The deployed NetworkPolicies judged by a NetworkPolicy engine (cyclonus) against the traffic the
 * stack declares and the traffic it must keep closed; true when every verdict is the expected one.
 * The objects come from the stack's state, so rendered and deployed runs are judged alike.
 */
async function reportNetwork(
    stack: Awaited<ReturnType<typeof openStack>>,
    config: ConfigMap,
    out: (label: string, text: string) => void,
    progress: (text: string) => void,
): Promise<boolean> {
    const platformConfig = parsePlatformConfig(
        Object.fromEntries(Object.entries(config).map(([key, { value }]) => [key, value])),
        new Set(Object.entries(config).filter(([, { secret }]) => secret).map(([key]) => key)),
    );
    const state = await stack.exportStack();
    const resources = (state.deployment as { resources?: { type: string; outputs?: Partial<Manifest> }[] }).resources ?? [];
    const manifests = resources.filter((resource) => resource.type.startsWith("kubernetes:") && resource.outputs?.kind !== undefined && resource.outputs.metadata !== undefined)
        // The object as the provider keeps it, without its bookkeeping (`__inputs`, `__fieldManager`, status).
        .map(({ outputs }) => ({ apiVersion: outputs!.apiVersion!, kind: outputs!.kind!, metadata: outputs!.metadata!, spec: outputs!.spec }));
    const report = await checkNetwork(await ensureNetworkJudge(progress), platformConfig, manifests);
    process.stdout.write(`${networkLine(report)}\n`);
    for (const problem of report.problems) {
        out("", problem);
    }
    return report.problems.length === 0;
}

/** The cluster's side of the summary, ending with the workload count measured from the API server; true when every workload is ready. */
async function reportCluster({ cluster, origin }: ClusterRun, out: (label: string, text: string) => void): Promise<boolean> {
    out("stack file", origin);
    out("cluster", `${cluster.server}, kubeconfig ${path.relative(REPO_ROOT, cluster.kubeconfig)}; stops with this run, its data stays for the next`);
    out("network", "NetworkPolicies are stored but not enforced (no CNI); the network line judges them with cyclonus");
    out("emulated", `kwok's fake nodes run no containers; status written for: ${EMULATED.map((row) => row.controller).join(", ")}`);
    const all = await workloads(cluster.api);
    for (const workload of all.filter((candidate) => !candidate.ready)) {
        out("not ready", `${workload.kind} ${workload.namespace}/${workload.name}`);
    }
    const ready = all.filter((workload) => workload.ready).length;
    process.stdout.write(`cluster: ${ready}/${all.length} workloads ready\n`);
    return ready === all.length;
}

/** The part of an Automation API error a person needs: the CLI's own error lines, without its stack trace. */
function engineError(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    const stderr = /stderr: ([\s\S]*?)(?:\n\s*err\?:|$)/.exec(text)?.[1] ?? text;
    return stderr.trim().split("\n").filter((candidate) => candidate.trim() !== "").slice(-40).join("\n");
}

if (require.main === module) {
    void runAsMain(localCommand, (options) => run(options).catch((error: unknown) => {
        process.stderr.write(`npm run local: ${error instanceof Error ? error.message : String(error)}\n`);
        return 1;
    }));
}
