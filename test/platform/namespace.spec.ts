import * as assert from "node:assert/strict";
import { versions } from "../../components/versions";
import { runStack, StackRun } from "../support/program";

describe("namespace guardrails", function () {
    this.timeout(60000);
    let run: StackRun;
    before(async () => {
        run = await runStack("production");
    });

    for (const namespace of ["backend", "ai-engine", "executor", "redis"]) {
        it(`closes ${namespace}: restricted pod security, quota, defaults, deny-all but DNS`, () => {
            const labels = (run.get("kubernetes:core/v1:Namespace", namespace).inputs as any).metadata.labels;
            for (const mode of ["enforce", "audit", "warn"]) {
                assert.equal(labels[`pod-security.kubernetes.io/${mode}`], "restricted");
                assert.equal(labels[`pod-security.kubernetes.io/${mode}-version`], versions.podSecurity);
            }
            assert.ok(run.get("kubernetes:core/v1:ResourceQuota", `${namespace}-quota`));
            assert.ok(run.get("kubernetes:core/v1:LimitRange", `${namespace}-limits`));
            const deny = (run.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", `${namespace}-default-deny`).inputs as any).spec;
            assert.deepEqual(deny, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
            const dns = (run.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", `${namespace}-allow-dns`).inputs as any).spec;
            assert.deepEqual(dns.egress[0].ports, [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }]);
            assert.deepEqual(dns.egress[0].to[0].podSelector.matchLabels, { "k8s-app": "kube-dns" });
        });
    }

    it("sizes the quota for the peak: max replicas plus surge, database and backup", () => {
        const hard = (run.get("kubernetes:core/v1:ResourceQuota", "backend-quota").inputs as any).spec.hard;
        // backend in production: HPA max 10 + 3 surge = 13 pods of 1 CPU / 1Gi, database 1 / 1Gi, backup 500m / 512Mi.
        assert.deepEqual(hard, {
            "requests.cpu": "6850m",
            "limits.cpu": "14500m",
            "requests.memory": "7040Mi",
            "limits.memory": "14848Mi",
            pods: "15",
            persistentvolumeclaims: "2",
            "requests.storage": "40Gi",
        });
        const defaults = (run.get("kubernetes:core/v1:LimitRange", "backend-limits").inputs as any).spec.limits[0];
        assert.deepEqual(defaults, { type: "Container", defaultRequest: { cpu: "500m", memory: "512Mi" }, default: { cpu: "1", memory: "1Gi" } });
    });

    it("uses an explicit quota unchanged when it covers the peak", async () => {
        const config = (await import("../support/program")).readStackConfig("staging");
        const tiers = structuredClone(config["groundwork:tiers"]) as any[];
        tiers[2].quota = { cpu: "8", memory: "16Gi", pods: 40, storage: "100Gi" };
        const staging = await runStack("staging", { overrides: { "groundwork:tiers": tiers } });
        const hard = (staging.get("kubernetes:core/v1:ResourceQuota", "executor-quota").inputs as any).spec.hard;
        assert.equal(hard.pods, "40");
        assert.equal(hard["limits.cpu"], "8");
        assert.equal(hard["requests.storage"], "100Gi");
    });
});
