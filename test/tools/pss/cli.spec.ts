/** The `pss` CLI: arguments, JSON output, exit codes and invalid input. */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { REPO_ROOT } from "../../../tools/cli/paths";
import { EXIT_ALLOWED, EXIT_DENIED, EXIT_INVALID, runCli, WorkloadResult } from "../../../tools/pss/cli";
import { podManifest, restrictedSpec, WORKLOAD_SHAPES } from "../../policy/helpers";

function run(argv: string[], files: Record<string, string>): { code: number; stdout: string; stderr: string } {
    let stdout = "";
    let stderr = "";
    const code = runCli(argv, {
        stdout: (text) => (stdout += text),
        stderr: (text) => (stderr += text),
        readFile: (file) => {
            if (!(file in files)) {
                throw new Error(`ENOENT: no such file or directory, open '${file}'`);
            }
            return files[file];
        },
    });
    return { code, stdout, stderr };
}

const hostNetworkPod = podManifest({ ...restrictedSpec(), hostNetwork: true }, { name: "net", namespace: "edge" });
const seccomplessSpec = () => {
    const spec = restrictedSpec();
    delete (spec.securityContext as Record<string, unknown>).seccompProfile;
    return spec;
};

const allWorkloads = WORKLOAD_SHAPES.map((shape) => stringify(shape.wrap(podManifest(restrictedSpec(), { name: shape.kind.toLowerCase() })))).join("---\n");
const mixed = [
    stringify({ apiVersion: "v1", kind: "Service", metadata: { name: "svc" }, spec: { ports: [{ port: 80 }] } }),
    stringify(hostNetworkPod),
    "",
    stringify({ apiVersion: "v1", kind: "List", items: [podManifest(seccomplessSpec(), { name: "listed" })] }),
].join("---\n");

