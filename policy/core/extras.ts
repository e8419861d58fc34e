/**
 * Hardening controls beyond the Pod Security Standards. They never change whether a pod is allowed by
 * the standards; the policy pack runs them as separate, advisory-by-default policies.
 */
import { childBoolean, childObject, childString, hasChild } from "./fields";
import { Finding, Severity } from "./model";
import { containerLabel, containersOf, PodView } from "./pod";

export const PROBE_KINDS = ["liveness", "readiness", "startup"] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

export interface ExtraSettings {
    /** Resource names every container must request, e.g. `cpu`, `memory`. */
    readonly requests: readonly string[];
    /** Resource names every container must limit. */
    readonly limits: readonly string[];
    /** Require images pinned by digest; otherwise a tag other than `latest` suffices. */
    readonly requireDigest: boolean;
    /** Probes every long-running container must define. */
    readonly probes: readonly ProbeKind[];
}

export const DEFAULT_EXTRA_SETTINGS: ExtraSettings = {
    requests: ["cpu", "memory"],
    limits: ["memory"],
    requireDigest: false,
    probes: ["liveness", "readiness"],
};

export interface ExtraControl {
    readonly id: string;
    readonly policyName: string;
    readonly title: string;
    readonly description: string;
    readonly severity: Severity;
    readonly check: (pod: PodView, settings: ExtraSettings) => Finding[];
}

/** Kinds whose pods are expected to run until stopped; Jobs, CronJobs and bare Pods run to completion or are ad hoc. */
const LONG_RUNNING_KINDS: ReadonlySet<string> = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"]);

function resources(pod: PodView, settings: ExtraSettings): Finding[] {
    return containersOf(pod, ["initContainers", "containers"]).flatMap((c) => {
        const resourcesPath = `${c.path}.resources`;
        const declared = childObject(c.object, "resources", c.path);
        const kinds: [string, readonly string[]][] = [["requests", settings.requests], ["limits", settings.limits]];
        return kinds.flatMap(([kind, required]) => {
            const values = childObject(declared, kind, resourcesPath);
            const missing = required.filter((resource) => !hasChild(values, resource));
            if (missing.length === 0) {
                return [];
            }
            return [{
                container: c.name,
                path: `${resourcesPath}.${kind}`,
                message: `${containerLabel(c.name)} sets no ${kind} for ${missing.join(", ")}; set resources.${kind}.${missing[0]}${missing.length > 1 ? " and the others" : ""}`,
            }];
        });
    });
}

/** Splits an image reference into its tag and digest (either may be absent). */
export function imageReference(image: string): { tag: string | undefined; digest: string | undefined } {
    const at = image.indexOf("@");
    const digest = at === -1 ? undefined : image.slice(at + 1);
    const name = at === -1 ? image : image.slice(0, at);
    const lastSlash = name.lastIndexOf("/");
    const colon = name.indexOf(":", lastSlash + 1);
    return { tag: colon === -1 ? undefined : name.slice(colon + 1), digest };
}

function imagePinned(pod: PodView, settings: ExtraSettings): Finding[] {
    return containersOf(pod).flatMap((c) => {
        const image = childString(c.object, "image", c.path) ?? "";
        const { tag, digest } = imageReference(image);
        const pinned = digest !== undefined || (!settings.requireDigest && tag !== undefined && tag !== "latest");
        if (pinned) {
            return [];
        }
        const requirement = settings.requireDigest ? "by digest (image@sha256:...)" : "by a version tag other than latest, or by digest";
        return [{
            container: c.name,
            path: `${c.path}.image`,
            message: `${containerLabel(c.name)} uses image ${JSON.stringify(image)}, which is not pinned; pin it ${requirement}`,
        }];
    });
}

function readOnlyRootFilesystem(pod: PodView): Finding[] {
    return containersOf(pod, ["initContainers", "containers"])
        .filter((c) => childBoolean(c.securityContext, "readOnlyRootFilesystem", c.securityContextPath) !== true)
        .map((c) => ({
            container: c.name,
            path: `${c.securityContextPath}.readOnlyRootFilesystem`,
            message: `${containerLabel(c.name)} has a writable root filesystem; set securityContext.readOnlyRootFilesystem=true and mount an emptyDir where it must write`,
        }));
}

function automountServiceAccountToken(pod: PodView): Finding[] {
    if (childBoolean(pod.spec, "automountServiceAccountToken", pod.specPath) === false) {
        return [];
    }
    return [{
        container: null,
        path: `${pod.specPath}.automountServiceAccountToken`,
        message: "pod mounts a service account token; set automountServiceAccountToken=false unless it calls the Kubernetes API (then exempt it with a reason)",
    }];
}

function probes(pod: PodView, settings: ExtraSettings): Finding[] {
    if (!LONG_RUNNING_KINDS.has(pod.kind)) {
        return [];
    }
    return containersOf(pod, ["containers"]).flatMap((c) => {
        const missing = settings.probes.filter((probe) => !hasChild(c.object, `${probe}Probe`));
        if (missing.length === 0) {
            return [];
        }
        return [{
            container: c.name,
            path: `${c.path}.${missing[0]}Probe`,
            message: `${containerLabel(c.name)} defines no ${missing.join(" or ")} probe; add ${missing.map((probe) => `${probe}Probe`).join(" and ")}`,
        }];
    });
}

export const EXTRA_CONTROLS: readonly ExtraControl[] = [
    {
        id: "resources",
        policyName: "pss-extra-resources",
        title: "Resource requests and limits",
        description: "Containers set the configured resource requests and limits.",
        severity: "medium",
        check: resources,
    },
    {
        id: "imagePinned",
        policyName: "pss-extra-image-pinned",
        title: "Pinned images",
        description: "Container images are pinned by a version tag other than latest, or by digest.",
        severity: "medium",
        check: imagePinned,
    },
    {
        id: "readOnlyRootFilesystem",
        policyName: "pss-extra-read-only-root-filesystem",
        title: "Read-only root filesystem",
        description: "Containers run with a read-only root filesystem.",
        severity: "medium",
        check: readOnlyRootFilesystem,
    },
    {
        id: "automountServiceAccountToken",
        policyName: "pss-extra-service-account-token",
        title: "No automounted service account token",
        description: "Pods do not mount a service account token unless they need one.",
        severity: "medium",
        check: automountServiceAccountToken,
    },
    {
        id: "probes",
        policyName: "pss-extra-probes",
        title: "Health probes",
        description: "Long-running containers define the configured health probes.",
        severity: "low",
        check: probes,
    },
];
