import { z } from "zod";
import { DeepReadonly, replicaCount, resourceName, storageSize } from "../../fields";
import { chartValues, resources, sized } from "../helm-addon/config";

/** A Prometheus duration of whole hours, days or weeks, such as "15d". */
const retention = z.string().regex(/^[1-9]\d*[hdw]$/, "must be a duration in whole hours, days or weeks such as \"15d\"");

const positive = (example: string) => z.number("must be a number").positive(`must be greater than 0, such as ${example}`);

/** Thresholds of the alert rules every metered tier gets (components/apps/monitoring.ts). */
export const alertThresholdsSchema = z.strictObject({
    errorRatePercent: positive("5").max(100, "must be a percentage of requests from 0 to 100").describe("Share of 5xx responses, over 5 minutes, that raises TierHighErrorRate.").default(5),
    latencyP95Seconds: positive("0.5").describe("95th-percentile request latency, over 5 minutes, that raises TierHighLatency.").default(0.5),
    restartsPerHour: z.int("must be a whole number").min(1, "must be at least 1").describe("Container restarts in an hour that raise TierPodRestarting.").default(3),
    hpaMaxedMinutes: z.int("must be a whole number").min(5, "must be at least 5 minutes (shorter is normal scaling, not saturation)").describe("Minutes at the autoscaler's maximum that raise TierAutoscalerMaxed.").default(15),
    pvcUsagePercent: z.int("must be a whole number").min(50, "must be from 50 to 99").max(99, "must be from 50 to 99").describe("Volume usage that raises TierVolumeFilling.").default(80),
    backupMaxAgeHours: z.int("must be a whole number").min(25, "must be at least 25 hours (the backup runs daily)").describe("Hours without a successful database backup that raise TierBackupMissing.").default(26),
});

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
    prometheusResources: resources.default(sized(["250m", "1Gi"], ["1", "2Gi"])),
    resources: resources.describe("Requests and limits of the operator, Alertmanager, Grafana, kube-state-metrics and node-exporter containers.")
        .default(sized(["50m", "64Mi"], ["250m", "256Mi"])),
    alerts: alertThresholdsSchema.default(alertThresholdsSchema.parse({})),
    values: chartValues,
});

export type MonitoringSettings = DeepReadonly<z.output<typeof monitoringSchema>>;
