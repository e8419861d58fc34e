import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BuildError, GoToolchain, ToolBuild, UnavailableError, findGo } from "./build";
import { cacheRoot, cachedBinary, isExecutableFile, makeTempDir, publishEntry, removeAbandonedTempDirs, removeTree } from "./cache";
import { LOCAL_CLUSTER_STACK, LOCAL_STACK, LOCAL_STACK_PASSPHRASE, REPO_ROOT, STATE_DIR, TRANSPILE_LOADER } from "../cli/paths";
import { runCommand, shellQuote, tail } from "./process";
import { Recipe, ToolName, ToolchainError, checkWrapperRequirements, providerPluginName, recipes } from "./recipes";
import { CompileScheduler, StandardLibraryStage } from "./schedule";
import { toolchainVersions } from "./versions";

/**
 * cached/found/built: the real tool. stand-in: Groundwork's own provider serving a plugin whose real
 * build is refused here. unavailable: not usable, with the reason. failed: a build that broke.
 */
export type ToolState = "cached" | "found" | "built" | "stand-in" | "unavailable" | "failed";

export type StandInName = keyof typeof toolchainVersions.standIns;
export const STAND_IN_NAMES = Object.keys(toolchainVersions.standIns) as StandInName[];
/** Provider plugins the program needs: kubernetes and random, which we build, and those a stand-in may serve (random, tls). */
export type PluginName = "kubernetes" | StandInName;

export interface ToolStatus {
    tool: ToolName | StandInName;
    version: string;
    state: ToolState;
    /** The executable, whenever the tool is usable. */
    binary?: string;
    /** Build time, for a tool built by this run. */
    seconds?: number;
    /** Why the tool is unavailable or failed. */
    reason?: string;
    /** What a plugin of ours is built from (the recipe's `origin`), for a cached or built one. */
    origin?: string;
}

export interface Toolchain {
    /** Directory of the `pulumi` CLI, or undefined. */
    binDir: string | undefined;
    /**
     * Variables to merge over `process.env` to run the engine offline: PATH with the CLI first, a
     * private PULUMI_HOME holding the provider and policy-analyzer plugins, no update checks, no
     * plugin downloads, the repository's file backend. The passphrase is per stack: see `stackEnvironment`.
     */
    env: Record<string, string>;
    tools: ToolStatus[];
    /**
     * True when the CLI is usable. Programs run as Automation API inline programs, which bring their
     * own Node.js language runtime, so no language host is needed.
     */
    engine: boolean;
    /** How the engine gets each provider plugin: the real one, Groundwork's stand-in, or not at all. */
    plugins: Record<PluginName, "real" | "stand-in" | undefined>;
}

export interface EnsureOptions {
    /** Only these tools (default: all). The workflow linter asks for actionlint alone. */
    tools?: readonly ToolName[];
    /** Receives aligned progress lines; silent by default so library callers stay quiet. */
    report?: (line: string) => void;
    /** How often a running build reports its elapsed time. */
    heartbeatMs?: number;
}

export const STAND_IN_DIR = path.join(__dirname, "stand-ins");
const HEARTBEAT_MS = 30_000;

/**
 * Makes every requested tool usable: reuses the cache or matching binaries already installed,
 * builds the rest from the Go module proxy, and installs the provider plugins (real or stand-in)
 * and the policy analyzer into a private PULUMI_HOME at their exact versions. A tool whose modules
 * the proxy does not serve is reported as unavailable rather than failing the others.
 */
