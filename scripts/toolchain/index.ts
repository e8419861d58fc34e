import { ToolchainError } from "./recipes";
import { Toolchain, ensureToolchain, stackEnvironment } from "./toolchain";

export { PROVIDER_NAMES, ToolchainError } from "./recipes";
export type { ProviderName, ToolName } from "./recipes";
export { LOCAL_STACK, LOCAL_STACK_PASSPHRASE, STATE_DIR, ensureToolchain, formatStatus, stackEnvironment } from "./toolchain";
export type { EnsureOptions, ToolState, ToolStatus, Toolchain } from "./toolchain";

const USAGE = `usage: npm run toolchain [-- --strict] [-- --env [--stack <name>]]

Builds or reuses the pinned Pulumi CLI, Node.js language host, provider plugins and actionlint.
  --strict          exit 1 unless every tool is available (by default only a broken build fails)
  --env             print shell exports for running the engine (eval "$(npm run -s toolchain -- --env)")
  --stack <name>    with --env, also export the stack's passphrase (the local stack has a default)`;

interface CliOptions {
    strict: boolean;
    env: boolean;
    stack?: string;
}

function parseArguments(args: readonly string[]): CliOptions {
    const options: CliOptions = { strict: false, env: false };
    for (let index = 0; index < args.length; index++) {
        const arg = args[index];
        if (arg === "--strict") {
            options.strict = true;
        } else if (arg === "--env") {
            options.env = true;
        } else if (arg === "--stack" && args[index + 1] && !args[index + 1].startsWith("--")) {
            options.stack = args[++index];
        } else if (arg === "--help" || arg === "-h") {
            process.stdout.write(`${USAGE}\n`);
            process.exit(0);
        } else {
            throw new ToolchainError(`unknown or incomplete argument "${arg}"\n${USAGE}`);
        }
    }
    if (options.stack !== undefined && !options.env) {
        throw new ToolchainError(`--stack only applies with --env\n${USAGE}`);
    }
    return options;
}

function shellQuote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

function summary(toolchain: Toolchain): string[] {
    const missing = (names: string[]) => names.join(", ");
    const lines = [
        toolchain.engine
            ? "engine: available"
            : "engine: NOT available (pulumi or pulumi-language-nodejs is missing): engine runs must be skipped and reported as skipped",
    ];
    const absent = Object.entries(toolchain.providers).filter(([, available]) => !available).map(([name]) => name);
    if (absent.length > 0) {
        lines.push(`providers not available: ${missing(absent)}: resources needing them must be switched off and reported`);
    }
    return lines;
}

async function main(args: readonly string[]): Promise<number> {
    const options = parseArguments(args);
    const started = Date.now();
    // Progress goes to stderr so that `--env` output stays clean for `eval`.
    const report = (line: string) => process.stderr.write(`${line}\n`);
    const toolchain = await ensureToolchain({ report });
    for (const line of summary(toolchain)) {
        report(line);
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
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (error: unknown) => {
            process.stderr.write(`toolchain: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exitCode = 1;
        },
    );
}
