import { parseBytes, parseCpu } from "./quantity";

/**
 * What a namespace must be allowed to run at its peak: every replica the autoscaler may add,
 * the extra pods of a rolling update, the database and its backup job. Quotas are derived
 * from this, and an explicit quota smaller than this is rejected, because a quota that is too
 * small fails silently: the ReplicaSet just stops creating pods.
 */
export interface NamespaceBudget {
    /** Millicores. */
    requestsCpu: number;
    limitsCpu: number;
    /** Bytes. */
    requestsMemory: number;
    limitsMemory: number;
    pods: number;
    persistentVolumeClaims: number;
    /** Bytes of persistent storage requested. */
    storage: number;
}

export interface Resources {
    requests: { cpu: string; memory: string };
    limits: { cpu: string; memory: string };
}

export interface BudgetedWorkload {
    resources: Resources;
    pods: number;
    volumes?: readonly string[];
}

/** The ACME HTTP-01 solver pod cert-manager starts in a tier namespace (the controller's defaults). */
export const acmeSolverResources: Resources = {
    requests: { cpu: "10m", memory: "64Mi" },
    limits: { cpu: "100m", memory: "64Mi" },
};

/** Resources of the nightly pg_dump job; small, since it streams to disk. */
export const backupJobResources: Resources = {
    requests: { cpu: "100m", memory: "128Mi" },
    limits: { cpu: "500m", memory: "512Mi" },
};

export function budgetOf(workloads: readonly BudgetedWorkload[]): NamespaceBudget {
    const sum = (pick: (workload: BudgetedWorkload) => number) => workloads.reduce((total, workload) => total + pick(workload), 0);
    return {
        requestsCpu: sum((w) => w.pods * (parseCpu(w.resources.requests.cpu) ?? 0)),
        limitsCpu: sum((w) => w.pods * (parseCpu(w.resources.limits.cpu) ?? 0)),
        requestsMemory: sum((w) => w.pods * (parseBytes(w.resources.requests.memory) ?? 0)),
        limitsMemory: sum((w) => w.pods * (parseBytes(w.resources.limits.memory) ?? 0)),
        pods: sum((w) => w.pods),
        persistentVolumeClaims: sum((w) => w.volumes?.length ?? 0),
        storage: sum((w) => (w.volumes ?? []).reduce((total, size) => total + (parseBytes(size) ?? 0), 0)),
    };
}

/** Pods of a Deployment at its peak: the most replicas it may have plus a 25% rolling-update surge. */
export function peakPods(replicas: number, maxReplicas?: number): number {
    const peak = Math.max(replicas, maxReplicas ?? 0);
    return peak + Math.ceil(peak * 0.25);
}

interface BudgetedTier {
    replicas: number;
    resources: Resources;
    hpa?: { maxReplicas: number };
    database?: { storage: string; resources: Resources };
}

/** What else runs in a tier's namespace. */
export interface TierNeighbours {
    /** Where the backup job writes; the database's size when unset. */
    backupStorage?: string;
    /** cert-manager may run an ACME HTTP-01 solver pod there (see answersHttp01). */
    http01Solver?: boolean;
}

/**
 * The budget of a tier's namespace: the tier, its PostgreSQL and the backup job with its volume, and
 * the certificate solver pod when there may be one.
 */
export function tierBudget(tier: BudgetedTier, neighbours: TierNeighbours = {}): NamespaceBudget {
    const workloads: BudgetedWorkload[] = [{ resources: tier.resources, pods: peakPods(tier.replicas, tier.hpa?.maxReplicas) }];
    if (tier.database) {
        workloads.push({ resources: tier.database.resources, pods: 1, volumes: [tier.database.storage] });
        workloads.push({ resources: backupJobResources, pods: 1, volumes: [neighbours.backupStorage ?? tier.database.storage] });
    }
    if (neighbours.http01Solver) {
        workloads.push({ resources: acmeSolverResources, pods: 1 });
    }
    return budgetOf(workloads);
}

/** The namespace's quota: the explicit one when configured (validated to cover the peak), else the peak. */
export function tierNamespaceBudget(
    tier: BudgetedTier & { quota?: { cpu: string; memory: string; pods: number; storage: string } },
    neighbours: TierNeighbours = {},
): NamespaceBudget {
    const peak = tierBudget(tier, neighbours);
    if (!tier.quota) {
        return peak;
    }
    const cpu = parseCpu(tier.quota.cpu) ?? peak.limitsCpu;
    const memory = parseBytes(tier.quota.memory) ?? peak.limitsMemory;
    return {
        requestsCpu: cpu,
        limitsCpu: cpu,
        requestsMemory: memory,
        limitsMemory: memory,
        pods: tier.quota.pods,
        persistentVolumeClaims: peak.persistentVolumeClaims,
        storage: parseBytes(tier.quota.storage) ?? peak.storage,
    };
}
