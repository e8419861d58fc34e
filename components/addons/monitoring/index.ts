import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { replicasFor } from "../../platform/environment";
import { budgetGuards } from "../../platform/namespace";
import { podSecurityLabels, standardLabels } from "../../platform/security";
import { Resources } from "../../platform/sizing";
import { AddonContext, ChartValues, HelmAddon, restrictedContainer, restrictedPod, spreadOverNodes } from "../helm-addon";
import { monitoringBudgets } from "./budget";
import { alertmanagerConfig, alertReceiversSecretName, alertRoutes, configuredReceivers, receiverSecretData } from "./alertmanager";
import { AlertReceiver, MonitoringSettings } from "./config";

export interface MonitoringArgs {
    context: AddonContext;
    settings: MonitoringSettings;
    /** Default StorageClass of the stack (groundwork:storageClass), used unless the section names one. */
    storageClass?: string;
    /** The ClusterIssuer of the operator's admission webhook certificate (its cert-gen Jobs are hooks, which Chart v4 drops). */
    webhookIssuer: k8s.apiextensions.CustomResource;
    /** The cert-manager chart, which installs the Certificate CRD the chart's webhook objects use. */
    certManagerChart: pulumi.Resource;
    /** Credentials of the alert receivers, from the secret config: a PagerDuty routing key, a Slack webhook URL. */
    receivers: Readonly<Partial<Record<AlertReceiver, string>>>;
}

export const monitoringRelease = "kps";
/** The label and value Grafana's sidecar loads dashboard ConfigMaps by (the chart's defaults, set explicitly). */
export const dashboardLabel = { grafana_dashboard: "1" } as const;

/**
 * kube-prometheus-stack: the Prometheus operator, Prometheus, Alertmanager, Grafana (dashboards from
 * ConfigMaps through its sidecar), kube-state-metrics and node-exporter. Every tier's ServiceMonitor,
 * PrometheusRule and dashboard (components/apps/monitoring.ts) waits for this chart, which installs
 * their CRDs.
 *
 * Namespace levels: the add-on's namespace is restricted and holds everything but node-exporter,
 * which reads the host (hostNetwork, hostPID, read-only hostPath mounts of /proc, /sys and /): it
 * runs alone in its own privileged namespace, and the policy pack exempts exactly that DaemonSet
 * from exactly those controls (policy/pack-settings.json). Both namespaces get a quota sized from
 * the settings (retention's volume, replicas, one node-exporter per node up to `maxNodes`).
 *
 * Chart v4 drops hooks: the operator's admission webhook certificate comes from cert-manager (as
 * ingress-nginx's does), Grafana's admin password from @pulumi/random (the chart's own would change
 * on every render), and Grafana's test pod is off.
 */
export class Monitoring extends HelmAddon {
    readonly chart: k8s.helm.v4.Chart;
    readonly nodeExporterNamespace: pulumi.Output<string>;
    /** Grafana's admin password (a secret output). */
    readonly grafanaAdminPassword: pulumi.Output<string>;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        const { settings, context } = args;
        super("groundwork:addons:Monitoring", name, context, { name: settings.namespace, podSecurityLevel: "restricted" }, opts);
        const labels = standardLabels("monitoring", "addon", context.environment);
        const child = { parent: this };

        const nodeExporterNamespace = new k8s.core.v1.Namespace(`${name}-node-exporter-namespace`, {
            metadata: {
                name: settings.nodeExporterNamespace,
                labels: { ...standardLabels(settings.nodeExporterNamespace, "addon", context.environment), ...podSecurityLabels("privileged", context.podSecurityVersion) },
            },
        }, child);
        this.nodeExporterNamespace = nodeExporterNamespace.metadata.name;

        const budgets = monitoringBudgets({ ...settings, highAvailability: this.highAvailability });
        const guards = [
            ...budgetGuards(name, this.namespace, { budget: budgets.monitoring, containerDefaults: settings.resources }, this, [this.namespaceResource]),
            ...budgetGuards(`${name}-node-exporter`, this.nodeExporterNamespace, { budget: budgets.nodeExporter, containerDefaults: settings.resources }, this, [nodeExporterNamespace]),
        ];

        const admin = new random.RandomPassword(`${name}-grafana-admin`, { length: 32, special: false }, child);
        this.grafanaAdminPassword = pulumi.secret(admin.result);
        const adminSecret = new k8s.core.v1.Secret(`${name}-grafana-admin`, {
            metadata: { name: "grafana-admin", namespace: this.namespace, labels },
            type: "Opaque",
            stringData: { "admin-user": "admin", "admin-password": admin.result },
        }, { parent: this, dependsOn: [this.namespaceResource] });

