import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AlertThresholds } from "../addons/monitoring/config";
import type { AlertRule } from "../addons/monitoring/rules";
import { standardLabels } from "../platform/security";
import { AlertRuleConfig } from "./alert-rules-config";

/** The Prometheus the stack installs, as one tier sees it. */
export interface MonitoringTarget {
    /** Namespace of Prometheus and Grafana: the scraper the tiers admit, and where dashboards go. */
    namespace: string;
    /** Labels Grafana's sidecar loads dashboard ConfigMaps by. */
    dashboardLabels: Readonly<Record<string, string>>;
    /** The tier's alert thresholds and durations: the stack's, with the tier's own over them. */
    alerts: AlertThresholds;
    /** The chart installing the ServiceMonitor, PodMonitor and PrometheusRule CRDs: every CR here waits for it. */
    crds: pulumi.Resource;
}

/** What a tier exposes to monitoring; the rules and panels follow from it. */
export interface TierTelemetry {
    tierName: string;
    /** The tier's namespace name. */
    namespace: string;
    metrics?: { path: string; requests: string; latencyHistogram?: string };
    /** The Service port (by name) that serves metrics. */
    metricsPortName?: string;
    hpa?: { maxReplicas: number };
    /** The tier's PostgreSQL (with its exporter sidecar and backup CronJob). */
    database?: { podSelector: Record<string, string>; exporterPort: string; backupCronJob: string };
}

export interface TierMonitoringArgs extends TierTelemetry {
    environment: string;
    target: MonitoringTarget;
    /** The tier's own rules (alertRules), after the ones every tier gets. */
    alertRules?: readonly AlertRuleConfig[];
}

/** A tier's own rule as the PrometheusRule holds it, annotated like the built-in ones. */
export function ownAlertRule(telemetry: Pick<TierTelemetry, "tierName" | "namespace">, rule: AlertRuleConfig): AlertRule {
    return {
        alert: rule.alert,
        expr: rule.expr,
        for: rule.for,
        labels: { severity: rule.severity },
        annotations: { summary: `${telemetry.tierName}: ${rule.summary}`, description: `${rule.summary} (namespace ${telemetry.namespace}); defined in the tier's alertRules.` },
    };
}

/** The label set the operator puts on every series scraped through the tier's ServiceMonitor. */
function tierSeries(telemetry: TierTelemetry, extra = ""): string {
    return `{namespace="${telemetry.namespace}",service="${telemetry.tierName}"${extra}}`;
}

/**
 * The alert rules of one tier: request errors and p95 latency from its own metrics, memory against
 * its limit from the kubelet and kube-state-metrics, restarts and autoscaler saturation from
 * kube-state-metrics, the database from its exporter, the backup from its CronJob's status, and
 * volume usage from the kubelet.
 */
