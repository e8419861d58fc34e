import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Environment, profileOf, replicasFor } from "../../platform/environment";
import { GuardedNamespace } from "../../platform/namespace";
import { serviceAccountBinding, standardLabels } from "../../platform/security";
import { Budget, budgetOf } from "../../platform/sizing";
import { IngressLayer, publicEndpoint, servingOf } from "../ingress-layer";
import { TektonSettings } from "../tekton/config";
import { ciTaskNames } from "../tekton/names";
import { deliveryClusterRoleRules, deliveryKinds, deliveryName, deliveryRoleRules, deliveryTemplateSpec, deliveryTrigger } from "./delivery";
import {
    ciEgressPolicyArgs, ciMetadata, ciPushTrigger, ciTriggerTemplateSpec, DeliveryKind, eventListenerAccount, eventListenerClusterRoleArgs,
    eventListenerName, eventListenerPod, eventListenerPort, eventListenerRules, eventListenerServiceName, eventListenerSpec, listenerIngressPolicyArgs,
    tektonObjectArgs, webhookPath,
} from "./event-listener";
import { ciAlertsArgs, pipelinesControllerPod, serviceMonitorArgs } from "./monitoring";
import {
    buildStepResources, ciPipelineSpec, ciStepResources, ciTaskSpecs, cleanupTaskSpec, deliveryPipelineSpec, deployTaskSpec, PipelineSettings, workspaceSize,
} from "./tasks";
import { createRepositoryPipelines } from "./webhooks";

/*
 * The platform's CI lives in addons/ci/ rather than in a components/ci/ unit of its own. It is not an
 * add-on install (that is addons/tekton/: the operator's chart and its TektonConfig), but it is built
 * on the add-ons (Tekton's CRDs, the ingress layer, the restricted contexts, Prometheus' CRDs), and
 * PlatformAddons must register it, as its parent since the Tekton split: a unit beside addons/ would
 * import addons/ while addons/ imports it, the cycle test/imports.spec.ts forbids. Its config stays
 * `groundwork:addons.tekton` (addons/tekton/config.ts), and its type token stays
 * groundwork:addons:CiPipelines, as the deployed URNs carry it. The component only registers objects
 * whose args the pure builders of ./event-listener.ts, ./delivery.ts, ./monitoring.ts, ./tasks.ts and
 * ./webhooks.ts make.
 */

export interface CiPipelinesArgs {
    environment: Environment;
    podSecurityVersion: string;
    settings: TektonSettings;
    /** Each tier's namespace by tier name: the deploy and cleanup pipelines act only there. */
    tierNamespaces: Readonly<Record<string, string>>;
    /** The tiers' application secrets (groundwork:tierSecrets): a webhook may verify with one. */
    tierSecrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
    /** Docker config JSON the pipelines push with (groundwork:ciRegistryCredentials); ambient credentials otherwise. */
    registryCredentials?: string;
    /** Serve the EventListener's webhookHost; needed only when it is set. */
    ingress?: IngressLayer;
    clusterIssuer?: pulumi.Input<string>;
    /** The TektonConfig: Pipelines and Triggers, and their CRDs, exist once it is Ready. */
    tektonReady: pulumi.Resource;
    /** The component these objects belonged to before the split: their state is found under it. */
    formerParent: pulumi.Resource;
    /** The stack's Prometheus, when monitoring is on: it scrapes Tekton and alerts on failed runs and rejected webhooks. */
    monitoring?: { namespace: string; crds: pulumi.Resource };
}

/**
 * The CI namespace and everything in it: per tier a CI Pipeline (clone, test, rootless image build,
 * push) started by GitHub pushes, and deploy and cleanup Pipelines started by GitHub deployment
 * events; the stack's own Pipelines, Tasks and TriggerBindings and their webhooks (./webhooks.ts);
 * one EventListener whose every trigger first routes by URL path and then verifies the
 * delivery's HMAC signature with its own secret from @pulumi/random, so that a delivery meant for
 * one trigger never counts as a failed signature on another.
 *
 * The namespace is guarded like every other: quota (the EventListener, `concurrentRuns` runs of the
 * largest pod, the kept runs' workspace volumes), container defaults, default-deny with only the
 * egress builds need (HTTPS, SSH and the API server) and the ingress the EventListener needs. Its
 * level is privileged: the rootless BuildKit step needs Unconfined seccomp and AppArmor (for its user
 * namespace and mounts), which even baseline forbids; every other step runs restricted.
 */
