import * as assert from "node:assert/strict";
import { parseBytes, parseCpu } from "../../components/platform/quantity";
import { versions } from "../../components/versions";
import { readStackConfig, runStack, StackRun } from "../support/program";

const types = {
    namespace: "kubernetes:core/v1:Namespace",
    quota: "kubernetes:core/v1:ResourceQuota",
    limitRange: "kubernetes:core/v1:LimitRange",
    claim: "kubernetes:core/v1:PersistentVolumeClaim",
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    cronJob: "kubernetes:batch/v1:CronJob",
    job: "kubernetes:batch/v1:Job",
    hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    clusterIssuer: "kubernetes:cert-manager.io/v1:ClusterIssuer",
};

/**
 * The pod cert-manager starts for each ACME HTTP-01 challenge, i.e. each host: its controller's
 * defaults (--acme-http01-solver-resource-{request,limits}-{cpu,memory}). It is the one workload
 * here that no registered resource describes.
 */
const acmeSolverPod = { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "100m", memory: "64Mi" } };

/** What a namespace must admit at once, as a ResourceQuota counts it. */
interface Demand {
    pods: number;
    "requests.cpu": number;
    "limits.cpu": number;
    "requests.memory": number;
    "limits.memory": number;
    persistentvolumeclaims: number;
    "requests.storage": number;
}

type Sizing = { requests?: Record<string, string>; limits?: Record<string, string> };

/**
 * The most `namespace` holds at one time, read from what the run registered: each Deployment at the
 * autoscaler's maximum plus its rolling-update surge, each StatefulSet's replicas, one pod per Job
 * or CronJob (which must not overlap), one solver pod per host whose certificate an ACME issuer
 * proves over HTTP-01, and every claim, the StatefulSets' own included (by name, once).
 */
function demandOf(run: StackRun, namespace: string): Demand {
    const inNamespace = (type: string) => run.ofType(type).map((resource) => resource.inputs as any).filter((inputs) => inputs.metadata.namespace === namespace);
    const defaults = inNamespace(types.limitRange).flatMap((range) => range.spec.limits).find((limit: any) => limit.type === "Container");
    const claims = new Map<string, string>(inNamespace(types.claim).map((claim) => [claim.metadata.name, claim.spec.resources.requests.storage]));
    const pods: { count: number; containers: { resources?: Sizing }[] }[] = [];

    for (const deployment of inNamespace(types.deployment)) {
        const autoscaler = inNamespace(types.hpa).find((hpa) => hpa.spec.scaleTargetRef.kind === "Deployment" && hpa.spec.scaleTargetRef.name === deployment.metadata.name);
        const peak = Math.max(deployment.spec.replicas ?? 1, autoscaler?.spec.maxReplicas ?? 0);
        const surge = String(deployment.spec.strategy?.rollingUpdate?.maxSurge ?? "25%");
        pods.push({ count: peak + (surge.endsWith("%") ? Math.ceil(peak * Number(surge.slice(0, -1)) / 100) : Number(surge)), containers: deployment.spec.template.spec.containers });
    }
    for (const set of inNamespace(types.statefulSet)) {
        const replicas = set.spec.replicas ?? 1;
        pods.push({ count: replicas, containers: set.spec.template.spec.containers });
        for (const template of set.spec.volumeClaimTemplates ?? []) {
            for (let ordinal = 0; ordinal < replicas; ordinal++) {
                claims.set(`${template.metadata.name}-${set.metadata.name}-${ordinal}`, template.spec.resources.requests.storage);
            }
        }
    }
    for (const cronJob of inNamespace(types.cronJob)) {
        assert.notEqual(cronJob.spec.concurrencyPolicy ?? "Allow", "Allow", `${cronJob.metadata.name}: overlapping runs would have no upper bound`);
        pods.push({ count: cronJob.spec.jobTemplate.spec.parallelism ?? 1, containers: cronJob.spec.jobTemplate.spec.template.spec.containers });
    }
    for (const job of inNamespace(types.job)) {
        pods.push({ count: job.spec.parallelism ?? 1, containers: job.spec.template.spec.containers });
    }
    for (const ingress of inNamespace(types.ingress)) {
        const issuerName = ingress.metadata.annotations?.["cert-manager.io/cluster-issuer"];
        const solvers: any[] = run.ofType(types.clusterIssuer).map((issuer) => issuer.inputs as any).find((issuer) => issuer.metadata.name === issuerName)?.spec.acme?.solvers ?? [];
        const byDns01 = (host: string) => solvers.some((solver) => solver.dns01 && (solver.selector?.dnsZones ?? []).some((zone: string) => host === zone || host.endsWith(`.${zone}`)));
        const hosts = ingress.spec.tls.flatMap((tls: any) => tls.hosts).filter((host: string) => solvers.some((solver) => solver.http01) && !byDns01(host));
        pods.push({ count: hosts.length, containers: [{ resources: acmeSolverPod }] });
    }

    const perPod = (containers: { resources?: Sizing }[], kind: "requests" | "limits", resource: "cpu" | "memory") => containers.reduce((total, container) => {
        const quantity = container.resources?.[kind]?.[resource] ?? (kind === "requests" ? defaults?.defaultRequest : defaults?.default)?.[resource];
        return total + ((resource === "cpu" ? parseCpu(quantity) : parseBytes(quantity)) ?? 0);
    }, 0);
    const total = (kind: "requests" | "limits", resource: "cpu" | "memory") => pods.reduce((sum, pod) => sum + pod.count * perPod(pod.containers, kind, resource), 0);
    return {
        pods: pods.reduce((sum, pod) => sum + pod.count, 0),
        "requests.cpu": total("requests", "cpu"),
        "limits.cpu": total("limits", "cpu"),
        "requests.memory": total("requests", "memory"),
        "limits.memory": total("limits", "memory"),
        persistentvolumeclaims: claims.size,
        "requests.storage": [...claims.values()].reduce((sum, size) => sum + parseBytes(size)!, 0),
    };
}

