import * as assert from "node:assert/strict";
import { parseBytes, parseCpu } from "../components/platform/quantity";
import { readStackConfig, runStack, StackRun } from "./support/program";

const types = {
    deployment: "kubernetes:apps/v1:Deployment",
    hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    claim: "kubernetes:core/v1:PersistentVolumeClaim",
    quota: "kubernetes:core/v1:ResourceQuota",
    configMap: "kubernetes:core/v1:ConfigMap",
};

/** A Kubernetes quantity as a number: CPU in millicores, the rest in bytes or plain counts. */
function amount(key: string, quantity: unknown): number {
    const text = String(quantity);
    const parsed = /cpu/.test(key) ? parseCpu(text) : /^\d+$/.test(text) ? Number(text) : parseBytes(text);
    assert.ok(parsed !== undefined, `${key}: cannot read quantity ${text}`);
    return parsed;
}

/** Every sizing axis of one tier as registered: replicas, peak replicas, container requests and limits, claims, quota. */
function sizing(run: StackRun, tier: string): Map<string, number> {
    const axes = new Map<string, number>();
    const spec = (run.get(types.deployment, `${tier}-deployment`).inputs as any).spec;
    axes.set("replicas", spec.replicas);
    const hpa = run.ofType(types.hpa).find((resource) => resource.name === `${tier}-hpa`);
    axes.set("peak replicas", Math.max(spec.replicas, (hpa?.inputs as any)?.spec.maxReplicas ?? 0));
    for (const [kind, values] of Object.entries(spec.template.spec.containers[0].resources ?? {})) {
        for (const [resource, quantity] of Object.entries(values as Record<string, unknown>)) {
            axes.set(`${kind}.${resource}`, amount(resource, quantity));
        }
    }
    for (const claim of run.ofType(types.claim).filter((resource) => resource.name.startsWith(`${tier}-`))) {
        axes.set(`${claim.name} storage`, amount("storage", (claim.inputs as any).spec.resources.requests.storage));
    }
    for (const [key, quantity] of Object.entries((run.get(types.quota, `${tier}-quota`).inputs as any).spec.hard)) {
        axes.set(`quota ${key}`, amount(key, quantity));
    }
    return axes;
}

