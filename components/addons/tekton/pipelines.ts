import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { AlertRule } from "../monitoring/rules";
import { Environment, profileOf } from "../../platform/environment";
import { GuardedNamespace } from "../../platform/namespace";
import { standardLabels } from "../../platform/security";
import { Budget, budgetOf } from "../../platform/sizing";
import { restrictedContainer, restrictedPod } from "../helm-addon";
import { IngressLayer, publicEndpoint, servingOf } from "../ingress-layer";
import { TektonSettings } from "./config";
import { ciTaskNames } from "./names";
import {
    buildStepResources, ciPipelineSpec, ciStepResources, ciTaskSpecs, ciUser, cleanupTaskSpec, deliveryPipelineSpec, deployTaskSpec,
    PipelineSettings, workspaceSize,
} from "./tasks";
import { createRepositoryPipelines, hmacSignature, pathFilter } from "./webhooks";

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

export const eventListenerName = "github";
export const eventListenerPort = 8080;
/** Where an EventListener serves its metrics (Tekton Triggers' `http-metrics` port). */
export const eventListenerMetricsPort = 9000;
/** The labels Tekton Triggers gives the EventListener's pods. */
export const eventListenerPod = { eventlistener: eventListenerName };
type DeliveryKind = "deploy" | "cleanup";
const deliveryKinds: readonly DeliveryKind[] = ["deploy", "cleanup"];

/** The path of a webhook on the EventListener's host: CI pushes at "/", deliveries at "/<tier>/<kind>". */
export function webhookPath(tier?: string, kind?: DeliveryKind): string {
    return tier === undefined ? "/" : `/${tier}/${kind}`;
}

/**
 * The CI namespace's alert rules: a failed PipelineRun, and webhook deliveries the EventListener
 * rejected (an HMAC signature that does not verify is the usual cause).
 */
