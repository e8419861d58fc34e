/**
 * `npm run local`: the local stack on the real Pulumi engine, with a file state backend under
 * .pulumi-state/, the fixture charts served from a loopback Helm repository, and the policy pack
 * enforced. The program is `platform()` itself, run as an Automation API inline program.
 */
import * as path from "node:path";
import { platform } from "../components/program";
import { defineCommand, runAsMain, UsageError } from "../policy/command-line";
import { buildRepository, serveRepository } from "./helm-repo";
import { EventLog, openStack, policyOptions, scratchDirectory, startEngine } from "./engine/session";
import { countByComponent, describeChanges, describeFindings, line, renderedManifests } from "./engine/report";
import { LOCAL_STACK, formatElapsed, stackEnvironment } from "./toolchain";
import { REPO_ROOT } from "./toolchain/recipes";
import { removeTree } from "./toolchain/cache";

const FIXTURE_CHARTS = path.join(REPO_ROOT, "test", "fixtures", "charts");
const PROGRESS_MS = 5_000;

type Operation = "up" | "preview" | "destroy";

export const localCommand = defineCommand({
    name: "npm run local",
    usage: `usage: npm run local [-- --preview | --destroy]

Deploys the local stack (Pulumi.local.yaml) with the real Pulumi engine: manifests are rendered
under the stack's cluster.renderDirectory, state is kept in .pulumi-state/, and the policy pack
in policy/ is enforced. The first run builds the engine from Go modules (minutes; progress shown).
  --preview    show what would change, deploy nothing
  --destroy    delete everything the local stack deployed (the rendered manifests)
  --help       this text`,
    options: { preview: { type: "boolean" }, destroy: { type: "boolean" } },
    interpret({ preview, destroy }, positionals): Operation {
        if (positionals.length > 0) {
            throw new UsageError(`unexpected argument ${positionals[0]}`);
        }
        if (preview && destroy) {
            throw new UsageError("--preview and --destroy exclude each other");
        }
        return preview ? "preview" : destroy ? "destroy" : "up";
    },
});

/** The stack's `groundwork:charts.url` must be a loopback URL with a port: this run serves it. */
function loopbackPort(chartsJson: string | undefined): number {
    const url = chartsJson === undefined ? undefined : (JSON.parse(chartsJson) as { url?: string }).url;
    const parsed = url === undefined ? undefined : URL.parse(url);
    if (!parsed || parsed.hostname !== "127.0.0.1" || parsed.port === "") {
        throw new Error(`groundwork:charts.url in Pulumi.local.yaml is ${JSON.stringify(url)}; npm run local serves the fixture charts itself, so set it to http://127.0.0.1:<port>`);
    }
    return Number(parsed.port);
}

async function run(operation: Operation): Promise<number> {
    const started = Date.now();
    const progress = (text: string) => process.stderr.write(`${text}\n`);
    const session = await startEngine(progress);
    const env = stackEnvironment(session.toolchain, LOCAL_STACK) as Record<string, string>;
    const stack = await openStack(session, { stackName: LOCAL_STACK, program: async () => platform(), env });
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
    progress(line(operation, `local stack, state in ${path.relative(REPO_ROOT, env.PULUMI_BACKEND_URL.replace(/^file:\/\//, ""))}/`));
    let changes: Record<string, number> | undefined;
    let failure: unknown;
    try {
        if (operation === "destroy") {
            changes = (await stack.destroy({ onEvent })).summary.resourceChanges;
        } else if (operation === "preview") {
            changes = (await stack.preview({ ...policyOptions(scratch), onEvent })).changeSummary;
        } else {
            changes = (await stack.up({ ...policyOptions(scratch), onEvent })).summary.resourceChanges;
        }
    } catch (error) {
        failure = error;
    } finally {
        clearInterval(ticker);
        server.close();
        removeTree(scratch);
    }

    const out = (label: string, text: string) => process.stdout.write(`${line(label, text)}\n`);
    out("stack", `local · ${operation}${failure ? " FAILED" : ` · ${describeChanges(changes)}`}`);
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
    const plugins = session.toolchain.plugins;
    const providerText = (["kubernetes", "random", "tls"] as const).map((name) => {
        const tool = session.toolchain.tools.find((candidate) => candidate.tool === name);
        return `${name} ${tool?.version ?? "?"} ${plugins[name] === "stand-in" ? "STAND-IN" : plugins[name] ?? "missing"}`;
    });
    out("providers", `${providerText.join(" · ")} · cloudflare not loaded (no edge in the local stack)`);
    const cli = session.toolchain.tools.find((tool) => tool.tool === "pulumi");
    out("engine", `pulumi ${cli?.version} (${cli?.state === "found" ? `found at ${cli.binary}` : `${cli?.state}, built from Go modules`}); inline program, no language host`);
    out("elapsed", formatElapsed(Date.now() - started));
    if (failure) {
        process.stderr.write(`\nnpm run local: ${operation} failed:\n${engineError(failure)}\n`);
        return 1;
    }
    return 0;
}

/** The part of an Automation API error a person needs: the CLI's own error lines, without its stack trace. */
function engineError(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    const stderr = /stderr: ([\s\S]*?)(?:\n\s*err\?:|$)/.exec(text)?.[1] ?? text;
    return stderr.trim().split("\n").filter((candidate) => candidate.trim() !== "").slice(-40).join("\n");
}

if (require.main === module) {
    void runAsMain(localCommand, (operation) => run(operation).catch((error: unknown) => {
        process.stderr.write(`npm run local: ${error instanceof Error ? error.message : String(error)}\n`);
        return 1;
    }));
}
