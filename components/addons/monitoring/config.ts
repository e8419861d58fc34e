import { z } from "zod";
import { replicaCount, resourceName, resourcesSchema, storageSize } from "../../fields";
import { DeepReadonly } from "../../readonly";
import { chartValues, sized } from "../helm-addon/config";

/** A Prometheus duration of whole hours, days or weeks, such as "15d". */
const retention = z.string().regex(/^[1-9]\d*[hdw]$/, "must be a duration in whole hours, days or weeks such as \"15d\"");

const positive = (example: string) => z.number("must be a number").positive(`must be greater than 0, such as ${example}`);

/** How long a condition must hold before its alert fires: a Prometheus duration such as "5m". */
const alertFor = z.string().regex(/^(0|[1-9]\d*)[smh]$/, "must be a duration in whole seconds, minutes or hours such as \"5m\" (\"0m\" fires at once)");

/**
 * The thresholds and `for` durations of the alert rules every tier gets (components/apps/monitoring.ts),
 * without defaults: `addons.monitoring.alerts` gives them for the stack, `tiers[].alerts` overrides them
 * for one tier.
 */
const alertFields = {
    errorRatePercent: positive("5").max(100, "must be a percentage of requests from 0 to 100").describe("Share of 5xx responses, over 5 minutes, that raises TierHighErrorRate."),
    errorRateFor: alertFor.describe("How long the error rate must stay above errorRatePercent before TierHighErrorRate fires."),
    latencyP95Seconds: positive("0.5").describe("95th-percentile request latency, over 5 minutes, that raises TierHighLatency."),
    latencyFor: alertFor.describe("How long p95 latency must stay above latencyP95Seconds before TierHighLatency fires."),
    memoryPercent: z.int("must be a whole number").min(50, "must be from 50 to 99").max(99, "must be from 50 to 99 (the working set cannot exceed the limit)")
        .describe("Working-set memory of a container, as a share of its limit, that raises TierHighMemory."),
    memoryFor: alertFor.describe("How long memory must stay above memoryPercent before TierHighMemory fires."),
    databaseDownFor: alertFor.describe("How long PostgreSQL must be down (or its exporter unscraped) before TierDatabaseDown fires."),
    restartsPerHour: z.int("must be a whole number").min(1, "must be at least 1").describe("Container restarts in an hour that raise TierPodRestarting."),
    hpaMaxedMinutes: z.int("must be a whole number").min(5, "must be at least 5 minutes (shorter is normal scaling, not saturation)").describe("Minutes at the autoscaler's maximum that raise TierAutoscalerMaxed."),
    pvcUsagePercent: z.int("must be a whole number").min(50, "must be from 50 to 99").max(99, "must be from 50 to 99").describe("Volume usage that raises TierVolumeFilling."),
    volumeFillingFor: alertFor.describe("How long a volume must stay above pvcUsagePercent before TierVolumeFilling fires."),
    backupMaxAgeHours: z.int("must be a whole number").min(25, "must be at least 25 hours (the backup runs daily)").describe("Hours without a successful database backup that raise TierBackupMissing."),
};

export const alertThresholdsSchema = z.strictObject({
    errorRatePercent: alertFields.errorRatePercent.default(5),
    errorRateFor: alertFields.errorRateFor.default("10m"),
    latencyP95Seconds: alertFields.latencyP95Seconds.default(0.5),
    latencyFor: alertFields.latencyFor.default("10m"),
    memoryPercent: alertFields.memoryPercent.default(90),
    memoryFor: alertFields.memoryFor.default("10m"),
    databaseDownFor: alertFields.databaseDownFor.default("5m"),
    restartsPerHour: alertFields.restartsPerHour.default(3),
    hpaMaxedMinutes: alertFields.hpaMaxedMinutes.default(15),
    pvcUsagePercent: alertFields.pvcUsagePercent.default(80),
    volumeFillingFor: alertFields.volumeFillingFor.default("15m"),
    backupMaxAgeHours: alertFields.backupMaxAgeHours.default(26),
});

/** `tiers[].alerts`: any of the stack's alert settings, for this tier only. */
export const tierAlertsSchema = z.strictObject(alertFields).partial()
    .describe("This tier's alert thresholds and `for` durations, over addons.monitoring.alerts (same keys).");

/** Where Alertmanager can send; each needs its secret config key (alertReceiverSecretKeys). */
export const alertReceivers = ["pagerDuty", "slack"] as const;
export type AlertReceiver = typeof alertReceivers[number];
/** The severities the tiers' and CI's rules carry. */
export const alertSeverities = ["critical", "warning"] as const;

const receiverList = z.array(z.enum(alertReceivers, "must be \"pagerDuty\" or \"slack\"")).refine((list) => new Set(list).size === list.length, "must name each receiver once");

/** `addons.monitoring.alertmanager`: where alerts go, by severity. The credentials are secret config. */
export const alertmanagerSchema = z.strictObject({
    routes: z.strictObject({
        critical: receiverList.describe("Receivers of critical alerts. Without routes: PagerDuty when its key is set, else Slack when its webhook is."),
        warning: receiverList.describe("Receivers of warning alerts. Without routes: Slack when its webhook is set."),
    }).partial().optional(),
    slackChannel: z.string().regex(/^[#@][a-z0-9][a-z0-9._-]*$/, "must be a Slack channel such as \"#alerts\" (or a user such as \"@oncall\")").optional()
        .describe("Channel the Slack messages go to; the webhook's own channel when unset."),
}).prefault({});

export type AlertThresholds = DeepReadonly<z.output<typeof alertThresholdsSchema>>;

/** `groundwork:addons.monitoring`. */
export const monitoringSchema = z.strictObject({
    enabled: z.boolean().describe("Install kube-prometheus-stack and give every tier with `metrics` a ServiceMonitor, alert rules and a dashboard.").default(false),
    namespace: resourceName.describe("Namespace of Prometheus, Alertmanager, Grafana and the operator (restricted); the tiers' `metrics.scraperNamespace`.").default("monitoring"),
    nodeExporterNamespace: resourceName.describe("Namespace of node-exporter alone: it reads the host (hostNetwork, hostPID, hostPath), so its namespace is privileged.").default("monitoring-node-exporter"),
    retention: retention.describe("How long Prometheus keeps samples.").default("15d"),
    storage: storageSize.describe("Prometheus volume per replica; must hold `retention` of samples.").default("20Gi"),
    storageClass: resourceName.describe("StorageClass of the Prometheus and Alertmanager volumes; groundwork:storageClass when unset.").optional(),
    alertmanagerStorage: storageSize.describe("Alertmanager volume per replica (silences and notification state).").default("1Gi"),
    maxNodes: replicaCount.describe("Most nodes the cluster runs: node-exporter runs one pod per node, and the quota counts them.").default(3),
    prometheusResources: resourcesSchema.default(sized(["250m", "1Gi"], ["1", "2Gi"])),
    resources: resourcesSchema.describe("Requests and limits of the operator, Alertmanager, Grafana, kube-state-metrics and node-exporter containers.")
        .default(sized(["50m", "64Mi"], ["250m", "256Mi"])),
    alerts: alertThresholdsSchema.default(alertThresholdsSchema.parse({})),
    alertmanager: alertmanagerSchema,
    values: chartValues,
});

export type MonitoringSettings = DeepReadonly<z.output<typeof monitoringSchema>>;
