import { formatBytes, formatCpu, parseBytes, parseCpu } from "./quantity";

/**
 * What something may consume at its peak. Each component that creates pods or claims declares its
 * own; a namespace's quota is the sum of the budgets of what runs in it. A quota that is too small
 * fails silently (the ReplicaSet just stops creating pods), so budgets count the peak, not the
 * steady state.
 */
export interface Budget {
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

/** `pods` pods of one sizing, each at most once, and the volumes claimed for them. */
export interface BudgetedWorkload {
    resources: Resources;
    pods: number;
    /** Sizes of the claims, e.g. ["20Gi"]. */
    volumes?: readonly string[];
}

export function budgetOf(workloads: readonly BudgetedWorkload[]): Budget {
    return sumBudgets(workloads.map(({ resources, pods, volumes = [] }) => ({
        requestsCpu: pods * (parseCpu(resources.requests.cpu) ?? 0),
        limitsCpu: pods * (parseCpu(resources.limits.cpu) ?? 0),
        requestsMemory: pods * (parseBytes(resources.requests.memory) ?? 0),
        limitsMemory: pods * (parseBytes(resources.limits.memory) ?? 0),
        pods,
        persistentVolumeClaims: volumes.length,
        storage: volumes.reduce((total, size) => total + (parseBytes(size) ?? 0), 0),
    })));
}

export function sumBudgets(budgets: readonly Budget[]): Budget {
    const total = (field: keyof Budget) => budgets.reduce((sum, budget) => sum + budget[field], 0);
    return {
        requestsCpu: total("requestsCpu"),
        limitsCpu: total("limitsCpu"),
        requestsMemory: total("requestsMemory"),
        limitsMemory: total("limitsMemory"),
        pods: total("pods"),
        persistentVolumeClaims: total("persistentVolumeClaims"),
        storage: total("storage"),
    };
}

/** A quota set by hand: one CPU and one memory figure for both requests and limits. */
export interface ExplicitQuota {
    cpu: string;
    memory: string;
    pods: number;
    storage: string;
}

/** The quota of a namespace whose peak is `peak`: the explicit one when given (it must cover the peak, see quotaShortfalls), else the peak. */
export function quotaFor(peak: Budget, explicit?: ExplicitQuota): Budget {
    if (!explicit) {
        return peak;
    }
    const cpu = parseCpu(explicit.cpu) ?? peak.limitsCpu;
    const memory = parseBytes(explicit.memory) ?? peak.limitsMemory;
    return {
        requestsCpu: cpu,
        limitsCpu: cpu,
        requestsMemory: memory,
        limitsMemory: memory,
        pods: explicit.pods,
        // The claims are counted, never set by hand: an explicit quota cannot forget a volume.
        persistentVolumeClaims: peak.persistentVolumeClaims,
        storage: parseBytes(explicit.storage) ?? peak.storage,
    };
}

/** The fields of an explicit quota below the peak, each with what the peak needs, formatted as a quantity. */
export function quotaShortfalls(explicit: ExplicitQuota, peak: Budget): { field: keyof ExplicitQuota; needed: string }[] {
    const needs: [keyof ExplicitQuota, number, number, (value: number) => string][] = [
        ["cpu", parseCpu(explicit.cpu) ?? 0, peak.limitsCpu, formatCpu],
        ["memory", parseBytes(explicit.memory) ?? 0, peak.limitsMemory, formatBytes],
        ["pods", explicit.pods, peak.pods, String],
        ["storage", parseBytes(explicit.storage) ?? 0, peak.storage, formatBytes],
    ];
    return needs.filter(([, given, needed]) => given < needed).map(([field, , needed, format]) => ({ field, needed: format(needed) }));
}
