import * as assert from "node:assert/strict";
import { monitoringBudgets } from "../../components/addons/monitoring/budget";
import { alertmanagerConfig, alertReceiverSecretKeys, alertReceiversSecretName, alertRoutes, silentReceiver } from "../../components/addons/monitoring/alertmanager";
import { AlertReceiver, alertReceivers, alertThresholdsSchema, monitoringSchema } from "../../components/addons/monitoring/config";
import { AlertRule } from "../../components/addons/monitoring/rules";
import { tierAlertRules, tierDashboardPanels, TierTelemetry } from "../../components/apps/monitoring";
import { formatBytes, formatCpu } from "../../components/platform/quantity";
import { comparisons, promqlErrors } from "../support/promql";
import { unwrapValues } from "../support/mocks";
import { aStack, aTier, Environment, RawConfig } from "../support/builders";
import { RecordedResource, revealSecrets, runStack, StackRun, testReceiverCredentials } from "../support/program";

const types = {
    chart: "kubernetes:helm.sh/v4:Chart",
    secret: "kubernetes:core/v1:Secret",
    service: "kubernetes:core/v1:Service",
    configMap: "kubernetes:core/v1:ConfigMap",
    quota: "kubernetes:core/v1:ResourceQuota",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    serviceMonitor: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
    podMonitor: "kubernetes:monitoring.coreos.com/v1:PodMonitor",
    rule: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
};

const thresholds = alertThresholdsSchema.parse({});
const everything: TierTelemetry = {
    tierName: "backend",
    namespace: "backend",
    metrics: { path: "/metrics", requests: "http_requests_total", latencyHistogram: "http_request_duration_seconds" },
    metricsPortName: "http",
    hpa: { maxReplicas: 10 },
    database: { podSelector: { "app.kubernetes.io/name": "backend-postgres" }, exporterPort: "metrics", backupCronJob: "backend-postgres-backup" },
};

const ruleNamed = (rules: AlertRule[], alert: string) => {
    const found = rules.find((rule) => rule.alert === alert);
    assert.ok(found, `no ${alert} among ${rules.map((rule) => rule.alert).join(", ")}`);
    return found;
};

/** Whether a selector's labels are all among `labels`. */
const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([key, value]) => labels[key] === value);

const dependsOnChart = (resource: RecordedResource) =>
    resource.dependencies.some((urn) => urn.endsWith(`$${types.chart}::addons-monitoring-kube-prometheus-stack`));

