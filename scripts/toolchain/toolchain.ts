import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BuildError, GoToolchain, ToolBuild, UnavailableError, findGo } from "./build";
import { cacheRoot, cachedBinary, isExecutableFile, makeTempDir, publishEntry, removeAbandonedTempDirs, removeTree } from "./cache";
import { runCommand, tail } from "./process";
import {
    PROVIDER_NAMES,
    ProviderName,
    REPO_ROOT,
    Recipe,
    ToolName,
    ToolchainError,
    checkWrapperRequirements,
    recipes,
} from "./recipes";

export type ToolState = "cached" | "found" | "built" | "unavailable" | "failed";

export interface ToolStatus {
    tool: ToolName;
    version: string;
    state: ToolState;
    /** The executable, whenever the tool is usable. */
    binary?: string;
    /** Build time, for a tool built by this run. */
    seconds?: number;
    /** Why the tool is unavailable or failed. */
    reason?: string;
}

export interface Toolchain {
    /** Directory of the `pulumi` CLI (with the language host beside it when available), or undefined. */
    binDir: string | undefined;
    /**
     * Variables to merge over `process.env` to run the engine offline: PATH with the toolchain
     * first, a private PULUMI_HOME holding the provider plugins, no update checks, no plugin
     * downloads, the repository's file backend. The passphrase is per stack: see `stackEnvironment`.
     */
    env: Record<string, string>;
    tools: ToolStatus[];
    /** True when both the CLI and the Node.js language host are usable, i.e. programs can run. */
    engine: boolean;
    /** Which provider plugins the engine can load; callers switch off what depends on a missing one and say so. */
    providers: Record<ProviderName, boolean>;
}

export interface EnsureOptions {
    /** Only these tools (default: all). The workflow linter asks for actionlint alone. */
    tools?: readonly ToolName[];
    /** Receives one aligned progress line per tool; silent by default so library callers stay quiet. */
    report?: (line: string) => void;
}

export const LOCAL_STACK = "local";
/**
 * The local stack's secrets never leave the machine, so it has a fixed default passphrase; every
 * other stack must get PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) from the environment.
 */
export const LOCAL_STACK_PASSPHRASE = "groundwork-local";
export const STATE_DIR = path.join(REPO_ROOT, ".pulumi-state");

/**
 * Makes every requested tool usable: reuses the cache or matching binaries already installed,
 * builds the rest from the Go module proxy, and installs the provider plugins into a private
 * PULUMI_HOME at their exact versions. A tool whose modules the proxy does not serve is reported
 * as unavailable rather than failing the others.
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
    const engineUncached = selected.some(
        (recipe) => (recipe.tool === "pulumi" || recipe.tool === "pulumi-language-nodejs") && !cachedBinaries.get(recipe.tool),
    );
    const installedCli = engineUncached ? await findInstalledCli() : undefined;
    for (const recipe of selected) {
        const cached = cachedBinaries.get(recipe.tool);
        const installed = cached ? undefined : findInstalled(recipe, installedCli);
        if (cached || installed) {
            const status: ToolStatus = { tool: recipe.tool, version: recipe.version, state: cached ? "cached" : "found", binary: cached ?? installed };
            statuses.set(recipe.tool, status);
            report(formatStatus(status));
        } else {
            missing.push(recipe);
        }
    }
    if (missing.length > 0) {
        for (const status of await buildAll(missing, root, report)) {
            statuses.set(status.tool, status);
        }
    }

    const tools = selected.map((recipe) => statuses.get(recipe.tool) as ToolStatus);
    const pulumiHome = path.join(root, "pulumi-home");
    const cli = statuses.get("pulumi")?.binary;
    const languageHost = statuses.get("pulumi-language-nodejs")?.binary;
    const binDir = cli && (languageHost ? engineDir(root, cli, languageHost) : path.dirname(cli));
    const env = engineEnvironment(binDir, pulumiHome);
    if (cli) {
        await installPlugins(cli, tools, pulumiHome, env, report);
        fs.mkdirSync(STATE_DIR, { recursive: true });
    }
    const usable = (tool: ToolName) => statuses.get(tool)?.binary !== undefined;
    return {
        binDir,
        env,
        tools,
        engine: usable("pulumi") && usable("pulumi-language-nodejs"),
        providers: Object.fromEntries(PROVIDER_NAMES.map((name) => [name, usable(name)])) as Record<ProviderName, boolean>,
    };
}

/**
 * The environment for running `pulumi` against one stack. PULUMI_CONFIG_PASSPHRASE (or
 * PULUMI_CONFIG_PASSPHRASE_FILE) is taken from `base`; only the local stack falls back to
 * LOCAL_STACK_PASSPHRASE.
 */
