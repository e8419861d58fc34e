import { replicasFor } from "../../platform/environment";
import { Budget, budgetOf } from "../../platform/sizing";
import { MonitoringSettings } from "./config";

/** What the stack decides about the add-on; the budget counts the peak from it. */
export type MonitoringSizing = Pick<MonitoringSettings, "storage" | "alertmanagerStorage" | "maxNodes" | "prometheusResources" | "resources"> & {
    highAvailability: boolean;
};

/** Both namespaces at peak: the monitoring namespace first, node-exporter's second. */
export function monitoringBudgets(sizing: MonitoringSizing): { monitoring: Budget; nodeExporter: Budget } {
    const replicas = replicasFor(sizing.highAvailability);
    // Deployments (operator, Grafana, kube-state-metrics) surge one pod each during a rollout.
    const deploymentPods = 3 * 2;
    // Containers of the small sizing: operator, kube-state-metrics, Grafana with its dashboard and datasource
    // sidecars, each counted with their surge pod; Prometheus' config reloader; Alertmanager with its reloader.
    const smallContainers = 2 + 2 + 3 * 2 + replicas + 2 * replicas;
    const containers = budgetOf([
        { resources: sizing.prometheusResources, pods: replicas, volumes: Array<string>(replicas).fill(sizing.storage) },
        { resources: sizing.resources, pods: smallContainers, volumes: Array<string>(replicas).fill(sizing.alertmanagerStorage) },
    ]);
    return {
        monitoring: { ...containers, pods: deploymentPods + 2 * replicas },
        nodeExporter: budgetOf([{ resources: sizing.resources, pods: sizing.maxNodes }]),
    };
}

