/**
 * Checks Kubernetes YAML files against the Pod Security Standards with the same checker as the policy
 * pack: `pss [--level baseline|restricted] [--version latest|v1.N] [--json] FILE...`.
 * Exit status: 0 all workloads allowed, 1 any denied, 2 unreadable or invalid input.
 */
import { readFileSync } from "fs";
import { resolve } from "path";
import { CheckedLevel, checkPod, isVersionLabel, ManifestError, podSpecOf, Violation } from "./core";
import { InputError, readWorkloads, WorkloadDocument } from "./manifests";

export const EXIT_ALLOWED = 0;
export const EXIT_DENIED = 1;
export const EXIT_INVALID = 2;

const USAGE = "usage: pss [--level baseline|restricted] [--version latest|v1.N] [--json] FILE...";
const CLI_LEVELS: readonly CheckedLevel[] = ["baseline", "restricted"];

export interface CliOptions {
    readonly level: CheckedLevel;
    readonly version: string;
    readonly json: boolean;
    readonly files: readonly string[];
}

export interface CliIo {
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
    readonly readFile: (file: string) => string;
}

export interface WorkloadResult {
    readonly file: string;
    readonly kind: string;
    readonly name: string | null;
    readonly namespace: string | null;
    readonly allowed: boolean;
    readonly violations: readonly Pick<Violation, "control" | "container" | "path" | "message">[];
}

class UsageError extends Error {}

/** Parses the command line; a mistake is a UsageError naming the argument and the fix. */
export function parseArguments(argv: readonly string[]): CliOptions {
    let level: CheckedLevel = "restricted";
    let version = "latest";
    let json = false;
    const files: string[] = [];
    for (let index = 0; index < argv.length; index++) {
        const argument = argv[index];
        if (argument === "--") {
            files.push(...argv.slice(index + 1));
            break;
        }
        const [flag, inlineValue] = argument.startsWith("--") ? splitFlag(argument) : [argument, undefined];
        const value = (): string => {
            if (inlineValue !== undefined) {
                return inlineValue;
            }
            index++;
            if (index >= argv.length) {
                throw new UsageError(`${flag} needs a value`);
            }
            return argv[index];
        };
        if (flag === "--level") {
            const given = value();
            if (!(CLI_LEVELS as readonly string[]).includes(given)) {
                throw new UsageError(`--level ${JSON.stringify(given)} is invalid; use baseline or restricted`);
            }
            level = given as CheckedLevel;
        } else if (flag === "--version") {
            const given = value();
            if (!isVersionLabel(given)) {
                throw new UsageError(`--version ${JSON.stringify(given)} is invalid; use latest or v1.N (for example v1.30)`);
            }
            version = given;
        } else if (flag === "--json") {
            json = true;
        } else if (flag.startsWith("-") && flag !== "-") {
            throw new UsageError(`unknown option ${flag}`);
        } else {
            files.push(argument);
        }
    }
    if (files.length === 0) {
        throw new UsageError("no files given; pass one or more Kubernetes YAML files");
    }
    return { level, version, json, files };
}

function splitFlag(argument: string): [string, string | undefined] {
    const equals = argument.indexOf("=");
    return equals === -1 ? [argument, undefined] : [argument.slice(0, equals), argument.slice(equals + 1)];
}

function checkDocument(file: string, workload: WorkloadDocument, options: CliOptions): WorkloadResult {
    try {
        const pod = podSpecOf(workload.typeToken, workload.manifest);
        const violations = pod === undefined ? [] : checkPod(pod, { level: options.level, version: options.version });
        return {
            file,
            kind: workload.kind,
            name: workload.name,
            namespace: workload.namespace,
            allowed: violations.length === 0,
            violations: violations.map(({ control, container, path, message }) => ({ control, container, path, message })),
        };
    } catch (error) {
        if (error instanceof ManifestError) {
            throw new InputError(file, `document ${workload.document} (${workload.kind} ${workload.name ?? "without a name"}): ${error.message}`);
        }
        throw error;
    }
}

/** Reads and checks every file; any unreadable or invalid file makes the whole run invalid. */
export function checkFiles(options: CliOptions, readFile: CliIo["readFile"]): { results: WorkloadResult[]; errors: InputError[] } {
    const results: WorkloadResult[] = [];
    const errors: InputError[] = [];
    for (const file of options.files) {
        try {
            let text: string;
            try {
                text = readFile(file);
            } catch (error) {
                throw new InputError(file, `cannot read: ${error instanceof Error ? error.message : String(error)}`);
            }
            results.push(...readWorkloads(file, text).map((workload) => checkDocument(file, workload, options)));
        } catch (error) {
            if (!(error instanceof InputError)) {
                throw error;
            }
            errors.push(error);
        }
    }
    return { results, errors };
}

function report(results: readonly WorkloadResult[], options: CliOptions): string {
    const lines: string[] = [];
    for (const result of results) {
        const where = `${result.kind} ${result.namespace ?? "(no namespace)"}/${result.name ?? "(no name)"}`;
        lines.push(`${result.allowed ? "PASS" : "FAIL"} ${result.file}: ${where}`);
        for (const violation of result.violations) {
            lines.push(`  - ${violation.control} at ${violation.path}`);
            lines.push(`    ${violation.message}`);
        }
    }
    const denied = results.filter((result) => !result.allowed).length;
    lines.push(
        `${results.length} workload${results.length === 1 ? "" : "s"} checked at level ${options.level}, version ${options.version}: ` +
            `${results.length - denied} allowed, ${denied} denied.`,
    );
    return `${lines.join("\n")}\n`;
}

export function runCli(argv: readonly string[], io: CliIo): number {
    let options: CliOptions;
    try {
        options = parseArguments(argv);
    } catch (error) {
        if (error instanceof UsageError) {
            io.stderr(`pss: ${error.message}\n${USAGE}\n`);
            return EXIT_INVALID;
        }
        throw error;
    }
    const { results, errors } = checkFiles(options, io.readFile);
    if (errors.length > 0) {
        io.stderr(errors.map((error) => `pss: ${error.message}\n`).join(""));
        return EXIT_INVALID;
    }
    io.stdout(options.json ? `${JSON.stringify(results, null, 2)}\n` : report(results, options));
    return results.every((result) => result.allowed) ? EXIT_ALLOWED : EXIT_DENIED;
}

if (require.main === module) {
    process.exitCode = runCli(process.argv.slice(2), {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        // npm runs scripts from the package root; INIT_CWD is where the user typed the command.
        readFile: (file) => readFileSync(resolve(process.env.INIT_CWD ?? process.cwd(), file), "utf8"),
    });
}