export function stackEnvironment(toolchain: Toolchain, stack: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    const env = { ...base, ...toolchain.env };
    if (base.PULUMI_CONFIG_PASSPHRASE !== undefined || base.PULUMI_CONFIG_PASSPHRASE_FILE) {
        return env;
    }
    if (stack === LOCAL_STACK) {
        return { ...env, PULUMI_CONFIG_PASSPHRASE: LOCAL_STACK_PASSPHRASE };
    }
    throw new ToolchainError(
        `PULUMI_CONFIG_PASSPHRASE is not set, and stack "${stack}" encrypts its secrets with it. Export ` +
            `PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE); only the "${LOCAL_STACK}" stack has a default passphrase.`,
    );
}

const TOOL_COLUMN = 24;
const VERSION_COLUMN = 10;

export function formatStatus(status: ToolStatus): string {
    const outcome: Record<ToolState, string> = {
        cached: "cached",
        found: `found at ${status.binary}`,
        built: `built in ${status.seconds} s`,
        unavailable: `not available: ${status.reason}`,
        failed: `FAILED: ${status.reason}`,
    };
    return formatLine(status.tool, status.version, outcome[status.state]);
}

function formatLine(tool: string, version: string, text: string): string {
    return `${tool.padEnd(TOOL_COLUMN)}${version.padEnd(VERSION_COLUMN)}${text}`;
}

/** Builds the missing tools: downloads run side by side, compiles one at a time (they use both cores). */
async function buildAll(missing: readonly Recipe[], root: string, report: (line: string) => void): Promise<ToolStatus[]> {
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
    const compileOneAtATime = serialQueue();
    return Promise.all(
        missing.map(async (recipe): Promise<ToolStatus> => {
            const build = new ToolBuild(recipe, root, go, path.join(logDir, `${recipe.tool}-${recipe.version}.log`));
            let status: ToolStatus;
            try {
                const prepareStart = Date.now();
                await build.prepare();
                const prepareMs = Date.now() - prepareStart;
                const { result: binary, ms: compileMs } = await compileOneAtATime(() => {
                    report(formatLine(recipe.tool, recipe.version, `compiling (log: ${build.logFile})`));
                    return build.compile();
                });
                status = { tool: recipe.tool, version: recipe.version, state: "built", binary, seconds: Math.round((prepareMs + compileMs) / 1000) };
            } catch (error) {
                if (!(error instanceof UnavailableError || error instanceof BuildError)) {
                    throw error;
                }
                const state = error instanceof UnavailableError ? "unavailable" : "failed";
                status = { tool: recipe.tool, version: recipe.version, state, reason: error.message };
            } finally {
                build.dispose();
            }
            report(formatStatus(status));
            return status;
        }),
    );
}

/** Runs tasks strictly one after another, timing each from its own start rather than from its enqueueing. */
function serialQueue(): <T>(task: () => Promise<T>) => Promise<{ result: T; ms: number }> {
    let last: Promise<unknown> = Promise.resolve();
    return <T>(task: () => Promise<T>) => {
        const run = last.then(async () => {
            const start = Date.now();
            const result = await task();
            return { result, ms: Date.now() - start };
        });
        last = run.catch(() => undefined);
        return run;
    };
}