export class CiPipelines extends pulumi.ComponentResource {
    readonly namespace: pulumi.Output<string>;
    readonly eventListenerUrl: pulumi.Output<string>;
    /** The CI push webhook's HMAC secret (a secret output): paste it into the repository's webhook settings. */
    readonly webhookSecret: pulumi.Output<string>;
    /** Per tier and kind ("backend/deploy"), the deployment webhook's URL and HMAC secret (secret outputs). */
    readonly deliveryWebhooks: pulumi.Output<Record<string, { url: string; secret: string }>>;
    /** Per webhook of addons.tekton.webhooks (by name), its URL and HMAC secret (secret outputs). */
    readonly webhooks: pulumi.Output<Record<string, { url: string; secret: string }>>;
    readonly pipelines: k8s.apiextensions.CustomResource[];

    /** The CI namespace at peak. */
    static budget(settings: Pick<TektonSettings, "concurrentRuns" | "keepRuns" | "pipelines" | "webhooks">, highAvailability: boolean): Budget {
        const listeners = replicasFor(highAvailability);
        const claims = settings.pipelines.length * settings.keepRuns + settings.concurrentRuns;
        // A webhook's run claims its sized workspaces; the kept runs keep theirs, and every run may be one.
        const webhookVolumes = settings.webhooks.flatMap((webhook) => Object.values(webhook.workspaces).flatMap((workspace) =>
            workspace.size === undefined ? [] : Array<string>(settings.keepRuns + settings.concurrentRuns).fill(workspace.size)));
        return budgetOf([
            // The EventListener's Deployment and its rolling-update surge pod.
            { resources: ciStepResources, pods: listeners + 1 },
            // Each run: its largest pod (the image build), and Tekton's affinity-assistant pod holding its workspace.
            { resources: buildStepResources, pods: settings.concurrentRuns },
            { resources: ciStepResources, pods: settings.concurrentRuns, volumes: [...Array<string>(claims).fill(workspaceSize), ...webhookVolumes] },
        ]);
    }

