/**
 * `npm run lint:stacks`: the checks that read more than one stack's config, and so cannot be part of
 * any one stack's validation (which runs on every `pulumi up` and must not depend on sibling files):
 * zone ownership across the stack files, and the chart versions of a local chart directory.
 * `npm test` runs it through `npm run lint`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CommandIo, defineCommand, processIo, runAsMain, UsageError } from "../cli/command-line";
import { REPO_ROOT } from "../cli/paths";
import { localChartProblems } from "./local-charts";
import { describeProblem, readStackFiles, StackFile } from "./stack-files";
import { summarizeStackFile, zoneConflicts } from "./zone-ownership";

export const lintStacksCommand = defineCommand({
    name: "lint-stacks",
    usage: `usage: npm run lint:stacks [-- --directory DIR]

Checks the project's stack files (Pulumi.<stack>.yaml) together: one owner stack per Cloudflare
zone, no host in two stacks, origin pulls on wherever a member verifies them, and a local chart
directory holding the pinned chart versions. Exits 0 when clean, 1 with one line per problem,
2 for a bad command line.
  --directory DIR  the Pulumi project's directory (default: this repository)
  --help           this text`,
    options: { directory: { type: "string" } },
    interpret({ directory = REPO_ROOT }, positionals) {
        if (positionals.length > 0) {
            throw new UsageError(`unexpected argument ${positionals[0]}`);
        }
        const resolved = path.resolve(directory);
        if (!fs.existsSync(path.join(resolved, "Pulumi.yaml"))) {
            throw new UsageError(`--directory ${directory} holds no Pulumi.yaml: name the directory of a Pulumi project`);
        }
        return { directory: resolved };
    },
});

export interface LintReport {
    /** The stack files read, by file name. */
    readonly files: readonly string[];
    /** One line per problem: the file, the key, the value and what to change. */
    readonly problems: readonly string[];
}

export function lintStacks(directory: string): LintReport {
    const stackFiles = readStackFiles(directory);
    const edges = new Map(stackFiles.filter((entry): entry is StackFile => !("error" in entry)).map((entry) => [entry, summarizeStackFile(entry)]));
    const problems = stackFiles.flatMap((entry) => "error" in entry
        ? [`${entry.file}: is not valid YAML (${entry.error}): fix it, or no other stack can be checked against it`]
        : [...zoneConflicts(edges.get(entry)!, [...edges.values()]), ...localChartProblems(entry, directory)].map((problem) => describeProblem(entry, problem)));
    return { files: stackFiles.map((entry) => entry.file), problems };
}

/** Prints every problem on stderr, or one line on stdout when there is none; returns the exit code. */
export function runLintStacks({ directory }: { directory: string }, io: CommandIo): number {
    const { files, problems } = lintStacks(directory);
    const summary = `${files.length} stack files (${files.join(", ")})`;
    if (problems.length > 0) {
        io.stderr(`${problems.join("\n")}\nlint-stacks: ${problems.length} problem${problems.length === 1 ? "" : "s"} in ${summary}\n`);
        return 1;
    }
    io.stdout(`lint-stacks: ${summary} agree on zone ownership and chart versions\n`);
    return 0;
}

if (require.main === module) {
    void runAsMain(lintStacksCommand, (options) => runLintStacks(options, processIo));
}
