/**
 * Checks Kubernetes YAML files against the Pod Security Standards with the same checker as the policy
 * pack: `pss [--level baseline|restricted] [--version latest|v1.N] [--json] FILE...`.
 * Exit status: 0 all workloads allowed, 1 any denied, 2 unreadable or invalid input.
 */
import { readFileSync } from "fs";
import { resolve } from "path";
import { CheckedLevel, checkPod, isVersionLabel, ManifestError, podSpecOf, Violation } from "../../policy/core";
import { CommandIo, defineCommand, EXIT_INVALID, processIo, readCommandLine, UsageError } from "../cli/command-line";
import { InputError, readWorkloads, WorkloadDocument } from "../../policy/manifests";

export const EXIT_ALLOWED = 0;
export const EXIT_DENIED = 1;
export { EXIT_INVALID };

export interface CliOptions {
    readonly level: CheckedLevel;
    readonly version: string;
    readonly json: boolean;
    readonly files: readonly string[];
}

export interface CliIo extends CommandIo {
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

const CLI_LEVELS: readonly CheckedLevel[] = ["baseline", "restricted"];

export const pssCommand = defineCommand({
    name: "pss",
    usage: `usage: pss [--level baseline|restricted] [--version latest|v1.N] [--json] FILE...

Checks the workloads in Kubernetes YAML files against the Pod Security Standards.
  --level LEVEL      baseline or restricted (default restricted)
  --version VERSION  the Pod Security version: latest or v1.N (default latest)
  --json             one JSON element per workload instead of the report
  --help             this text
Exit status: 0 all workloads allowed, 1 any denied, 2 unreadable or invalid input.`,
    options: { level: { type: "string" }, version: { type: "string" }, json: { type: "boolean" } },
    interpret({ level = "restricted", version = "latest", json = false }, files) {
        if (!(CLI_LEVELS as readonly string[]).includes(level)) {
            throw new UsageError(`--level ${JSON.stringify(level)} is invalid; use baseline or restricted`);
        }
        if (!isVersionLabel(version)) {
            throw new UsageError(`--version ${JSON.stringify(version)} is invalid; use latest or v1.N (for example v1.30)`);
        }
        if (files.length === 0) {
            throw new UsageError("no files given; pass one or more Kubernetes YAML files");
        }
        return { level: level as CheckedLevel, version, json, files } satisfies CliOptions;
    },
});

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
    const commandLine = readCommandLine(argv, pssCommand, io);
    if ("exitCode" in commandLine) {
        return commandLine.exitCode;
    }
    const options = commandLine.run;
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
        ...processIo,
        // npm runs scripts from the package root; INIT_CWD is where the user typed the command.
        readFile: (file) => readFileSync(resolve(process.env.INIT_CWD ?? process.cwd(), file), "utf8"),
    });
}