export async function ensureToolchain(options: EnsureOptions = {}): Promise<Toolchain> {
    const report = options.report ?? (() => undefined);
    const selected = options.tools ? recipes.filter((recipe) => options.tools?.includes(recipe.tool)) : recipes;
    for (const recipe of selected) {
        if (recipe.kind === "wrapper") {
            checkWrapperRequirements(recipe);
        }
    }
    const root = cacheRoot();
    fs.mkdirSync(root, { recursive: true });
    removeAbandonedTempDirs(root);

    const statuses = new Map<ToolName, ToolStatus>();
    const missing: Recipe[] = [];
    const cachedBinaries = new Map(selected.map((recipe) => [recipe.tool, cachedBinary(root, recipe)]));
    // Asking an installed CLI for its version takes a process start, so only when the cache cannot serve.
    const installedCli = selected.some((recipe) => recipe.tool === "pulumi" && !cachedBinaries.get("pulumi")) ? await findInstalledCli() : undefined;
    for (const recipe of selected) {
        const cached = cachedBinaries.get(recipe.tool);
        const installed = cached ? undefined : findInstalled(recipe, installedCli);
        if (cached || installed) {
            const status: ToolStatus = cached
                ? { tool: recipe.tool, version: recipe.version, state: "cached", binary: cached, origin: recipe.origin }
                : { tool: recipe.tool, version: recipe.version, state: "found", binary: installed };
            statuses.set(recipe.tool, status);
            report(formatStatus(status));
        } else {
            missing.push(recipe);
        }
    }
    if (missing.length > 0) {
        for (const status of await buildAll(missing, root, report, options.heartbeatMs ?? HEARTBEAT_MS)) {
            statuses.set(status.tool as ToolName, status);
        }
    }

    const tools = selected.map((recipe) => statuses.get(recipe.tool) as ToolStatus);
    const pulumiHome = path.join(root, "pulumi-home");
    const cli = statuses.get("pulumi")?.binary;
    const binDir = cli && path.dirname(cli);
    const env = engineEnvironment(binDir, pulumiHome);
    const plugins: Toolchain["plugins"] = { kubernetes: undefined, random: undefined, tls: undefined };
    if (cli) {
        // A stand-in only where no real plugin of that name is usable: tls always, random when its build is not.
        const realPlugins = new Set(tools.filter((status) => status.binary).map((status) => status.tool));
        const standIns = STAND_IN_NAMES.filter((name) => !realPlugins.has(name)).map((name) => standInStatus(root, name));
        standIns.forEach((status) => report(formatStatus(status)));
        tools.push(...standIns);
        await installPlugins(cli, tools, pulumiHome, env, report);
        await installPolicyAnalyzer(cli, root, pulumiHome, env);
        fs.mkdirSync(STATE_DIR, { recursive: true });
        for (const status of tools) {
            if (status.binary && status.tool in plugins) {
                plugins[status.tool as PluginName] = status.state === "stand-in" ? "stand-in" : "real";
            }
        }
    }
    return { binDir, env, tools, engine: cli !== undefined, plugins };
}

/**
 * The environment for running `pulumi` against one stack. PULUMI_CONFIG_PASSPHRASE (or
 * PULUMI_CONFIG_PASSPHRASE_FILE) is taken from `base`; only the local stacks fall back to
 * LOCAL_STACK_PASSPHRASE.
 */
export function stackEnvironment(toolchain: Toolchain, stack: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    const env = { ...base, ...toolchain.env };
    if (base.PULUMI_CONFIG_PASSPHRASE !== undefined || base.PULUMI_CONFIG_PASSPHRASE_FILE) {
        return env;
    }
    if (stack === LOCAL_STACK || stack === LOCAL_CLUSTER_STACK) {
        return { ...env, PULUMI_CONFIG_PASSPHRASE: LOCAL_STACK_PASSPHRASE };
    }
    throw new ToolchainError(
        `PULUMI_CONFIG_PASSPHRASE is not set, and stack "${stack}" encrypts its secrets with it. Export ` +
            `PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE); only the "${LOCAL_STACK}" and "${LOCAL_CLUSTER_STACK}" stacks have a default passphrase.`,
    );
}

/**
 * How the engine gets each provider plugin the program needs, for summaries: "kubernetes 4.25.0 real",
 * "random 4.21.1 real (bridged from terraform-provider-random f8d869dc98d9)", "tls 5.5.1 STAND-IN".
 */
export function describePlugins(toolchain: Toolchain): string[] {
    return (Object.keys(toolchain.plugins) as PluginName[]).map((name) => {
        // A plugin whose build failed is followed by its stand-in: describe the one in use.
        const statuses = toolchain.tools.filter((candidate) => candidate.tool === name);
        const tool = statuses.find((candidate) => candidate.binary) ?? statuses[0];
        const source = toolchain.plugins[name];
        const text = source === "stand-in" ? "STAND-IN" : source ?? "missing";
        return `${name} ${tool?.version ?? "?"} ${text}${source === "real" && tool?.origin ? ` (${tool.origin})` : ""}`;
    });
}

