import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import * as YAML from "yaml";
import { buildRepository, serveRepository } from "../../scripts/helm-repo";
import { versions } from "../../components/versions";

const fixtures = path.resolve(__dirname, "..", "fixtures", "charts");

/** File names inside a gzipped ustar archive. */
function archiveEntries(archive: Buffer): string[] {
    const tar = zlib.gunzipSync(archive);
    const names: string[] = [];
    for (let offset = 0; offset + 512 <= tar.length;) {
        const header = tar.subarray(offset, offset + 512);
        if (header.every((byte) => byte === 0)) {
            break;
        }
        const text = (start: number, length: number) => header.subarray(start, start + length).toString("utf8").replace(/\0.*$/s, "");
        const size = parseInt(text(124, 12), 8);
        const prefix = text(345, 155);
        names.push(prefix ? `${prefix}/${text(0, 100)}` : text(0, 100));
        offset += 512 + Math.ceil(size / 512) * 512;
    }
    return names;
}

describe("offline Helm repository of the fixture charts", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "groundwork-helm-repo-"));
    const built = buildRepository(fixtures, out);

    it("stands in for every pinned chart, at its pinned version, plus privileged-demo", () => {
        const expected = [...Object.values(versions.charts).map((chart) => `${chart.name} ${chart.version}`), "privileged-demo 0.1.0"].sort();
        assert.deepEqual(built.map((chart) => `${chart.name} ${chart.version}`).sort(), expected);
    });

    it("indexes each archive with its digest, and archives each chart under its name", () => {
        const index = YAML.parse(fs.readFileSync(path.join(out, "index.yaml"), "utf8")) as { entries: Record<string, { version: string; digest: string; urls: string[] }[]> };
        for (const chart of built) {
            const [entry] = index.entries[chart.name];
            const archive = fs.readFileSync(path.join(out, chart.file));
            assert.equal(entry.version, chart.version);
            assert.deepEqual(entry.urls, [chart.file]);
            assert.equal(entry.digest, crypto.createHash("sha256").update(archive).digest("hex"));
            const names = archiveEntries(archive);
            assert.ok(names.includes(`${chart.name}/Chart.yaml`), `${chart.file}: ${names.join(", ")}`);
            assert.ok(names.every((name) => name.startsWith(`${chart.name}/`)));
        }
    });

    it("builds the same bytes twice", () => {
        const again = fs.mkdtempSync(path.join(os.tmpdir(), "groundwork-helm-repo-"));
        buildRepository(fixtures, again);
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
