import { Budget, budgetOf, Resources, sumBudgets } from "../platform/sizing";
import { cronJobsBudget, TierCronJob } from "./cron-jobs";
import { claimedSizes, mustRecreate, TierVolume, WorkloadKind } from "./volumes";

/**
 * What a tier's app adds to its namespace at peak, computed from settings alone; unit-budget.ts adds
 * the database's for the TierUnit's quota and the validation of an explicit quota.
 */

/** What an AppTier's budget counts; the loaded config's tier carries these fields too. */
export interface AppTierSizing {
    replicas: number;
    resources: Resources;
    http01Solver?: boolean;
    kind?: WorkloadKind;
    volumes?: readonly TierVolume[];
    hpa?: { maxReplicas: number };
    public?: { hosts: readonly string[] };
    cronJobs?: readonly Pick<TierCronJob, "resources" | "concurrencyPolicy">[];
}

/** The rolling-update surge: the Deployment's strategy, and the pods its namespace must admit above the peak. */
export const maxSurgePercent = 25;

/** The ACME HTTP-01 solver pod cert-manager starts per challenge, i.e. per host (the controller's default resources). */
const acmeSolverResources: Resources = {
    requests: { cpu: "10m", memory: "64Mi" },
    limits: { cpu: "100m", memory: "64Mi" },
};

/**
 * What the tier adds to its namespace at peak: the most replicas it may run (the autoscaler's
 * maximum) plus the rolling-update surge (none for a StatefulSet, which replaces pods one by one,
 * nor for a Deployment that must Recreate), its volumes' claims, every scheduled job running, and
 * a solver pod per host answering HTTP-01.
 */
export function appTierBudget(sizing: AppTierSizing): Budget {
    const kind = sizing.kind ?? "Deployment";
    const volumes = sizing.volumes ?? [];
    const peak = Math.max(sizing.replicas, sizing.hpa?.maxReplicas ?? 0);
    const surges = kind === "Deployment" && !mustRecreate(kind, volumes);
    const solvers = sizing.http01Solver ? sizing.public?.hosts.length ?? 0 : 0;
    return sumBudgets([
        budgetOf([
            { resources: sizing.resources, pods: peak + (surges ? Math.ceil(peak * maxSurgePercent / 100) : 0), volumes: claimedSizes(kind, volumes, peak) },
            { resources: acmeSolverResources, pods: solvers },
        ]),
        cronJobsBudget(sizing.cronJobs ?? [], sizing.resources),
    ]);
}
