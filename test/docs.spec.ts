/**
 * The project's Markdown stays followable: every relative link reaches a file, folder or heading,
 * and every `npm` command shown is a package.json script. Paths move (scripts/ to tools/, a section
 * to docs/); this is where a move that forgets a document fails.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { anchorsOf, commandProblems, headingSlug, linkProblems, npmScriptsShown, RepositoryView } from "./support/markdown";

const repoRoot = path.resolve(__dirname, "..");
/** Not the project's documents: dependencies, build output, and the state and caches of local runs. */
const skippedFolders = new Set(["node_modules", "out"]);
/** History names commands and paths as they were then. */
const historyDocuments = new Set(["CHANGELOG.md"]);
const readmeLineLimit = 200;

function markdownFiles(folder = ""): string[] {
    return fs.readdirSync(path.join(repoRoot, folder), { withFileTypes: true }).flatMap((entry) => {
        const file = path.posix.join(folder, entry.name);
        if (entry.isDirectory()) {
            return entry.name.startsWith(".") || skippedFolders.has(entry.name) ? [] : markdownFiles(file);
        }
        return entry.name.endsWith(".md") ? [file] : [];
    });
}

const repository: RepositoryView = {
    readText: (file) => {
        const absolute = path.join(repoRoot, file);
        return fs.existsSync(absolute) && fs.statSync(absolute).isFile() ? fs.readFileSync(absolute, "utf8") : undefined;
    },
    isDirectory: (file) => fs.existsSync(path.join(repoRoot, file)) && fs.statSync(path.join(repoRoot, file)).isDirectory(),
    scripts: new Set(Object.keys(JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).scripts)),
};

function inMemory(files: Record<string, string>, scripts: string[] = ["local", "test", "toolchain"]): RepositoryView {
    return {
        readText: (file) => files[file],
        isDirectory: (folder) => Object.keys(files).some((file) => file.startsWith(`${folder}/`)),
        scripts: new Set(scripts),
    };
}

describe("documentation", function () {
    const documents = markdownFiles();

    it("has a README and a changelog, and the README leads to every page of docs/", function () {
        assert.ok(documents.includes("README.md") && documents.includes("CHANGELOG.md"), `README.md or CHANGELOG.md is missing from ${documents.join(", ")}`);
        const readme = repository.readText("README.md")!;
        const pages = documents.filter((document) => document.startsWith("docs/"));
        assert.ok(pages.length > 0, "docs/ holds no page");
        assert.deepEqual(pages.filter((page) => !readme.includes(`](${page})`)), [], "pages the README does not link to; add them to its \"Where to go next\"");
    });

    it(`keeps the README a guide of at most ${readmeLineLimit} lines (details belong in docs/)`, function () {
        const lines = repository.readText("README.md")!.trimEnd().split("\n").length;
        assert.ok(lines <= readmeLineLimit, `README.md has ${lines} lines; move the details into a page of docs/ and link to it`);
    });

    it("has no relative link that points nowhere", function () {
        assert.deepEqual(documents.flatMap((document) => linkProblems(document, repository)), []);
    });

    it("shows only npm commands that package.json defines", function () {
        assert.deepEqual(documents.filter((document) => !historyDocuments.has(document)).flatMap((document) => commandProblems(document, repository)), []);
    });
});

