import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Budget, budgetOf, Resources } from "../platform/sizing";

/** A scheduled job of a tier: its image, settings and credentials, its own command and sizing. */
export interface TierCronJob {
    name: string;
    schedule: string;
    command: readonly string[];
    /** Defaults to the tier's. */
    resources?: Resources;
    concurrencyPolicy: "Forbid" | "Replace";
    successfulJobsHistoryLimit: number;
    failedJobsHistoryLimit: number;
    activeDeadlineSeconds: number;
}

/**
 * Pods one job may run at once. Forbid skips a run while the last one is active; Replace deletes
 * the active run, whose pod may still be terminating, and so counted by the quota, when the next
 * one starts. A failing container restarts in its pod (restartPolicy OnFailure), so retries add no pod.
 */
function concurrentPods(job: Pick<TierCronJob, "concurrencyPolicy">): number {
    return job.concurrencyPolicy === "Replace" ? 2 : 1;
}

/** What the tier's scheduled jobs add to its namespace at peak: every job running at once. */
export function cronJobsBudget(jobs: readonly Pick<TierCronJob, "resources" | "concurrencyPolicy">[], tierResources: Resources): Budget {
    return budgetOf(jobs.map((job) => ({ resources: job.resources ?? tierResources, pods: concurrentPods(job) })));
}

/** Labels of a tier's job pods: the tier's name with component "cron", never the app's selector. */
export function cronPodSelector(tierName: string): Record<string, string> {
    return { "app.kubernetes.io/name": tierName, "app.kubernetes.io/component": "cron" };
}

export interface CronJobsArgs {
    tierName: string;
    jobs: readonly TierCronJob[];
    namespace: pulumi.Input<string>;
    labels: Record<string, string>;
    /** Labels the stores admit, on top of the job labels. */
    podLabels: Record<string, string>;
    tierResources: Resources;
    /** The tier's pod spec without its containers: security context, placement, service account, writable volumes. */
    podSpec: Omit<k8s.types.input.core.v1.PodSpec, "containers">;
    /** The tier's container without command, probes, ports and resources: image, settings, variables, mounts. */
    container: k8s.types.input.core.v1.Container;
    /** Traffic the job pods may send: the tier's own egress. */
    egress: k8s.types.input.networking.v1.NetworkPolicyEgressRule[];
    dependsOn: pulumi.Resource[];
}

/**
 * One CronJob per scheduled job, in UTC, restricted like the tier, and a NetworkPolicy that lets the
 * job pods reach what the tier reaches and admits nothing.
 */
export function createCronJobs(name: string, args: CronJobsArgs, parent: pulumi.Resource): k8s.batch.v1.CronJob[] {
    if (args.jobs.length === 0) {
        return [];
    }
    const selector = cronPodSelector(args.tierName);
    new k8s.networking.v1.NetworkPolicy(`${name}-cron-traffic`, {
        metadata: { name: `${args.tierName}-cron-traffic`, namespace: args.namespace, labels: args.labels },
        spec: { podSelector: { matchLabels: selector }, policyTypes: ["Ingress", "Egress"], ingress: [], egress: args.egress },
    }, { parent });

    return args.jobs.map((job) => {
        const labels = { ...args.labels, ...selector, "groundwork.dev/cron-job": job.name };
        const resources = job.resources ?? args.tierResources;
        return new k8s.batch.v1.CronJob(`${name}-cron-${job.name}`, {
            metadata: { name: `${args.tierName}-${job.name}`, namespace: args.namespace, labels },
            spec: {
                schedule: job.schedule,
                timeZone: "Etc/UTC",
                concurrencyPolicy: job.concurrencyPolicy,
                successfulJobsHistoryLimit: job.successfulJobsHistoryLimit,
                failedJobsHistoryLimit: job.failedJobsHistoryLimit,
                jobTemplate: {
                    spec: {
                        backoffLimit: 2,
                        activeDeadlineSeconds: job.activeDeadlineSeconds,
                        template: {
                            metadata: { labels: { ...labels, ...args.podLabels } },
                            spec: {
                                ...args.podSpec,
                                restartPolicy: "OnFailure",
                                containers: [{
                                    ...args.container,
                                    name: job.name,
                                    command: [...job.command],
                                    resources: { requests: { ...resources.requests }, limits: { ...resources.limits } },
                                }],
                            },
                        },
                    },
                },
            },
        }, { parent, dependsOn: args.dependsOn });
    });
}