    constructor(name: string, args: CiPipelinesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("groundwork:addons:CiPipelines", name, {}, {
            ...opts,
            // These objects were the Tekton component's children before the split, under the same names.
            transformations: [...(opts?.transformations ?? []), (resource) => ({
                props: resource.props,
                opts: pulumi.mergeOptions(resource.opts, { aliases: [{ parent: args.formerParent }] }),
            })],
        });
        const { settings, environment } = args;
        const { highAvailability } = profileOf(environment);
        const labels = standardLabels("tekton", "addon", environment);
        const prefix = name;

        const guarded = new GuardedNamespace(`${prefix}-ci-namespace`, {
            name: settings.ciNamespace,
            environment,
            podSecurityLevel: "privileged",
            podSecurityVersion: args.podSecurityVersion,
            budget: CiPipelines.budget(settings, highAvailability),
            containerDefaults: ciStepResources,
        }, { parent: this });
        const namespace = guarded.name;
        this.namespace = namespace;
        const metadata = (objectName: string, objectLabels = labels) => ciMetadata(objectName, namespace, objectLabels);
        const inCi = { parent: this, dependsOn: [guarded] };
        const afterTekton = { parent: this, dependsOn: [args.tektonReady, guarded] };

        new k8s.networking.v1.NetworkPolicy(`${prefix}-egress`, ciEgressPolicyArgs(namespace, labels), inCi);
        const listenerIngress = listenerIngressPolicyArgs(namespace, labels, {
            ingressNamespace: settings.webhookHost === undefined ? undefined : servingOf("groundwork:addons.tekton.webhookHost", args).ingress.namespace,
            prometheusNamespace: args.monitoring?.namespace,
        });
        if (listenerIngress) {
            new k8s.networking.v1.NetworkPolicy(`${prefix}-listener-ingress`, listenerIngress, inCi);
        }

        const registrySecret = args.registryCredentials === undefined ? undefined : new k8s.core.v1.Secret(`${prefix}-registry`, {
            metadata: metadata("registry-credentials"),
            type: "Opaque",
            stringData: { "config.json": pulumi.secret(args.registryCredentials) },
        }, inCi);
        // Runs the CI pipelines' pods, which never call the Kubernetes API.
        const runner = new k8s.core.v1.ServiceAccount(`${prefix}-runner`, { metadata: metadata("pipeline-runner"), automountServiceAccountToken: false }, inCi);

        const specs = ciTaskSpecs();
        const task = (taskName: string, spec: Record<string, unknown>) =>
            new k8s.apiextensions.CustomResource(`${prefix}-${taskName}`, tektonObjectArgs("Task", metadata(taskName), spec), afterTekton);
        const tasks = { clone: task(ciTaskNames.clone, specs.clone), test: task(ciTaskNames.test, specs.test), build: task(ciTaskNames.build, specs.build) };
        const deliveryTasks = { deploy: task(ciTaskNames.deploy, deployTaskSpec()), cleanup: task(ciTaskNames.cleanup, cleanupTaskSpec()) };
        const tierLabels = (tier: string) => ({ ...labels, "groundwork.dev/tier": tier });
        this.pipelines = settings.pipelines.map((pipeline) => new k8s.apiextensions.CustomResource(`${prefix}-${pipeline.tier}-ci`,
            tektonObjectArgs("Pipeline", metadata(`${pipeline.tier}-ci`, tierLabels(pipeline.tier)), ciPipelineSpec(pipeline, ciTaskNames)),
            { parent: this, dependsOn: [args.tektonReady, guarded, ...Object.values(tasks)] }));

        const hmac = new random.RandomPassword(`${prefix}-webhook-hmac`, { length: 40, special: false }, { parent: this });
        this.webhookSecret = pulumi.secret(hmac.result);
        const hmacSecret = new k8s.core.v1.Secret(`${prefix}-webhook-hmac`, {
            metadata: metadata("github-webhook-secret"),
            type: "Opaque",
            stringData: { secret: hmac.result },
        }, inCi);

        const listenerAccount = this.createListenerAccount(prefix, namespace, labels, environment, afterTekton);
        const ciTemplates = settings.pipelines.map((pipeline) => new k8s.apiextensions.CustomResource(`${prefix}-${pipeline.tier}-template`,
            tektonObjectArgs("TriggerTemplate", metadata(`${pipeline.tier}-ci`), ciTriggerTemplateSpec(pipeline, {
                runnerAccount: runner.metadata.name,
                registrySecret: registrySecret?.metadata.name,
            })), afterTekton));
        const deliveries = settings.pipelines.flatMap((pipeline) => deliveryKinds.map((kind) =>
            this.createDelivery(prefix, kind, pipeline, args, namespace, tierLabels(pipeline.tier), deliveryTasks[kind], afterTekton)));
        const repository = createRepositoryPipelines(prefix, { manifests: settings.manifests, webhooks: settings.webhooks, tierSecrets: args.tierSecrets, namespace, labels }, afterTekton);

        new k8s.apiextensions.CustomResource(`${prefix}-event-listener`, tektonObjectArgs("EventListener", metadata(eventListenerName), eventListenerSpec(
            listenerAccount.metadata.name,
            [
                ...settings.pipelines.map((pipeline) => ciPushTrigger(pipeline, hmacSecret.metadata.name)),
                ...deliveries.map((delivery) => delivery.trigger),
                ...repository.triggers,
            ],
            highAvailability,
        )), { parent: this, dependsOn: [args.tektonReady, ...ciTemplates, hmacSecret, ...deliveries.flatMap((delivery) => delivery.resources), ...repository.resources] });

        if (settings.webhookHost !== undefined) {
            publicEndpoint(`${prefix}-event-listener`, {
                host: settings.webhookHost,
                namespace,
                serviceName: eventListenerServiceName,
                servicePort: eventListenerPort,
                ...servingOf("groundwork:addons.tekton.webhookHost", args),
                labels,
            }, afterTekton);
            this.eventListenerUrl = pulumi.output(`https://${settings.webhookHost}/`);
        } else {
            this.eventListenerUrl = pulumi.interpolate`http://${eventListenerServiceName}.${namespace}.svc.cluster.local:${eventListenerPort}/`;
        }
        const base = this.eventListenerUrl.apply((url) => url.replace(/\/$/, ""));
        this.deliveryWebhooks = webhookUrls(base, deliveries.map((delivery) => ({ key: `${delivery.tier}/${delivery.kind}`, path: webhookPath(delivery.tier, delivery.kind), secret: delivery.secret })));
        this.webhooks = webhookUrls(base, repository.endpoints.map((endpoint) => ({ key: endpoint.name, path: endpoint.path, secret: endpoint.secret })));

        if (args.monitoring) {
            const afterCrds = { parent: this, dependsOn: [args.monitoring.crds] };
            const monitored = { namespace, labels };
            new k8s.apiextensions.CustomResource(`${prefix}-tekton-pipelines-controller`, serviceMonitorArgs("tekton-pipelines-controller", monitored, {
                namespace: settings.pipelinesNamespace,
                selector: pipelinesControllerPod,
            }), afterCrds);
            new k8s.apiextensions.CustomResource(`${prefix}-event-listener`, serviceMonitorArgs("event-listener", monitored, { namespace, selector: eventListenerPod }), afterCrds);
            new k8s.apiextensions.CustomResource(`${prefix}-alerts`, ciAlertsArgs(settings.ciNamespace, namespace, labels), afterCrds);
        }
        this.registerOutputs({ namespace, eventListenerUrl: this.eventListenerUrl, webhookSecret: this.webhookSecret, deliveryWebhooks: this.deliveryWebhooks, webhooks: this.webhooks });
    }

