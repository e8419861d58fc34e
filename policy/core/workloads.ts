/**
 * Where each workload kind keeps its pod template: the same objects PodSecurity admission extracts a
 * pod spec from, keyed by Pulumi type token (`kubernetes:<group>/<version>:<Kind>`, group `core` for
 * the legacy core group). Typed SDK resources and the raw manifests that Helm v4 charts and yaml/v2
 * register as children carry the same Kubernetes field names, so one table serves both.
 */
import { JsonObject, ManifestError, optionalObject } from "./fields";
import { PodView } from "./pod";

interface TemplateLocation {
    /** Path of the pod template object, or empty when the document is itself the pod. */
    readonly template: readonly string[];
    readonly apiVersions: readonly string[];
}

const CONTROLLER_TEMPLATE = ["spec", "template"];

const WORKLOAD_KINDS: Readonly<Record<string, TemplateLocation>> = {
    Pod: { template: [], apiVersions: ["core/v1"] },
    PodTemplate: { template: ["template"], apiVersions: ["core/v1"] },
    ReplicationController: { template: CONTROLLER_TEMPLATE, apiVersions: ["core/v1"] },
    ReplicaSet: { template: CONTROLLER_TEMPLATE, apiVersions: ["apps/v1", "apps/v1beta2", "extensions/v1beta1"] },
    Deployment: { template: CONTROLLER_TEMPLATE, apiVersions: ["apps/v1", "apps/v1beta1", "apps/v1beta2", "extensions/v1beta1"] },
    StatefulSet: { template: CONTROLLER_TEMPLATE, apiVersions: ["apps/v1", "apps/v1beta1", "apps/v1beta2"] },
    DaemonSet: { template: CONTROLLER_TEMPLATE, apiVersions: ["apps/v1", "apps/v1beta2", "extensions/v1beta1"] },
    Job: { template: CONTROLLER_TEMPLATE, apiVersions: ["batch/v1"] },
    CronJob: { template: ["spec", "jobTemplate", "spec", "template"], apiVersions: ["batch/v1", "batch/v1beta1", "batch/v2alpha1"] },
};

/** Every Pulumi type token whose resources embed a pod template. */
export const WORKLOAD_TYPE_TOKENS: readonly string[] = Object.entries(WORKLOAD_KINDS).flatMap(([kind, location]) =>
    location.apiVersions.map((apiVersion) => `kubernetes:${apiVersion}:${kind}`),
);

/** The apiVersions a workload kind is known under, or undefined when the kind embeds no pod template. */
export function apiVersionsOfKind(kind: string): readonly string[] | undefined {
    return Object.prototype.hasOwnProperty.call(WORKLOAD_KINDS, kind) ? WORKLOAD_KINDS[kind].apiVersions : undefined;
}

const tokenRegExp = /^kubernetes:([^:]+):([^:]+)$/;

/** The workload kind of a type token, or undefined when resources of that type hold no pod template. */
export function workloadKindOf(typeToken: string): string | undefined {
    const match = tokenRegExp.exec(typeToken);
    if (match === null) {
        return undefined;
    }
    const [, apiVersion, kind] = match;
    return apiVersionsOfKind(kind)?.includes(apiVersion) ? kind : undefined;
}

/** The Pulumi type token of a manifest's `apiVersion` and `kind` (`v1` becomes `core/v1`). */
export function typeTokenOf(apiVersion: string, kind: string): string {
    return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

/**
 * The pod template of a workload, or undefined when the type holds none. A workload whose template is
 * missing or malformed is an invalid manifest.
 */
export function podSpecOf(typeToken: string, props: JsonObject): PodView | undefined {
    const kind = workloadKindOf(typeToken);
    if (kind === undefined) {
        return undefined;
    }
    let template: JsonObject = props;
    let path = "";
    for (const key of WORKLOAD_KINDS[kind].template) {
        path = path === "" ? key : `${path}.${key}`;
        const next = optionalObject(template[key], path);
        if (next === undefined) {
            throw new ManifestError(path, "an object (the pod template)", template[key]);
        }
        template = next;
    }
    const prefix = path === "" ? "" : `${path}.`;
    const spec = optionalObject(template.spec, `${prefix}spec`);
    if (spec === undefined) {
        throw new ManifestError(`${prefix}spec`, "an object (the pod spec)", template.spec);
    }
    return {
        kind,
        metadata: optionalObject(template.metadata, `${prefix}metadata`),
        spec,
        metadataPath: `${prefix}metadata`,
        specPath: `${prefix}spec`,
    };
}
