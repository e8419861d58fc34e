/**
 * Where each workload kind keeps its pod template: the same objects PodSecurity admission extracts a
 * pod spec from, keyed by Pulumi type token (`kubernetes:<group>/<version>:<Kind>`, group `core` for
 * the legacy core group). Typed SDK resources and the raw manifests that Helm v4 charts and yaml/v2
 * register as children carry the same Kubernetes field names, so one table serves both.
 */
import { JsonObject, ManifestError, objectAt } from "./fields";
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

/** The paths of a kind's pod template, built once: each object on the way to it, its spec and its metadata. */
interface TemplatePaths {
    readonly steps: readonly (readonly [key: string, path: string])[];
    readonly specPath: string;
    readonly metadataPath: string;
}

const TEMPLATE_PATHS: Readonly<Record<string, TemplatePaths>> = Object.fromEntries(
    Object.entries(WORKLOAD_KINDS).map(([kind, { template }]) => {
        const prefix = template.length === 0 ? "" : `${template.join(".")}.`;
        const steps = template.map((key, index) => [key, template.slice(0, index + 1).join(".")] as const);
        return [kind, { steps, specPath: `${prefix}spec`, metadataPath: `${prefix}metadata` }];
    }),
);

/** The workload kind of every Pulumi type token whose resources embed a pod template. */
const KIND_BY_TYPE_TOKEN: ReadonlyMap<string, string> = new Map(
    Object.entries(WORKLOAD_KINDS).flatMap(([kind, location]) => location.apiVersions.map((apiVersion) => [`kubernetes:${apiVersion}:${kind}`, kind] as const)),
);

/** Every Pulumi type token whose resources embed a pod template. */
export const WORKLOAD_TYPE_TOKENS: readonly string[] = [...KIND_BY_TYPE_TOKEN.keys()];

/** The apiVersions a workload kind is known under, or undefined when the kind embeds no pod template. */
export function apiVersionsOfKind(kind: string): readonly string[] | undefined {
    return Object.prototype.hasOwnProperty.call(WORKLOAD_KINDS, kind) ? WORKLOAD_KINDS[kind].apiVersions : undefined;
}

/** The workload kind of a type token, or undefined when resources of that type hold no pod template. */
export function workloadKindOf(typeToken: string): string | undefined {
    return KIND_BY_TYPE_TOKEN.get(typeToken);
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
    const paths = TEMPLATE_PATHS[kind];
    let template: JsonObject = props;
    for (const [key, path] of paths.steps) {
        const next = objectAt(template[key], path);
        if (next === undefined) {
            throw new ManifestError(path, "an object (the pod template)", template[key]);
        }
        template = next;
    }
    const spec = objectAt(template.spec, paths.specPath);
    if (spec === undefined) {
        throw new ManifestError(paths.specPath, "an object (the pod spec)", template.spec);
    }
    return { kind, metadata: objectAt(template.metadata, paths.metadataPath), spec, metadataPath: paths.metadataPath, specPath: paths.specPath };
}
