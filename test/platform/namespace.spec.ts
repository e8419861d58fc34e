import * as assert from "node:assert/strict";
import { versions } from "../../components/versions";
import { aDatabase, aStack, aTier, Environment, StackBuilder, TierBuilder } from "../support/builders";
import { runStack, StackRun } from "../support/program";
import { demandOf, hardOf, overruns } from "../support/quota";
import { kinds as types } from "../support/kinds";

const stagingVariant = "staging without the edge, two hosts proven over HTTP-01, an explicit executor quota";

/**
 * backend (HPA 3..10 of 500m/512Mi requests and 1/1Gi limits, a nightly job sized like it, a 20Gi
 * database), ai-engine and executor, all Redis clients, with monitoring on; `tier` changes each.
 */
function guarded(environment: Environment, tier: (builder: TierBuilder) => TierBuilder = (builder) => builder): StackBuilder {
    return aStack(environment)
        .withTier(
            tier(aTier("backend").autoscaled(3, 10).withDatabase(aDatabase({ storage: "20Gi" })).withRedis().with({
                resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
                cronJobs: [{ name: "metrics-cleanup", schedule: "0 3 * * *", command: ["node", "cleanup.js"] }],
            })),
            tier(aTier("ai-engine").calledBy("backend").withDatabase().withRedis()),
            tier(aTier("executor").calledBy("backend").withDatabase().withRedis()),
        )
        .withRedis()
        .withAddons({ monitoring: { enabled: true } });
}

const explicitQuota = { cpu: "8", memory: "16Gi", pods: 40, storage: "100Gi" };

describe("namespace guardrails", function () {
    this.timeout(60000);
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.production = await runStack("production", { config: guarded("production").build() });
        // Without the edge, Let's Encrypt proves each of backend's two hosts with a solver pod of its own.
        const staging = guarded("staging", (tier) => {
            switch (tier.name) {
                case "backend": return tier.public("api.example.com", "www.example.com");
                case "executor": return tier.with({ quota: explicitQuota });
                default: return tier;
            }
        }).withAddons({ defaultIssuer: "letsencrypt-staging", certManager: { acmeEmail: "platform@example.com" }, monitoring: { enabled: true } });
        runs[stagingVariant] = await runStack("staging", { config: staging.build() });
    });

    for (const namespace of ["backend", "ai-engine", "executor", "redis"]) {
        it(`closes ${namespace}: restricted pod security, quota, defaults, deny-all but DNS`, () => {
            const run = runs.production;
            const labels = (run.get(types.namespace, namespace).inputs as any).metadata.labels;
            for (const mode of ["enforce", "audit", "warn"]) {
                assert.equal(labels[`pod-security.kubernetes.io/${mode}`], "restricted");
                assert.equal(labels[`pod-security.kubernetes.io/${mode}-version`], versions.podSecurity);
            }
            assert.ok(run.get(types.quota, `${namespace}-quota`));
            assert.ok(run.get(types.limitRange, `${namespace}-limits`));
            const deny = (run.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", `${namespace}-default-deny`).inputs as any).spec;
            assert.deepEqual(deny, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
            const dns = (run.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", `${namespace}-allow-dns`).inputs as any).spec;
            assert.deepEqual(dns.egress[0].ports, [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }]);
            assert.deepEqual(dns.egress[0].to[0].podSelector.matchLabels, { "k8s-app": "kube-dns" });
        });
    }

    it("sizes the quota for the peak: max replicas plus surge, database and backup", () => {
        const hard = (runs.production.get(types.quota, "backend-quota").inputs as any).spec.hard;
        // backend (guarded()): HPA max 10 + 3 surge = 13 pods of 1 CPU / 1Gi, the metrics-cleanup job sized like them,
        // database 1 / 1Gi with its exporter
        // sidecar 10m / 32Mi, limits 100m / 64Mi (production runs monitoring), backup 500m / 512Mi.
        assert.deepEqual(hard, {
            "requests.cpu": "7360m",
            "limits.cpu": "15600m",
            "requests.memory": "7584Mi",
            "limits.memory": "15936Mi",
            pods: "16",
            persistentvolumeclaims: "2",
            "requests.storage": "40Gi",
        });
        const defaults = (runs.production.get(types.limitRange, "backend-limits").inputs as any).spec.limits[0];
        assert.deepEqual(defaults, { type: "Container", defaultRequest: { cpu: "500m", memory: "512Mi" }, default: { cpu: "1", memory: "1Gi" } });
    });

    it("uses an explicit quota unchanged when it covers the peak", () => {
        const hard = (runs[stagingVariant].get(types.quota, "executor-quota").inputs as any).spec.hard;
        assert.deepEqual([hard.pods, hard["limits.cpu"], hard["limits.memory"], hard["requests.storage"]],
            [String(explicitQuota.pods), explicitQuota.cpu, explicitQuota.memory, explicitQuota.storage]);
    });

    for (const label of ["production", stagingVariant]) {
        it(`${label}: every quota admits what is created in its namespace at once`, () => {
            const run = runs[label];
            const quotaNamespaces = run.ofType(types.quota).map((quota) => (quota.inputs as any).metadata.namespace).sort();
            // The monitoring and CI namespaces' pods are the chart's and Tekton's, invisible under mocks: monitoringBudgets
            // and CiPipelines.budget are tested on their own.
            assert.deepEqual(quotaNamespaces, ["ai-engine", "backend", "ci", "executor", "monitoring", "monitoring-node-exporter", "redis"]);
            assert.deepEqual(overruns(run), []);
        });
    }

    it("gives Redis's namespace exactly what Redis creates: its pod and its volume", () => {
        for (const run of Object.values(runs)) {
            assert.deepEqual(hardOf(run, "redis"), demandOf(run, "redis"));
        }
    });
});