describe("staging and production stacks", function () {
    this.timeout(60000);
    const stacks = ["staging", "production"] as const;
    const runs: Record<string, StackRun> = {};
    const tierNames = (stack: string) => (readStackConfig(stack)["groundwork:tiers"] as { name: string }[]).map((tier) => tier.name);
    before(async () => {
        runs.staging = await runStack("staging");
        runs.production = await runStack("production");
    });

    it("run the same tiers, autoscaling exactly those that declare bounds", () => {
        assert.deepEqual(tierNames("staging"), tierNames("production"));
        assert.ok(tierNames("production").length > 0);
        for (const stack of stacks) {
            const autoscaled = (readStackConfig(stack)["groundwork:tiers"] as { name: string; hpa?: unknown }[]).filter((tier) => tier.hpa).map((tier) => `${tier.name}-hpa`);
            assert.deepEqual(runs[stack].ofType(types.hpa).map((hpa) => hpa.name).sort(), autoscaled.sort(), stack);
        }
    });

    it("staging autoscales every tier, as the Aegis base does, never beyond production's peak", () => {
        for (const tier of tierNames("staging")) {
            const hpa = (runs.staging.get(types.hpa, `${tier}-hpa`).inputs as any).spec;
            assert.ok(hpa.maxReplicas <= sizing(runs.production, tier).get("peak replicas")!, `${tier}: staging may scale to ${hpa.maxReplicas}`);
            assert.ok(hpa.maxReplicas > hpa.minReplicas, `${tier}: ${hpa.minReplicas}..${hpa.maxReplicas} does not scale`);
        }
    });

    for (const stack of stacks) {
        it(`${stack}: starts every autoscaled tier within its autoscaler's bounds, aimed at its Deployment`, () => {
            for (const hpa of runs[stack].ofType(types.hpa)) {
                const spec = (hpa.inputs as any).spec;
                const tier = hpa.name.replace(/-hpa$/, "");
                const replicas = (runs[stack].get(types.deployment, `${tier}-deployment`).inputs as any).spec.replicas;
                assert.ok(spec.minReplicas >= 1 && spec.minReplicas <= spec.maxReplicas, `${tier}: ${spec.minReplicas}..${spec.maxReplicas}`);
                assert.ok(replicas >= spec.minReplicas && replicas <= spec.maxReplicas, `${tier}: ${replicas} replicas outside ${spec.minReplicas}..${spec.maxReplicas}`);
                assert.equal(spec.scaleTargetRef.kind, "Deployment", tier);
            }
        });

        it(`${stack}: gives every namespace a quota that holds its tier at peak`, () => {
            for (const tier of tierNames(stack)) {
                const axes = sizing(runs[stack], tier);
                const peak = axes.get("peak replicas")!;
                assert.ok(axes.get("quota pods")! >= peak, `${tier}: quota pods ${axes.get("quota pods")} < peak ${peak}`);
                for (const key of ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"]) {
                    const perPod = axes.get(key);
                    if (perPod !== undefined) {
                        assert.ok(axes.get(`quota ${key}`)! >= peak * perPod, `${tier}: quota ${key} below ${peak} × ${perPod}`);
                    }
                }
                const claimed = [...axes].filter(([axis]) => axis.endsWith(" storage")).reduce((sum, [, bytes]) => sum + bytes, 0);
                assert.ok(axes.get("quota requests.storage")! >= claimed, `${tier}: quota storage below its claims`);
            }
        });
    }

    for (const tier of tierNames("production")) {
        it(`sizes ${tier} in staging no larger than in production on every axis`, () => {
            const staging = sizing(runs.staging, tier);
            const production = sizing(runs.production, tier);
            assert.deepEqual([...staging.keys()].sort(), [...production.keys()].sort(), `${tier}: both stacks size the same axes`);
            assert.ok(staging.has("replicas") && staging.has("quota pods"));
            for (const [axis, value] of staging) {
                assert.ok(value <= production.get(axis)!, `${tier} ${axis}: staging ${value} > production ${production.get(axis)}`);
            }
        });
    }

    it("logs at each tier's configured level, never more verbosely in production than in staging", () => {
        const levels = ["trace", "debug", "info", "warn", "error"];
        const level = (stack: string, tier: string) => (runs[stack].get(types.configMap, `${tier}-settings`).inputs as any).data.LOG_LEVEL as string;
        for (const stack of stacks) {
            for (const tier of readStackConfig(stack)["groundwork:tiers"] as { name: string; logLevel?: string }[]) {
                assert.ok(levels.includes(level(stack, tier.name)), `${stack} ${tier.name}`);
                if (tier.logLevel !== undefined) {
                    assert.equal(level(stack, tier.name), tier.logLevel, `${stack} ${tier.name}`);
                }
            }
        }
        for (const tier of tierNames("production")) {
            assert.ok(levels.indexOf(level("production", tier)) >= levels.indexOf(level("staging", tier)), tier);
        }
    });

    it("registers the same kinds of tier, data and guardrail resources in both environments, autoscalers aside", () => {
        const foundation = /groundwork:(apps|data|platform):/;
        const kinds = (run: StackRun) => [...new Set(run.resources.filter((r) => foundation.test(r.parent) || foundation.test(r.type)).map((r) => r.type))]
            .filter((t) => !t.includes("HorizontalPodAutoscaler")).sort();
        assert.deepEqual(kinds(runs.staging), kinds(runs.production));
    });

    for (const stack of stacks) {
        it(`${stack}: exports each tier's namespace, URLs and in-cluster service names, but no password`, () => {
            const outputs = runs[stack].outputs as any;
            const tiers = readStackConfig(stack)["groundwork:tiers"] as { name: string; port: number; public?: { hosts: string[] }; database?: unknown }[];
            assert.deepEqual(outputs.namespaces, Object.fromEntries(tiers.map((tier) => [tier.name, tier.name])));
            assert.deepEqual(outputs.publicUrls, tiers.flatMap((tier) => tier.public?.hosts ?? []).map((host) => `https://${host}`));
            for (const tier of tiers) {
                assert.equal(outputs.services[tier.name], `${tier.name}.${tier.name}.svc.cluster.local:${tier.port}`);
                if (tier.database) {
                    assert.equal(outputs.databaseServices[tier.name], `${tier.name}-postgres.${tier.name}.svc.cluster.local`);
                }
            }
            assert.equal(outputs.redisService, "redis.redis.svc.cluster.local");
            assert.ok(!JSON.stringify(outputs).includes("mock-password"), "outputs must not carry a password");
        });
    }
});