        const receiversSecret = this.receiversSecret(name, args.receivers, labels);
        this.chart = this.installChart({
            chart: "kubePrometheusStack",
            releaseName: monitoringRelease,
            values: this.chartValues(settings, args.storageClass, adminSecret.metadata.name, args.receivers, receiversSecret !== undefined),
            overrides: settings.values,
            dependsOn: [nodeExporterNamespace, adminSecret, ...(receiversSecret ? [receiversSecret] : []), args.certManagerChart, args.webhookIssuer, ...guards],
        });
        this.registerOutputs({ namespace: this.namespace, nodeExporterNamespace: this.nodeExporterNamespace, grafanaAdminPassword: this.grafanaAdminPassword });
    }

    /**
     * The receivers' credentials, which Alertmanager mounts and reads by file: the chart's values (and
     * so the rendered config Secret and Pulumi's state of the chart) never hold them.
     */
    private receiversSecret(name: string, receivers: MonitoringArgs["receivers"], labels: Record<string, string>): k8s.core.v1.Secret | undefined {
        if (!Object.values(configuredReceivers(receivers)).some(Boolean)) {
            return undefined;
        }
        return new k8s.core.v1.Secret(`${name}-alert-receivers`, {
            metadata: { name: alertReceiversSecretName, namespace: this.namespace, labels },
            type: "Opaque",
            stringData: pulumi.secret(receiverSecretData(receivers)),
        }, { parent: this, dependsOn: [this.namespaceResource] });
    }

    private chartValues(
        settings: MonitoringSettings,
        stackStorageClass: string | undefined,
        adminSecretName: pulumi.Output<string>,
        receivers: MonitoringArgs["receivers"],
        mountReceiversSecret: boolean,
    ): ChartValues {
        const replicas = replicasFor(this.highAvailability);
        const small = copy(settings.resources);
        const storageClassName = settings.storageClass ?? stackStorageClass;
        const claim = (storage: string) => ({
            volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], ...(storageClassName ? { storageClassName } : {}), resources: { requests: { storage } } } },
        });
        return {
            fullnameOverride: monitoringRelease,
            crds: { enabled: true },
            prometheusOperator: {
                resources: small,
                securityContext: restrictedPod,
                containerSecurityContext: restrictedContainer,
                prometheusConfigReloader: { resources: small },
                admissionWebhooks: {
                    // The certificate comes from cert-manager; the chart's cert-gen Jobs are hooks.
                    certManager: { enabled: true, issuerRef: { name: "internal-ca", kind: "ClusterIssuer" } },
                    patch: { enabled: false },
                },
            },
            prometheus: {
                prometheusSpec: {
                    replicas,
                    retention: settings.retention,
                    resources: copy(settings.prometheusResources),
                    storageSpec: claim(settings.storage),
                    // Every ServiceMonitor, PodMonitor and PrometheusRule in the cluster, not only the release's.
                    serviceMonitorSelectorNilUsesHelmValues: false,
                    podMonitorSelectorNilUsesHelmValues: false,
                    ruleSelectorNilUsesHelmValues: false,
                    securityContext: { ...restrictedPod, runAsUser: 1000, runAsGroup: 2000, fsGroup: 2000 },
                    ...(this.highAvailability ? { affinity: spreadOverNodes({ "app.kubernetes.io/name": "prometheus" }) } : {}),
                },
            },
            alertmanager: {
                config: alertmanagerConfig(alertRoutes(settings.alertmanager, receivers), settings.alertmanager.slackChannel),
                alertmanagerSpec: {
                    secrets: mountReceiversSecret ? [alertReceiversSecretName] : [],
                    replicas,
                    resources: small,
                    storage: claim(settings.alertmanagerStorage),
                    securityContext: { ...restrictedPod, runAsUser: 1000, runAsGroup: 2000, fsGroup: 2000 },
                },
            },
            grafana: {
                replicas: 1,
                resources: small,
                admin: { existingSecret: adminSecretName, userKey: "admin-user", passwordKey: "admin-password" },
                testFramework: { enabled: false },
                persistence: { enabled: false },
                securityContext: { ...restrictedPod, runAsUser: 472, runAsGroup: 472, fsGroup: 472 },
                containerSecurityContext: restrictedContainer,
                sidecar: {
                    resources: small,
                    securityContext: restrictedContainer,
                    // Dashboards are ConfigMaps in this namespace: no cluster-wide read of ConfigMaps.
                    dashboards: { enabled: true, label: Object.keys(dashboardLabel)[0], labelValue: Object.values(dashboardLabel)[0], searchNamespace: null },
                    datasources: { enabled: true },
                },
            },
            "kube-state-metrics": {
                resources: small,
                securityContext: { ...restrictedPod, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534 },
                containerSecurityContext: restrictedContainer,
            },
            "prometheus-node-exporter": {
                namespaceOverride: settings.nodeExporterNamespace,
                resources: small,
                // It reads the node, never the API.
                serviceAccount: { automountServiceAccountToken: false },
                // Host namespaces and hostPath are what it is for; everything else restricted allows stays.
                containerSecurityContext: restrictedContainer,
                securityContext: { ...restrictedPod, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534 },
            },
        };
    }
}

function copy(resources: Resources): ChartValues {
    return { requests: { ...resources.requests }, limits: { ...resources.limits } };
}