    /** The EventListener's account: reads its own triggers and creates PipelineRuns in its namespace, reads cluster bindings and interceptors. */
    private createListenerAccount(prefix: string, namespace: pulumi.Output<string>, labels: Record<string, string>, environment: string, opts: pulumi.CustomResourceOptions) {
        const name = `${prefix}-listener`;
        const metadata = ciMetadata(eventListenerAccount, namespace, labels);
        const account = new k8s.core.v1.ServiceAccount(name, { metadata }, opts);
        const subject = { name: account.metadata.name, namespace };
        const role = new k8s.rbac.v1.Role(name, { metadata, rules: eventListenerRules }, opts);
        new k8s.rbac.v1.RoleBinding(name, serviceAccountBinding(metadata, { kind: "Role", name: role.metadata.name }, subject), opts);
        const clusterRole = new k8s.rbac.v1.ClusterRole(name, eventListenerClusterRoleArgs(environment, labels), opts);
        new k8s.rbac.v1.ClusterRoleBinding(name, serviceAccountBinding({ name: clusterRole.metadata.name, labels }, { kind: "ClusterRole", name: clusterRole.metadata.name }, subject), opts);
        return account;
    }

    /**
     * One tier's deploy or cleanup: its Pipeline, the account it runs as (allowed in the tier's
     * namespace only, minus the namespace guards, and cluster-wide only to read CRDs and, for the
     * tier's own CRDs, count and remove them), its webhook secret and trigger.
     */
    private createDelivery(
        prefix: string,
        kind: DeliveryKind,
        pipeline: PipelineSettings,
        args: CiPipelinesArgs,
        namespace: pulumi.Output<string>,
        labels: Record<string, string>,
        task: k8s.apiextensions.CustomResource,
        opts: pulumi.CustomResourceOptions,
    ) {
        const { tier } = pipeline;
        const tierNamespace = args.tierNamespaces[tier];
        const base = `${prefix}-${tier}-${kind}`;
        const objectName = deliveryName(tier, kind);
        const metadata = ciMetadata(objectName, namespace, labels);
        const pipelineResource = new k8s.apiextensions.CustomResource(base,
            tektonObjectArgs("Pipeline", metadata, deliveryPipelineSpec(kind, pipeline, tierNamespace, `${kind}-manifests`)),
            { ...opts, dependsOn: [...toArray(opts.dependsOn), task] });

        const account = new k8s.core.v1.ServiceAccount(base, { metadata }, opts);
        const subject = { name: account.metadata.name, namespace };
        const tierMetadata = ciMetadata(`ci-${kind}`, tierNamespace, labels);
        const role = new k8s.rbac.v1.Role(base, { metadata: tierMetadata, rules: deliveryRoleRules(kind, pipeline) }, opts);
        new k8s.rbac.v1.RoleBinding(base, serviceAccountBinding(tierMetadata, { kind: "Role", name: role.metadata.name }, subject), opts);
        const clusterRole = new k8s.rbac.v1.ClusterRole(base, {
            metadata: { name: `ci-${args.environment}-${objectName}`, labels },
            rules: deliveryClusterRoleRules(kind, pipeline),
        }, opts);
        new k8s.rbac.v1.ClusterRoleBinding(base, serviceAccountBinding({ name: clusterRole.metadata.name, labels }, { kind: "ClusterRole", name: clusterRole.metadata.name }, subject), opts);

        const hmac = new random.RandomPassword(`${base}-hmac`, { length: 40, special: false }, { parent: this });
        const secret = new k8s.core.v1.Secret(`${base}-hmac`, {
            metadata: ciMetadata(`${objectName}-webhook-secret`, namespace, labels),
            type: "Opaque",
            stringData: { secret: hmac.result },
        }, opts);
        const template = new k8s.apiextensions.CustomResource(`${base}-template`,
            tektonObjectArgs("TriggerTemplate", metadata, deliveryTemplateSpec(kind, tier, account.metadata.name)), opts);
        const trigger = deliveryTrigger(kind, tier, args.environment, secret.metadata.name);
        return { tier, kind, trigger, secret: pulumi.secret(hmac.result), resources: [pipelineResource, template, secret] };
    }
}

/** Webhooks by key, each with its URL on the EventListener's host and its HMAC key: one secret output. */
function webhookUrls(base: pulumi.Output<string>, webhooks: { key: string; path: string; secret: pulumi.Output<string> }[]): pulumi.Output<Record<string, { url: string; secret: string }>> {
    return pulumi.secret(pulumi.all(webhooks.map((webhook) => pulumi.all([base, webhook.secret]).apply(([url, secret]) =>
        [webhook.key, { url: `${url}${webhook.path}`, secret }] as const)))
        .apply((entries) => Object.fromEntries(entries)));
}

function toArray(dependsOn: pulumi.CustomResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
    return dependsOn === undefined ? [] : Array.isArray(dependsOn) ? dependsOn : [dependsOn as pulumi.Input<pulumi.Resource>];
}
