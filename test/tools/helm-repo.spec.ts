import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tar from "tar";
import * as YAML from "yaml";
import { buildRepository, serveRepository } from "../../tools/helm-repo";
import { versions } from "../../components/versions";

const fixtures = path.resolve(__dirname, "..", "fixtures", "charts");

interface ArchivedFile {
    content: Buffer;
    header: tar.Header;
}

/** The files of a gzipped tar, as a reader such as Helm sees them. */
function readArchive(file: string): Map<string, ArchivedFile> {
    const files = new Map<string, ArchivedFile>();
    tar.list({
        sync: true,
        file,
        onReadEntry(entry) {
            const chunks: Buffer[] = [];
            entry.on("data", (chunk: Buffer) => chunks.push(chunk));
            entry.on("end", () => files.set(entry.path, { content: Buffer.concat(chunks), header: entry.header }));
        },
    });
    return files;
}

/** Every file under `root`, by its path relative to it with `/` separators. */
function filesUnder(root: string): Map<string, Buffer> {
    return new Map(fs.readdirSync(root, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => {
            const file = path.join(entry.parentPath, entry.name);
            return [path.relative(root, file).split(path.sep).join("/"), fs.readFileSync(file)];
        }));
}

describe("offline Helm repository of the fixture charts", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "groundwork-helm-repo-"));
    const built = buildRepository(fixtures, out);

    it("stands in for every pinned chart, at its pinned version, plus privileged-demo", () => {
        const expected = [...Object.values(versions.charts).map((chart) => `${chart.name} ${chart.version}`), "privileged-demo 0.1.0"].sort();
        assert.deepEqual(built.map((chart) => `${chart.name} ${chart.version}`).sort(), expected);
    });

    it("indexes each archive with its version and digest", () => {
        const index = YAML.parse(fs.readFileSync(path.join(out, "index.yaml"), "utf8")) as { entries: Record<string, { version: string; digest: string; urls: string[] }[]> };
        for (const chart of built) {
            const [entry] = index.entries[chart.name];
            const archive = fs.readFileSync(path.join(out, chart.file));
            assert.equal(entry.version, chart.version);
            assert.deepEqual(entry.urls, [chart.file]);
            assert.equal(entry.digest, crypto.createHash("sha256").update(archive).digest("hex"));
        }
    });

    it("archives exactly the chart's files, under the chart's name, sorted, without owners or times", () => {
        for (const chart of built) {
            const archived = readArchive(path.join(out, chart.file));
            const expected = [...filesUnder(path.join(fixtures, chart.name))].map(([name, content]) => [`${chart.name}/${name}`, content] as const);
            assert.deepEqual([...archived.keys()], expected.map(([name]) => name).sort(), chart.file);
            for (const [name, content] of expected) {
                const { content: archivedContent, header } = archived.get(name)!;
                assert.ok(archivedContent.equals(content), `${chart.file}: ${name} differs from the chart's file`);
                assert.deepEqual([header.uid, header.gid, header.uname, header.gname, header.mtime?.getTime()], [undefined, undefined, "", "", 0], `${chart.file}: ${name}`);
            }
        }
    });

    it("builds the same bytes again from a copy of the charts with other file times", () => {
        const copy = fs.mkdtempSync(path.join(os.tmpdir(), "groundwork-charts-"));
        fs.cpSync(fixtures, copy, { recursive: true });
        const later = new Date("2030-01-01T00:00:00Z");
        for (const name of filesUnder(copy).keys()) {
            fs.utimesSync(path.join(copy, name), later, later);
        }
        const again = fs.mkdtempSync(path.join(os.tmpdir(), "groundwork-helm-repo-"));
        buildRepository(copy, again);
        assert.deepEqual(fs.readdirSync(again).sort(), fs.readdirSync(out).sort());
        for (const file of fs.readdirSync(out)) {
            assert.ok(fs.readFileSync(path.join(out, file)).equals(fs.readFileSync(path.join(again, file))), file);
        }
    });

    it("serves the index and archives on 127.0.0.1 and nothing outside its directory", async () => {
        const { server, url } = await serveRepository(out, 0);
        try {
            assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
            const index = await fetch(`${url}/index.yaml`);
            assert.equal(index.status, 200);
            assert.match(await index.text(), /ingress-nginx/);
            const archive = await fetch(`${url}/${built[0].file}`);
            assert.ok(Buffer.from(await archive.arrayBuffer()).equals(fs.readFileSync(path.join(out, built[0].file))));
            assert.equal((await fetch(`${url}/%2e%2e/${path.basename(out)}/index.yaml`)).status, 404);
            assert.equal((await fetch(`${url}/missing.tgz`)).status, 404);
        } finally {
            await new Promise((resolve) => server.close(resolve));
        }
    });

    it("rejects a directory that is not a chart", () => {
        const broken = fs.mkdtempSync(path.join(os.tmpdir(), "groundwork-charts-"));
        fs.mkdirSync(path.join(broken, "stray"));
        assert.throws(() => buildRepository(broken, fs.mkdtempSync(path.join(os.tmpdir(), "groundwork-helm-repo-"))), /stray has no Chart\.yaml/);
    });
});
