/**
 * The command-line conventions of the repository's tools, on `node:util` parseArgs: `--help` (or
 * `-h`) prints the usage on stdout and exits 0; a bad flag or argument prints `<tool>: <reason>` and
 * the usage on stderr and exits 2.
 */
import { parseArgs, ParseArgsOptionDescriptor, ParseArgsOptionsConfig } from "node:util";

/** The exit status for a bad command line, and for unreadable or invalid input. */
export const EXIT_INVALID = 2;

/** A flag or argument that parseArgs accepted but the tool cannot use. */
export class UsageError extends Error {}

export interface CommandIo {
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
}

type OptionValue<Option extends ParseArgsOptionDescriptor> = Option["type"] extends "string" ? string : boolean;

/** The flags as parseArgs returns them: only those given are set. */
export type OptionValues<Options extends ParseArgsOptionsConfig> = {
    readonly [Name in keyof Options]?: Options[Name]["multiple"] extends true ? OptionValue<Options[Name]>[] : OptionValue<Options[Name]>;
};

export interface Command<Options extends ParseArgsOptionsConfig, Run> {
    /** Starts every error message, e.g. "pss". */
    readonly name: string;
    readonly usage: string;
    /** The tool's flags; `--help` is added to every tool. */
    readonly options: Options;
    /** What the tool runs with, from the flags and positional arguments; throws UsageError for unusable ones. */
    readonly interpret: (values: OptionValues<Options>, positionals: string[]) => Run;
}

/** A tool's command, with its flags' types taken from `options`. */
export function defineCommand<const Options extends ParseArgsOptionsConfig, Run>(command: Command<Options, Run>): Command<Options, Run> {
    return command;
}

/** What a command line asks for: a run, or only an exit code (after `--help` or a bad flag, already reported). */
export type CommandLine<Run> = { readonly run: Run } | { readonly exitCode: number };

const helpOption = { help: { type: "boolean", short: "h" } } as const;

export function readCommandLine<Options extends ParseArgsOptionsConfig, Run>(
    argv: readonly string[],
    command: Command<Options, Run>,
    io: CommandIo,
): CommandLine<Run> {
    try {
        const parsed = parseArgs({ args: [...argv], options: { ...command.options, ...helpOption }, allowPositionals: true, strict: true });
        const values = parsed.values as OptionValues<Options & typeof helpOption>;
        if (values.help) {
            io.stdout(`${command.usage}\n`);
            return { exitCode: 0 };
        }
        return { run: command.interpret(values, parsed.positionals) };
    } catch (error) {
        if (!(error instanceof UsageError || isParseArgsError(error))) {
            throw error;
        }
        io.stderr(`${command.name}: ${error.message}\n${command.usage}\n`);
        return { exitCode: EXIT_INVALID };
    }
}

/** Node marks its parseArgs errors (unknown flag, missing value, …) with an ERR_PARSE_ARGS_* code. */
function isParseArgsError(error: unknown): error is Error {
    return error instanceof Error && String((error as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS_");
}

export const processIo: CommandIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
};

/** Runs a tool as the main module: its exit code is the command line's, or else what `run` returns. */
export async function runAsMain<Options extends ParseArgsOptionsConfig, Run>(
    command: Command<Options, Run>,
    run: (options: Run) => number | Promise<number>,
): Promise<void> {
    const commandLine = readCommandLine(process.argv.slice(2), command, processIo);
    process.exitCode = "exitCode" in commandLine ? commandLine.exitCode : await run(commandLine.run);
}