export function ciAlertRules(ciNamespace: string): AlertRule[] {
    return [
        {
            alert: "PipelineRunFailed",
            expr: `sum by (pipeline) (increase(tekton_pipelines_controller_pipelinerun_total{namespace="${ciNamespace}",status="failed"}[15m])) > 0`,
            for: "0m",
            labels: { severity: "warning" },
            annotations: { summary: "A Tekton PipelineRun failed", description: `A PipelineRun in ${ciNamespace} failed in the last 15 minutes: tkn pipelinerun list -n ${ciNamespace}.` },
        },
        {
            alert: "WebhookAuthenticationFailures",
            expr: `sum(increase(eventlistener_event_received_count{namespace="${ciNamespace}",status="failed"}[15m])) > 0`,
            for: "0m",
            labels: { severity: "critical" },
            annotations: {
                summary: "The EventListener rejected webhook deliveries",
                description: `Deliveries to ${ciNamespace}/${eventListenerName} failed verification in the last 15 minutes: a wrong webhook secret, or someone guessing.`,
            },
        },
    ];
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
        const listeners = highAvailability ? 2 : 1;
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
        const inCi = { parent: this, dependsOn: [guarded] };
        const afterTekton = { parent: this, dependsOn: [args.tektonReady, guarded] };
        this.createNetworkPolicies(prefix, args, namespace, labels, inCi);

        const registrySecret = args.registryCredentials === undefined ? undefined : new k8s.core.v1.Secret(`${prefix}-registry`, {
            metadata: { name: "registry-credentials", namespace, labels },
            type: "Opaque",
            stringData: { "config.json": pulumi.secret(args.registryCredentials) },
        }, inCi);

        // Runs the CI pipelines' pods, which never call the Kubernetes API.
        const runner = new k8s.core.v1.ServiceAccount(`${prefix}-runner`, {
            metadata: { name: "pipeline-runner", namespace, labels },
            automountServiceAccountToken: false,
        }, inCi);

        const specs = ciTaskSpecs();
        const task = (taskName: string, spec: Record<string, unknown>) => new k8s.apiextensions.CustomResource(`${prefix}-${taskName}`, {
            apiVersion: "tekton.dev/v1",
            kind: "Task",
            metadata: { name: taskName, namespace, labels },
            spec,
        }, afterTekton);
        const tasks = { clone: task(ciTaskNames.clone, specs.clone), test: task(ciTaskNames.test, specs.test), build: task(ciTaskNames.build, specs.build) };
        const deliveryTasks = { deploy: task(ciTaskNames.deploy, deployTaskSpec()), cleanup: task(ciTaskNames.cleanup, cleanupTaskSpec()) };
        const tierLabels = (tier: string) => ({ ...labels, "groundwork.dev/tier": tier });
        this.pipelines = settings.pipelines.map((pipeline) => new k8s.apiextensions.CustomResource(`${prefix}-${pipeline.tier}-ci`, {
            apiVersion: "tekton.dev/v1",
            kind: "Pipeline",
            metadata: { name: `${pipeline.tier}-ci`, namespace, labels: tierLabels(pipeline.tier) },
            spec: ciPipelineSpec(pipeline, ciTaskNames),
        }, { parent: this, dependsOn: [args.tektonReady, guarded, ...Object.values(tasks)] }));

        const hmac = new random.RandomPassword(`${prefix}-webhook-hmac`, { length: 40, special: false }, { parent: this });
        this.webhookSecret = pulumi.secret(hmac.result);
        const hmacSecret = new k8s.core.v1.Secret(`${prefix}-webhook-hmac`, {
            metadata: { name: "github-webhook-secret", namespace, labels },
            type: "Opaque",
            stringData: { secret: hmac.result },
        }, inCi);

        const listenerAccount = this.createListenerAccount(prefix, namespace, labels, environment, afterTekton);
        const ciTemplates = settings.pipelines.map((pipeline) => this.createCiTemplate(prefix, pipeline, namespace, labels, runner, registrySecret, afterTekton));
        const deliveries = settings.pipelines.flatMap((pipeline) => deliveryKinds.map((kind) =>
            this.createDelivery(prefix, kind, pipeline, args, namespace, tierLabels(pipeline.tier), deliveryTasks[kind], afterTekton)));
        const repository = createRepositoryPipelines(prefix, { manifests: settings.manifests, webhooks: settings.webhooks, tierSecrets: args.tierSecrets, namespace, labels }, afterTekton);

        new k8s.apiextensions.CustomResource(`${prefix}-event-listener`, {
            apiVersion: "triggers.tekton.dev/v1beta1",
            kind: "EventListener",
            metadata: { name: eventListenerName, namespace, labels },
            spec: {
                serviceAccountName: listenerAccount.metadata.name,
                triggers: [
                    ...settings.pipelines.map((pipeline) => ({
                        name: `${pipeline.tier}-push`,
                        interceptors: [
                            pathFilter(webhookPath()),
                            hmacSignature(hmacSecret.metadata.name, "push"),
                            { ref: { name: "cel", kind: "ClusterInterceptor" }, params: [{ name: "filter", value: pushFilter(pipeline) }] },
                        ],
                        bindings: [{ name: "revision", value: "$(body.after)" }],
                        template: { ref: `${pipeline.tier}-ci` },
                    })),
                    ...deliveries.map((delivery) => delivery.trigger),
                    ...repository.triggers,
                ],
                resources: {
                    kubernetesResource: {
                        replicas: highAvailability ? 2 : 1,
                        spec: {
                            template: {
                                spec: {
                                    securityContext: restrictedPod,
                                    containers: [{ securityContext: restrictedContainer, resources: ciStepResources }],
                                },
                            },
                        },
                    },
                },
            },
        }, { parent: this, dependsOn: [args.tektonReady, ...ciTemplates, hmacSecret, ...deliveries.flatMap((delivery) => delivery.resources), ...repository.resources] });

        const serviceName = `el-${eventListenerName}`;
        if (settings.webhookHost !== undefined) {
            publicEndpoint(`${prefix}-event-listener`, {
                host: settings.webhookHost,
                namespace,
                serviceName,
                servicePort: eventListenerPort,
                ...servingOf("groundwork:addons.tekton.webhookHost", args),
                labels,
            }, afterTekton);
            this.eventListenerUrl = pulumi.output(`https://${settings.webhookHost}/`);
        } else {
            this.eventListenerUrl = pulumi.interpolate`http://${serviceName}.${namespace}.svc.cluster.local:${eventListenerPort}/`;
        }
        const base = this.eventListenerUrl.apply((url) => url.replace(/\/$/, ""));
        this.deliveryWebhooks = webhookUrls(base, deliveries.map((delivery) => ({ key: `${delivery.tier}/${delivery.kind}`, path: webhookPath(delivery.tier, delivery.kind), secret: delivery.secret })));
        this.webhooks = webhookUrls(base, repository.endpoints.map((endpoint) => ({ key: endpoint.name, path: endpoint.path, secret: endpoint.secret })));

        if (args.monitoring) {
            this.createMonitoring(prefix, settings, args.monitoring, namespace, labels);
        }
        this.registerOutputs({ namespace, eventListenerUrl: this.eventListenerUrl, webhookSecret: this.webhookSecret, deliveryWebhooks: this.deliveryWebhooks, webhooks: this.webhooks });
    }

    /** Egress for clones, pushes and the API server; ingress to the EventListener from the ingress controller and Prometheus. */
    private createNetworkPolicies(prefix: string, args: CiPipelinesArgs, namespace: pulumi.Output<string>, labels: Record<string, string>, opts: pulumi.CustomResourceOptions): void {
        new k8s.networking.v1.NetworkPolicy(`${prefix}-egress`, {
            metadata: { name: "ci-egress", namespace, labels },
            spec: {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [443, 22, 6443].map((port) => ({ protocol: "TCP", port })) }],
            },
        }, opts);
        const from = (source: pulumi.Input<string>, port: number) => ({
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": source } } }],
            ports: [{ protocol: "TCP", port }],
        });
        const rules = [
            ...(args.settings.webhookHost === undefined ? [] : [from(servingOf("groundwork:addons.tekton.webhookHost", args).ingress.namespace, eventListenerPort)]),
            ...(args.monitoring === undefined ? [] : [from(args.monitoring.namespace, eventListenerMetricsPort)]),
        ];
        if (rules.length > 0) {
            new k8s.networking.v1.NetworkPolicy(`${prefix}-listener-ingress`, {
                metadata: { name: `el-${eventListenerName}-ingress`, namespace, labels },
                spec: { podSelector: { matchLabels: eventListenerPod }, policyTypes: ["Ingress"], ingress: rules },
            }, opts);
        }
    }

    /** The EventListener's account: reads its own triggers and creates PipelineRuns, nothing else. */
    private createListenerAccount(prefix: string, namespace: pulumi.Output<string>, labels: Record<string, string>, environment: string, opts: pulumi.CustomResourceOptions) {
        const accountName = "event-listener";
        const account = new k8s.core.v1.ServiceAccount(`${prefix}-listener`, { metadata: { name: accountName, namespace, labels } }, opts);
        const role = new k8s.rbac.v1.Role(`${prefix}-listener`, {
            metadata: { name: accountName, namespace, labels },
            rules: [
                { apiGroups: ["triggers.tekton.dev"], resources: ["eventlisteners", "triggerbindings", "triggertemplates", "triggers", "interceptors"], verbs: ["get", "list", "watch"] },
                { apiGroups: ["tekton.dev"], resources: ["pipelineruns"], verbs: ["create"] },
                { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
                { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
            ],
        }, opts);
        new k8s.rbac.v1.RoleBinding(`${prefix}-listener`, {
            metadata: { name: accountName, namespace, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace }],
        }, opts);
        // Interceptors and cluster bindings are cluster-scoped: read access only.
        const clusterRole = new k8s.rbac.v1.ClusterRole(`${prefix}-listener`, {
            metadata: { name: `${accountName}-${environment}-interceptors`, labels },
            rules: [{ apiGroups: ["triggers.tekton.dev"], resources: ["clustertriggerbindings", "clusterinterceptors"], verbs: ["get", "list", "watch"] }],
        }, opts);
        new k8s.rbac.v1.ClusterRoleBinding(`${prefix}-listener`, {
            metadata: { name: clusterRole.metadata.name, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace }],
        }, opts);
        return account;
    }

    private createCiTemplate(
        prefix: string,
        pipeline: PipelineSettings,
        namespace: pulumi.Output<string>,
        labels: Record<string, string>,
        runner: k8s.core.v1.ServiceAccount,
        registrySecret: k8s.core.v1.Secret | undefined,
        opts: pulumi.CustomResourceOptions,
    ): k8s.apiextensions.CustomResource {
        return new k8s.apiextensions.CustomResource(`${prefix}-${pipeline.tier}-template`, {
            apiVersion: "triggers.tekton.dev/v1beta1",
            kind: "TriggerTemplate",
            metadata: { name: `${pipeline.tier}-ci`, namespace, labels },
            spec: {
                params: [{ name: "revision" }],
                resourcetemplates: [{
                    apiVersion: "tekton.dev/v1",
                    kind: "PipelineRun",
                    metadata: { generateName: `${pipeline.tier}-ci-`, labels: { "groundwork.dev/tier": pipeline.tier } },
                    spec: {
                        pipelineRef: { name: `${pipeline.tier}-ci` },
                        params: [{ name: "revision", value: "$(tt.params.revision)" }],
                        taskRunTemplate: {
                            serviceAccountName: runner.metadata.name,
                            podTemplate: { securityContext: { fsGroup: ciUser } },
                        },
                        workspaces: [
                            {
                                name: "source",
                                volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: workspaceSize } } } },
                            },
                            ...(registrySecret === undefined ? [] : [{ name: "dockerconfig", secret: { secretName: registrySecret.metadata.name } }]),
                        ],
                    },
                }],
            },
        }, opts);
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
        const objectName = `${tier}-${kind}`;
        const pipelineResource = new k8s.apiextensions.CustomResource(base, {
            apiVersion: "tekton.dev/v1",
            kind: "Pipeline",
            metadata: { name: objectName, namespace, labels },
            spec: deliveryPipelineSpec(kind, pipeline, tierNamespace, `${kind}-manifests`),
        }, { ...opts, dependsOn: [...toArray(opts.dependsOn), task] });

        const account = new k8s.core.v1.ServiceAccount(base, { metadata: { name: objectName, namespace, labels } }, opts);
        const crdRules = pipeline.deploy.crds.map((crd) => ({ plural: crd.slice(0, crd.indexOf(".")), group: crd.slice(crd.indexOf(".") + 1) }));
        const role = new k8s.rbac.v1.Role(base, {
            metadata: { name: `ci-${kind}`, namespace: tierNamespace, labels },
            rules: [
                ...namespacedKinds.map((rule) => ({ ...rule, verbs: kindVerbs[kind] })),
                ...crdRules.map(({ plural, group }) => ({ apiGroups: [group], resources: [plural], verbs: kindVerbs[kind] })),
            ],
        }, opts);
        new k8s.rbac.v1.RoleBinding(base, {
            metadata: { name: `ci-${kind}`, namespace: tierNamespace, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace }],
        }, opts);
        const clusterRole = new k8s.rbac.v1.ClusterRole(base, {
            metadata: { name: `ci-${args.environment}-${objectName}`, labels },
            rules: [
                { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get", "list", "watch"] },
                ...(kind === "cleanup" && crdRules.length > 0 ? [
                    { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], resourceNames: [...pipeline.deploy.crds], verbs: ["delete"] },
                    ...crdRules.map(({ plural, group }) => ({ apiGroups: [group], resources: [plural], verbs: ["get", "list"] })),
                ] : []),
            ],
        }, opts);
        new k8s.rbac.v1.ClusterRoleBinding(base, {
            metadata: { name: clusterRole.metadata.name, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace }],
        }, opts);

        const hmac = new random.RandomPassword(`${base}-hmac`, { length: 40, special: false }, { parent: this });
        const secret = new k8s.core.v1.Secret(`${base}-hmac`, {
            metadata: { name: `${objectName}-webhook-secret`, namespace, labels },
            type: "Opaque",
            stringData: { secret: hmac.result },
        }, opts);
        const template = new k8s.apiextensions.CustomResource(`${base}-template`, {
            apiVersion: "triggers.tekton.dev/v1beta1",
            kind: "TriggerTemplate",
            metadata: { name: objectName, namespace, labels },
            spec: {
                params: [{ name: "revision" }, ...(kind === "cleanup" ? [{ name: "force", default: "false" }] : [])],
                resourcetemplates: [{
                    apiVersion: "tekton.dev/v1",
                    kind: "PipelineRun",
                    metadata: { generateName: `${objectName}-`, labels: { "groundwork.dev/tier": tier } },
                    spec: {
                        pipelineRef: { name: objectName },
                        params: [
                            { name: "revision", value: "$(tt.params.revision)" },
                            ...(kind === "cleanup" ? [{ name: "force", value: "$(tt.params.force)" }] : []),
                        ],
                        taskRunTemplate: {
                            serviceAccountName: account.metadata.name,
                            podTemplate: { securityContext: { ...restrictedPod, runAsUser: ciUser, runAsGroup: ciUser, fsGroup: ciUser } },
                        },
                    },
                }],
            },
        }, opts);
        const filter = `body.deployment.task == '${kind}' && body.deployment.environment == '${args.environment}'`;
        const trigger = {
            name: objectName,
            interceptors: [
                pathFilter(webhookPath(tier, kind)),
                hmacSignature(secret.metadata.name, "deployment"),
                {
                    ref: { name: "cel", kind: "ClusterInterceptor" },
                    params: [
                        { name: "filter", value: filter },
                        // Only an explicit `"force": true` in the deployment's payload forces a cleanup.
                        { name: "overlays", value: [{ key: "force", expression: "has(body.deployment.payload.force) && body.deployment.payload.force == true ? 'true' : 'false'" }] },
                    ],
                },
            ],
            bindings: [
                { name: "revision", value: "$(body.deployment.sha)" },
                ...(kind === "cleanup" ? [{ name: "force", value: "$(extensions.force)" }] : []),
            ],
            template: { ref: objectName },
        };
        return { tier, kind, trigger, secret: pulumi.secret(hmac.result), resources: [pipelineResource, template, secret] };
    }

    /** ServiceMonitors for the Pipelines controller and the EventListener, and the CI alert rules. */
    private createMonitoring(prefix: string, settings: TektonSettings, monitoring: NonNullable<CiPipelinesArgs["monitoring"]>, namespace: pulumi.Output<string>, labels: Record<string, string>): void {
        const afterCrds = { parent: this, dependsOn: [monitoring.crds] };
        // Both monitors live in the CI namespace, which Groundwork creates: the Pipelines namespace is the
        // operator's, and exists only once the operator has reconciled its TektonConfig.
        const serviceMonitor = (resourceName: string, watchedNamespace: pulumi.Input<string>, selector: Record<string, string>) =>
            new k8s.apiextensions.CustomResource(`${prefix}-${resourceName}`, {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "ServiceMonitor",
                metadata: { name: resourceName, namespace, labels },
                spec: {
                    selector: { matchLabels: selector },
                    namespaceSelector: { matchNames: [watchedNamespace] },
                    endpoints: [{ port: "http-metrics", interval: "30s" }],
                },
            }, afterCrds);
        serviceMonitor("tekton-pipelines-controller", settings.pipelinesNamespace, { "app.kubernetes.io/name": "controller", "app.kubernetes.io/part-of": "tekton-pipelines" });
        serviceMonitor("event-listener", namespace, eventListenerPod);
        new k8s.apiextensions.CustomResource(`${prefix}-alerts`, {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PrometheusRule",
            metadata: { name: "ci", namespace, labels },
            spec: { groups: [{ name: "ci.rules", rules: ciAlertRules(settings.ciNamespace) }] },
        }, afterCrds);
    }
}