describe("monitoring: alert rules", () => {
    it("every rule and dashboard expression parses as PromQL", () => {
        const expressions = [...tierAlertRules(everything, thresholds).map((rule) => rule.expr), ...tierDashboardPanels(everything).map((panel) => panel.expr)];
        assert.equal(expressions.length, 15);
        for (const expr of expressions) {
            assert.deepEqual(promqlErrors(expr), [], expr);
        }
    });

    it("the PromQL check itself rejects a broken expression", () => {
        assert.notDeepEqual(promqlErrors("sum(rate(http_requests_total[5m]) >"), []);
        assert.notDeepEqual(promqlErrors("kube_job_status_failed{namespace=backend} > 0"), []);
    });

    // Each alert, the comparison its expression ends in, and the number the configured threshold becomes.
    const custom = alertThresholdsSchema.parse({
        errorRatePercent: 2, latencyP95Seconds: 0.25, memoryPercent: 95, restartsPerHour: 5, pvcUsagePercent: 90, backupMaxAgeHours: 30, hpaMaxedMinutes: 20,
        errorRateFor: "5m", latencyFor: "3m", memoryFor: "1m", databaseDownFor: "2m", volumeFillingFor: "1h",
    });
    const cases: { alert: string; operator: string; threshold: number | undefined; custom: number | undefined; severity: string }[] = [
        { alert: "TierHighErrorRate", operator: ">", threshold: 0.05, custom: 0.02, severity: "critical" },
        { alert: "TierHighLatency", operator: ">", threshold: 0.5, custom: 0.25, severity: "warning" },
        { alert: "TierHighMemory", operator: ">", threshold: 0.9, custom: 0.95, severity: "critical" },
        { alert: "TierPodRestarting", operator: ">", threshold: 3, custom: 5, severity: "warning" },
        { alert: "TierAutoscalerMaxed", operator: ">=", threshold: undefined, custom: undefined, severity: "warning" },
        { alert: "TierDatabaseDown", operator: "==", threshold: 0, custom: 0, severity: "critical" },
        { alert: "TierBackupFailed", operator: ">", threshold: 0, custom: 0, severity: "critical" },
        { alert: "TierBackupMissing", operator: ">", threshold: 26 * 3600, custom: 30 * 3600, severity: "critical" },
        { alert: "TierVolumeFilling", operator: ">", threshold: 0.8, custom: 0.9, severity: "warning" },
    ];
    for (const { alert, operator, threshold, custom: customThreshold, severity } of cases) {
        it(`${alert} fires at ${operator} ${threshold ?? "the autoscaler's maximum"}, and follows its configured threshold`, () => {
            for (const [settings, expected] of [[thresholds, threshold], [custom, customThreshold]] as const) {
                const rule = ruleNamed(tierAlertRules(everything, settings), alert);
                const found = comparisons(rule.expr);
                assert.ok(found.length > 0, `${alert}: no comparison in ${rule.expr}`);
                assert.ok(found.every((comparison) => comparison.operator === operator && comparison.threshold === expected), `${alert}: ${JSON.stringify(found)}`);
                assert.equal(rule.labels.severity, severity);
            }
        });
    }

    // Each alert's `for`: the default, and what the custom settings above make it.
    const durations: { alert: string; default: string; custom: string }[] = [
        { alert: "TierHighErrorRate", default: "10m", custom: "5m" },
        { alert: "TierHighLatency", default: "10m", custom: "3m" },
        { alert: "TierHighMemory", default: "10m", custom: "1m" },
        { alert: "TierDatabaseDown", default: "5m", custom: "2m" },
        { alert: "TierVolumeFilling", default: "15m", custom: "1h" },
        { alert: "TierAutoscalerMaxed", default: "15m", custom: "20m" },
    ];
    for (const { alert, default: byDefault, custom: configured } of durations) {
        it(`${alert} waits ${byDefault} by default, and the configured duration`, () => {
            assert.equal(ruleNamed(tierAlertRules(everything, thresholds), alert).for, byDefault);
            assert.equal(ruleNamed(tierAlertRules(everything, custom), alert).for, configured);
        });
    }

    it("TierHighMemory compares each pod's working set with its own container's memory limit", () => {
        const [comparison] = comparisons(ruleNamed(tierAlertRules(everything, thresholds), "TierHighMemory").expr);
        assert.match(comparison.left, /sum by \(pod\) \(container_memory_working_set_bytes\{namespace="backend",container="backend"\}\)/);
        assert.match(comparison.left, /sum by \(pod\) \(kube_pod_container_resource_limits\{namespace="backend",container="backend",resource="memory"\}\)/);
    });

    it("waits the configured minutes before calling the autoscaler saturated", () => {
        assert.equal(ruleNamed(tierAlertRules(everything, thresholds), "TierAutoscalerMaxed").for, "15m");
        const maxed = ruleNamed(tierAlertRules(everything, thresholds), "TierAutoscalerMaxed");
        const [comparison] = comparisons(maxed.expr);
        assert.match(comparison.left, /^kube_horizontalpodautoscaler_status_current_replicas\{namespace="backend",horizontalpodautoscaler="backend"\}$/);
        assert.match(comparison.right, /^kube_horizontalpodautoscaler_spec_max_replicas\{namespace="backend",horizontalpodautoscaler="backend"\}$/);
    });

    it("the backup alerts watch the database's own CronJob, and its Jobs by name", () => {
        const rules = tierAlertRules(everything, thresholds);
        assert.match(ruleNamed(rules, "TierBackupMissing").expr, /kube_cronjob_status_last_successful_time\{namespace="backend",cronjob="backend-postgres-backup"\}/);
        assert.match(ruleNamed(rules, "TierBackupFailed").expr, /job_name=~"backend-postgres-backup-\[0-9\]\+"/);
    });

    const partial: { what: string; telemetry: TierTelemetry; absent: string[] }[] = [
        { what: "without metrics", telemetry: { ...everything, metrics: undefined }, absent: ["TierHighErrorRate", "TierHighLatency"] },
        { what: "without a latency histogram", telemetry: { ...everything, metrics: { path: "/metrics", requests: "http_requests_total" } }, absent: ["TierHighLatency"] },
        { what: "without an autoscaler", telemetry: { ...everything, hpa: undefined }, absent: ["TierAutoscalerMaxed"] },
        { what: "without a database", telemetry: { ...everything, database: undefined }, absent: ["TierDatabaseDown", "TierBackupFailed", "TierBackupMissing"] },
    ];
    for (const { what, telemetry, absent } of partial) {
        it(`a tier ${what} gets no rule about what it lacks`, () => {
            const alerts = tierAlertRules(telemetry, thresholds).map((rule) => rule.alert);
            assert.deepEqual(alerts.filter((alert) => absent.includes(alert)), []);
            assert.ok(alerts.includes("TierPodRestarting") && alerts.includes("TierVolumeFilling"));
        });
    }
});

