/**
 * Shapes several Pod Security controls share: a field checked alike on the pod's and on every
 * container's security context, a requirement the pod may meet for all containers, the pod's volumes,
 * and the version gates that skip a control for some pods.
 */
import { JsonObject, listAt, objectAt, Place, stringAt } from "./fields";
import { PodRule, Report } from "./model";
import { ContainerScan, PodScan } from "./pod";

/**
 * Checks a security context of the pod (`owner` null) or of a container (`owner` its name). The
 * context sits at `place` + `.securityContext`.
 */
export type SecurityContextCheck = (context: JsonObject, owner: string | null, place: Place, report: Report) => void;

/** A check applied to the pod-level security context, then to each container's, skipping unset contexts. */
export function eachSecurityContext(check: SecurityContextCheck): PodRule {
    return {
        pod: (pod, report) => {
            const context = pod.securityContext();
            if (context !== undefined) {
                check(context, null, pod, report);
            }
        },
        container: (container, report) => {
            if (container.securityContext !== undefined) {
                check(container.securityContext, container.name, container, report);
            }
        },
    };
}

/** From v1.25 the pod OS field exempts Windows pods: the API rejects these Linux-only fields there. */
export function exceptWindows(rule: PodRule): PodRule {
    return { ...rule, appliesTo: (pod) => !pod.isWindows() };
}

/** From v1.35 a pod in a user namespace (`hostUsers: false`) may run as root inside it. */
export function exceptUserNamespaces(rule: PodRule): PodRule {
    return { ...rule, appliesTo: (pod) => !pod.usesUserNamespace() };
}

/** A requirement's state at one security context: met (true), unset (undefined), or the bad value as shown. */
export type RequirementState = true | undefined | string;

export interface Requirement {
    /** The field under `securityContext`, as paths show it, e.g. `seccompProfile.type`. */
    readonly field: string;
    /** The state of a security context (possibly unset) that sits at `place` + `.securityContext`. */
    readonly read: (context: JsonObject | undefined, place: Place) => RequirementState;
    readonly bad: (who: string, value: string) => string;
    readonly unset: (container: ContainerScan) => string;
}

/**
 * A restricted field the pod may set once for all containers, or each container may set. Explicitly
 * bad values fail wherever they are; an unset container value fails unless the pod-level value is met.
 */
export function podOrContainerRequirement(requirement: Requirement): PodRule {
    const suffix = `.securityContext.${requirement.field}`;
    return {
        pod: (pod, report) => {
            const state = requirement.read(pod.securityContext(), pod);
            if (typeof state === "string") {
                report.add(null, pod.path() + suffix, requirement.bad("pod", state));
            }
        },
        container: (container, report) => {
            const state = requirement.read(container.securityContext, container);
            if (typeof state === "string") {
                report.add(container.name, container.path() + suffix, requirement.bad(container.label(), state));
            } else if (state === undefined && requirement.read(container.pod.securityContext(), container.pod) !== true) {
                report.add(container.name, container.path() + suffix, requirement.unset(container));
            }
        },
    };
}

/** Calls `visit` with each volume of the pod and its name; a `null` entry is an unnamed volume without source. */
export function scanVolumes(
    pod: PodScan,
    report: Report,
    visit: (volume: JsonObject, name: string, index: number, pod: PodScan, report: Report) => void,
): void {
    const volumes = listAt(pod.spec.volumes, pod, ".volumes");
    if (volumes === undefined) {
        return;
    }
    for (let index = 0; index < volumes.length; index++) {
        const volume = objectAt(volumes[index], pod, ".volumes", index) ?? NO_VOLUME_SOURCE;
        visit(volume, stringAt(volume.name, pod, ".volumes", index, ".name") ?? "", index, pod, report);
    }
}

const NO_VOLUME_SOURCE: JsonObject = Object.freeze({});
