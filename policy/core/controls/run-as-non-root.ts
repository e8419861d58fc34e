/** Restricted: containers run as non-root (PodSecurity's check_runAsNonRoot). */
import { booleanAt } from "../fields";
import { PssControl } from "../model";
import { exceptUserNamespaces, podOrContainerRequirement } from "../rules";

const requireNonRoot = podOrContainerRequirement({
    field: "runAsNonRoot",
    read: (context, place) => {
        const value = context === undefined ? undefined : booleanAt(context.runAsNonRoot, place, ".securityContext.runAsNonRoot");
        return value === undefined ? undefined : value || "false";
    },
    bad: (who) => `${who} sets securityContext.runAsNonRoot=false; set it to true`,
    unset: (container) => `neither the pod nor ${container.label()} sets securityContext.runAsNonRoot=true; set it on the pod (spec.securityContext) or on the container`,
});

export const runAsNonRoot: PssControl = {
    id: "runAsNonRoot",
    level: "restricted",
    policyName: "pss-run-as-non-root",
    title: "Running as Non-root",
    description: "Containers must run as non-root: runAsNonRoot=true on the pod or on every container.",
    severity: "high",
    versions: [
        { since: 0, rule: requireNonRoot },
        { since: 35, rule: exceptUserNamespaces(requireNonRoot) },
    ],
};