/** Production's monitoring settings in monitored(): a month of samples on ten nodes. */
const productionMonitoring = { enabled: true, retention: "30d", storage: "100Gi", maxNodes: 10 };

/**
 * Three tiers with a database each and monitoring on: backend metered on a port of its own with a
 * latency histogram, ai-engine metered on its serving port, executor not metered.
 */
function monitored(environment: Environment, monitoring: Record<string, unknown> = { enabled: true }): RawConfig {
    return aStack(environment)
        .withTier(
            aTier("backend").withMetrics({ path: "/metrics", port: 9090, latencyHistogram: "http_request_duration_seconds" }).withDatabase(),
            aTier("ai-engine").withMetrics({ path: "/metrics" }).withDatabase().calledBy("backend"),
            aTier("executor").withDatabase().calledBy("backend"),
        )
        .withAddons({ monitoring })
        .build();
}
const tierNames = ["backend", "ai-engine", "executor"];

describe("monitoring: a production stack", function () {
    this.timeout(60000);
    let run: StackRun;
    before(async () => {
        run = await runStack("production", { config: monitored("production", productionMonitoring) });
    });

    const metered = () => (monitored("production")["groundwork:tiers"] as { name: string; metrics?: unknown }[]).filter((tier) => tier.metrics);

    it("gives every metered tier a ServiceMonitor selecting its Service, on a port its NetworkPolicy opens to the monitoring namespace", () => {
        assert.ok(metered().length > 0);
        for (const { name } of metered()) {
            const monitor = run.get(types.serviceMonitor, `${name}-monitoring-service-monitor`).inputs as any;
            const service = run.get(types.service, `${name}-service`).inputs as any;
            assert.ok(selects(monitor.spec.selector.matchLabels, service.metadata.labels), `${name}: selector ${JSON.stringify(monitor.spec.selector.matchLabels)} vs ${JSON.stringify(service.metadata.labels)}`);
            assert.deepEqual(monitor.spec.namespaceSelector.matchNames, [service.metadata.namespace]);
            const servicePort = service.spec.ports.find((port: any) => port.name === monitor.spec.endpoints[0].port);
            assert.ok(servicePort, `${name}: the Service has no port ${monitor.spec.endpoints[0].port}`);
            const policy = run.get(types.networkPolicy, `${name}-traffic`).inputs as any;
            const admitted = policy.spec.ingress.filter((rule: any) =>
                rule.from.some((peer: any) => peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "monitoring" && peer.podSelector === undefined)
                && rule.ports.some((port: any) => port.port === servicePort.port));
            assert.equal(admitted.length, 1, `${name}: the NetworkPolicy admits the monitoring namespace to port ${servicePort.port}`);
        }
    });

    it("gives every tier alert rules and a dashboard ConfigMap Grafana's sidecar loads", () => {
        for (const name of tierNames) {
            const rules = run.get(types.rule, `${name}-monitoring-rules`).inputs as any;
            assert.equal(rules.metadata.namespace, name);
            for (const rule of rules.spec.groups[0].rules) {
                assert.deepEqual(promqlErrors(rule.expr), [], `${name} ${rule.alert}`);
            }
            const dashboard = run.get(types.configMap, `${name}-monitoring-dashboard`).inputs as any;
            assert.equal(dashboard.metadata.namespace, "monitoring");
            assert.equal(dashboard.metadata.labels.grafana_dashboard, "1");
            const model = JSON.parse(dashboard.data[`${name}.json`]);
            const titles = model.panels.map((panel: any) => panel.title);
            assert.ok(titles.includes("CPU used / limit") && titles.includes("Memory used / limit"), `${name}: saturation panels`);
            for (const panel of model.panels) {
                assert.deepEqual(promqlErrors(panel.targets[0].expr), [], `${name} ${panel.title}`);
            }
        }
        const backend = JSON.parse((run.get(types.configMap, "backend-monitoring-dashboard").inputs as any).data["backend.json"]);
        assert.deepEqual(backend.panels.slice(0, 3).map((panel: any) => panel.title), ["Requests per second", "Errors (5xx share)", "Latency p95"]);
    });

    it("scrapes each database through a restricted exporter sidecar admitted only from the monitoring namespace", () => {
        for (const name of tierNames) {
            const monitor = run.get(types.podMonitor, `${name}-monitoring-database-monitor`).inputs as any;
            const statefulSet = run.get(types.statefulSet, `${name}-postgres-statefulset`).inputs as any;
            assert.ok(selects(monitor.spec.selector.matchLabels, statefulSet.spec.template.metadata.labels), name);
            const exporter = statefulSet.spec.template.spec.containers.find((container: any) => container.name === "postgres-exporter");
            assert.ok(exporter, `${name}: exporter sidecar`);
            const port = exporter.ports.find((p: any) => p.name === monitor.spec.podMetricsEndpoints[0].port);
            assert.ok(port, `${name}: exporter port ${monitor.spec.podMetricsEndpoints[0].port}`);
            assert.deepEqual(exporter.securityContext.capabilities, { drop: ["ALL"] });
            assert.equal(exporter.securityContext.allowPrivilegeEscalation, false);
            const policy = run.get(types.networkPolicy, `${name}-postgres-metrics`).inputs as any;
            assert.ok(selects(policy.spec.podSelector.matchLabels, statefulSet.spec.template.metadata.labels));
            assert.deepEqual(policy.spec.ingress, [{
                from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
                ports: [{ protocol: "TCP", port: port.containerPort }],
            }]);
        }
    });

    it("creates every monitoring custom resource and dashboard after the chart that installs their CRDs", () => {
        const crs = [types.serviceMonitor, types.podMonitor, types.rule].flatMap((type) => run.ofType(type));
        const dashboards = run.ofType(types.configMap).filter((configMap) => configMap.name.endsWith("-monitoring-dashboard"));
        // A ServiceMonitor per metered tier, a PodMonitor (its database) and rules per tier; CI's two ServiceMonitors and its rules.
        assert.deepEqual([crs.length, dashboards.length], [metered().length + 2 * tierNames.length + 3, tierNames.length]);
        for (const resource of [...crs, ...dashboards]) {
            assert.ok(dependsOnChart(resource), `${resource.type} ${resource.name} waits for the kube-prometheus-stack chart`);
        }
    });

    it("sizes both monitoring quotas from the settings: HA replicas, volumes, one node-exporter per node", () => {
        const settings = monitoringSchema.parse(productionMonitoring);
        const budgets = monitoringBudgets({ ...settings, highAvailability: true });
        for (const [namespace, budget] of [["monitoring", budgets.monitoring], ["monitoring-node-exporter", budgets.nodeExporter]] as const) {
            const hard = (run.ofType(types.quota).find((quota) => (quota.inputs as any).metadata.namespace === namespace)!.inputs as any).spec.hard;
            assert.equal(hard.pods, String(budget.pods), namespace);
            assert.equal(hard["limits.cpu"], formatCpu(budget.limitsCpu), namespace);
            assert.equal(hard["requests.memory"], formatBytes(budget.requestsMemory), namespace);
            assert.equal(hard["requests.storage"], formatBytes(budget.storage), namespace);
        }
        // Two Prometheus replicas with 100Gi each and two Alertmanagers with 1Gi each; ten nodes.
        assert.equal(budgets.monitoring.storage, 2 * 100 * 2 ** 30 + 2 * 2 ** 30);
        assert.equal(budgets.monitoring.persistentVolumeClaims, 4);
        assert.equal(budgets.monitoring.pods, 10);
        assert.equal(budgets.nodeExporter.pods, 10);
        const single = monitoringBudgets({ ...settings, highAvailability: false });
        assert.equal(single.monitoring.pods, 8);
        assert.equal(single.monitoring.storage, 100 * 2 ** 30 + 2 ** 30);
    });

    it("sets the chart's retention, volume and replicas from the settings", () => {
        const values = (run.get(types.chart, "addons-monitoring-kube-prometheus-stack").inputs as any).values;
        assert.equal(values.prometheus.prometheusSpec.retention, productionMonitoring.retention);
        assert.equal(values.prometheus.prometheusSpec.replicas, 2);
        assert.equal(values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage, productionMonitoring.storage);
        assert.equal(values["prometheus-node-exporter"].namespaceOverride, "monitoring-node-exporter");
        assert.equal(values["prometheus-node-exporter"].serviceAccount.automountServiceAccountToken, false);
        assert.equal(values.grafana.testFramework.enabled, false);
        assert.equal(values.prometheusOperator.admissionWebhooks.certManager.enabled, true);
    });
});

