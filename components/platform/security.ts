import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/**
 * Pod Security Admission labels: the same level enforced, audited and warned, pinned to a
 * standards version so that a cluster upgrade cannot tighten or loosen the rules unnoticed.
 */
export function podSecurityLabels(level: PodSecurityLevel, version: string): Record<string, string> {
    const labels: Record<string, string> = {};
    for (const mode of ["enforce", "audit", "warn"]) {
        labels[`pod-security.kubernetes.io/${mode}`] = level;
        labels[`pod-security.kubernetes.io/${mode}-version`] = version;
    }
    return labels;
}

/** Pod-level settings that pass the restricted profile for a non-root UID. */
export function restrictedPodSecurityContext(uid: number, fsGroup = uid): k8s.types.input.core.v1.PodSecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        fsGroup,
        fsGroupChangePolicy: "OnRootMismatch",
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** Container-level settings that pass the restricted profile; the root filesystem is read-only. */
export function restrictedContainerSecurityContext(): k8s.types.input.core.v1.SecurityContext {
    return {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** Labels every Groundwork object carries, so that selectors and audits can find them. */
export function standardLabels(name: string, component: string, environment: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": "groundwork",
        "app.kubernetes.io/managed-by": "pulumi",
        "groundwork.dev/environment": environment,
    };
}

/** A RoleBinding's or ClusterRoleBinding's args granting `role` to a ServiceAccount; a RoleBinding's namespace is in `metadata`. */
export function serviceAccountBinding(
    metadata: { name: pulumi.Input<string>; namespace?: pulumi.Input<string>; labels: Record<string, string> },
    role: { kind: "Role" | "ClusterRole"; name: pulumi.Input<string> },
    account: { name: pulumi.Input<string>; namespace: pulumi.Input<string> },
): Omit<k8s.rbac.v1.RoleBindingArgs, "apiVersion" | "kind"> {
    return {
        metadata,
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: role.kind, name: role.name },
        subjects: [{ kind: "ServiceAccount", name: account.name, namespace: account.namespace }],
    };
}
