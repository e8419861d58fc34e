import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { RepositoryManifestFile, RepositoryWebhook, repositoryManifests } from "../tekton/repository-config";
import { ciUserPodSecurityContext } from "./tasks";

/** Routes a delivery by the webhook URL's path, before any signature is checked. */
export function pathFilter(path: string) {
    return { ref: { name: "cel", kind: "ClusterInterceptor" }, params: [{ name: "filter", value: `requestURL.parseURL().path == '${path}'` }] };
}

/**
 * Verifies the HMAC signature in X-Hub-Signature-256 with the secret's key `secret`; with an event
 * type, also GitHub's X-GitHub-Event header (senders other than GitHub send none).
 */
export function hmacSignature(secretName: pulumi.Input<string>, eventType?: string) {
    return {
        ref: { name: "github", kind: "ClusterInterceptor" },
        params: [
            { name: "secretRef", value: { secretName, secretKey: "secret" } },
            ...(eventType === undefined ? [] : [{ name: "eventTypes", value: [eventType] }]),
        ],
    };
}

export interface RepositoryPipelinesArgs {
    manifests: readonly RepositoryManifestFile[];
    webhooks: readonly RepositoryWebhook[];
    /** The tiers' application secrets (groundwork:tierSecrets), for webhooks whose key a tier holds. */
    tierSecrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
    namespace: pulumi.Output<string>;
    labels: Record<string, string>;
}

/** A webhook as the sender configures it: the path on the EventListener's host and its HMAC key (a secret output). */
export interface RepositoryWebhookEndpoint {
    name: string;
    path: string;
    secret: pulumi.Output<string>;
}

/** The account webhook-started runs use; it holds no API rights. */
const webhookRunsAccount = "webhook-runs";

/**
 * The stack's own Tekton objects: every Pipeline, Task and TriggerBinding of the manifests files as
 * written, in the CI namespace, and per webhook a TriggerTemplate starting its Pipeline with the bound
 * params and the configured workspaces, an HMAC key (a tier's application secret, or one from @pulumi/random) in a Secret, and the
 * EventListener trigger (path, then signature). The runs use an account with no API rights: what a
 * pipeline may do in the cluster comes from the credentials its workspaces bring (such as a kubeconfig
 * Secret), which the stack's owner grants.
 */
export function createRepositoryPipelines(prefix: string, args: RepositoryPipelinesArgs, opts: pulumi.CustomResourceOptions) {
    const { namespace, labels } = args;
    // A Pipeline is admitted only once the Tasks it names exist.
    const manifests = [...repositoryManifests(args.manifests)].sort((a, b) => Number(a.kind === "Pipeline") - Number(b.kind === "Pipeline"));
    const objects = new Map<string, { manifest: (typeof manifests)[number]; resource: k8s.apiextensions.CustomResource }>();
    for (const manifest of manifests) {
        const tasks = manifest.kind === "Pipeline" ? [...objects.values()].filter((object) => object.manifest.kind === "Task").map((object) => object.resource) : [];
        const resource = new k8s.apiextensions.CustomResource(`${prefix}-${manifest.kind.toLowerCase()}-${manifest.metadata.name}`, {
            apiVersion: manifest.apiVersion,
            kind: manifest.kind,
            metadata: { ...manifest.metadata, namespace, labels: { ...manifest.metadata.labels, ...labels } },
            spec: manifest.spec,
        }, pulumi.mergeOptions(opts, { dependsOn: tasks }));
        objects.set(`${manifest.kind}/${manifest.metadata.name}`, { manifest, resource });
    }
    const resources = [...objects.values()].map(({ resource }) => resource);
    if (args.webhooks.length === 0) {
        return { triggers: [], resources, endpoints: [] as RepositoryWebhookEndpoint[] };
    }

    const account = new k8s.core.v1.ServiceAccount(`${prefix}-webhook-runs`, {
        metadata: { name: webhookRunsAccount, namespace, labels },
        automountServiceAccountToken: false,
    }, opts);
    const webhooks = args.webhooks.map((webhook) => {
        const pipeline = objects.get(`Pipeline/${webhook.pipeline}`)!.manifest;
        const bound = [...new Set(webhook.bindings.flatMap((name) => (objects.get(`TriggerBinding/${name}`)!.manifest.spec.params ?? []).map((param) => param.name)))];
        const base = `${prefix}-webhook-${webhook.name}`;
        // Validation guarantees the value of a tier's secret that a webhook names.
        const key = webhook.hmacKey === undefined
            ? new random.RandomPassword(`${base}-hmac`, { length: 40, special: false }, { parent: opts.parent }).result
            : pulumi.secret(args.tierSecrets![webhook.hmacKey.tier][webhook.hmacKey.secret]);
        const secret = new k8s.core.v1.Secret(`${base}-hmac`, {
            metadata: { name: `${webhook.name}-webhook-secret`, namespace, labels },
            type: "Opaque",
            stringData: { secret: key },
        }, opts);
        const template = new k8s.apiextensions.CustomResource(`${base}-template`, {
            apiVersion: "triggers.tekton.dev/v1beta1",
            kind: "TriggerTemplate",
            metadata: { name: webhook.name, namespace, labels },
            spec: webhookTemplateSpec(webhook, pipeline.metadata.name, bound, account.metadata.name),
        }, pulumi.mergeOptions(opts, { dependsOn: [objects.get(`Pipeline/${webhook.pipeline}`)!.resource] }));
        return { trigger: webhookTrigger(webhook, secret.metadata.name), resources: [secret, template], endpoint: { name: webhook.name, path: webhook.path, secret: pulumi.secret(key) } };
    });
    return {
        triggers: webhooks.map(({ trigger }) => trigger),
        resources: [...resources, account, ...webhooks.flatMap((webhook) => webhook.resources)],
        endpoints: webhooks.map(({ endpoint }) => endpoint),
    };
}

/**
 * A webhook's run: its Pipeline with the params its bindings bind, and its workspaces (a Secret, or
 * a fresh claim of the configured size), as the account without API rights.
 */
export function webhookTemplateSpec(
    webhook: RepositoryWebhook,
    pipelineName: string,
    boundParams: readonly string[],
    accountName: pulumi.Input<string>,
): Record<string, unknown> {
    return {
        params: boundParams.map((name) => ({ name })),
        resourcetemplates: [{
            apiVersion: "tekton.dev/v1",
            kind: "PipelineRun",
            metadata: { generateName: `${pipelineName}-`, labels: { "groundwork.dev/webhook": webhook.name } },
            spec: {
                pipelineRef: { name: pipelineName },
                params: boundParams.map((name) => ({ name, value: `$(tt.params.${name})` })),
                workspaces: Object.entries(webhook.workspaces).map(([name, workspace]) => workspace.secret !== undefined
                    ? { name, secret: { secretName: workspace.secret } }
                    : { name, volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: workspace.size! } } } } }),
                taskRunTemplate: {
                    serviceAccountName: accountName,
                    podTemplate: { securityContext: ciUserPodSecurityContext },
                },
            },
        }],
    };
}

/** A webhook's trigger: routed by its path, verified with its own key (any event type), bound by its TriggerBindings. */
export function webhookTrigger(webhook: RepositoryWebhook, hmacSecretName: pulumi.Input<string>): Record<string, unknown> {
    return {
        name: webhook.name,
        interceptors: [pathFilter(webhook.path), hmacSignature(hmacSecretName)],
        bindings: webhook.bindings.map((ref) => ({ ref, kind: "TriggerBinding" })),
        template: { ref: webhook.name },
    };
}