describe("monitoring: off", function () {
    this.timeout(60000);

    it("creates nothing monitoring-related: no chart, no namespaces, no monitors, rules, dashboards, exporters or their policies", async () => {
        const run = await runStack("staging", { config: monitored("staging", { enabled: false }) });
        const related = run.resources.filter((resource) =>
            resource.type.includes("monitoring.coreos.com") || resource.name.includes("monitoring") || resource.name.endsWith("-postgres-metrics"));
        assert.deepEqual(related.map((resource) => `${resource.type} ${resource.name}`), []);
        for (const statefulSet of run.ofType(types.statefulSet)) {
            assert.deepEqual((statefulSet.inputs as any).spec.template.spec.containers.map((container: any) => container.name).filter((name: string) => name.includes("exporter")), []);
        }
    });
});

describe("monitoring: per-tier alert settings", function () {
    this.timeout(60000);

    it("gives a tier its own thresholds and durations over the stack's, and leaves the other tiers at the stack's", async () => {
        const config = monitored("staging", { enabled: true, alerts: { errorRatePercent: 8, databaseDownFor: "3m" } }) as any;
        config["groundwork:tiers"][0].alerts = { errorRatePercent: 20, errorRateFor: "1m", memoryPercent: 75 };
        const run = await runStack("staging", { config });
        const rulesOf = (tier: string) => (run.get(types.rule, `${tier}-monitoring-rules`).inputs as any).spec.groups[0].rules as AlertRule[];
        const threshold = (rules: AlertRule[], alert: string) => comparisons(ruleNamed(rules, alert).expr)[0].threshold;
        const backend = rulesOf("backend");
        assert.deepEqual([threshold(backend, "TierHighErrorRate"), ruleNamed(backend, "TierHighErrorRate").for], [0.2, "1m"]);
        assert.equal(threshold(backend, "TierHighMemory"), 0.75);
        // Unset on the tier: the stack's value, else the default.
        assert.equal(ruleNamed(backend, "TierDatabaseDown").for, "3m");
        assert.equal(ruleNamed(backend, "TierVolumeFilling").for, "15m");
        for (const tier of ["ai-engine", "executor"]) {
            assert.equal(threshold(rulesOf(tier), "TierHighMemory"), 0.9, tier);
            assert.equal(ruleNamed(rulesOf(tier), "TierDatabaseDown").for, "3m", tier);
        }
    });
});

