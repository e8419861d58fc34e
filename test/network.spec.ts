import * as assert from "node:assert/strict";
import * as path from "node:path";
import { parsePlatformConfig } from "../components/config";
import { checkNetwork, networkLine, NetworkReport } from "../tools/network/check";
import { ensureNetworkJudge, NetworkJudge } from "../tools/network/judge";
import { addressIn, Manifest, trafficMatrix } from "../tools/network/matrix";
import { asEngineConfig, committedStacks, manifestsOf, readConfigFile, repoRoot, runStack, withTestSecrets } from "./support/program";

/** A committed stack's validated config and the manifests the program renders for it (under mocks). */
async function rendered(stack: string, file: string) {
    const { config, secretKeys } = withTestSecrets(readConfigFile(file));
    const run = await runStack(stack, { config, secretKeys });
    return { config: parsePlatformConfig(asEngineConfig(run.config), new Set(run.secretKeys)), manifests: manifestsOf(run) };
}

type Policy = Manifest & { spec: { egress?: { to?: { namespaceSelector?: { matchLabels?: Record<string, string> } }[] }[]; ingress?: { from?: unknown[] }[] } };

function policy(manifests: Manifest[], namespace: string, name: string): Policy {
    const found = manifests.find((manifest) => manifest.kind === "NetworkPolicy" && manifest.metadata.namespace === namespace && manifest.metadata.name === name);
    assert.ok(found, `no NetworkPolicy ${namespace}/${name}`);
    return found as Policy;
}

/**
 * One rule broken at a time in staging's manifests: the engine must then fail the path it served,
 * by name. If the matrix or the judging missed it, the check would guard nothing.
 */
const breakages: { name: string; change: (manifests: Manifest[]) => Manifest[]; expected: string }[] = [
    {
        name: "backend's egress to ai-engine removed",
        change: (manifests) => {
            const traffic = policy(manifests, "backend", "backend-traffic");
            traffic.spec.egress = traffic.spec.egress!.filter((rule) => !rule.to?.some((to) => to.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "ai-engine"));
            return manifests;
        },
        expected: "declared path backend → ai-engine:8000/TCP is denied: egress denied by backend/",
    },
    {
        name: "ai-engine's ingress from backend removed",
        change: (manifests) => {
            policy(manifests, "ai-engine", "ai-engine-traffic").spec.ingress = [];
            return manifests;
        },
        expected: "declared path backend → ai-engine:8000/TCP is denied: egress allowed by backend/backend-traffic; ingress denied",
    },
    {
        name: "the executor namespace's DNS policy dropped",
        change: (manifests) => manifests.filter((manifest) => !(manifest.kind === "NetworkPolicy" && manifest.metadata.namespace === "executor" && manifest.metadata.name === "allow-dns-egress")),
        expected: "declared path executor → DNS:53/UDP is denied",
    },
    {
        name: "backend's database open to every source",
        change: (manifests) => {
            policy(manifests, "backend", "backend-postgres-ingress").spec.ingress = [{}];
            return manifests;
        },
        expected: "undeclared path internet → backend database:5432/TCP is allowed",
    },
];

describe("network: a NetworkPolicy engine judges each stack's declared and undeclared traffic", function () {
    // The first run on a machine builds the engine from Go modules.
    this.timeout(20 * 60_000);
    let judge: NetworkJudge;
    before(async () => {
        judge = await ensureNetworkJudge((line) => process.stderr.write(`      ${line}\n`));
    });

    for (const { stack, file } of committedStacks()) {
        it(`${path.relative(repoRoot, file)}: every declared path allowed, every probed undeclared path denied`, async () => {
            const { config, manifests } = await rendered(stack, file);
            const report = await checkNetwork(judge, config, manifests);
            assert.deepEqual(report.problems, [], networkLine(report));
            assert.ok(report.declared > 0 && report.probed > 0, networkLine(report));
            assert.equal(networkLine(report), `network: ${report.declared}/${report.declared} declared paths allowed, ${report.probed}/${report.probed} undeclared paths denied (${report.engine})`);
        });
    }

    describe("names the path a broken rule closes or opens", () => {
        let staging: Awaited<ReturnType<typeof rendered>>;
        before(async () => {
            staging = await rendered("staging", path.join(repoRoot, "Pulumi.staging.yaml"));
        });
        for (const { name, change, expected } of breakages) {
            it(name, async () => {
                const report: NetworkReport = await checkNetwork(judge, staging.config, change(structuredClone(staging.manifests)));
                assert.ok(report.problems.some((problem) => problem.startsWith(expected)), `expected a problem starting with "${expected}", got:\n${report.problems.join("\n")}`);
                assert.ok(report.allowed < report.declared || report.denied < report.probed, networkLine(report));
            });
        }
    });
});

describe("network: the expected traffic", () => {
    const addresses: [string, string][] = [
        ["0.0.0.0/0", "203.0.113.10"],
        ["203.0.113.0/24", "203.0.113.10"],
        ["160.79.104.0/23", "160.79.104.1"],
        ["10.0.0.7/32", "10.0.0.7"],
        ["10.1.2.3/16", "10.1.0.1"],
    ];
    for (const [cidr, expected] of addresses) {
        it(`stands for ${cidr} with ${expected}`, () => assert.equal(addressIn(cidr), expected));
    }

    it("refuses manifests that lack a workload the config implies, naming it", async () => {
        const { config, manifests } = await rendered("staging", path.join(repoRoot, "Pulumi.staging.yaml"));
        const withoutExecutor = manifests.filter((manifest) => !(manifest.kind === "Deployment" && manifest.metadata.name === "executor"));
        assert.throws(() => trafficMatrix(config, withoutExecutor), /the rendered manifests hold no Deployment executor\/executor/);
    });

    it("declares each caller's call once, and probes every tier pair that is not a call", async () => {
        const { config, manifests } = await rendered("staging", path.join(repoRoot, "Pulumi.staging.yaml"));
        const { declared, undeclared } = trafficMatrix(config, manifests);
        const calls = declared.map((path) => path.name).filter((name) => /^(backend|ai-engine|executor) → (backend|ai-engine|executor):/.test(name));
        assert.deepEqual(calls.sort(), ["ai-engine → executor:8080/TCP", "backend → ai-engine:8000/TCP", "backend → executor:8080/TCP"]);
        const probes = undeclared.map((path) => path.name).filter((name) => name.includes("(not a declared caller)"));
        assert.equal(probes.length, 3 * 2 - calls.length);
    });
});