describe("documentation checks", function () {
    const linkCases: [string, Record<string, string>, RegExp | undefined][] = [
        ["a link to an existing file", { "README.md": "[docs](docs/a.md)", "docs/a.md": "# A" }, undefined],
        ["a link to a missing file", { "README.md": "see [docs](docs/missing.md)" }, /README\.md:1: link docs\/missing\.md points to docs\/missing\.md, which does not exist/],
        ["a link relative to its document's folder", { "docs/a.md": "[b](b.md)", "docs/b.md": "" }, undefined],
        ["a link up to the root", { "docs/a.md": "[readme](../README.md)", "README.md": "" }, undefined],
        ["a link out of the repository", { "docs/a.md": "[seeds](../../shared/seeds)" }, /leaves the repository/],
        ["a link to a folder", { "README.md": "[examples](examples/)", "examples/x.yaml": "" }, undefined],
        ["a link to a heading", { "README.md": "[t](docs/a.md#the-loopback-cluster)", "docs/a.md": "# A\n\n## The loopback cluster\n" }, undefined],
        ["a link to a missing heading", { "README.md": "[t](docs/a.md#tests)", "docs/a.md": "# A\n## Testing\n" }, /points to #tests, which is no heading of docs\/a\.md; use one of: #a, #testing/],
        ["a link to a heading of the same document", { "README.md": "# Top\n[up](#top)" }, undefined],
        ["a heading inside a code block is no anchor", { "README.md": "[x](#not-a-heading)\n```sh\n# not a heading\n```" }, /#not-a-heading, which is no heading/],
        ["a repeated heading numbered as GitHub does", { "README.md": "## Notes\n## Notes\n[second](#notes-1)" }, undefined],
        ["an image", { "README.md": "![diagram](docs/missing.png)" }, /docs\/missing\.png, which does not exist/],
        ["a reference definition", { "README.md": "[pss]: docs/missing.md" }, /docs\/missing\.md, which does not exist/],
        ["a link inside a code span is not followed", { "README.md": "write `[x](missing.md)` like this" }, undefined],
        ["a link inside a code block is not followed", { "README.md": "```md\n[x](missing.md)\n```" }, undefined],
        ["an external link is not followed", { "README.md": "[Pulumi](https://www.pulumi.com/) and [mail](mailto:x@example.com)" }, undefined],
        ["a link to a line of a source file", { "README.md": "[load](components/load.ts#L10)", "components/load.ts": "" }, undefined],
    ];
    for (const [name, files, expected] of linkCases) {
        it(`links: ${name}`, function () {
            const problems = Object.keys(files).filter((file) => file.endsWith(".md")).flatMap((document) => linkProblems(document, inMemory(files)));
            if (expected === undefined) {
                assert.deepEqual(problems, []);
            } else {
                assert.equal(problems.length, 1, problems.join("\n"));
                assert.match(problems[0], expected);
            }
        });
    }

    const commandCases: [string, string, string[]][] = [
        ["npm test", "run `npm test`", ["test"]],
        ["npm run with arguments after --", "npm run local -- --cluster --stack-file examples/kas.yaml", ["local"]],
        ["npm run -s", 'eval "$(npm run -s toolchain -- --env --stack local)"', ["toolchain"]],
        ["npm run --silent", "npm run --silent pss:pack-config -- policy/pack-settings.json", ["pss:pack-config"]],
        ["several on one line", "`npm run local` and `npm run bench`", ["local", "bench"]],
        ["npm run without a name", "a document that shows an `npm run` command", []],
        ["npm commands that are no scripts", "npm ci --ignore-scripts, then npm rebuild node", []],
    ];
    for (const [name, line, expected] of commandCases) {
        it(`commands: ${name}`, function () {
            assert.deepEqual(npmScriptsShown(line).map(({ script }) => script), expected);
        });
    }

    it("commands: a script package.json lacks is reported with the line and the scripts there are", function () {
        const problems = commandProblems("docs/a.md", inMemory({ "docs/a.md": "# A\n\n```sh\nnpm run -s lcoal -- --preview\nnpm test\n```" }));
        assert.deepEqual(problems, ["docs/a.md:4: `npm run lcoal` is no script of package.json; use one of: local, test, toolchain"]);
    });

    const slugCases: [string, string][] = [
        ["Toolchain and the real engine", "toolchain-and-the-real-engine"],
        ["Chart sources (`groundwork:charts`)", "chart-sources-groundworkcharts"],
        ["netpol-judge: NetworkPolicy verdicts", "netpol-judge-networkpolicy-verdicts"],
        ["Add-ons switched off, or an existing install", "add-ons-switched-off-or-an-existing-install"],
        ["The [policy pack](policy/README.md)", "the-policy-pack"],
        ["2026-12-02", "2026-12-02"],
    ];
    for (const [heading, slug] of slugCases) {
        it(`anchors: "${heading}" is #${slug}`, function () {
            assert.equal(headingSlug(heading), slug);
            assert.ok(anchorsOf(`## ${heading}`).has(slug));
        });
    }
});