describe("policy: pss CLI", function () {
    it("prints one JSON element per workload document and exits 0 when all are allowed", function () {
        const result = run(["--json", "all.yaml"], { "all.yaml": allWorkloads });
        assert.strictEqual(result.code, EXIT_ALLOWED);
        const parsed = JSON.parse(result.stdout) as WorkloadResult[];
        assert.deepStrictEqual(parsed.map((r) => [r.file, r.kind, r.name, r.namespace, r.allowed, r.violations.length]), WORKLOAD_SHAPES.map((s) => ["all.yaml", s.kind, s.kind.toLowerCase(), null, true, 0]));
    });

    it("skips non-workloads, expands Lists, reports violations and exits 1 when any is denied", function () {
        const result = run(["--json", "--level", "baseline", "mixed.yaml"], { "mixed.yaml": mixed });
        assert.strictEqual(result.code, EXIT_DENIED);
        const parsed = JSON.parse(result.stdout) as WorkloadResult[];
        assert.deepStrictEqual(parsed.map((r) => [r.name, r.namespace, r.allowed]), [["net", "edge", false], ["listed", null, true]]);
        assert.deepStrictEqual(parsed[0].violations, [{ control: "hostNamespaces", container: null, path: "spec.hostNetwork", message: parsed[0].violations[0].message }]);
        assert.match(parsed[0].violations[0].message, /hostNetwork=true .*; remove it or set it to false/);
    });

    it("defaults to restricted and latest, and honours --version", function () {
        const files = { "pod.yaml": stringify(podManifest(seccomplessSpec())) };
        assert.strictEqual(run(["pod.yaml"], files).code, EXIT_DENIED);
        assert.strictEqual(run(["--version", "v1.18", "pod.yaml"], files).code, EXIT_ALLOWED);
        assert.strictEqual(run(["--version=v1.19", "pod.yaml"], files).code, EXIT_DENIED);
    });

    it("prints a readable report without --json", function () {
        const result = run(["--level", "baseline", "mixed.yaml"], { "mixed.yaml": mixed });
        assert.match(result.stdout, /^FAIL mixed\.yaml: Pod edge\/net\n {2}- hostNamespaces at spec\.hostNetwork\n {4}pod sets hostNetwork=true/m);
        assert.match(result.stdout, /^PASS mixed\.yaml: Pod \(no namespace\)\/listed$/m);
        assert.match(result.stdout, /2 workloads checked at level baseline, version latest: 1 allowed, 1 denied\.\n$/);
    });

    const invalid: [string, string[], Record<string, string>, RegExp][] = [
        ["a missing file", ["missing.yaml"], {}, /pss: missing\.yaml: cannot read: ENOENT/],
        ["invalid YAML", ["bad.yaml"], { "bad.yaml": "kind: Pod\n  spec: [" }, /pss: bad\.yaml: document 1: invalid YAML: /],
        ["a document that is not an object", ["list.yaml"], { "list.yaml": "- a\n- b\n" }, /pss: list\.yaml: document 1 is not a Kubernetes object/],
        ["a document without kind", ["nokind.yaml"], { "nokind.yaml": "apiVersion: v1\nspec: {}\n" }, /document 1 has no apiVersion and kind/],
        ["an unknown apiVersion for a workload kind", ["old.yaml"], { "old.yaml": "apiVersion: apps/v9\nkind: Deployment\n" }, /Deployment with apiVersion apps\/v9 is unknown; use one of apps\/v1/],
        ["a mistyped field", ["typo.yaml"], { "typo.yaml": stringify(podManifest({ containers: [{ name: "a", securityContext: { privileged: "yes" } }] }, { name: "t" })) }, /pss: typo\.yaml: document 1 \(Pod t\): spec\.containers\[0\]\.securityContext\.privileged must be a boolean, got string "yes"/],
        ["a workload without a template", ["deploy.yaml"], { "deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 1}\n" }, /spec\.template must be an object/],
        ["an invalid level", ["--level", "privileged", "x.yaml"], {}, /--level "privileged" is invalid; use baseline or restricted/],
        ["an invalid version", ["--version", "1.30", "x.yaml"], {}, /--version "1\.30" is invalid; use latest or v1\.N/],
        ["an unknown option", ["--jsn", "x.yaml"], {}, /Unknown option '--jsn'/],
        ["no files", ["--json"], {}, /no files given/],
    ];
    for (const [what, argv, files, message] of invalid) {
        it(`exits 2 on ${what}, naming the file and the reason`, function () {
            const result = run(argv, files);
            assert.strictEqual(result.code, EXIT_INVALID);
            assert.match(result.stderr, message);
            assert.strictEqual(result.stdout, "");
        });
    }

    it("prints the usage and exits 0 for --help, checking nothing", function () {
        const result = run(["--help", "missing.yaml"], {});
        assert.strictEqual(result.code, EXIT_ALLOWED);
        assert.match(result.stdout, /^usage: pss \[--level baseline\|restricted\]/);
        assert.strictEqual(result.stderr, "");
    });

    it("runs as `npm run --silent pss` with the file paths as given", function () {
        this.timeout(60000);
        const directory = fs.mkdtempSync(path.join(os.tmpdir(), "pss-cli-"));
        try {
            fs.writeFileSync(path.join(directory, "pod.yaml"), stringify(hostNetworkPod));
            const result = spawnSync("npm", ["run", "--silent", "--prefix", REPO_ROOT, "pss", "--", "--json", "--level", "baseline", "pod.yaml"], {
                cwd: directory,
                encoding: "utf8",
                env: { ...process.env, INIT_CWD: directory },
            });
            assert.strictEqual(result.status, EXIT_DENIED, result.stderr);
            const [workload] = JSON.parse(result.stdout) as WorkloadResult[];
            assert.deepStrictEqual([workload.file, workload.allowed, workload.violations[0].control], ["pod.yaml", false, "hostNamespaces"]);
        } finally {
            fs.rmSync(directory, { recursive: true, force: true });
        }
    });
});
