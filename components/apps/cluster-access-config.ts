import { z } from "zod";
import { ReportIssue } from "../fields";
import { DeepReadonly } from "../readonly";
import { projectYamlFile } from "../platform/project-files";

/**
 * `groundwork:tiers[].clusterAccess`: the cluster-wide API access of an operator tier, and the
 * CustomResourceDefinitions it serves. Its shape and the checks that need only the tier are here;
 * the component is cluster-access.ts.
 */

const verbs = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "escalate", "bind", "impersonate", "*"] as const;
/** Verbs that let the holder grant itself, or act as, more than the rules list. */
const escalatingVerbs: readonly string[] = ["escalate", "bind", "impersonate"];

const clusterRule = z.strictObject({
    apiGroups: z.array(z.string().regex(/^(\*|[a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$/, "must be an API group such as \"apps\" or \"atb.example.com\" (\"\" is the core group)"))
        .min(1, "must list at least one API group (\"\" is the core group)"),
    resources: z.array(z.string().regex(/^(\*|[a-z][a-z0-9]*(\/[a-z]+)?)$/, "must be a lower-case plural resource such as \"brokers\" or \"brokers/status\""))
        .min(1, "must list at least one resource"),
    verbs: z.array(z.enum(verbs)).min(1, "must list at least one verb"),
    resourceNames: z.array(z.string().min(1)).optional().describe("Limits the rule to these objects."),
});

/** A CustomResourceDefinition document as the API server takes it; checked only as far as Groundwork relies on it. */
export interface CrdManifest {
    apiVersion: "apiextensions.k8s.io/v1";
    kind: "CustomResourceDefinition";
    metadata: { name: string; [key: string]: unknown };
    spec: { group: string; names: { plural: string }; [key: string]: unknown };
    [key: string]: unknown;
}

/** Reads a repository file of CustomResourceDefinitions at validation time, reporting what is wrong with it. */
const crdFile = projectYamlFile("deploy/crds/brokers.yaml", "CustomResourceDefinitions", crdProblems,
    (file, documents): { path: string; definitions: CrdManifest[] } => ({ path: file, definitions: documents as CrdManifest[] }));

function crdProblems(document: unknown): string[] {
    const crd = document as Partial<CrdManifest> | null;
    if (crd === null || typeof crd !== "object") {
        return ["is not a map"];
    }
    if (crd.apiVersion !== "apiextensions.k8s.io/v1" || crd.kind !== "CustomResourceDefinition") {
        return [`is ${String(crd.apiVersion)} ${String(crd.kind)}, not apiextensions.k8s.io/v1 CustomResourceDefinition`];
    }
    const group = crd.spec?.group;
    const plural = crd.spec?.names?.plural;
    if (typeof group !== "string" || typeof plural !== "string") {
        return ["has no spec.group or spec.names.plural"];
    }
    return crd.metadata?.name === `${plural}.${group}` ? [] : [`is named ${JSON.stringify(crd.metadata?.name)}; the API server requires "${plural}.${group}" (<plural>.<group>)`];
}

const crdChart = z.strictObject({
    repository: z.string().regex(/^(https:\/\/|oci:\/\/)\S+$/, "must be an https:// Helm repository or an oci:// registry URL"),
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a chart name such as \"atb-operator-crds\""),
    version: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, "must be an exact chart version such as \"1.4.2\" (ranges would let the CRDs change unreviewed)"),
});

const crdSource = z.strictObject({
    file: crdFile.optional().describe("A file of CustomResourceDefinitions in the project, relative to Pulumi.yaml; read and checked at validation."),
    chart: crdChart.optional().describe("A chart that holds the CRDs, at an exact version; every object it renders is installed."),
}).refine((source) => (source.file === undefined) !== (source.chart === undefined), "must set exactly one of file (a CRD file in the project) or chart ({repository, name, version})");

export const clusterAccessSchema = z.strictObject({
    rules: z.array(clusterRule).min(1, "must list at least one rule")
        .describe("ClusterRole rules; \"*\" and the verbs escalate, bind and impersonate need allowPrivilegeEscalation."),
    crds: z.array(crdSource).default([]).describe("The CustomResourceDefinitions the tier serves: created before it, and its pods wait for them."),
    allowPrivilegeEscalation: z.strictObject({
        reason: z.string().trim().min(20, "must say why the operator needs it (at least 20 characters), for the reviewers who read the stack file")
            .describe("Why the operator needs it; recorded on the ClusterRole."),
    }).optional().describe("Opt-in for rules that can grant more than they list (\"*\", escalate, bind, impersonate)."),
}).optional().describe("Cluster-wide API access of an operator tier: a ClusterRole bound to its ServiceAccount, and its CRDs.");

export type ClusterAccessConfig = DeepReadonly<NonNullable<z.output<typeof clusterAccessSchema>>>;

interface Escalation {
    path: (string | number)[];
    what: string;
}

/** What a rule grants beyond its list, with the key path of each grant. */
function escalations(access: ClusterAccessConfig): Escalation[] {
    return access.rules.flatMap((rule, r): Escalation[] => [
        ...rule.apiGroups.flatMap((group, g): Escalation[] => group === "*" ? [{ path: ["rules", r, "apiGroups", g], what: "every API group" }] : []),
        ...rule.resources.flatMap((resource, s): Escalation[] => resource === "*" ? [{ path: ["rules", r, "resources", s], what: "every resource" }] : []),
        ...rule.verbs.flatMap((verb, v): Escalation[] => verb === "*" ? [{ path: ["rules", r, "verbs", v], what: "every verb, escalate, bind and impersonate included" }]
            : escalatingVerbs.includes(verb) ? [{ path: ["rules", r, "verbs", v], what: "more than the rules list" }] : []),
    ]);
}

/** The checks that need the whole clusterAccess section: escalation without a stated reason, and a reason nothing needs. */
export function checkClusterAccess(access: ClusterAccessConfig, at: (string | number)[], report: ReportIssue): void {
    const found = escalations(access);
    if (access.allowPrivilegeEscalation === undefined) {
        for (const { path: where, what } of found) {
            report([...at, ...where], `grants ${what} cluster-wide: list exactly what the operator needs, `
                + "or set clusterAccess.allowPrivilegeEscalation.reason to say why it must have this");
        }
    } else if (found.length === 0) {
        report([...at, "allowPrivilegeEscalation"], "is set, but no rule uses \"*\", escalate, bind or impersonate: remove it");
    }
}

/** CRD names each tier creates, for the check that no two tiers create the same CRD. */
export function crdNames(access: ClusterAccessConfig | undefined): { name: string; source: number }[] {
    return (access?.crds ?? []).flatMap((source, c) => (source.file?.definitions ?? []).map((crd) => ({ name: crd.metadata.name, source: c })));
}
