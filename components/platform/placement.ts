import * as k8s from "@pulumi/kubernetes";
import { z } from "zod";
import { DeepReadonly } from "../readonly";

const labelKey = z.string().regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/,
    "must be a label key such as \"node.kubernetes.io/pool\" or \"disktype\"");
const labelValue = z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/, "must be a label value such as \"gpu\" (63 characters at most)").max(63);

const nodeSelectorRequirement = z.strictObject({
    key: labelKey,
    operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]),
    values: z.array(labelValue).optional(),
});
const nodeSelectorTerm = z.strictObject({ matchExpressions: z.array(nodeSelectorRequirement).min(1, "must list at least one expression") });

const labelSelector = z.strictObject({
    matchLabels: z.record(labelKey, labelValue).optional(),
    matchExpressions: z.array(z.strictObject({
        key: labelKey,
        operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]),
        values: z.array(labelValue).optional(),
    })).optional(),
});
const podAffinityTerm = z.strictObject({
    labelSelector,
    topologyKey: labelKey,
    namespaces: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a namespace name such as \"monitoring\"")).optional(),
});
const weight = z.int("must be a whole number").min(1, "must be a weight from 1 to 100").max(100, "must be a weight from 1 to 100");
const podAffinity = z.strictObject({
    requiredDuringSchedulingIgnoredDuringExecution: z.array(podAffinityTerm).optional(),
    preferredDuringSchedulingIgnoredDuringExecution: z.array(z.strictObject({ weight, podAffinityTerm })).optional(),
});

/** Where pods may run, in the Kubernetes shapes, so that examples from the Kubernetes documentation fit. */
export const placementSchema = z.strictObject({
    nodeSelector: z.record(labelKey, labelValue).optional(),
    tolerations: z.array(z.strictObject({
        key: labelKey.optional(),
        operator: z.enum(["Equal", "Exists"]).default("Equal"),
        value: labelValue.optional(),
        effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
        tolerationSeconds: z.int().min(0).optional(),
    })).optional(),
    affinity: z.strictObject({
        nodeAffinity: z.strictObject({
            requiredDuringSchedulingIgnoredDuringExecution: z.strictObject({ nodeSelectorTerms: z.array(nodeSelectorTerm).min(1, "must list at least one term") }).optional(),
            preferredDuringSchedulingIgnoredDuringExecution: z.array(z.strictObject({ weight, preference: nodeSelectorTerm })).optional(),
        }).optional(),
        podAffinity: podAffinity.optional(),
        podAntiAffinity: podAffinity.optional(),
    }).optional(),
}).superRefine((placement, ctx) => {
    // What the fields cannot see one by one: tolerations and node expressions whose parts must agree.
    const report = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    placement.tolerations?.forEach((toleration, t) => {
        if (toleration.operator === "Exists" && toleration.value !== undefined) {
            report(["tolerations", t, "value"], "must be empty when operator is Exists");
        }
        if (toleration.operator === "Equal" && toleration.key === undefined) {
            report(["tolerations", t], "needs a key when operator is Equal (only Exists may match every taint)");
        }
        if (toleration.tolerationSeconds !== undefined && toleration.effect !== "NoExecute") {
            report(["tolerations", t, "tolerationSeconds"], "applies only to effect NoExecute: set effect: NoExecute or remove it");
        }
    });
    placement.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms.forEach((term, t) => term.matchExpressions.forEach((expression, e) => {
        const needsValues = expression.operator !== "Exists" && expression.operator !== "DoesNotExist";
        if (needsValues !== ((expression.values?.length ?? 0) > 0)) {
            report(["affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms", t, "matchExpressions", e],
                needsValues ? `needs values for operator ${expression.operator}` : `must have no values for operator ${expression.operator}`);
        }
    }));
}).describe("Node selector, tolerations and affinity; the tier's own spread across nodes and zones still applies.");

/** Where a workload's pods may run: node selector, tolerations and affinity, as the config gives them. */
export type Placement = DeepReadonly<z.output<typeof placementSchema>>;

/**
 * The pod spec fields of a placement. They add to the workload's own spread constraints, which
 * stay: the scheduler spreads the pods over the nodes the placement allows.
 */
export function placementSpec(placement: Placement | undefined): Pick<k8s.types.input.core.v1.PodSpec, "nodeSelector" | "tolerations" | "affinity"> {
    if (!placement) {
        return {};
    }
    // A copy: the loaded config is frozen, and the spec's types are mutable.
    const copy = structuredClone(placement) as z.output<typeof placementSchema>;
    return {
        ...(copy.nodeSelector ? { nodeSelector: copy.nodeSelector } : {}),
        ...(copy.tolerations ? { tolerations: copy.tolerations } : {}),
        ...(copy.affinity ? { affinity: copy.affinity } : {}),
    };
}