const TOOL_COLUMN = 25;
const VERSION_COLUMN = 10;

export function formatStatus(status: ToolStatus): string {
    const outcome: Record<ToolState, string> = {
        cached: "cached",
        found: `found at ${status.binary}`,
        built: `built in ${formatElapsed((status.seconds ?? 0) * 1000)}`,
        "stand-in": `STAND-IN (Groundwork's ${path.relative(REPO_ROOT, path.join(STAND_IN_DIR, `${status.tool}.ts`))}): the real plugin cannot be built here`,
        unavailable: `not available: ${status.reason}`,
        failed: `FAILED: ${status.reason}`,
    };
    return formatLine(status.tool, status.version, outcome[status.state]);
}

function formatLine(tool: string, version: string, text: string): string {
    return `${tool.padEnd(TOOL_COLUMN)}${version.padEnd(VERSION_COLUMN)}${text}`;
}

/** "45 s", "12 min 05 s": builds run for minutes, so minutes are what a reader wants. */
export function formatElapsed(ms: number): string {
    const seconds = Math.round(ms / 1000);
    return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s`;
}

/**
 * Builds the missing tools: downloads run side by side, compiles on the lanes of
 * tools/toolchain/schedule.ts (the longest first, two at once where they share little). Each tool
 * reports when it starts, every `heartbeatMs` while it runs, and when it ends, so that a cold build
 * of many minutes never looks hung.
 */
async function buildAll(missing: readonly Recipe[], root: string, report: (line: string) => void, heartbeatMs: number): Promise<ToolStatus[]> {
    let go: GoToolchain;
    try {
        go = await findGo();
    } catch (error) {
        // Without Go the cached and installed tools still serve; the rest are reported like any missing module.
        const reason = error instanceof Error ? error.message : String(error);
        const statuses = missing.map((recipe): ToolStatus => ({ tool: recipe.tool, version: recipe.version, state: "unavailable", reason }));
        statuses.forEach((status) => report(formatStatus(status)));
        return statuses;
    }
    const logDir = path.join(root, "logs");
    fs.mkdirSync(logDir, { recursive: true });
    const scheduler = new CompileScheduler();
    const standardLibrary = new StandardLibraryStage();
    return Promise.all(
        missing.map(async (recipe): Promise<ToolStatus> => {
            const build = new ToolBuild(recipe, root, go, path.join(logDir, `${recipe.tool}-${recipe.version}.log`));
            const started = Date.now();
            // A tool waiting for a compile lane stays quiet: the compiling ones show progress.
            let phase: string | undefined = "downloading modules";
            report(formatLine(recipe.tool, recipe.version, `${phase} (log: ${build.logFile})`));
            const heartbeat = setInterval(() => phase && report(formatLine(recipe.tool, recipe.version, `${phase}: ${formatElapsed(Date.now() - started)}`)), heartbeatMs);
            let status: ToolStatus;
            try {
                await build.prepare();
                phase = undefined;
                report(formatLine(recipe.tool, recipe.version, `downloaded in ${formatElapsed(Date.now() - started)}; compiles when the compiler is free`));
                const binary = await scheduler.run({ tool: recipe.tool, packages: build.packages.modules }, async (parallelism) => {
                    phase = "compiling";
                    report(formatLine(recipe.tool, recipe.version, `compiling after ${formatElapsed(Date.now() - started)}`));
                    await standardLibrary.ensure(build.packages.standard, (packages) => build.compileStandardLibrary(packages, parallelism));
                    return build.compile(parallelism);
                });
                status = { tool: recipe.tool, version: recipe.version, state: "built", binary, seconds: Math.round((Date.now() - started) / 1000), origin: recipe.origin };
            } catch (error) {
                if (!(error instanceof UnavailableError || error instanceof BuildError)) {
                    throw error;
                }
                const state = error instanceof UnavailableError ? "unavailable" : "failed";
                status = { tool: recipe.tool, version: recipe.version, state, reason: error.message };
            } finally {
                clearInterval(heartbeat);
                build.dispose();
            }
            report(formatStatus(status));
            return status;
        }),
    );
}

/** The first `pulumi` on PATH that reports exactly the pinned version. */
async function findInstalledCli(): Promise<string | undefined> {
    const wanted = `v${toolchainVersions.pulumi}`;
    for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
        const candidate = path.join(dir, "pulumi");
        if (!isExecutableFile(candidate)) {
            continue;
        }
        const result = await runCommand(candidate, ["version"], {
            env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
            timeoutMs: 30_000,
        }).catch(() => undefined);
        if (result?.code === 0 && result.stdout.trim() === wanted) {
            return candidate;
        }
    }
    return undefined;
}

/** A provider plugin `pulumi plugin install` put in the user's own Pulumi home, at exactly this version. */
function userPlugin(name: string, version: string): string | undefined {
    const userHome = process.env.PULUMI_HOME || path.join(os.homedir(), ".pulumi");
    const plugin = path.join(userHome, "plugins", `resource-${name}-v${version}`, `pulumi-resource-${name}`);
    return isExecutableFile(plugin) ? plugin : undefined;
}

/** Binaries of the right version already on the machine: a `pulumi` on PATH, a provider in the user's Pulumi home. */
function findInstalled(recipe: Recipe, installedCli: string | undefined): string | undefined {
    if (recipe.tool === "pulumi") {
        return installedCli;
    }
    const plugin = providerPluginName(recipe);
    return plugin ? userPlugin(plugin, recipe.version) : undefined;
}

/**
 * The user's real plugin when installed; otherwise Groundwork's stand-in, a provider written on
 * @pulumi/pulumi/provider that implements only the resources the program uses. Its launcher runs
 * the TypeScript source with the Node.js running this script; the entry is keyed by the clone
 * and the sources, so an edited stand-in or another clone gets its own launcher.
 */
function standInStatus(root: string, name: StandInName): ToolStatus {
    const version = toolchainVersions.standIns[name];
    const real = userPlugin(name, version);
    if (real) {
        return { tool: name, version, state: "found", binary: real };
    }
    const source = path.join(STAND_IN_DIR, `${name}.ts`);
    const launcher = [
        "#!/bin/sh",
        `# Groundwork's STAND-IN for the ${name} provider plugin v${version}, not the real plugin, which cannot be built`,
        "# on machines without access to its Go module. It implements only the resources Groundwork uses.",
        // The engine starts it on every preview: transpiled files come from the cache tools/transpile.mjs keeps.
        `exec ${shellQuote(process.execPath)} -r ${shellQuote(TRANSPILE_LOADER)} ${shellQuote(source)} "$@"`,
        "",
    ].join("\n");
    const binary = writeScriptEntry(root, `stand-in-${name}-${version}`, `pulumi-resource-${name}`, launcher, fs.readdirSync(STAND_IN_DIR).map((file) => path.join(STAND_IN_DIR, file)));
    return { tool: name, version, state: "stand-in", binary };
}

