import { booleanAt, childObject, JsonObject, listAt, ManifestError, objectAt, stringAt } from "./fields";

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

const LIST_SUFFIXES: Readonly<Record<ContainerList, string>> = {
    initContainers: ".initContainers",
    containers: ".containers",
    ephemeralContainers: ".ephemeralContainers",
};

/** Stands in for a `null` container entry, which Kubernetes decodes as an empty container. */
const EMPTY_CONTAINER: JsonObject = Object.freeze({});

/**
 * A pod template as the Pod Security checks read it. Pod-level fields that several checks share are
 * read once per evaluation; paths are built only for findings and errors. One scan is reused from
 * evaluation to evaluation (`reset`), so checking a pod allocates nothing on the passing path.
 */
export class PodScan {
    view!: PodView;
    private securityContextRead = false;
    private securityContextValue: JsonObject | undefined;
    private annotationsRead = false;
    private annotationsValue: JsonObject | undefined;
    private windows: boolean | undefined;
    private userNamespace: boolean | undefined;

    reset(view: PodView): this {
        this.view = view;
        this.securityContextRead = false;
        this.securityContextValue = undefined;
        this.annotationsRead = false;
        this.annotationsValue = undefined;
        this.windows = undefined;
        this.userNamespace = undefined;
        return this;
    }

    get spec(): JsonObject {
        return this.view.spec;
    }

    /** The pod spec's path: the place pod-level reads are relative to. */
    path(): string {
        return this.view.specPath;
    }

    securityContext(): JsonObject | undefined {
        if (!this.securityContextRead) {
            this.securityContextValue = objectAt(this.view.spec.securityContext, this, ".securityContext");
            this.securityContextRead = true;
        }
        return this.securityContextValue;
    }

    /** `spec.os.name: windows`: from v1.25 some restricted checks do not apply to Windows pods. */
    isWindows(): boolean {
        if (this.windows === undefined) {
            const os = objectAt(this.view.spec.os, this, ".os");
            this.windows = os !== undefined && stringAt(os.name, this, ".os.name") === "windows";
        }
        return this.windows;
    }

    /** `spec.hostUsers: false`: the pod runs in a user namespace, which relaxes some checks from v1.35. */
    usesUserNamespace(): boolean {
        if (this.userNamespace === undefined) {
            this.userNamespace = booleanAt(this.view.spec.hostUsers, this, ".hostUsers") === false;
        }
        return this.userNamespace;
    }

    /** The pod template's annotations; their values are read one by one, see `annotation`. */
    annotations(): JsonObject | undefined {
        if (!this.annotationsRead) {
            this.annotationsValue = childObject(this.view.metadata, "annotations", this.view.metadataPath);
            this.annotationsRead = true;
        }
        return this.annotationsValue;
    }

    /**
     * One annotation's value ("" when it is empty or null), or undefined when it is absent. Only the
     * annotations a check asks for are read, so an unrelated annotation that is unknown during
     * preview does not block a check.
     */
    annotation(key: string): string | undefined {
        const annotations = this.annotations();
        if (annotations === undefined || !Object.prototype.hasOwnProperty.call(annotations, key)) {
            return undefined;
        }
        const value = annotations[key];
        if (typeof value === "string") {
            return value;
        }
        if (value === undefined || value === null) {
            return "";
        }
        throw new ManifestError(this.annotationPath(key), "a string", value);
    }

    annotationPath(key: string): string {
        return `${this.view.metadataPath}.annotations[${JSON.stringify(key)}]`;
    }
}

/** One container of a pod template during a scan; moved from container to container by `scanContainers`. */
export class ContainerScan {
    list: ContainerList = "containers";
    index = 0;
    object: JsonObject = EMPTY_CONTAINER;
    name = "";
    securityContext: JsonObject | undefined;

    constructor(readonly pod: PodScan) {}

    /** The container's path, e.g. `spec.containers[0]`. */
    path(): string {
        return `${this.pod.view.specPath}.${this.list}[${this.index}]`;
    }

    /** How messages name the container. */
    label(): string {
        return containerLabel(this.name);
    }

    moveTo(list: ContainerList, index: number, item: unknown): void {
        this.list = list;
        this.index = index;
        this.object = objectAt(item, this.pod, LIST_SUFFIXES[list], index) ?? EMPTY_CONTAINER;
        this.name = stringAt(this.object.name, this, ".name") ?? "";
        this.securityContext = objectAt(this.object.securityContext, this, ".securityContext");
    }
}

/**
 * Moves `container` over every container of its pod in PodSecurity's order: init containers,
 * containers, then ephemeral containers (whose common fields are checked exactly like the others).
 */
export function scanContainers(container: ContainerScan, visit: (container: ContainerScan) => void): void {
    const spec = container.pod.spec;
    for (const list of CONTAINER_LISTS) {
        const items = listAt(spec[list], container.pod, LIST_SUFFIXES[list]);
        if (items === undefined) {
            continue;
        }
        for (let index = 0; index < items.length; index++) {
            container.moveTo(list, index, items[index]);
            visit(container);
        }
    }
}

export interface ContainerView {
    readonly list: ContainerList;
    readonly name: string;
    readonly path: string;
    readonly object: JsonObject;
    readonly securityContext: JsonObject | undefined;
    readonly securityContextPath: string;
}

/** The containers of a pod in PodSecurity's order, optionally only those of some lists. */
export function containersOf(pod: PodView, lists: readonly ContainerList[] = CONTAINER_LISTS): readonly ContainerView[] {
    const all = allContainers(pod);
    return lists === CONTAINER_LISTS ? all : all.filter((container) => lists.includes(container.list));
}

/** The hardening controls each visit the containers; reading them once per pod template keeps that cheap. */
const containerCache = new WeakMap<PodView, readonly ContainerView[]>();

function allContainers(pod: PodView): readonly ContainerView[] {
    const cached = containerCache.get(pod);
    if (cached !== undefined) {
        return cached;
    }
    const result: ContainerView[] = [];
    scanContainers(new ContainerScan(new PodScan().reset(pod)), (container) => {
        const path = container.path();
        result.push({
            list: container.list,
            name: container.name,
            path,
            object: container.object,
            securityContext: container.securityContext,
            securityContextPath: `${path}.securityContext`,
        });
    });
    containerCache.set(pod, result);
    return result;
}

/** How messages name a container. */
export function containerLabel(name: string): string {
    return `container ${JSON.stringify(name)}`;
}

/** How messages name the owner of a security context: the pod, or a container. */
export function ownerLabel(container: string | null): string {
    return container === null ? "pod" : containerLabel(container);
}
