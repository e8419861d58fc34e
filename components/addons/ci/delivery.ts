import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { DeliveryKind, webhookPath } from "./event-listener";
import { ciUserPodSecurityContext, PipelineSettings } from "./tasks";
import { hmacSignature, pathFilter } from "./webhooks";

/**
 * A tier's deploy and cleanup, started by GitHub deployment events, as plain resource args: the
 * rights of the account each runs as, its TriggerTemplate and its EventListener trigger. CiPipelines
 * (./pipelines.ts) registers them.
 */

export const deliveryKinds: readonly DeliveryKind[] = ["deploy", "cleanup"];

type PolicyRule = k8s.types.input.rbac.v1.PolicyRule;

/** What deploy may change in a tier's namespace; the guards (quota, limits, network policies) are not among them. */
const namespacedKinds = [
    { apiGroups: [""], resources: ["configmaps", "secrets", "services", "serviceaccounts", "persistentvolumeclaims"] },
    { apiGroups: ["apps"], resources: ["deployments", "statefulsets"] },
    { apiGroups: ["batch"], resources: ["jobs", "cronjobs"] },
    { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"] },
    { apiGroups: ["policy"], resources: ["poddisruptionbudgets"] },
    { apiGroups: ["networking.k8s.io"], resources: ["ingresses"] },
];
const kindVerbs: Record<DeliveryKind, string[]> = {
    deploy: ["get", "list", "watch", "create", "update", "patch"],
    cleanup: ["get", "list", "watch", "delete", "patch"],
};

/** The tier's CRDs as API group and resource, from their names `<plural>.<group>`. */
function crdResources(pipeline: PipelineSettings): { plural: string; group: string }[] {
    return pipeline.deploy.crds.map((crd) => ({ plural: crd.slice(0, crd.indexOf(".")), group: crd.slice(crd.indexOf(".") + 1) }));
}

/** The objects of the tier's namespace that `kind` may act on: the workload kinds and the tier's own CRDs' instances. */
export function deliveryRoleRules(kind: DeliveryKind, pipeline: PipelineSettings): PolicyRule[] {
    return [
        ...namespacedKinds.map((rule) => ({ ...rule, verbs: kindVerbs[kind] })),
        ...crdResources(pipeline).map(({ plural, group }) => ({ apiGroups: [group], resources: [plural], verbs: kindVerbs[kind] })),
    ];
}

/** Cluster-wide, reading CRDs; a cleanup also counts the tier's CRDs' instances and removes those CRDs. */
export function deliveryClusterRoleRules(kind: DeliveryKind, pipeline: PipelineSettings): PolicyRule[] {
    const crds = crdResources(pipeline);
    return [
        { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get", "list", "watch"] },
        ...(kind === "cleanup" && crds.length > 0 ? [
            { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], resourceNames: [...pipeline.deploy.crds], verbs: ["delete"] },
            ...crds.map(({ plural, group }) => ({ apiGroups: [group], resources: [plural], verbs: ["get", "list"] })),
        ] : []),
    ];
}

/** The name of a tier's deploy or cleanup Pipeline, account, TriggerTemplate and trigger: `<tier>-<kind>`. */
export function deliveryName(tier: string, kind: DeliveryKind): string {
    return `${tier}-${kind}`;
}

/** A delivery's run: its Pipeline at the deployment's revision (and, for a cleanup, whether forced), as its own account. */
export function deliveryTemplateSpec(kind: DeliveryKind, tier: string, accountName: pulumi.Input<string>): Record<string, unknown> {
    const objectName = deliveryName(tier, kind);
    return {
        params: [{ name: "revision" }, ...(kind === "cleanup" ? [{ name: "force", default: "false" }] : [])],
        resourcetemplates: [{
            apiVersion: "tekton.dev/v1",
            kind: "PipelineRun",
            metadata: { generateName: `${objectName}-`, labels: { "groundwork.dev/tier": tier } },
            spec: {
                pipelineRef: { name: objectName },
                params: [
                    { name: "revision", value: "$(tt.params.revision)" },
                    ...(kind === "cleanup" ? [{ name: "force", value: "$(tt.params.force)" }] : []),
                ],
                taskRunTemplate: {
                    serviceAccountName: accountName,
                    podTemplate: { securityContext: ciUserPodSecurityContext },
                },
            },
        }],
    };
}

/**
 * A delivery's trigger: a deployment event at "/<tier>/<kind>", signed with its own secret, for this
 * task and environment. Only an explicit `"force": true` in the deployment's payload forces a cleanup.
 */
export function deliveryTrigger(kind: DeliveryKind, tier: string, environment: string, hmacSecretName: pulumi.Input<string>): Record<string, unknown> {
    const objectName = deliveryName(tier, kind);
    return {
        name: objectName,
        interceptors: [
            pathFilter(webhookPath(tier, kind)),
            hmacSignature(hmacSecretName, "deployment"),
            {
                ref: { name: "cel", kind: "ClusterInterceptor" },
                params: [
                    { name: "filter", value: `body.deployment.task == '${kind}' && body.deployment.environment == '${environment}'` },
                    { name: "overlays", value: [{ key: "force", expression: "has(body.deployment.payload.force) && body.deployment.payload.force == true ? 'true' : 'false'" }] },
                ],
            },
        ],
        bindings: [
            { name: "revision", value: "$(body.deployment.sha)" },
            ...(kind === "cleanup" ? [{ name: "force", value: "$(extensions.force)" }] : []),
        ],
        template: { ref: objectName },
    };
}