/**
 * Without a Node.js language host, the CLI runs a Node.js policy pack through an analyzer plugin
 * named `policy-nodejs`, started in the pack's directory with the engine's address and ".". This
 * one runs a pack whose `main` is JavaScript (the prebuilt pack of tools/engine/policy-pack.ts)
 * with Node.js itself: the pack serves the analyzer on its own, and @pulumi/pulumi's policy-pack
 * runner would only add its inspector hooks and the TypeScript compiler, about 0.5 s of CPU per
 * preview. Any other pack goes through that runner. Both use the Node.js running this script (the
 * pack needs Node 22 or later). It is installed into the private PULUMI_HOME, where the CLI finds it
 * even with PULUMI_IGNORE_AMBIENT_PLUGINS set; a script on PATH would be ignored then.
 */
async function installPolicyAnalyzer(cli: string, root: string, pulumiHome: string, env: Record<string, string>): Promise<void> {
    const node = shellQuote(process.execPath);
    const script = [
        "#!/bin/sh",
        "# Groundwork's runner for Node.js policy packs (the CLI's `pulumi-analyzer-policy-nodejs`): see tools/toolchain/toolchain.ts.",
        "set -e",
        // sed, not a second Node.js start (0.3 s of wall time on a busy machine, on every preview's critical path), reads
        // `main` where package.json has it on a line of its own, as the prebuilt pack writes it; any other layout
        // falls through to the runner, which runs a JavaScript pack too.
        `main=$(sed -n 's/^[[:space:]]*"main":[[:space:]]*"\\([^"]*\\)".*$/\\1/p' package.json | head -n 1)`,
        `case "$main" in *.js) exec ${node} "$main" ;; esac`,
        `runner=$(${node} -p 'require.resolve("@pulumi/pulumi/cmd/run-policy-pack")')`,
        `exec ${node} "$runner" "$@"`,
        "",
    ].join("\n");
    const binary = writeScriptEntry(root, `analyzer-policy-nodejs-${toolchainVersions.pulumi}`, "pulumi-analyzer-policy-nodejs", script, []);
    await installPlugin(cli, { kind: "analyzer", name: "policy-nodejs", version: toolchainVersions.pulumi, binary }, pulumiHome, env);
}

