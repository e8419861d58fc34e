/**
 * A Helm chart repository built from unpacked chart directories: one .tgz per chart and an
 * index.yaml, served on 127.0.0.1 for the offline tests and the local stack. The archives are
 * generated, never committed. `npm run helm-repo -- --help` tells how to run it.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import * as tar from "tar";
import * as YAML from "yaml";
import { defineCommand, runAsMain, UsageError } from "./cli/command-line";
import { REPO_ROOT } from "./cli/paths";

export interface BuiltChart {
    name: string;
    version: string;
    file: string;
}

/** A fixed timestamp keeps archives and index byte-for-byte reproducible. */
const epoch = new Date(0);

/** Packages every chart directory under `chartsDirectory` into `outDirectory` and writes its index.yaml. */
export function buildRepository(chartsDirectory: string, outDirectory: string): BuiltChart[] {
    fs.mkdirSync(outDirectory, { recursive: true });
    const entries: Record<string, unknown[]> = {};
    const built: BuiltChart[] = [];
    for (const directory of fs.readdirSync(chartsDirectory, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort()) {
        const chartRoot = path.join(chartsDirectory, directory);
        const manifest = readChartManifest(chartRoot);
        if (manifest.name !== directory) {
            throw new Error(`${chartRoot}/Chart.yaml names chart "${manifest.name}": rename the directory to "${manifest.name}" or fix the name`);
        }
        const file = `${manifest.name}-${manifest.version}.tgz`;
        const archive = packageChart(chartRoot, manifest.name, path.join(outDirectory, file));
        (entries[manifest.name] ??= []).push({
            ...manifest,
            created: epoch.toISOString(),
            digest: crypto.createHash("sha256").update(archive).digest("hex"),
            urls: [file],
        });
        built.push({ name: manifest.name, version: manifest.version, file });
    }
    const index = { apiVersion: "v1", entries, generated: epoch.toISOString() };
    fs.writeFileSync(path.join(outDirectory, "index.yaml"), YAML.stringify(index));
    return built;
}

function readChartManifest(chartRoot: string): Record<string, unknown> & { name: string; version: string } {
    const file = path.join(chartRoot, "Chart.yaml");
    if (!fs.existsSync(file)) {
        throw new Error(`${chartRoot} has no Chart.yaml: every directory under the charts directory must be a chart`);
    }
    const manifest = YAML.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown> | null;
    if (typeof manifest?.name !== "string" || (typeof manifest.version !== "string" && typeof manifest.version !== "number")) {
        throw new Error(`${file} must set name and version`);
    }
    return { ...manifest, name: manifest.name, version: String(manifest.version) };
}

/**
 * Writes `root` as a gzipped tar under `prefix/`, as Helm expects, and returns the archive's bytes.
 * The same files give the same bytes: sorted entries, a fixed mtime, and `portable`: no owners, no
 * access or change times, no group or world write bits, no OS byte in the gzip header.
 */
function packageChart(root: string, prefix: string, archiveFile: string): Buffer {
    const files = fs.readdirSync(root, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
        .sort();
    tar.create({ sync: true, file: archiveFile, cwd: root, prefix, portable: true, mtime: epoch, gzip: { level: 9 } }, files);
    return fs.readFileSync(archiveFile);
}

/** Serves `directory` read-only on 127.0.0.1; resolves with the server and its URL. */
export function serveRepository(directory: string, port: number): Promise<{ server: http.Server; url: string }> {
    const root = path.resolve(directory);
    const server = http.createServer((request, response) => {
        const requested = path.resolve(root, `.${decodeURIComponent(new URL(request.url ?? "/", "http://127.0.0.1").pathname)}`);
        if (request.method !== "GET" || !requested.startsWith(`${root}${path.sep}`) || !fs.existsSync(requested) || !fs.statSync(requested).isFile()) {
            response.writeHead(request.method === "GET" ? 404 : 405).end();
            return;
        }
        response.writeHead(200, { "Content-Type": requested.endsWith(".yaml") ? "application/yaml" : "application/gzip" });
        fs.createReadStream(requested).pipe(response);
    });
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => {
            const address = server.address();
            resolve({ server, url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : port}` });
        });
    });
}

export const helmRepoCommand = defineCommand({
    name: "helm-repo",
    usage: `usage: npm run helm-repo -- build|serve [--charts DIR] [--out DIR] [--port N] [--seconds N]

build packages every chart directory into a Helm repository (one .tgz per chart and index.yaml);
serve builds, prints the repository URL and serves it on 127.0.0.1 until --seconds have passed,
or SIGINT/SIGTERM.
  --charts DIR   the unpacked charts (default test/fixtures/charts)
  --out DIR      where the repository is written (default out/helm-repo)
  --port N       serve: the port, 0 for a free one (default 0)
  --seconds N    serve: how long to serve (default 900)
  --help         this text`,
    options: { charts: { type: "string" }, out: { type: "string" }, port: { type: "string" }, seconds: { type: "string" } },
    interpret({ charts = path.join(REPO_ROOT, "test", "fixtures", "charts"), out = path.join(REPO_ROOT, "out", "helm-repo"), port = "0", seconds = "900" }, positionals) {
        const [command] = positionals;
        if (positionals.length !== 1 || (command !== "build" && command !== "serve")) {
            throw new UsageError(`expected one command, build or serve; got ${positionals.join(" ") || "none"}`);
        }
        return {
            command,
            charts: path.resolve(charts),
            out: path.resolve(out),
            port: wholeNumber(port, "port", 0, 65535),
            seconds: wholeNumber(seconds, "seconds", 1, 86400),
        };
    },
});

function wholeNumber(text: string, name: string, min: number, max: number): number {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
        throw new UsageError(`--${name} (${text}) must be a whole number from ${min} to ${max}`);
    }
    return value;
}

async function buildAndServe({ command, charts, out, port, seconds }: ReturnType<typeof helmRepoCommand.interpret>): Promise<void> {
    const built = buildRepository(charts, out);
    console.log(`built ${built.map((chart) => `${chart.name} ${chart.version}`).join(", ")} into ${out}`);
    if (command === "serve") {
        const { server, url } = await serveRepository(out, port);
        console.log(`serving ${url} for ${seconds}s`);
        const stop = () => server.close(() => process.exit(0));
        setTimeout(stop, seconds * 1000).unref();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
    }
}

if (require.main === module) {
    void runAsMain(helmRepoCommand, (options) => buildAndServe(options).then(() => 0, (error: Error) => {
        console.error(error.message);
        return 1;
    }));
}
