import * as assert from "node:assert/strict";
import { parseBytes, parseCpu } from "../../components/platform/quantity";
import { StackRun } from "./program";
import { kinds as types } from "./kinds";

/**
 * What a namespace must admit at its peak, derived from what a run registered, independently of
 * the components' budgets (components/platform/sizing.ts): the quota each namespace gets must hold it.
 */

/**
 * The pod cert-manager starts for each ACME HTTP-01 challenge, i.e. each host: its controller's
 * defaults (--acme-http01-solver-resource-{request,limits}-{cpu,memory}). It is the one workload
 * here that no registered resource describes.
 */
const acmeSolverPod = { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "100m", memory: "64Mi" } };

/** What a namespace must admit at once, as a ResourceQuota counts it. */
export interface Demand {
    pods: number;
    "requests.cpu": number;
    "limits.cpu": number;
    "requests.memory": number;
    "limits.memory": number;
    persistentvolumeclaims: number;
    "requests.storage": number;
}

type Sizing = { requests?: Record<string, string>; limits?: Record<string, string> };

/** Pods of a workload at its peak: the autoscaler's maximum when one targets it, plus the Deployment's surge. */
function peakReplicas(run: StackRun, namespace: string, kind: string, workload: any): number {
    const autoscaler = inNamespace(run, namespace, types.hpa)
        .find((hpa) => hpa.spec.scaleTargetRef.kind === kind && hpa.spec.scaleTargetRef.name === workload.metadata.name);
    return Math.max(workload.spec.replicas ?? 1, autoscaler?.spec.maxReplicas ?? 0);
}

function inNamespace(run: StackRun, namespace: string, type: string): any[] {
    return run.ofType(type).map((resource) => resource.inputs as any).filter((inputs) => inputs.metadata?.namespace === namespace);
}

/**
 * The most `namespace` holds at one time: each Deployment at the autoscaler's maximum plus its
 * rolling-update surge (none when it recreates), each StatefulSet's replicas, each CronJob's runs
 * (one with Forbid; with Replace the replaced run's pod may still be terminating, so two; Allow has
 * no bound and fails), one pod per Job, one solver pod per host whose certificate an ACME issuer
 * proves over HTTP-01, and every claim, the StatefulSets' own included (by name, once).
 */
export function demandOf(run: StackRun, namespace: string): Demand {
    const defaults = inNamespace(run, namespace, types.limitRange).flatMap((range) => range.spec.limits).find((limit: any) => limit.type === "Container");
    const claims = new Map<string, string>(inNamespace(run, namespace, types.claim).map((claim) => [claim.metadata.name, claim.spec.resources.requests.storage]));
    const pods: { count: number; containers: { resources?: Sizing }[] }[] = [];

    for (const deployment of inNamespace(run, namespace, types.deployment)) {
        const peak = peakReplicas(run, namespace, "Deployment", deployment);
        const recreates = deployment.spec.strategy?.type === "Recreate";
        const surge = String(deployment.spec.strategy?.rollingUpdate?.maxSurge ?? "25%");
        const extra = recreates ? 0 : surge.endsWith("%") ? Math.ceil(peak * Number(surge.slice(0, -1)) / 100) : Number(surge);
        pods.push({ count: peak + extra, containers: deployment.spec.template.spec.containers });
    }
    for (const set of inNamespace(run, namespace, types.statefulSet)) {
        const replicas = peakReplicas(run, namespace, "StatefulSet", set);
        pods.push({ count: replicas, containers: set.spec.template.spec.containers });
        for (const template of set.spec.volumeClaimTemplates ?? []) {
            for (let ordinal = 0; ordinal < replicas; ordinal++) {
                claims.set(`${template.metadata.name}-${set.metadata.name}-${ordinal}`, template.spec.resources.requests.storage);
            }
        }
    }
    for (const cronJob of inNamespace(run, namespace, types.cronJob)) {
        const policy = cronJob.spec.concurrencyPolicy ?? "Allow";
        assert.notEqual(policy, "Allow", `${cronJob.metadata.name}: overlapping runs would have no upper bound`);
        const runs = policy === "Replace" ? 2 : 1;
        pods.push({ count: runs * (cronJob.spec.jobTemplate.spec.parallelism ?? 1), containers: cronJob.spec.jobTemplate.spec.template.spec.containers });
    }
    for (const job of inNamespace(run, namespace, types.job)) {
        pods.push({ count: job.spec.parallelism ?? 1, containers: job.spec.template.spec.containers });
    }
    for (const ingress of inNamespace(run, namespace, types.ingress)) {
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
export function hardOf(run: StackRun, namespace: string): Demand {
    const quota = inNamespace(run, namespace, types.quota)[0];
    assert.ok(quota, `namespace ${namespace} has no ResourceQuota`);
    const hard: Record<string, string> = quota.spec.hard;
    return Object.fromEntries(Object.entries(hard).map(([field, quantity]) =>
        [field, field.endsWith(".cpu") ? parseCpu(quantity) : field.startsWith("requests.") || field.startsWith("limits.") ? parseBytes(quantity) : Number(quantity)])) as unknown as Demand;
}

/** Namespaces the run puts a pod or a claim into itself (Helm-rendered add-ons aside). */
export function workloadNamespaces(run: StackRun): string[] {
    const holders = [types.deployment, types.statefulSet, types.cronJob, types.job, types.claim];
    return [...new Set(holders.flatMap((type) => run.ofType(type).map((resource) => (resource.inputs as any).metadata?.namespace as string)))].sort();
}

/** Every namespace with a quota whose peak it does not hold, as "<namespace> <field>: needs N, quota M". */
export function overruns(run: StackRun): string[] {
    const namespaces = run.ofType(types.quota).map((quota) => (quota.inputs as any).metadata.namespace as string);
    return namespaces.flatMap((namespace) => {
        const demand = demandOf(run, namespace);
        const hard = hardOf(run, namespace);
        return Object.entries(demand).filter(([field, needed]) => !(hard[field as keyof Demand] >= needed))
            .map(([field, needed]) => `${namespace} ${field}: needs ${needed}, quota ${hard[field as keyof Demand]}`);
    });
}