/** A ResourceQuota's hard limits in the units of Demand. */
function hardOf(run: StackRun, namespace: string): Demand {
    const quota = run.ofType(types.quota).map((resource) => resource.inputs as any).find((inputs) => inputs.metadata.namespace === namespace);
    assert.ok(quota, `namespace ${namespace} has no ResourceQuota`);
    const hard: Record<string, string> = quota.spec.hard;
    return Object.fromEntries(Object.entries(hard).map(([field, quantity]) =>
        [field, field.endsWith(".cpu") ? parseCpu(quantity) : field.startsWith("requests.") || field.startsWith("limits.") ? parseBytes(quantity) : Number(quantity)])) as unknown as Demand;
}

const stagingVariant = "staging without the edge, two hosts proven over HTTP-01, an explicit executor quota";

describe("namespace guardrails", function () {
    this.timeout(60000);
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.production = await runStack("production");
        const staging = structuredClone(readStackConfig("staging")) as any;
        const tiers = staging["groundwork:tiers"];
        tiers[0].public.hosts.push("www.staging.groundwork.example.com");
        tiers[2].quota = { cpu: "8", memory: "16Gi", pods: 40, storage: "100Gi" };
        staging["groundwork:addons"].ingressNginx.cloudflare.verifyOriginPull = false;
        // Without the edge, Let's Encrypt proves each of backend's two hosts with a solver pod of its own.
        runs[stagingVariant] = await runStack("staging", {
            overrides: { "groundwork:tiers": tiers, "groundwork:edge": { enabled: false }, "groundwork:addons": staging["groundwork:addons"] },
        });
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
        // backend in production: HPA max 10 + 3 surge = 13 pods of 1 CPU / 1Gi, database 1 / 1Gi with its exporter
        // sidecar 100m / 64Mi (production runs monitoring), backup 500m / 512Mi.
        assert.deepEqual(hard, {
            "requests.cpu": "6860m",
            "limits.cpu": "14600m",
            "requests.memory": "7072Mi",
            "limits.memory": "14912Mi",
            pods: "15",
            persistentvolumeclaims: "2",
            "requests.storage": "40Gi",
        });
        const defaults = (runs.production.get(types.limitRange, "backend-limits").inputs as any).spec.limits[0];
        assert.deepEqual(defaults, { type: "Container", defaultRequest: { cpu: "500m", memory: "512Mi" }, default: { cpu: "1", memory: "1Gi" } });
    });

    it("uses an explicit quota unchanged when it covers the peak", () => {
        const hard = (runs[stagingVariant].get(types.quota, "executor-quota").inputs as any).spec.hard;
        assert.equal(hard.pods, "40");
        assert.equal(hard["limits.cpu"], "8");
        assert.equal(hard["requests.storage"], "100Gi");
    });

    for (const label of ["production", stagingVariant]) {
        it(`${label}: every quota admits what is created in its namespace at once`, () => {
            const run = runs[label];
            const quotaNamespaces = run.ofType(types.quota).map((quota) => (quota.inputs as any).metadata.namespace).sort();
            // The monitoring and CI namespaces' pods are the chart's and Tekton's, invisible under mocks: Monitoring.budgets
            // and CiPipelines.budget are tested on their own.
            assert.deepEqual(quotaNamespaces, ["ai-engine", "backend", "ci", "executor", "monitoring", "monitoring-node-exporter", "redis"]);
            for (const namespace of quotaNamespaces) {
                const demand = demandOf(run, namespace);
                const hard = hardOf(run, namespace);
                const short = Object.entries(demand).filter(([field, needed]) => !(hard[field as keyof Demand] >= needed));
                assert.deepEqual(short.map(([field, needed]) => `${field}: needs ${needed}, quota ${hard[field as keyof Demand]}`), [], namespace);
            }
        });
    }

    it("gives Redis's namespace exactly what Redis creates: its pod and its volume", () => {
        for (const run of Object.values(runs)) {
            assert.deepEqual(hardOf(run, "redis"), demandOf(run, "redis"));
        }
    });
});
