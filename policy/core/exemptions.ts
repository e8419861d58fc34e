/**
 * Exemptions: a control waived for workloads selected by namespace, workload name or container image,
 * always with a reason that is shown wherever the exemption applies.
 */
import { childObject, childString, JsonObject, stringAt } from "./fields";
import { Violation } from "./model";
import { containersOf, PodView } from "./pod";

export interface Exemption {
    /** Control ids the exemption waives. */
    readonly controls: readonly string[];
    /** Namespaces it applies in; any namespace when absent. */
    readonly namespaces?: readonly string[];
    /** Glob patterns (`*`, `?`) on the workload's metadata.name; any name when absent. */
    readonly names?: readonly string[];
    /** Glob patterns on container images; any image when absent. */
    readonly images?: readonly string[];
    readonly reason: string;
}

/**
 * What exemptions select on. `undefined` marks a value unknown during preview: no selector matches an
 * unknown value, so an exemption never applies on a guess.
 */
export interface WorkloadIdentity {
    readonly namespace: string | undefined;
    readonly name: string | undefined;
    /** Image of each container by name. */
    readonly images: ReadonlyMap<string, string | undefined>;
}

export interface ExemptedViolation extends Violation {
    readonly reason: string;
}

const globCache = new Map<string, RegExp>();

/** Whole-string glob match: `*` is any run of characters, `?` exactly one. */
export function globMatches(pattern: string, value: string): boolean {
    let regExp = globCache.get(pattern);
    if (regExp === undefined) {
        const source = pattern
            .split("")
            .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
            .join("");
        regExp = new RegExp(`^${source}$`, "s");
        globCache.set(pattern, regExp);
    }
    return regExp.test(value);
}

function anyGlob(patterns: readonly string[], value: string | undefined): boolean {
    return value !== undefined && patterns.some((pattern) => globMatches(pattern, value));
}

/**
 * Image selectors match a container-level violation by that container's image, and a pod-level
 * violation only when every container of the pod runs a matching image.
 */
function imagesMatch(patterns: readonly string[], violation: Violation, identity: WorkloadIdentity): boolean {
    if (violation.container !== null) {
        return anyGlob(patterns, identity.images.get(violation.container));
    }
    const images = [...identity.images.values()];
    return images.length > 0 && images.every((image) => anyGlob(patterns, image));
}

export function exemptionApplies(exemption: Exemption, violation: Violation, identity: WorkloadIdentity): boolean {
    return (
        exemption.controls.includes(violation.control) &&
        (exemption.namespaces === undefined || (identity.namespace !== undefined && exemption.namespaces.includes(identity.namespace))) &&
        (exemption.names === undefined || anyGlob(exemption.names, identity.name)) &&
        (exemption.images === undefined || imagesMatch(exemption.images, violation, identity))
    );
}

/** The first configured exemption that waives a violation, if any. */
export function findExemption(exemptions: readonly Exemption[], violation: Violation, identity: WorkloadIdentity): Exemption | undefined {
    return exemptions.find((exemption) => exemptionApplies(exemption, violation, identity));
}

/**
 * Prefix of the annotations by which a workload exempts itself from one control, the value being the
 * reason: `pss-exempt.groundwork.dev/<control id>: "<reason>"`. Honoured only when the pack allows it.
 */
export const EXEMPTION_ANNOTATION_PREFIX = "pss-exempt.groundwork.dev/";

/** The reason a workload's own annotation gives for exempting it from a control, if any. */
export function annotationExemptionReason(props: JsonObject, controlId: string): string | undefined {
    const annotations = childObject(childObject(props, "metadata", "metadata"), "annotations", "metadata");
    if (annotations === undefined) {
        return undefined;
    }
    const key = EXEMPTION_ANNOTATION_PREFIX + controlId;
    const reason = stringAt(annotations[key], `metadata.annotations[${JSON.stringify(key)}]`)?.trim();
    return reason === undefined || reason === "" ? undefined : reason;
}

/**
 * The image of each container. `isUnreadable` recognises errors that mean "not known yet", e.g. a
 * value unknown during preview; such an image is recorded as unknown rather than failing the read.
 */
export function containerImages(pod: PodView, isUnreadable: (error: unknown) => boolean): Map<string, string | undefined> {
    const images = new Map<string, string | undefined>();
    for (const container of containersOf(pod)) {
        try {
            images.set(container.name, childString(container.object, "image", container.path));
        } catch (error) {
            if (!isUnreadable(error)) {
                throw error;
            }
            images.set(container.name, undefined);
        }
    }
    return images;
}
