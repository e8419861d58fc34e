import { defineCommand, runAsMain, UsageError } from "../cli/command-line";
import { shellQuote } from "./process";
import { ToolName, recipes } from "./recipes";
import { Toolchain, ensureToolchain, stackEnvironment } from "./toolchain";

export { ToolchainError } from "./recipes";
export type { ToolName } from "./recipes";
export { describePlugins, ensureToolchain, formatElapsed, formatStatus, stackEnvironment } from "./toolchain";
export type { EnsureOptions, PluginName, ToolState, ToolStatus, Toolchain } from "./toolchain";

export const toolchainCommand = defineCommand({
    name: "toolchain",
    usage: `usage: npm run toolchain [-- --strict] [-- --env [--stack <name>]] [-- --only <tool> ...]

Builds or reuses the pinned tools (tools/toolchain/README.md), and installs the provider plugins
(real, or Groundwork's stand-ins for random and tls) and the policy analyzer.
  --strict          exit 1 unless every tool is available (by default only a broken build fails)
  --env             print shell exports for running the engine (eval "$(npm run -s toolchain -- --env)")
  --stack <name>    with --env, also export the stack's passphrase (the local stack has a default)
  --only <tool>     only this tool (repeatable), and print its executable's path on stdout
                    (${recipes.map((recipe) => recipe.tool).join(", ")})
  --help            this text`,
    options: { strict: { type: "boolean" }, env: { type: "boolean" }, stack: { type: "string" }, only: { type: "string", multiple: true } },
    interpret({ strict = false, env = false, stack, only }, positionals) {
        if (positionals.length > 0) {
            throw new UsageError(`unexpected argument ${positionals[0]}`);
        }
        if (stack !== undefined && !env) {
            throw new UsageError("--stack only applies with --env");
        }
        if (only !== undefined && env) {
            throw new UsageError("--only and --env exclude each other: the engine's environment needs the whole toolchain");
        }
        const names = recipes.map((recipe) => recipe.tool as string);
        const unknown = only?.find((tool) => !names.includes(tool));
        if (unknown !== undefined) {
            throw new UsageError(`--only ${unknown}: no such tool; the tools are ${names.join(", ")}`);
        }
        return { strict, env, stack, tools: only as ToolName[] | undefined };
    },
});

type CliOptions = ReturnType<typeof toolchainCommand.interpret>;

function summary(toolchain: Toolchain): string[] {
    if (!toolchain.engine) {
        return ["engine: NOT available (no pulumi CLI): engine runs must be skipped and reported as skipped"];
    }
    const plugins = Object.entries(toolchain.plugins);
    const standIns = plugins.filter(([, source]) => source === "stand-in").map(([name]) => name);
    const absent = plugins.filter(([, source]) => source === undefined).map(([name]) => name);
    return [
        "engine: available (programs run as Automation API inline programs; no language host needed)",
        ...(standIns.length > 0 ? [`stand-in providers: ${standIns.join(", ")} (Groundwork's own; see tools/toolchain/README.md)`] : []),
        ...(absent.length > 0 ? [`providers not available: ${absent.join(", ")}: resources needing them cannot be deployed`] : []),
        "cloudflare: no plugin (its module is not served here): engine runs keep the edge off",
    ];
}

async function main(options: CliOptions): Promise<number> {
    const started = Date.now();
    // Progress goes to stderr so that `--env` output stays clean for `eval`.
    const report = (line: string) => process.stderr.write(`${line}\n`);
    const toolchain = await ensureToolchain({ tools: options.tools, report });
    if (options.tools) {
        // For scripts and hand runs: `judge=$(npm run -s toolchain -- --only netpol-judge)`.
        toolchain.tools.filter((tool) => tool.binary).forEach((tool) => process.stdout.write(`${tool.binary}\n`));
    } else {
        summary(toolchain).forEach(report);
    }
    report(`toolchain ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (options.env) {
        const exported: Record<string, string> = { ...toolchain.env };
        if (options.stack !== undefined) {
            // Throws for a non-local stack without a passphrase; a passphrase already exported stays the shell's own.
            const passphrase = stackEnvironment(toolchain, options.stack).PULUMI_CONFIG_PASSPHRASE;
            if (passphrase !== undefined && process.env.PULUMI_CONFIG_PASSPHRASE === undefined) {
                exported.PULUMI_CONFIG_PASSPHRASE = passphrase;
            }
        }
        // PATH is extended in the caller's shell: the one npm hands this script carries npm's own additions.
        delete exported.PATH;
        if (toolchain.binDir) {
            process.stdout.write(`export PATH=${shellQuote(toolchain.binDir)}:"$PATH"\n`);
        }
        for (const [name, value] of Object.entries(exported)) {
            process.stdout.write(`export ${name}=${shellQuote(value)}\n`);
        }
    }
    const failed = toolchain.tools.some((tool) => tool.state === "failed");
    const unavailable = toolchain.tools.some((tool) => tool.state === "unavailable");
    return failed || (options.strict && unavailable) ? 1 : 0;
}

if (require.main === module) {
    void runAsMain(toolchainCommand, (options) => main(options).catch((error: unknown) => {
        process.stderr.write(`toolchain: ${error instanceof Error ? error.message : String(error)}\n`);
        return 1;
    }));
}