/** What deploy may change in a tier's namespace; the guards (quota, limits, network policies) are not among them. */
const namespacedKinds = [
    { apiGroups: [""], resources: ["configmaps", "secrets", "services", "serviceaccounts", "persistentvolumeclaims"] },
    { apiGroups: ["apps"], resources: ["deployments", "statefulsets"] },
    { apiGroups: ["batch"], resources: ["jobs", "cronjobs"] },
    { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"] },
    { apiGroups: ["policy"], resources: ["poddisruptionbudgets"] },
    { apiGroups: ["networking.k8s.io"], resources: ["ingresses"] },
];
const kindVerbs: Record<DeliveryKind, string[]> = {
    deploy: ["get", "list", "watch", "create", "update", "patch"],
    cleanup: ["get", "list", "watch", "delete", "patch"],
};

/** Webhooks by key, each with its URL on the EventListener's host and its HMAC key: one secret output. */
function webhookUrls(base: pulumi.Output<string>, webhooks: { key: string; path: string; secret: pulumi.Output<string> }[]): pulumi.Output<Record<string, { url: string; secret: string }>> {
    return pulumi.secret(pulumi.all(webhooks.map((webhook) => pulumi.all([base, webhook.secret]).apply(([url, secret]) =>
        [webhook.key, { url: `${url}${webhook.path}`, secret }] as const)))
        .apply((entries) => Object.fromEntries(entries)));
}

/** Only pushes to the configured branch of the configured repository start the tier's pipeline. */
function pushFilter(pipeline: PipelineSettings): string {
    const quote = (value: string) => `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
    const repository = pipeline.repository.replace(/\.git$/, "");
    return [
        `body.ref == ${quote(`refs/heads/${pipeline.branch}`)}`,
        `(body.repository.clone_url == ${quote(`${repository}.git`)} || body.repository.ssh_url == ${quote(`${repository}.git`)} || body.repository.html_url == ${quote(repository)})`,
    ].join(" && ");
}

function toArray(dependsOn: pulumi.CustomResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
    return dependsOn === undefined ? [] : Array.isArray(dependsOn) ? dependsOn : [dependsOn as pulumi.Input<pulumi.Resource>];
}
