/**
 * A Helm chart repository built from unpacked chart directories, with Node only: one .tgz per
 * chart (ustar + gzip) and an index.yaml, served on 127.0.0.1 for the offline tests and the local
 * stack. The archives are generated, never committed.
 *
 *   helm-repo.ts build [--charts DIR] [--out DIR]
 *   helm-repo.ts serve [--charts DIR] [--out DIR] [--port N] [--seconds N]
 *
 * `serve` builds first, prints the repository URL, and stops by itself after --seconds (default
 * 900), or on SIGINT/SIGTERM. Port 0 picks a free port.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import * as zlib from "node:zlib";
import * as YAML from "yaml";

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
        const archive = zlib.gzipSync(tarball(chartRoot, manifest.name), { level: 9 });
        fs.writeFileSync(path.join(outDirectory, file), archive);
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

/** A ustar archive of `root`, with every path under `prefix/` as Helm expects. */
function tarball(root: string, prefix: string): Buffer {
    const blocks: Buffer[] = [];
    for (const relative of listFiles(root)) {
        const content = fs.readFileSync(path.join(root, relative));
        blocks.push(tarHeader(`${prefix}/${relative.split(path.sep).join("/")}`, content.length), content, Buffer.alloc((512 - (content.length % 512)) % 512));
    }
    blocks.push(Buffer.alloc(1024));
    return Buffer.concat(blocks);
}

function listFiles(root: string, relative = ""): string[] {
    return fs.readdirSync(path.join(root, relative), { withFileTypes: true })
        .sort((a, b) => a.name.localeCompare(b.name))
        .flatMap((entry) => {
            const child = path.join(relative, entry.name);
            return entry.isDirectory() ? listFiles(root, child) : entry.isFile() ? [child] : [];
        });
}

function tarHeader(name: string, size: number): Buffer {
    const header = Buffer.alloc(512);
    let base = name;
    let prefix = "";
    if (Buffer.byteLength(name) > 100) {
        const split = name.lastIndexOf("/", 155);
        prefix = name.slice(0, split);
        base = name.slice(split + 1);
        if (split < 0 || Buffer.byteLength(base) > 100 || Buffer.byteLength(prefix) > 155) {
            throw new Error(`path too long for a ustar archive: ${name}`);
        }
    }
    const field = (value: string, offset: number, length: number) => header.write(value, offset, length, "utf8");
    const octal = (value: number, offset: number, length: number) => field(`${value.toString(8).padStart(length - 1, "0")}\0`, offset, length);
    field(base, 0, 100);
    octal(0o644, 100, 8);
    octal(0, 108, 8);
    octal(0, 116, 8);
    octal(size, 124, 12);
    octal(Math.floor(epoch.getTime() / 1000), 136, 12);
    field("        ", 148, 8);
    field("0", 156, 1);
    field("ustar\0", 257, 6);
    field("00", 263, 2);
    field(prefix, 345, 155);
    let checksum = 0;
    for (const byte of header) {
        checksum += byte;
    }
    field(`${checksum.toString(8).padStart(6, "0")}\0 `, 148, 8);
    return header;
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

function option(args: string[], name: string, fallback: string): string {
    const at = args.indexOf(`--${name}`);
    if (at < 0) {
        return fallback;
    }
    const value = args[at + 1];
    if (value === undefined || value.startsWith("--")) {
        throw new Error(`--${name} needs a value`);
    }
    return value;
}

function wholeNumber(text: string, name: string, min: number, max: number): number {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
        throw new Error(`--${name} (${text}) must be a whole number from ${min} to ${max}`);
    }
    return value;
}

async function main(args: string[]): Promise<void> {
    const [command] = args;
    const repoRoot = path.resolve(__dirname, "..");
    const charts = path.resolve(option(args, "charts", path.join(repoRoot, "test", "fixtures", "charts")));
    const out = path.resolve(option(args, "out", path.join(repoRoot, "out", "helm-repo")));
    if (command !== "build" && command !== "serve") {
        throw new Error("usage: helm-repo.ts build|serve [--charts DIR] [--out DIR] [--port N] [--seconds N]");
    }
    const port = wholeNumber(option(args, "port", "0"), "port", 0, 65535);
    const seconds = wholeNumber(option(args, "seconds", "900"), "seconds", 1, 86400);
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
    main(process.argv.slice(2)).catch((error: Error) => {
        console.error(error.message);
        process.exit(1);
    });
}
