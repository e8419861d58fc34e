import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { AlertRule } from "../monitoring/rules";
import { ciMetadata, eventListenerName } from "./event-listener";

/**
 * What the stack's Prometheus scrapes and alerts on in CI, as plain resource args. Both monitors
 * live in the CI namespace, which Groundwork creates: the Pipelines namespace is the operator's, and
 * exists only once the operator has reconciled its TektonConfig.
 */

type Labels = Record<string, string>;

/** The Pipelines controller's pods, in the Pipelines namespace. */
export const pipelinesControllerPod = { "app.kubernetes.io/name": "controller", "app.kubernetes.io/part-of": "tekton-pipelines" };

/** Scrapes the `http-metrics` port of the Services selected by `selector` in `watchedNamespace`. */
export function serviceMonitorArgs(
    name: string,
    metadata: { namespace: pulumi.Input<string>; labels: Labels },
    watched: { namespace: pulumi.Input<string>; selector: Record<string, string> },
): k8s.apiextensions.CustomResourceArgs {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: ciMetadata(name, metadata.namespace, metadata.labels),
        spec: {
            selector: { matchLabels: watched.selector },
            namespaceSelector: { matchNames: [watched.namespace] },
            endpoints: [{ port: "http-metrics", interval: "30s" }],
        },
    };
}

/**
 * The CI namespace's alert rules: a failed PipelineRun, and webhook deliveries the EventListener
 * rejected (an HMAC signature that does not verify is the usual cause).
 */
export function ciAlertRules(ciNamespace: string): AlertRule[] {
    return [
        {
            alert: "PipelineRunFailed",
            expr: `sum by (pipeline) (increase(tekton_pipelines_controller_pipelinerun_total{namespace="${ciNamespace}",status="failed"}[15m])) > 0`,
            for: "0m",
            labels: { severity: "warning" },
            annotations: { summary: "A Tekton PipelineRun failed", description: `A PipelineRun in ${ciNamespace} failed in the last 15 minutes: tkn pipelinerun list -n ${ciNamespace}.` },
        },
        {
            alert: "WebhookAuthenticationFailures",
            expr: `sum(increase(eventlistener_event_received_count{namespace="${ciNamespace}",status="failed"}[15m])) > 0`,
            for: "0m",
            labels: { severity: "critical" },
            annotations: {
                summary: "The EventListener rejected webhook deliveries",
                description: `Deliveries to ${ciNamespace}/${eventListenerName} failed verification in the last 15 minutes: a wrong webhook secret, or someone guessing.`,
            },
        },
    ];
}

/** The PrometheusRule holding ciAlertRules. */
export function ciAlertsArgs(ciNamespace: string, namespace: pulumi.Input<string>, labels: Labels): k8s.apiextensions.CustomResourceArgs {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: ciMetadata("ci", namespace, labels),
        spec: { groups: [{ name: "ci.rules", rules: ciAlertRules(ciNamespace) }] },
    };
}