describe("monitoring: Alertmanager receivers", function () {
    this.timeout(60000);

    const routing: { name: string; routes?: { critical?: AlertReceiver[]; warning?: AlertReceiver[] }; credentials: AlertReceiver[]; expected: Record<string, AlertReceiver[]> }[] = [
        { name: "nothing configured: nobody is notified", credentials: [], expected: { critical: [], warning: [] } },
        { name: "both set, no routes: critical pages, warnings go to Slack", credentials: ["pagerDuty", "slack"], expected: { critical: ["pagerDuty"], warning: ["slack"] } },
        { name: "only Slack: every severity goes to Slack", credentials: ["slack"], expected: { critical: ["slack"], warning: ["slack"] } },
        { name: "only PagerDuty: critical pages, warnings stay in Alertmanager", credentials: ["pagerDuty"], expected: { critical: ["pagerDuty"], warning: [] } },
        { name: "explicit routes win", routes: { critical: ["pagerDuty", "slack"] }, credentials: ["pagerDuty", "slack"], expected: { critical: ["pagerDuty", "slack"], warning: [] } },
    ];
    for (const { name, routes, credentials, expected } of routing) {
        it(`routes by severity: ${name}`, () => {
            const set = Object.fromEntries(credentials.map((receiver) => [receiver, "x"]));
            assert.deepEqual(alertRoutes({ routes }, set), expected);
        });
    }

    it("renders one route per routed severity, each to a receiver reading its credential from the mounted Secret", () => {
        const config = alertmanagerConfig({ critical: ["pagerDuty", "slack"], warning: ["slack"] }, "#alerts") as any;
        assert.equal(config.route.receiver, silentReceiver);
        assert.deepEqual(config.route.routes, [
            { receiver: "critical", matchers: ["severity = \"critical\""] },
            { receiver: "warning", matchers: ["severity = \"warning\""] },
        ]);
        const secretDirectory = `/etc/alertmanager/secrets/${alertReceiversSecretName}`;
        assert.deepEqual(config.receivers, [
            { name: silentReceiver },
            {
                name: "critical",
                pagerduty_configs: [{ routing_key_file: `${secretDirectory}/pagerduty-routing-key`, send_resolved: true }],
                slack_configs: [{ api_url_file: `${secretDirectory}/slack-webhook-url`, send_resolved: true, channel: "#alerts" }],
            },
            { name: "warning", slack_configs: [{ api_url_file: `${secretDirectory}/slack-webhook-url`, send_resolved: true, channel: "#alerts" }] },
        ]);
        const unrouted = alertmanagerConfig({ critical: [], warning: [] }, undefined) as any;
        assert.deepEqual([unrouted.route.routes, unrouted.receivers], [[], [{ name: silentReceiver }]]);
    });

    describe("in a staging stack", () => {
        const keys = Object.fromEntries(alertReceivers.map((receiver) => [receiver, `groundwork:${alertReceiverSecretKeys[receiver]}`])) as Record<AlertReceiver, string>;
        let run: StackRun;
        let silent: StackRun;
        before(async () => {
            const alertmanager = { routes: { critical: ["pagerDuty", "slack"], warning: ["slack"] }, slackChannel: "#agentguard" };
            run = await runStack("staging", {
                config: monitored("staging", { enabled: true, alertmanager }),
                overrides: { [keys.pagerDuty]: testReceiverCredentials.pagerDuty, [keys.slack]: testReceiverCredentials.slack },
                secretKeys: Object.values(keys),
            });
            silent = await runStack("staging", { config: monitored("staging") });
        });
        const chartValues = (stack: StackRun) => (stack.get(types.chart, "addons-monitoring-kube-prometheus-stack").inputs as any).values;

        it("renders the routes into the chart's Alertmanager config and mounts the receivers' Secret, created before the chart", () => {
            const { alertmanager } = chartValues(run);
            assert.deepEqual(alertmanager.config, alertmanagerConfig({ critical: ["pagerDuty", "slack"], warning: ["slack"] }, "#agentguard"));
            assert.deepEqual(alertmanager.alertmanagerSpec.secrets, [alertReceiversSecretName]);
            const secret = run.get(types.secret, "addons-monitoring-alert-receivers");
            assert.equal((secret.inputs as any).metadata.namespace, "monitoring");
            assert.equal((secret.inputs as any).metadata.name, alertReceiversSecretName);
            assert.ok(secret.secretInputs.includes("stringData"), "the receivers' credentials must be a secret input");
            assert.deepEqual((revealSecrets(secret.inputs) as any).stringData, { "pagerduty-routing-key": testReceiverCredentials.pagerDuty, "slack-webhook-url": testReceiverCredentials.slack });
            assert.ok(run.get(types.chart, "addons-monitoring-kube-prometheus-stack").dependencies.some((urn) => urn.endsWith(`$${types.secret}::${secret.name}`)),
                "the chart waits for the Secret Alertmanager mounts");
        });

        it("never puts a credential anywhere but that Secret: no chart value, no other input, no output", () => {
            for (const resource of run.resources.filter((candidate) => candidate.name !== "addons-monitoring-alert-receivers")) {
                const text = JSON.stringify(unwrapValues(resource.inputs));
                for (const credential of Object.values(testReceiverCredentials)) {
                    assert.ok(!text.includes(credential), `${resource.type} ${resource.name} carries an alert receiver's credential`);
                }
            }
            const outputs = JSON.stringify(run.outputs);
            assert.ok(Object.values(testReceiverCredentials).every((credential) => !outputs.includes(credential)), "the stack outputs carry a credential");
        });

        it("without receivers, sends every alert to a receiver that notifies no one, and mounts no Secret", () => {
            const { alertmanager } = chartValues(silent);
            assert.equal(alertmanager.config.route.receiver, silentReceiver);
            assert.deepEqual(alertmanager.config.route.routes, []);
            assert.deepEqual(alertmanager.config.receivers, [{ name: silentReceiver }]);
            assert.deepEqual(alertmanager.alertmanagerSpec.secrets, []);
            assert.equal(silent.ofType(types.secret).filter((secret) => secret.name === "addons-monitoring-alert-receivers").length, 0);
        });
    });
});