/** The first `pulumi` on PATH that reports exactly the pinned version. */
async function findInstalledCli(): Promise<string | undefined> {
    const wanted = `v${recipes.find((recipe) => recipe.tool === "pulumi")?.version}`;
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

/**
 * Binaries of the right version already on the machine: an official CLI install ships the language
 * host beside `pulumi`, and `pulumi plugin install` keeps providers under the user's Pulumi home.
 */
function findInstalled(recipe: Recipe, installedCli: string | undefined): string | undefined {
    if (recipe.tool === "pulumi") {
        return installedCli;
    }
    if (recipe.tool === "pulumi-language-nodejs") {
        const beside = installedCli && path.join(path.dirname(installedCli), recipe.binary);
        return beside && isExecutableFile(beside) ? beside : undefined;
    }
    if (recipe.kind === "provider") {
        const userHome = process.env.PULUMI_HOME || path.join(os.homedir(), ".pulumi");
        const plugin = path.join(userHome, "plugins", `resource-${recipe.provider}-v${recipe.version}`, recipe.binary);
        return isExecutableFile(plugin) ? plugin : undefined;
    }
    return undefined;
}

/**
 * A directory holding `pulumi` and `pulumi-language-nodejs` side by side. The engine finds its
 * language host beside the running CLI, which is what lets PULUMI_IGNORE_AMBIENT_PLUGINS keep
 * stray plugins on PATH out of engine runs. Hard links make it free; it is published atomically
 * like a cache entry and named after the two binaries, so a rebuild of either makes a new one.
 */
function engineDir(root: string, cli: string, languageHost: string): string {
    if (path.dirname(cli) === path.dirname(languageHost)) {
        return path.dirname(cli);
    }
    const dir = path.join(root, `engine-${createHash("sha256").update(`${cli}\0${languageHost}`).digest("hex").slice(0, 12)}`);
    if (isExecutableFile(path.join(dir, path.basename(cli))) && isExecutableFile(path.join(dir, path.basename(languageHost)))) {
        return dir;
    }
    const staged = makeTempDir(root, "engine");
    for (const binary of [cli, languageHost]) {
        const target = path.join(staged, path.basename(binary));
        try {
            fs.linkSync(binary, target);
        } catch {
            fs.copyFileSync(binary, target);
            fs.chmodSync(target, 0o755);
        }
    }
    publishEntry(staged, dir);
    removeTree(staged);
    return dir;
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

/**
 * Installs each usable provider into the private PULUMI_HOME with `pulumi plugin install --file`,
 * where the engine resolves plugins by exact version. A stamp records the source binary, so a
 * rebuilt provider is reinstalled and an unchanged one is not.
 */
async function installPlugins(
    cli: string,
    tools: ToolStatus[],
    pulumiHome: string,
    env: Record<string, string>,
    report: (line: string) => void,
): Promise<void> {
    const stampDir = path.join(pulumiHome, "groundwork-sources");
    fs.mkdirSync(stampDir, { recursive: true });
    for (const status of tools) {
        if (!status.binary || !PROVIDER_NAMES.includes(status.tool as ProviderName)) {
            continue;
        }
        const plugin = `resource-${status.tool}-v${status.version}`;
        const stamp = path.join(stampDir, plugin);
        const installedBinary = path.join(pulumiHome, "plugins", plugin, `pulumi-resource-${status.tool}`);
        if (isExecutableFile(installedBinary) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === status.binary) {
            continue;
        }
        const args = ["plugin", "install", "resource", status.tool, status.version, "--file", status.binary, "--reinstall"];
        const result = await runCommand(cli, args, { env: { ...process.env, ...env } });
        if (result.code !== 0) {
            Object.assign(status, { state: "failed", binary: undefined, reason: `\`pulumi ${args.join(" ")}\` failed:\n${tail(result.stderr)}` });
            report(formatStatus(status));
            continue;
        }
        fs.writeFileSync(stamp, status.binary);
    }
}
