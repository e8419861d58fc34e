import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { replicasFor } from "../../platform/environment";
import { restrictedContainer, restrictedPod } from "../helm-addon";
import { ciStepResources, ciUser, PipelineSettings, workspaceSize } from "./tasks";
import { hmacSignature, pathFilter } from "./webhooks";

/**
 * The CI namespace's EventListener and what surrounds it, as plain resource args: its account's
 * rights, who may reach it, and the CI pipelines' triggers and TriggerTemplates. CiPipelines
 * (./pipelines.ts) registers them.
 */

export const eventListenerName = "github";
export const eventListenerPort = 8080;
/** Where an EventListener serves its metrics (Tekton Triggers' `http-metrics` port). */
export const eventListenerMetricsPort = 9000;
/** The labels Tekton Triggers gives the EventListener's pods. */
export const eventListenerPod = { eventlistener: eventListenerName };
/** The Service Tekton Triggers creates for the EventListener. */
export const eventListenerServiceName = `el-${eventListenerName}`;
/** The EventListener's account. */
export const eventListenerAccount = "event-listener";

/** A deployment webhook's task: apply a tier's manifests, or remove them. */
export type DeliveryKind = "deploy" | "cleanup";

/** The path of a webhook on the EventListener's host: CI pushes at "/", deliveries at "/<tier>/<kind>". */
export function webhookPath(tier?: string, kind?: DeliveryKind): string {
    return tier === undefined ? "/" : `/${tier}/${kind}`;
}

type Labels = Record<string, string>;
type EventListenerTrigger = Record<string, unknown>;

/** Name, namespace and labels of an object in the CI namespace. */
export function ciMetadata(name: string, namespace: pulumi.Input<string>, labels: Labels) {
    return { name, namespace, labels };
}

/** A Tekton object (Task, Pipeline, TriggerTemplate, EventListener) in the CI namespace. */
export function tektonObjectArgs(
    kind: "Task" | "Pipeline" | "TriggerTemplate" | "EventListener",
    metadata: { name: string; namespace: pulumi.Input<string>; labels: Labels },
    spec: Record<string, unknown>,
): k8s.apiextensions.CustomResourceArgs {
    return { apiVersion: kind === "Task" || kind === "Pipeline" ? "tekton.dev/v1" : "triggers.tekton.dev/v1beta1", kind, metadata, spec };
}

/** Clones, pushes and the API server, for every pod of the CI namespace. */
export function ciEgressPolicyArgs(namespace: pulumi.Input<string>, labels: Labels): k8s.networking.v1.NetworkPolicyArgs {
    return {
        metadata: ciMetadata("ci-egress", namespace, labels),
        spec: {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [443, 22, 6443].map((port) => ({ protocol: "TCP", port })) }],
        },
    };
}

/**
 * Who may reach the EventListener: the ingress controller at its port when it has a public host,
 * and Prometheus at its metrics port when monitoring is on. None of them: no policy.
 */
export function listenerIngressPolicyArgs(
    namespace: pulumi.Input<string>,
    labels: Labels,
    sources: { ingressNamespace?: pulumi.Input<string>; prometheusNamespace?: pulumi.Input<string> },
): k8s.networking.v1.NetworkPolicyArgs | undefined {
    const from = (source: pulumi.Input<string>, port: number) => ({
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": source } } }],
        ports: [{ protocol: "TCP", port }],
    });
    const rules = [
        ...(sources.ingressNamespace === undefined ? [] : [from(sources.ingressNamespace, eventListenerPort)]),
        ...(sources.prometheusNamespace === undefined ? [] : [from(sources.prometheusNamespace, eventListenerMetricsPort)]),
    ];
    if (rules.length === 0) {
        return undefined;
    }
    return {
        metadata: ciMetadata(`${eventListenerServiceName}-ingress`, namespace, labels),
        spec: { podSelector: { matchLabels: eventListenerPod }, policyTypes: ["Ingress"], ingress: rules },
    };
}

