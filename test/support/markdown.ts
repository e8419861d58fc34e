/**
 * What a reader of the project's Markdown can follow: relative links that reach a file, a folder or
 * a heading, and `npm` commands that package.json defines. Pure over a view of the repository, so
 * that test/docs.spec.ts can prove each check fails on a broken document.
 */
import * as path from "node:path";

/** The repository as the checks see it: paths are relative to its root, with forward slashes. */
export interface RepositoryView {
    /** A file's text, or undefined when no such file exists. */
    readText(file: string): string | undefined;
    isDirectory(file: string): boolean;
    readonly scripts: ReadonlySet<string>;
}

const fence = /^\s{0,3}(`{3,}|~{3,})/;

/** The document's lines outside fenced code blocks, with their line numbers. */
function proseLines(text: string): { line: string; number: number }[] {
    const lines: { line: string; number: number }[] = [];
    let open: string | undefined;
    text.split("\n").forEach((line, index) => {
        const marker = fence.exec(line)?.[1];
        if (marker !== undefined && (open === undefined || marker.startsWith(open))) {
            open = open === undefined ? marker : undefined;
        } else if (open === undefined) {
            lines.push({ line, number: index + 1 });
        }
    });
    return lines;
}

const withoutCodeSpans = (line: string) => line.replace(/(`+)[^`]*?\1/g, (span) => " ".repeat(span.length));

/** GitHub's anchor for a heading: markup dropped, lower case, punctuation removed, spaces as hyphens. */
export function headingSlug(heading: string): string {
    const text = heading
        .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
        .replace(/<[^>]+>/g, "")
        .replace(/[`*]/g, "");
    return text.trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
}

/** Every heading anchor of a document, numbered as GitHub numbers repeated headings (x, x-1, x-2). */
export function anchorsOf(text: string): Set<string> {
    const anchors = new Set<string>();
    const seen = new Map<string, number>();
    for (const { line } of proseLines(text)) {
        const heading = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
        if (heading === undefined) {
            continue;
        }
        const slug = headingSlug(heading);
        const count = seen.get(slug) ?? 0;
        anchors.add(count === 0 ? slug : `${slug}-${count}`);
        seen.set(slug, count + 1);
    }
    return anchors;
}

/** Targets of inline links, images and reference definitions, outside code. */
function linkTargets(text: string): { target: string; number: number }[] {
    const targets: { target: string; number: number }[] = [];
    for (const { line, number } of proseLines(text)) {
        const prose = withoutCodeSpans(line);
        for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) {
            targets.push({ target: match[1], number });
        }
        const definition = /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/.exec(prose);
        if (definition) {
            targets.push({ target: definition[1], number });
        }
    }
    return targets;
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//");

/** Each relative link of `document` that reaches no file, folder or heading inside the repository. */
export function linkProblems(document: string, repository: RepositoryView): string[] {
    const text = repository.readText(document) ?? "";
    const problems: string[] = [];
    for (const { target, number } of linkTargets(text)) {
        if (isExternal(target)) {
            continue;
        }
        const where = `${document}:${number}: link ${target}`;
        const [rawPath, anchor] = target.split("#", 2) as [string, string | undefined];
        const linkPath = decodeURIComponent(rawPath);
        const resolved = linkPath === "" ? document
            : path.posix.normalize(linkPath.startsWith("/") ? linkPath.slice(1) : path.posix.join(path.posix.dirname(document), linkPath)).replace(/\/$/, "");
        if (resolved === ".." || resolved.startsWith("../")) {
            problems.push(`${where} leaves the repository; link to a file inside it`);
            continue;
        }
        const targetText = repository.readText(resolved);
        if (targetText === undefined && !repository.isDirectory(resolved)) {
            problems.push(`${where} points to ${resolved}, which does not exist; fix the path or restore the file`);
            continue;
        }
        if (anchor && targetText !== undefined && resolved.endsWith(".md") && !anchorsOf(targetText).has(anchor)) {
            problems.push(`${where} points to #${anchor}, which is no heading of ${resolved}; use one of: ${[...anchorsOf(targetText)].map((slug) => `#${slug}`).join(", ")}`);
        }
    }
    return problems;
}

/**
 * The package.json script each `npm` command of the document runs: `npm test`, and `npm run <name>`
 * with npm's own flags before the name (`-s`, `--silent`), whatever follows it (`-- --flag`).
 */
export function npmScriptsShown(text: string): { script: string; number: number }[] {
    const shown: { script: string; number: number }[] = [];
    text.split("\n").forEach((line, index) => {
        for (const match of line.matchAll(/\bnpm\s+(?:(test)\b|run(?:-script)?((?:\s+-{1,2}[a-z][\w-]*)*)\s+([\w:.-]+))/g)) {
            shown.push({ script: match[1] ?? match[3], number: index + 1 });
        }
    });
    return shown;
}

/** Each `npm` command of `document` whose script package.json does not define. */
export function commandProblems(document: string, repository: RepositoryView): string[] {
    return npmScriptsShown(repository.readText(document) ?? "")
        .filter(({ script }) => !repository.scripts.has(script))
        .map(({ script, number }) => `${document}:${number}: \`npm run ${script}\` is no script of package.json; use one of: ${[...repository.scripts].sort().join(", ")}`);
}
