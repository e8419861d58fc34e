import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";

/** One `Pulumi.<stack>.yaml` beside the project's Pulumi.yaml, with its `config:` map as written. */
export interface StackFile {
    readonly stack: string;
    /** The file name, as problems name it. */
    readonly file: string;
    readonly config: Readonly<Record<string, unknown>>;
}

/** A stack file that is not valid YAML, so no check can read it. */
export interface UnreadableStackFile {
    readonly stack: string;
    readonly file: string;
    readonly error: string;
}

/** A problem in one stack file, at a path below `groundwork:` (e.g. ["edge", "zoneOwner"]). */
export interface StackProblem {
    readonly path: readonly string[];
    readonly message: string;
}

const stackFilePattern = /^Pulumi\.([A-Za-z0-9._-]+)\.yaml$/;

export function stackFileName(stack: string): string {
    return `Pulumi.${stack}.yaml`;
}

/** Every stack file of the project in `directory`, by stack name. */
export function readStackFiles(directory: string): (StackFile | UnreadableStackFile)[] {
    return fs.readdirSync(directory)
        .map((file) => stackFilePattern.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort()
        .map((stack) => {
            const file = stackFileName(stack);
            try {
                const document: unknown = YAML.parse(fs.readFileSync(path.join(directory, file), "utf8"));
                return { stack, file, config: asRecord(asRecord(document).config) };
            } catch (error) {
                // The parser's message goes on to quote the file; its first line says what is wrong and where.
                return { stack, file, error: (error instanceof Error ? error.message : String(error)).split("\n")[0] };
            }
        });
}

/**
 * `Pulumi.staging.yaml: groundwork:edge.zoneOwner (true) is true, but …`: the file, the key, the
 * value written there (when there is one) and the message, which ends with the fix.
 */
export function describeProblem(stackFile: StackFile, problem: StackProblem): string {
    const [section, ...rest] = problem.path;
    const value = rest.reduce<unknown>((node, segment) => asRecord(node)[segment], stackFile.config[`groundwork:${section}`]);
    return `${stackFile.file}: groundwork:${problem.path.join(".")}${value === undefined ? "" : ` (${JSON.stringify(value)})`} ${problem.message}`;
}

/** A YAML map as a record; anything else as an empty one, since a malformed section is that stack's own validation problem. */
export function asRecord(value: unknown): Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value as Record<string, unknown> : {};
}
