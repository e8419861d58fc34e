import { childBoolean, childList, childObject, childString, JsonObject, optionalObject, optionalString } from "./fields";

/** The pod template a workload embeds, with the paths that locate it inside the workload document. */
export interface PodView {
    /** Kind of the document that holds the pod template, e.g. `Deployment`. */
    readonly kind: string;
    readonly metadata: JsonObject | undefined;
    readonly spec: JsonObject;
    /** Path of the pod metadata in the document, e.g. `spec.template.metadata`. */
    readonly metadataPath: string;
    /** Path of the pod spec in the document, e.g. `spec.template.spec`. */
    readonly specPath: string;
}

export const CONTAINER_LISTS = ["initContainers", "containers", "ephemeralContainers"] as const;
export type ContainerList = (typeof CONTAINER_LISTS)[number];

export interface ContainerView {
    readonly list: ContainerList;
    readonly name: string;
    readonly path: string;
    readonly object: JsonObject;
    readonly securityContext: JsonObject | undefined;
    readonly securityContextPath: string;
}

/**
 * Every container of the pod in PodSecurity's order: init containers, containers, then ephemeral
 * containers (whose common fields are checked exactly like the others).
 */
export function containersOf(pod: PodView, lists: readonly ContainerList[] = CONTAINER_LISTS): readonly ContainerView[] {
    const all = allContainers(pod);
    return lists === CONTAINER_LISTS ? all : all.filter((container) => lists.includes(container.list));
}

/** Every check visits the containers; reading them once per pod template keeps a full evaluation cheap. */
const containerCache = new WeakMap<PodView, readonly ContainerView[]>();

function allContainers(pod: PodView): readonly ContainerView[] {
    const cached = containerCache.get(pod);
    if (cached !== undefined) {
        return cached;
    }
    const result: ContainerView[] = [];
    for (const listName of CONTAINER_LISTS) {
        const items = childList(pod.spec, listName, pod.specPath);
        for (let index = 0; index < items.length; index++) {
            const path = `${pod.specPath}.${listName}[${index}]`;
            const object = optionalObject(items[index], path) ?? {};
            result.push({
                list: listName,
                name: childString(object, "name", path) ?? "",
                path,
                object,
                securityContext: childObject(object, "securityContext", path),
                securityContextPath: `${path}.securityContext`,
            });
        }
    }
    containerCache.set(pod, result);
    return result;
}

/** How messages name a container. */
export function containerLabel(name: string): string {
    return `container ${JSON.stringify(name)}`;
}

export function podSecurityContext(pod: PodView): JsonObject | undefined {
    return childObject(pod.spec, "securityContext", pod.specPath);
}

export function podSecurityContextPath(pod: PodView): string {
    return `${pod.specPath}.securityContext`;
}

/** `spec.os.name: windows`: from v1.25 some restricted checks do not apply to Windows pods. */
export function isWindowsPod(pod: PodView): boolean {
    const os = childObject(pod.spec, "os", pod.specPath);
    return childString(os, "name", `${pod.specPath}.os`) === "windows";
}

/** `spec.hostUsers: false`: the pod runs in a user namespace, which relaxes some checks from v1.35. */
export function isUserNamespacePod(pod: PodView): boolean {
    return childBoolean(pod.spec, "hostUsers", pod.specPath) === false;
}

/**
 * Annotation keys of the pod template matching a prefix, with their values. Only the matching values
 * are read, so an unrelated annotation that is unknown during preview does not block a check.
 */
export function annotationsWithPrefix(pod: PodView, prefix: string): { key: string; value: string; path: string }[] {
    const annotations = childObject(pod.metadata, "annotations", pod.metadataPath);
    if (annotations === undefined) {
        return [];
    }
    return Object.keys(annotations)
        .filter((key) => key.startsWith(prefix))
        .sort()
        .map((key) => annotation(pod, annotations, key));
}

/** One annotation of the pod template, or undefined when it is absent. */
export function annotationValue(pod: PodView, key: string): { key: string; value: string; path: string } | undefined {
    const annotations = childObject(pod.metadata, "annotations", pod.metadataPath);
    if (annotations === undefined || !Object.prototype.hasOwnProperty.call(annotations, key)) {
        return undefined;
    }
    return annotation(pod, annotations, key);
}

function annotation(pod: PodView, annotations: JsonObject, key: string): { key: string; value: string; path: string } {
    const path = `${pod.metadataPath}.annotations[${JSON.stringify(key)}]`;
    return { key, value: optionalString(annotations[key], path) ?? "", path };
}