export function tierAlertRules(telemetry: TierTelemetry, alerts: AlertThresholds): AlertRule[] {
    const { namespace, tierName } = telemetry;
    const where = `namespace="${namespace}"`;
    const rule = (alert: string, expr: string, duration: string, severity: "warning" | "critical", summary: string): AlertRule => ({
        alert,
        expr,
        for: duration,
        labels: { severity },
        annotations: { summary: `${tierName}: ${summary}`, description: `${summary} (namespace ${namespace}); runbook: README "Monitoring".` },
    });
    const rules: AlertRule[] = [];
    if (telemetry.metrics) {
        const requests = telemetry.metrics.requests;
        rules.push(rule("TierHighErrorRate",
            `sum(rate(${requests}${tierSeries(telemetry, ",code=~\"5..\"")}[5m])) / sum(rate(${requests}${tierSeries(telemetry)}[5m])) > ${alerts.errorRatePercent / 100}`,
            alerts.errorRateFor, "critical", `more than ${alerts.errorRatePercent}% of requests fail with 5xx`));
        if (telemetry.metrics.latencyHistogram !== undefined) {
            rules.push(rule("TierHighLatency",
                `histogram_quantile(0.95, sum by (le) (rate(${telemetry.metrics.latencyHistogram}_bucket${tierSeries(telemetry)}[5m]))) > ${alerts.latencyP95Seconds}`,
                alerts.latencyFor, "warning", `p95 latency above ${alerts.latencyP95Seconds}s`));
        }
    }
    // Per pod, since each container's limit is its own; critical because the next spike is an OOM kill.
    const container = `{${where},container="${tierName}"}`;
    rules.push(rule("TierHighMemory",
        `max(sum by (pod) (container_memory_working_set_bytes${container}) / sum by (pod) (kube_pod_container_resource_limits{${where},container="${tierName}",resource="memory"})) > ${alerts.memoryPercent / 100}`,
        alerts.memoryFor, "critical", `a pod uses more than ${alerts.memoryPercent}% of its memory limit`));
    rules.push(rule("TierPodRestarting",
        `increase(kube_pod_container_status_restarts_total${container}[1h]) > ${alerts.restartsPerHour}`,
        "0m", "warning", `a container restarted more than ${alerts.restartsPerHour} times in an hour`));
    if (telemetry.hpa) {
        const hpa = `{${where},horizontalpodautoscaler="${tierName}"}`;
        rules.push(rule("TierAutoscalerMaxed",
            `kube_horizontalpodautoscaler_status_current_replicas${hpa} >= kube_horizontalpodautoscaler_spec_max_replicas${hpa}`,
            `${alerts.hpaMaxedMinutes}m`, "warning", `the autoscaler has run at its maximum (${telemetry.hpa.maxReplicas}) for ${alerts.hpaMaxedMinutes} minutes`));
    }
    if (telemetry.database) {
        const cronJob = `{${where},cronjob="${telemetry.database.backupCronJob}"}`;
        const maxAge = alerts.backupMaxAgeHours * 3600;
        rules.push(
            rule("TierDatabaseDown",
                `max(pg_up{${where}}) == 0 or absent(pg_up{${where}})`,
                alerts.databaseDownFor, "critical", "PostgreSQL is down or its exporter is not scraped"),
            rule("TierBackupFailed",
                `max(kube_job_status_failed{${where},job_name=~"${telemetry.database.backupCronJob}-[0-9]+"}) > 0`,
                "0m", "critical", "the latest database backup Job failed"),
            // A CronJob that never succeeded has no last-success time: its age counts instead.
            rule("TierBackupMissing",
                `time() - max(kube_cronjob_status_last_successful_time${cronJob}) > ${maxAge} or (time() - max(kube_cronjob_created${cronJob}) > ${maxAge} unless max(kube_cronjob_status_last_successful_time${cronJob}))`,
                "0m", "critical", `no successful database backup in ${alerts.backupMaxAgeHours} hours`),
        );
    }
    rules.push(rule("TierVolumeFilling",
        `max by (persistentvolumeclaim) (kubelet_volume_stats_used_bytes{${where}} / kubelet_volume_stats_capacity_bytes{${where}}) > ${alerts.pvcUsagePercent / 100}`,
        alerts.volumeFillingFor, "warning", `a volume is more than ${alerts.pvcUsagePercent}% full`));
    return rules;
}

export interface DashboardPanel {
    title: string;
    unit: string;
    expr: string;
}

/** The four golden signals of a tier: requests, errors and latency from its metrics, saturation from the kubelet. */
export function tierDashboardPanels(telemetry: TierTelemetry): DashboardPanel[] {
    const { namespace, tierName } = telemetry;
    const container = `{namespace="${namespace}",container="${tierName}"}`;
    const panels: DashboardPanel[] = [];
    if (telemetry.metrics) {
        const requests = telemetry.metrics.requests;
        panels.push(
            { title: "Requests per second", unit: "reqps", expr: `sum by (code) (rate(${requests}${tierSeries(telemetry)}[5m]))` },
            { title: "Errors (5xx share)", unit: "percentunit", expr: `sum(rate(${requests}${tierSeries(telemetry, ",code=~\"5..\"")}[5m])) / sum(rate(${requests}${tierSeries(telemetry)}[5m]))` },
        );
        if (telemetry.metrics.latencyHistogram !== undefined) {
            panels.push({ title: "Latency p95", unit: "s", expr: `histogram_quantile(0.95, sum by (le) (rate(${telemetry.metrics.latencyHistogram}_bucket${tierSeries(telemetry)}[5m])))` });
        }
    }
    panels.push(
        { title: "CPU used / limit", unit: "percentunit", expr: `sum(rate(container_cpu_usage_seconds_total${container}[5m])) / sum(kube_pod_container_resource_limits{namespace="${namespace}",container="${tierName}",resource="cpu"})` },
        { title: "Memory used / limit", unit: "percentunit", expr: `sum(container_memory_working_set_bytes${container}) / sum(kube_pod_container_resource_limits{namespace="${namespace}",container="${tierName}",resource="memory"})` },
        { title: "Replicas", unit: "short", expr: `sum(kube_deployment_status_replicas_available{namespace="${namespace}",deployment="${tierName}"})` },
    );
    return panels;
}