/** Publishes an executable script as a cache entry named after its content and inputs; returns its path. */
function writeScriptEntry(root: string, name: string, fileName: string, content: string, inputs: readonly string[]): string {
    const hash = createHash("sha256").update(content);
    for (const input of inputs) {
        hash.update(input).update("\0").update(fs.readFileSync(input));
    }
    const entry = path.join(root, `${name}-${hash.digest("hex").slice(0, 12)}`);
    const binary = path.join(entry, fileName);
    if (!isExecutableFile(binary)) {
        const staged = makeTempDir(root, name);
        fs.writeFileSync(path.join(staged, fileName), content, { mode: 0o755 });
        publishEntry(staged, entry);
        removeTree(staged);
    }
    return binary;
}

function engineEnvironment(binDir: string | undefined, pulumiHome: string): Record<string, string> {
    return {
        PATH: [...(binDir ? [binDir] : []), process.env.PATH ?? ""].join(path.delimiter),
        PULUMI_HOME: pulumiHome,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        // Plugins come from PULUMI_HOME at exact versions, never from whatever PATH holds.
        PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
        PULUMI_BACKEND_URL: `file://${STATE_DIR}`,
    };
}

interface PluginInstall {
    kind: "resource" | "analyzer";
    name: string;
    version: string;
    binary: string;
}

/** Installs each usable provider into the private PULUMI_HOME, where the engine resolves plugins by exact version. */
async function installPlugins(cli: string, tools: ToolStatus[], pulumiHome: string, env: Record<string, string>, report: (line: string) => void): Promise<void> {
    for (const status of tools) {
        if (!status.binary || !(status.tool === "kubernetes" || STAND_IN_NAMES.includes(status.tool as StandInName))) {
            continue;
        }
        try {
            await installPlugin(cli, { kind: "resource", name: status.tool, version: status.version, binary: status.binary }, pulumiHome, env);
        } catch (error) {
            Object.assign(status, { state: "failed", binary: undefined, reason: (error as Error).message });
            report(formatStatus(status));
        }
    }
}

/**
 * `pulumi plugin install <kind> <name> <version> --file <binary>`. A stamp records the source, so
 * a rebuilt binary (or a stand-in from another clone) is reinstalled and an unchanged one is not.
 */
async function installPlugin(cli: string, plugin: PluginInstall, pulumiHome: string, env: Record<string, string>): Promise<void> {
    const stampDir = path.join(pulumiHome, "groundwork-sources");
    fs.mkdirSync(stampDir, { recursive: true });
    const directory = `${plugin.kind}-${plugin.name}-v${plugin.version}`;
    const stamp = path.join(stampDir, directory);
    const installed = path.join(pulumiHome, "plugins", directory, path.basename(plugin.binary));
    if (isExecutableFile(installed) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === plugin.binary) {
        return;
    }
    const args = ["plugin", "install", plugin.kind, plugin.name, plugin.version, "--file", plugin.binary, "--reinstall"];
    const result = await runCommand(cli, args, { env: { ...process.env, ...env } });
    if (result.code !== 0) {
        throw new ToolchainError(`\`pulumi ${args.join(" ")}\` failed:\n${tail(result.stderr)}`);
    }
    fs.writeFileSync(stamp, plugin.binary);
}
