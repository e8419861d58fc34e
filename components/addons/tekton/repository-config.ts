import { z } from "zod";
import { imageReference, ReportIssue, resourceName, secretKeyName, storageSize, urlPath } from "../../fields";
import { DeepReadonly } from "../../readonly";
import { projectYamlFile } from "../../platform/project-files";
import { ciTaskNames } from "./names";

/**
 * `groundwork:addons.tekton.manifests` and `.webhooks`: Tekton Pipelines, Tasks and TriggerBindings
 * of the stack's own, from repository files, and the webhooks that start those Pipelines through the
 * CI namespace's EventListener. The files are read and checked at validation; checkRepositoryTekton
 * checks what needs every file and webhook together. The objects are made in ../ci/webhooks.ts.
 */

/** The kinds a manifests file may hold, each at the API version Groundwork applies. */
const manifestKinds = {
    Pipeline: "tekton.dev/v1",
    Task: "tekton.dev/v1",
    TriggerBinding: "triggers.tekton.dev/v1beta1",
} as const;
export type ManifestKind = keyof typeof manifestKinds;

interface Named {
    name: string;
    default?: unknown;
    optional?: boolean;
}

/** A Tekton object from a repository file; checked only as far as Groundwork relies on it. */
export interface TektonManifest {
    apiVersion: string;
    kind: ManifestKind;
    metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    spec: {
        params?: (Named & { value?: string })[];
        workspaces?: Named[];
        tasks?: { name: string; taskRef?: { name?: string; resolver?: string }; params?: Named[]; workspaces?: { name: string; workspace: string }[] }[];
        finally?: { name: string; taskRef?: { name?: string; resolver?: string }; params?: Named[]; workspaces?: { name: string; workspace: string }[] }[];
        steps?: { name?: string; image?: string }[];
        [key: string]: unknown;
    };
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const isList = (value: unknown): value is unknown[] => Array.isArray(value);
const namedList = (value: unknown): boolean => value === undefined || (isList(value) && value.every((item) => typeof (item as Named | null)?.name === "string"));

function manifestProblems(document: unknown): string[] {
    const manifest = document as Partial<TektonManifest> | null;
    if (manifest === null || typeof manifest !== "object" || isList(manifest)) {
        return ["is not a map"];
    }
    const kind = manifest.kind as string;
    const expected = Object.entries(manifestKinds).map(([name, version]) => `${version} ${name}`).join(", ");
    if (!(kind in manifestKinds) || manifest.apiVersion !== manifestKinds[kind as ManifestKind]) {
        return [`is ${String(manifest.apiVersion)} ${String(kind)}; a manifests file holds ${expected}`];
    }
    const name = manifest.metadata?.name;
    if (typeof name !== "string" || name.length > 63 || !dnsLabel.test(name)) {
        return [`(${kind}) has metadata.name ${JSON.stringify(name)}: it must be a lower-case RFC 1123 label such as "check-crd-readiness"`];
    }
    const problems: string[] = [];
    const at = `(${kind} ${name})`;
    if ((manifest.metadata as Record<string, unknown>).namespace !== undefined) {
        problems.push(`${at} sets metadata.namespace: remove it (Groundwork applies it in the CI namespace)`);
    }
    const spec = manifest.spec;
    if (spec === undefined || typeof spec !== "object") {
        return [...problems, `${at} has no spec`];
    }
    for (const key of ["params", "workspaces"] as const) {
        if (!namedList(spec[key])) {
            problems.push(`${at} spec.${key} must be a list of {name: ...}`);
        }
    }
    if (kind === "Task") {
        if (!isList(spec.steps) || spec.steps.length === 0) {
            problems.push(`${at} spec.steps must list at least one step`);
        } else {
            spec.steps.forEach((step, s) => {
                const image = imageReference.safeParse(step?.image);
                if (!image.success) {
                    problems.push(`${at} spec.steps[${s}].image (${JSON.stringify(step?.image)}) ${image.error.issues[0].message}`);
                }
            });
        }
    }
    if (kind === "Pipeline" && (!isList(spec.tasks) || spec.tasks.length === 0 || !namedList(spec.tasks) || (spec.finally !== undefined && !namedList(spec.finally)))) {
        problems.push(`${at} spec.tasks must list at least one task, each with a name (and so must spec.finally, when set)`);
    }
    if (kind === "TriggerBinding" && (!isList(spec.params) || spec.params.some((param) => typeof param.value !== "string"))) {
        problems.push(`${at} spec.params must list {name, value} pairs, such as {name: revision, value: $(body.source.revision)}`);
    }
    return problems;
}

const manifestFile = projectYamlFile("deploy/tekton/pipelines.yaml", "Tekton Pipelines, Tasks and TriggerBindings", manifestProblems,
    (file, documents) => ({ path: file, manifests: documents as TektonManifest[] }));

const workspaceSchema = z.strictObject({
    size: storageSize.optional().describe("A fresh volume of this size per run (a volumeClaimTemplate); the CI quota counts the kept runs' volumes."),
    secret: resourceName.optional().describe("A Secret you create in the CI namespace, such as a kubeconfig."),
}).refine((workspace) => (workspace.size === undefined) !== (workspace.secret === undefined), "must set exactly one of size (a volume per run) or secret (a Secret in the CI namespace)");

const webhookSchema = z.strictObject({
    name: resourceName.describe("Names the webhook's TriggerTemplate, trigger and HMAC Secret (<name>-webhook-secret)."),
    path: urlPath.describe("Path on the EventListener's host that the sender posts to, such as /webhook/quantum-deploy."),
    pipeline: resourceName.describe("A Pipeline from manifests; each delivery starts a run of it."),
    bindings: z.array(resourceName).min(1, "must list at least one TriggerBinding from manifests").describe("TriggerBindings from manifests that map the delivery's JSON to the Pipeline's params."),
    workspaces: z.record(resourceName, workspaceSchema).default({}).describe("What each of the Pipeline's workspaces is bound to in a run."),
    hmacKey: z.strictObject({ tier: resourceName, secret: secretKeyName }).optional()
        .describe("The application secret of the tier that sends the deliveries ({tier, secret}), when sender and EventListener share its key; a key from @pulumi/random otherwise."),
});

/** The Tekton settings the repository manifests and webhooks add. */
export const repositoryTektonFields = {
    manifests: z.array(manifestFile).default([])
        .describe("Repository files (relative to Pulumi.yaml) of your own Pipelines, Tasks (tekton.dev/v1) and TriggerBindings (triggers.tekton.dev/v1beta1), checked at validation and applied in the CI namespace."),
    webhooks: z.array(webhookSchema).default([])
        .describe("Webhooks that start a Pipeline from manifests: routed by path, verified by HMAC (X-Hub-Signature-256), bound by TriggerBindings."),
};

export type RepositoryManifestFile = DeepReadonly<z.output<typeof manifestFile>>;
export type RepositoryWebhook = DeepReadonly<z.output<typeof webhookSchema>>;

const ownTaskNames: readonly string[] = Object.values(ciTaskNames);

type RepositoryTekton = {
    manifests: readonly RepositoryManifestFile[];
    webhooks: readonly RepositoryWebhook[];
    pipelines: readonly { tier: string }[];
};

/**
 * The checks that need every file and webhook: unique names, none taken by Groundwork's own Tekton
 * objects, Pipelines that run Tasks from the files with the params those declare, and webhooks whose
 * Pipeline, bindings and workspaces fit together. `report` paths are relative to addons.tekton.
 */
export function checkRepositoryTekton(tekton: RepositoryTekton, tiers: readonly { name: string; secrets?: readonly string[] }[], report: ReportIssue): void {
    const defined = new Map<string, { file: number; manifest: DeepReadonly<TektonManifest> }>();
    const ownPipelines = new Set(tekton.pipelines.flatMap(({ tier }) => ["ci", "deploy", "cleanup"].map((kind) => `${tier}-${kind}`)));
    tekton.manifests.forEach((file, f) => file.manifests.forEach((manifest) => {
        const key = `${manifest.kind}/${manifest.metadata.name}`;
        const other = defined.get(key);
        if (other !== undefined) {
            report(["manifests", f], `defines ${manifest.kind} ${manifest.metadata.name}, which ${tekton.manifests[other.file].path} defines too: each object once`);
        } else if ((manifest.kind === "Task" && ownTaskNames.includes(manifest.metadata.name)) || (manifest.kind === "Pipeline" && ownPipelines.has(manifest.metadata.name))) {
            report(["manifests", f], `defines ${manifest.kind} ${manifest.metadata.name}, which Groundwork's own CI pipelines use: rename it`);
        }
        defined.set(key, { file: f, manifest });
    }));
    const find = (kind: ManifestKind, name: string) => defined.get(`${kind}/${name}`)?.manifest;

    tekton.manifests.forEach((file, f) => file.manifests.filter((manifest) => manifest.kind !== "TriggerBinding").forEach((manifest) => {
        const declared = (manifest.spec.params ?? []).map((param) => param.name);
        for (const name of new Set([...JSON.stringify(manifest.spec).matchAll(/\$\(params\.([A-Za-z0-9_-]+)/g)].map((match) => match[1]))) {
            if (!declared.includes(name)) {
                report(["manifests", f], `${manifest.kind} ${manifest.metadata.name} refers to $(params.${name}), which it does not declare in spec.params: declare it or correct the name`);
            }
        }
    }));

    tekton.manifests.forEach((file, f) => file.manifests.filter((manifest) => manifest.kind === "Pipeline").forEach((pipeline) => {
        const workspaces = new Set((pipeline.spec.workspaces ?? []).map((workspace) => workspace.name));
        for (const task of [...(pipeline.spec.tasks ?? []), ...(pipeline.spec.finally ?? [])]) {
            const at = `Pipeline ${pipeline.metadata.name}, task ${task.name}`;
            for (const binding of task.workspaces ?? []) {
                if (!workspaces.has(binding.workspace)) {
                    report(["manifests", f], `${at}: binds workspace ${binding.workspace}, which the Pipeline does not declare in spec.workspaces`);
                }
            }
            if (task.taskRef?.resolver !== undefined || task.taskRef?.name === undefined) {
                continue;
            }
            const definition = find("Task", task.taskRef.name);
            if (definition === undefined) {
                report(["manifests", f], `${at}: taskRef ${task.taskRef.name} names no Task in manifests: add the Task's file or correct the name`);
                continue;
            }
            const declared = (definition.spec.params ?? []).map((param) => param.name);
            const given = (task.params ?? []).map((param) => param.name);
            for (const name of given.filter((param) => !declared.includes(param))) {
                report(["manifests", f], `${at}: passes param ${name}, which Task ${definition.metadata.name} does not declare (it declares ${declared.join(", ") || "none"})`);
            }
            for (const param of (definition.spec.params ?? []).filter((candidate) => candidate.default === undefined && !given.includes(candidate.name))) {
                report(["manifests", f], `${at}: passes no value for param ${param.name} of Task ${definition.metadata.name}, which has no default`);
            }
        }
    }));

    const paths = new Map<string, number>();
    const names = new Map<string, number>();
    // Groundwork's own triggers, TriggerTemplates and HMAC Secrets are named after these.
    const ownTriggers = new Set(["github", ...tekton.pipelines.flatMap(({ tier }) => ["ci", "push", "deploy", "cleanup"].map((kind) => `${tier}-${kind}`))]);
    tekton.webhooks.forEach((webhook, w) => {
        if (names.has(webhook.name)) {
            report(["webhooks", w, "name"], "is already the name of another webhook");
        } else if (ownTriggers.has(webhook.name)) {
            report(["webhooks", w, "name"], "is the name of one of Groundwork's own CI triggers (github, <tier>-ci, -push, -deploy, -cleanup): choose another");
        }
        names.set(webhook.name, w);
        if (webhook.path === "/" || tekton.pipelines.some(({ tier }) => webhook.path === `/${tier}/deploy` || webhook.path === `/${tier}/cleanup`)) {
            report(["webhooks", w, "path"], "is a path of Groundwork's own CI webhooks (\"/\" and /<tier>/deploy, /<tier>/cleanup): choose another");
        } else if (paths.has(webhook.path)) {
            report(["webhooks", w, "path"], `is already the path of webhook ${tekton.webhooks[paths.get(webhook.path)!].name}: each path starts one pipeline`);
        }
        paths.set(webhook.path, w);

        if (webhook.hmacKey !== undefined) {
            const sender = tiers.find((tier) => tier.name === webhook.hmacKey!.tier);
            if (sender === undefined) {
                report(["webhooks", w, "hmacKey", "tier"], `names no configured tier (known: ${tiers.map((tier) => tier.name).join(", ")})`);
            } else if (!(sender.secrets ?? []).includes(webhook.hmacKey.secret)) {
                report(["webhooks", w, "hmacKey", "secret"], `is not among the secrets of tier "${sender.name}": add it to that tier's secrets, which hold its value`);
            }
        }

        const pipeline = find("Pipeline", webhook.pipeline);
        if (pipeline === undefined) {
            report(["webhooks", w, "pipeline"], `names no Pipeline in manifests (found: ${[...defined.values()].filter(({ manifest }) => manifest.kind === "Pipeline").map(({ manifest }) => manifest.metadata.name).join(", ") || "none"})`);
            return;
        }
        const params = (pipeline.spec.params ?? []).map((param) => param.name);
        const bound = new Set<string>();
        webhook.bindings.forEach((bindingName, b) => {
            const binding = find("TriggerBinding", bindingName);
            if (binding === undefined) {
                report(["webhooks", w, "bindings", b], "names no TriggerBinding in manifests: add its file or correct the name");
                return;
            }
            for (const param of binding.spec.params ?? []) {
                if (!params.includes(param.name)) {
                    report(["webhooks", w, "bindings", b], `binds ${param.name}, which Pipeline ${pipeline.metadata.name} does not declare (it declares ${params.join(", ") || "none"})`);
                }
                bound.add(param.name);
            }
        });
        for (const param of (pipeline.spec.params ?? []).filter((candidate) => candidate.default === undefined && !bound.has(candidate.name))) {
            report(["webhooks", w, "bindings"], `bind no value for param ${param.name} of Pipeline ${pipeline.metadata.name}, which has no default: add it to a TriggerBinding`);
        }
        const declared = pipeline.spec.workspaces ?? [];
        for (const name of Object.keys(webhook.workspaces).filter((workspace) => !declared.some((candidate) => candidate.name === workspace))) {
            report(["webhooks", w, "workspaces", name], `is not a workspace of Pipeline ${pipeline.metadata.name} (it declares ${declared.map((workspace) => workspace.name).join(", ") || "none"})`);
        }
        for (const workspace of declared.filter((candidate) => candidate.optional !== true && webhook.workspaces[candidate.name] === undefined)) {
            report(["webhooks", w, "workspaces"], `bind nothing to workspace ${workspace.name} of Pipeline ${pipeline.metadata.name}: add ${workspace.name}: {size: 1Gi} or {secret: <name>}`);
        }
    });
}

/** The TektonManifests of every file, in file order. */
export function repositoryManifests(files: readonly RepositoryManifestFile[]): readonly DeepReadonly<TektonManifest>[] {
    return files.flatMap((file) => file.manifests);
}