/** A Grafana dashboard model: one time-series panel per signal, two to a row. */
export function tierDashboard(telemetry: TierTelemetry, environment: string): Record<string, unknown> {
    return {
        uid: `groundwork-${environment}-${telemetry.tierName}`.slice(0, 40),
        title: `${telemetry.tierName} (${environment})`,
        tags: ["groundwork", environment],
        schemaVersion: 39,
        time: { from: "now-6h", to: "now" },
        refresh: "1m",
        panels: tierDashboardPanels(telemetry).map((panel, i) => ({
            id: i + 1,
            type: "timeseries",
            title: panel.title,
            gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
            fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
            targets: [{ refId: "A", expr: panel.expr, legendFormat: "__auto" }],
        })),
    };
}

/**
 * One tier's monitoring: a ServiceMonitor for its metrics (selecting the tier's Service by the labels
 * the Service carries, on the port its NetworkPolicy opens to the scraper namespace), a PodMonitor for
 * its database's exporter, its alert rules, and its dashboard as a ConfigMap for Grafana's sidecar.
 * Every object is a custom resource of the monitoring chart (or read by it), so each waits for that chart.
 */
export class TierMonitoring extends pulumi.ComponentResource {
    constructor(name: string, args: TierMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("groundwork:apps:TierMonitoring", name, {}, opts);
        const { target, namespace, tierName } = args;
        const labels = standardLabels(tierName, "monitoring", args.environment);
        const afterCrds = { parent: this, dependsOn: [target.crds] };

        if (args.metrics && args.metricsPortName) {
            new k8s.apiextensions.CustomResource(`${name}-service-monitor`, {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "ServiceMonitor",
                metadata: { name: tierName, namespace, labels },
                spec: {
                    selector: { matchLabels: tierServiceSelector(tierName) },
                    namespaceSelector: { matchNames: [namespace] },
                    endpoints: [{ port: args.metricsPortName, path: args.metrics.path, interval: "30s", scrapeTimeout: "10s" }],
                },
            }, afterCrds);
        }
        if (args.database) {
            new k8s.apiextensions.CustomResource(`${name}-database-monitor`, {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PodMonitor",
                metadata: { name: `${tierName}-postgres`, namespace, labels },
                spec: {
                    selector: { matchLabels: { ...args.database.podSelector } },
                    namespaceSelector: { matchNames: [namespace] },
                    podMetricsEndpoints: [{ port: args.database.exporterPort, interval: "30s" }],
                },
            }, afterCrds);
        }
        new k8s.apiextensions.CustomResource(`${name}-rules`, {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PrometheusRule",
            metadata: { name: tierName, namespace, labels },
            spec: { groups: [{ name: `${tierName}.rules`, rules: [...tierAlertRules(args, target.alerts), ...(args.alertRules ?? []).map((rule) => ownAlertRule(args, rule))] }] },
        }, afterCrds);
        new k8s.core.v1.ConfigMap(`${name}-dashboard`, {
            metadata: { name: `dashboard-${tierName}`, namespace: target.namespace, labels: { ...labels, ...target.dashboardLabels } },
            data: { [`${tierName}.json`]: JSON.stringify(tierDashboard(args, args.environment)) },
        }, afterCrds);
        this.registerOutputs({});
    }
}

/** The labels of a tier's Service (AppTier's standard labels) that its ServiceMonitor selects by. */
export function tierServiceSelector(tierName: string): Record<string, string> {
    return { "app.kubernetes.io/name": tierName, "app.kubernetes.io/component": "app" };
}
