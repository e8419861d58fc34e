import * as assert from "node:assert/strict";
import { runStack, StackRun } from "./support/program";

/** The platform as the user's documents describe it, per environment: [staging, production]. */
const expected = {
    backend: { replicas: [2, 5], cpu: ["100m", "500m"], memory: ["128Mi", "512Mi"], hpa: [undefined, [3, 10]], storage: "20Gi" },
    "ai-engine": { replicas: [1, 3], cpu: ["250m", "1000m"], memory: ["512Mi", "2Gi"], hpa: [undefined, [2, 6]], storage: "50Gi" },
    executor: { replicas: [1, 3], cpu: [undefined, undefined], memory: [undefined, undefined], hpa: [undefined, undefined], storage: "10Gi" },
} as const;

describe("staging and production stacks", function () {
    this.timeout(60000);
    const runs: StackRun[] = [];
    before(async () => {
        runs.push(await runStack("staging"), await runStack("production"));
    });

    for (const [tier, want] of Object.entries(expected)) {
        it(`sizes ${tier} as documented in each environment`, () => {
            runs.forEach((run, env) => {
                const spec = (run.get("kubernetes:apps/v1:Deployment", `${tier}-deployment`).inputs as any).spec;
                assert.equal(spec.replicas, want.replicas[env]);
                const requests = spec.template.spec.containers[0].resources.requests;
                if (want.cpu[env] !== undefined) {
                    assert.equal(requests.cpu, want.cpu[env]);
                    assert.equal(requests.memory, want.memory[env]);
                }
                const hpa = run.ofType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").find((r) => r.name === `${tier}-hpa`);
                const bounds = hpa && [(hpa.inputs as any).spec.minReplicas, (hpa.inputs as any).spec.maxReplicas];
                assert.deepEqual(bounds, want.hpa[env]);
                const claim = run.get("kubernetes:core/v1:PersistentVolumeClaim", `${tier}-postgres-data`);
                assert.equal((claim.inputs as any).spec.resources.requests.storage, want.storage);
            });
        });
    }

    it("logs at debug in staging and warn in production", () => {
        runs.forEach((run, env) => {
            for (const configMap of run.ofType("kubernetes:core/v1:ConfigMap").filter((r) => r.name.endsWith("-settings"))) {
                assert.equal((configMap.inputs as any).data.LOG_LEVEL, ["debug", "warn"][env], configMap.name);
            }
        });
    });

    it("registers the same kinds of tier, data and guardrail resources in both environments, autoscalers aside", () => {
        const foundation = /groundwork:(apps|data|platform):/;
        const kinds = (run: StackRun) => [...new Set(run.resources.filter((r) => foundation.test(r.parent) || foundation.test(r.type)).map((r) => r.type))]
            .filter((t) => !t.includes("HorizontalPodAutoscaler")).sort();
        assert.deepEqual(kinds(runs[0]), kinds(runs[1]));
    });

    it("exports namespaces, URLs and in-cluster service names, but no password", () => {
        const outputs = runs[1].outputs;
        assert.deepEqual(outputs.namespaces, { backend: "backend", "ai-engine": "ai-engine", executor: "executor" });
        assert.deepEqual(outputs.publicUrls, ["https://api.groundwork.example.com"]);
        assert.equal((outputs.services as any).backend, "backend.backend.svc.cluster.local:3000");
        assert.equal((outputs.databaseServices as any).executor, "executor-postgres.executor.svc.cluster.local");
        assert.equal(outputs.redisService, "redis.redis.svc.cluster.local");
        assert.ok(!JSON.stringify(outputs).includes("mock-password"), "outputs must not carry a password");
    });
});
