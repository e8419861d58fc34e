import { Budget, budgetOf, Resources, sumBudgets } from "../platform/sizing";

/**
 * What the stores add to their namespaces at peak, computed from settings alone: the components'
 * quotas and the validation of a tier's explicit quota (components/config) read the same numbers.
 */

/** Resources of the nightly pg_dump job; small, since it streams to disk. */
export const backupJobResources: Resources = {
    requests: { cpu: "100m", memory: "128Mi" },
    limits: { cpu: "500m", memory: "512Mi" },
};

/** The exporter sidecar's share of the database pod. */
export const exporterResources: Resources = {
    requests: { cpu: "10m", memory: "32Mi" },
    limits: { cpu: "100m", memory: "64Mi" },
};

/** What a tier's database budget counts. */
export interface PostgresSizing {
    resources: Resources;
    storage: string;
    backups: { storage?: string };
    /** Set when monitoring scrapes the database, which then runs its exporter sidecar. */
    metricsScraperNamespace?: string;
}

/** What the database adds to its namespace at peak: its pod and volume, and the backup job's pod and volume. */
export function postgresBudget(sizing: PostgresSizing): Budget {
    // The exporter is a container in the database's pod: its resources count, not another pod.
    const exporter = sizing.metricsScraperNamespace === undefined ? [] : [{ ...budgetOf([{ resources: exporterResources, pods: 1 }]), pods: 0 }];
    return sumBudgets([...exporter, budgetOf([
        { resources: sizing.resources, pods: 1, volumes: [sizing.storage] },
        { resources: backupJobResources, pods: 1, volumes: [sizing.backups.storage ?? sizing.storage] },
    ])]);
}

/** What Redis's namespace must admit: its one pod and its volume. */
export function redisBudget(sizing: { resources: Resources; storage: string }): Budget {
    return budgetOf([{ resources: sizing.resources, pods: 1, volumes: [sizing.storage] }]);
}