/** In its namespace, the EventListener reads its own triggers and creates PipelineRuns, nothing else. */
export const eventListenerRules: k8s.types.input.rbac.v1.PolicyRule[] = [
    { apiGroups: ["triggers.tekton.dev"], resources: ["eventlisteners", "triggerbindings", "triggertemplates", "triggers", "interceptors"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["tekton.dev"], resources: ["pipelineruns"], verbs: ["create"] },
    { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
    { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
];

/** Interceptors and cluster bindings are cluster-scoped: read access only. */
export function eventListenerClusterRoleArgs(environment: string, labels: Labels): k8s.rbac.v1.ClusterRoleArgs {
    return {
        metadata: { name: `${eventListenerAccount}-${environment}-interceptors`, labels },
        rules: [{ apiGroups: ["triggers.tekton.dev"], resources: ["clustertriggerbindings", "clusterinterceptors"], verbs: ["get", "list", "watch"] }],
    };
}

/** Quotes a value for a CEL string literal. */
function celString(value: string): string {
    return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** Only pushes to the configured branch of the configured repository start the tier's pipeline. */
export function pushFilter(pipeline: Pick<PipelineSettings, "repository" | "branch">): string {
    const repository = pipeline.repository.replace(/\.git$/, "");
    return [
        `body.ref == ${celString(`refs/heads/${pipeline.branch}`)}`,
        `(body.repository.clone_url == ${celString(`${repository}.git`)} || body.repository.ssh_url == ${celString(`${repository}.git`)} || body.repository.html_url == ${celString(repository)})`,
    ].join(" && ");
}

/** A tier's CI trigger: a push at "/", signed with the CI secret, to the tier's repository and branch. */
export function ciPushTrigger(pipeline: PipelineSettings, hmacSecretName: pulumi.Input<string>): EventListenerTrigger {
    return {
        name: `${pipeline.tier}-push`,
        interceptors: [
            pathFilter(webhookPath()),
            hmacSignature(hmacSecretName, "push"),
            { ref: { name: "cel", kind: "ClusterInterceptor" }, params: [{ name: "filter", value: pushFilter(pipeline) }] },
        ],
        bindings: [{ name: "revision", value: "$(body.after)" }],
        template: { ref: `${pipeline.tier}-ci` },
    };
}

/**
 * A tier's CI run: its Pipeline at the pushed revision, as the runner account, on a fresh workspace
 * claim, with the registry credentials when the stack has them.
 */
export function ciTriggerTemplateSpec(
    pipeline: PipelineSettings,
    refs: { runnerAccount: pulumi.Input<string>; registrySecret?: pulumi.Input<string> },
): Record<string, unknown> {
    return {
        params: [{ name: "revision" }],
        resourcetemplates: [{
            apiVersion: "tekton.dev/v1",
            kind: "PipelineRun",
            metadata: { generateName: `${pipeline.tier}-ci-`, labels: { "groundwork.dev/tier": pipeline.tier } },
            spec: {
                pipelineRef: { name: `${pipeline.tier}-ci` },
                params: [{ name: "revision", value: "$(tt.params.revision)" }],
                taskRunTemplate: {
                    serviceAccountName: refs.runnerAccount,
                    podTemplate: { securityContext: { fsGroup: ciUser } },
                },
                workspaces: [
                    {
                        name: "source",
                        volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: workspaceSize } } } },
                    },
                    ...(refs.registrySecret === undefined ? [] : [{ name: "dockerconfig", secret: { secretName: refs.registrySecret } }]),
                ],
            },
        }],
    };
}

/** The EventListener: every trigger, as its account, restricted, with two replicas under high availability. */
export function eventListenerSpec(accountName: pulumi.Input<string>, triggers: readonly EventListenerTrigger[], highAvailability: boolean): Record<string, unknown> {
    return {
        serviceAccountName: accountName,
        triggers: [...triggers],
        resources: {
            kubernetesResource: {
                replicas: replicasFor(highAvailability),
                spec: {
                    template: {
                        spec: {
                            securityContext: restrictedPod,
                            containers: [{ securityContext: restrictedContainer, resources: ciStepResources }],
                        },
                    },
                },
            },
        },
    };
}
