import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { z } from "zod";

/** Where relative paths of repository files in the config start: the project directory, which holds Pulumi.yaml. */
export const projectRoot = path.resolve(__dirname, "..", "..");

/**
 * A zod transform for a config value that names a YAML file in the project: reads it at validation
 * and hands its documents (empty ones dropped) to `check`, which returns the problems of each
 * document; the file's value is what `accept` makes of the documents. `example` is a path shown in
 * the message of a path outside the project, `what` what the file must hold.
 */
export function projectYamlFile<T>(example: string, what: string, check: (document: unknown) => string[], accept: (file: string, documents: unknown[]) => T) {
    return z.string().min(1).transform((file, ctx): T => {
        const fail = (message: string) => {
            ctx.addIssue({ code: "custom", message });
            return z.NEVER;
        };
        if (path.isAbsolute(file) || path.normalize(file).split(path.sep)[0] === "..") {
            return fail(`must be a path inside the project, relative to Pulumi.yaml, such as "${example}"`);
        }
        const absolute = path.join(projectRoot, file);
        if (!fs.existsSync(absolute) || !fs.statSync(absolute).isFile()) {
            return fail(`names no file in the project (looked for ${absolute}): commit the file there or correct the path`);
        }
        let documents: unknown[];
        try {
            documents = YAML.parseAllDocuments(fs.readFileSync(absolute, "utf8")).map((document) => {
                if (document.errors.length > 0) {
                    throw new Error(document.errors[0].message.split("\n")[0]);
                }
                return document.toJS() as unknown;
            }).filter((document) => document !== null);
        } catch (error) {
            return fail(`is not valid YAML: ${error instanceof Error ? error.message : String(error)}`);
        }
        const problems = documents.length === 0 ? ["holds no document"] : documents.flatMap((document, i) => check(document).map((problem) => `document ${i + 1} ${problem}`));
        if (problems.length > 0) {
            return fail(`is not a file of ${what}: ${problems.join("; ")}`);
        }
        return accept(file, documents);
    });
}
