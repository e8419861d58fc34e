import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { podSecurityLabels, standardLabels } from "../../platform/security";
import { versions } from "../../versions";
import { AddonContext, ChartValues, HelmAddon, restrictedContainer, restrictedPod } from "../helm-addon";
import { IngressLayer, publicEndpoint } from "../ingress-layer";
import { TektonSettings } from "./config";

export interface TektonArgs {
    context: AddonContext;
    settings: TektonSettings;
    /** Docker config JSON the pipelines push with (groundwork:ciRegistryCredentials); ambient credentials otherwise. */
    registryCredentials?: string;
    ingress: IngressLayer;
    clusterIssuer: pulumi.Input<string>;
}

type Pipeline = TektonSettings["pipelines"][number];

const eventListenerName = "github";
const eventListenerPort = 8080;
/** The UID every CI step but the image build runs as; the workspace volume is group-writable for it. */
const ciUser = 65532;

/**
 * Tekton through the Tekton Operator's chart (Tekton Pipelines has no official chart): the
 * operator, a TektonConfig installing Pipelines and Triggers, and from config one CI Pipeline per
 * app tier (clone, test, rootless image build, push) started by a GitHub-webhook EventListener
 * whose HMAC secret comes from @pulumi/random.
 *
 * Namespace levels: the operator namespace and Tekton's own namespace are restricted. The CI
 * namespace is privileged: the rootless BuildKit step needs Unconfined seccomp and AppArmor (for
 * its user namespace and mounts), which even baseline forbids; every other CI step and the
 * EventListener run with restricted settings.
 */
export class Tekton extends HelmAddon {
    readonly chart: k8s.helm.v4.Chart;
    readonly tektonConfig: k8s.apiextensions.CustomResource;
    readonly eventListenerUrl: pulumi.Output<string>;
    /** The GitHub webhook's HMAC secret (a secret output): paste it into the repository's webhook settings. */
    readonly webhookSecret: pulumi.Output<string>;
    readonly pipelines: k8s.apiextensions.CustomResource[];

    constructor(name: string, args: TektonArgs, opts?: pulumi.ComponentResourceOptions) {
        const { settings, context } = args;
        super("groundwork:addons:Tekton", name, context, { name: settings.operatorNamespace, podSecurityLevel: "restricted" }, opts);
        const labels = standardLabels("tekton", "addon", context.environment);
        const child = { parent: this };

        this.chart = this.installChart({ chart: "tektonOperator", values: this.chartValues(settings), overrides: settings.values });

        // The operator installs Pipelines and Triggers (and their CRDs) when it reconciles this;
        // waiting for Ready makes every Tekton object below wait for those CRDs.
        this.tektonConfig = new k8s.apiextensions.CustomResource(`${name}-config`, {
            apiVersion: "operator.tekton.dev/v1alpha1",
            kind: "TektonConfig",
            metadata: {
                name: "config",
                labels,
                annotations: { "pulumi.com/waitFor": "condition=Ready", "pulumi.com/timeoutSeconds": "900" },
            },
            spec: {
                profile: "basic",
                targetNamespace: settings.pipelinesNamespace,
                targetNamespaceMetadata: { labels: podSecurityLabels("restricted", context.podSecurityVersion) },
                pipeline: { "set-security-context": true, "enable-api-fields": "stable" },
                trigger: { "enable-api-fields": "stable" },
                chain: { disabled: true },
                result: { disabled: true },
                pruner: { disabled: false, resources: ["pipelinerun", "taskrun"], keep: 20, schedule: "0 3 * * *" },
            },
        }, { parent: this, dependsOn: [this.chart] });

        const ciNamespace = new k8s.core.v1.Namespace(`${name}-ci-namespace`, {
            metadata: {
                name: settings.ciNamespace,
                labels: { ...standardLabels(settings.ciNamespace, "ci", context.environment), ...podSecurityLabels("privileged", context.podSecurityVersion) },
            },
        }, child);
        const namespace = ciNamespace.metadata.name;
        const afterTekton = { parent: this, dependsOn: [this.tektonConfig, ciNamespace] };
        const inCi = { parent: this, dependsOn: [ciNamespace] };

        const registrySecret = args.registryCredentials === undefined ? undefined : new k8s.core.v1.Secret(`${name}-registry`, {
            metadata: { name: "registry-credentials", namespace, labels },
            type: "Opaque",
            stringData: { "config.json": pulumi.secret(args.registryCredentials) },
        }, inCi);

        // Runs the pipelines' pods, which never call the Kubernetes API.
        const runner = new k8s.core.v1.ServiceAccount(`${name}-runner`, {
            metadata: { name: "pipeline-runner", namespace, labels },
            automountServiceAccountToken: false,
        }, inCi);

        const tasks = this.createTasks(name, namespace, labels, afterTekton);
        this.pipelines = settings.pipelines.map((pipeline) => new k8s.apiextensions.CustomResource(`${name}-${pipeline.tier}-ci`, {
            apiVersion: "tekton.dev/v1",
            kind: "Pipeline",
            metadata: { name: `${pipeline.tier}-ci`, namespace, labels: { ...labels, "groundwork.dev/tier": pipeline.tier } },
            spec: pipelineSpec(pipeline, tasks),
        }, { parent: this, dependsOn: [this.tektonConfig, ciNamespace, ...Object.values(tasks)] }));

        const hmac = new random.RandomPassword(`${name}-webhook-hmac`, { length: 40, special: false }, child);
        this.webhookSecret = pulumi.secret(hmac.result);
        const hmacSecret = new k8s.core.v1.Secret(`${name}-webhook-hmac`, {
            metadata: { name: "github-webhook-secret", namespace, labels },
            type: "Opaque",
            stringData: { secret: hmac.result },
        }, inCi);

        const listenerAccount = this.createListenerAccount(name, namespace, labels, afterTekton);
        const triggers = settings.pipelines.map((pipeline) => this.createTrigger(name, pipeline, namespace, labels, runner, registrySecret, afterTekton));
        new k8s.apiextensions.CustomResource(`${name}-event-listener`, {
            apiVersion: "triggers.tekton.dev/v1beta1",
            kind: "EventListener",
            metadata: { name: eventListenerName, namespace, labels },
            spec: {
                serviceAccountName: listenerAccount.metadata.name,
                triggers: settings.pipelines.map((pipeline) => ({
                    name: `${pipeline.tier}-push`,
                    interceptors: [
                        {
                            ref: { name: "github", kind: "ClusterInterceptor" },
                            params: [
                                { name: "secretRef", value: { secretName: hmacSecret.metadata.name, secretKey: "secret" } },
                                { name: "eventTypes", value: ["push"] },
                            ],
                        },
                        {
                            ref: { name: "cel", kind: "ClusterInterceptor" },
                            params: [{ name: "filter", value: pushFilter(pipeline) }],
                        },
                    ],
                    bindings: [{ name: "revision", value: "$(body.after)" }],
                    template: { ref: `${pipeline.tier}-ci` },
                })),
                resources: {
                    kubernetesResource: {
                        replicas: this.replicas(undefined),
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
        }, { parent: this, dependsOn: [this.tektonConfig, ...triggers, hmacSecret] });

        const serviceName = `el-${eventListenerName}`;
        if (settings.webhookHost !== undefined) {
            publicEndpoint(`${name}-event-listener`, {
                host: settings.webhookHost,
                namespace,
                serviceName,
                servicePort: eventListenerPort,
                ingress: args.ingress,
                clusterIssuer: args.clusterIssuer,
                labels,
            }, afterTekton);
            this.eventListenerUrl = pulumi.output(`https://${settings.webhookHost}/`);
        } else {
            this.eventListenerUrl = pulumi.interpolate`http://${serviceName}.${namespace}.svc.cluster.local:${eventListenerPort}/`;
        }
        this.registerOutputs({ eventListenerUrl: this.eventListenerUrl, webhookSecret: this.webhookSecret, namespace: this.namespace });
    }

    private chartValues(settings: TektonSettings): ChartValues {
        const resources = { requests: { ...settings.resources.requests }, limits: { ...settings.resources.limits } };
        const replicas = this.replicas(undefined);
        return {
            // Chart v4 renders the operator's CRDs as ordinary objects; TektonConfig depends on them.
            installCRDs: true,
            operator: {
                replicas,
                resources,
                // The TektonConfig below is the only one: the operator must not create its own.
                autoInstallComponents: false,
                defaultTargetNamespace: settings.pipelinesNamespace,
            },
            webhook: { replicas, resources },
            podSecurityContext: restrictedPod,
            securityContext: restrictedContainer,
        };
    }

    private createTasks(name: string, namespace: pulumi.Output<string>, labels: Record<string, string>, opts: pulumi.CustomResourceOptions) {
        const task = (taskName: string, spec: Record<string, unknown>) => new k8s.apiextensions.CustomResource(`${name}-${taskName}`, {
            apiVersion: "tekton.dev/v1",
            kind: "Task",
            metadata: { name: taskName, namespace, labels },
            spec,
        }, opts);
        const restrictedStep = { securityContext: { ...restrictedContainer, runAsUser: ciUser, runAsGroup: ciUser }, computeResources: ciStepResources };
        return {
            clone: task("git-clone", {
                params: [{ name: "url", type: "string" }, { name: "revision", type: "string" }],
                workspaces: [{ name: "source" }],
                steps: [{
                    name: "clone",
                    image: versions.images.git,
                    ...restrictedStep,
                    env: [{ name: "HOME", value: "/tekton/home" }, { name: "URL", value: "$(params.url)" }, { name: "REVISION", value: "$(params.revision)" }],
                    workingDir: "$(workspaces.source.path)",
                    script: [
                        "#!/bin/sh",
                        "set -eu",
                        "git init -q .",
                        "git remote add origin \"$URL\"",
                        "git fetch -q --depth 1 origin \"$REVISION\"",
                        "git checkout -q FETCH_HEAD",
                    ].join("\n"),
                }],
            }),
            test: task("run-tests", {
                params: [{ name: "image", type: "string" }, { name: "command", type: "string" }],
                workspaces: [{ name: "source" }],
                steps: [{
                    name: "test",
                    image: "$(params.image)",
                    ...restrictedStep,
                    securityContext: { ...restrictedStep.securityContext, readOnlyRootFilesystem: false },
                    env: [{ name: "HOME", value: "/tekton/home" }, { name: "TEST_COMMAND", value: "$(params.command)" }],
                    workingDir: "$(workspaces.source.path)",
                    script: "#!/bin/sh\nset -eu\nexec sh -c \"$TEST_COMMAND\"",
                }],
            }),
            build: task("build-and-push", {
                params: [
                    { name: "image", type: "string" },
                    { name: "context", type: "string" },
                    { name: "dockerfile", type: "string" },
                ],
                workspaces: [{ name: "source" }, { name: "dockerconfig", optional: true, readOnly: true }],
                steps: [{
                    name: "build",
                    image: versions.images.buildkitRootless,
                    computeResources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "4Gi" } },
                    // Rootless BuildKit: UID 1000, no privileges, but it needs its own user namespace and mounts.
                    securityContext: {
                        runAsNonRoot: true,
                        runAsUser: 1000,
                        runAsGroup: 1000,
                        seccompProfile: { type: "Unconfined" },
                        appArmorProfile: { type: "Unconfined" },
                    },
                    env: [
                        { name: "BUILDKITD_FLAGS", value: "--oci-worker-no-process-sandbox" },
                        { name: "DOCKER_CONFIG", value: "$(workspaces.dockerconfig.path)" },
                        { name: "IMAGE", value: "$(params.image)" },
                        { name: "CONTEXT", value: "$(params.context)" },
                        { name: "DOCKERFILE", value: "$(params.dockerfile)" },
                    ],
                    workingDir: "$(workspaces.source.path)",
                    script: [
                        "#!/bin/sh",
                        "set -eu",
                        "exec buildctl-daemonless.sh build --frontend dockerfile.v0 \\",
                        "  --local context=\"$CONTEXT\" --local dockerfile=\"$(dirname \"$CONTEXT/$DOCKERFILE\")\" \\",
                        "  --opt filename=\"$(basename \"$DOCKERFILE\")\" \\",
                        "  --output type=image,name=\"$IMAGE\",push=true",
                    ].join("\n"),
                    volumeMounts: [{ name: "buildkit-state", mountPath: "/home/user/.local/share/buildkit" }],
                }],
                volumes: [{ name: "buildkit-state", emptyDir: {} }],
            }),
        };
    }

    /** The EventListener's account: reads its own triggers and creates PipelineRuns, nothing else. */
    private createListenerAccount(name: string, namespace: pulumi.Output<string>, labels: Record<string, string>, opts: pulumi.CustomResourceOptions) {
        const accountName = "event-listener";
        const account = new k8s.core.v1.ServiceAccount(`${name}-listener`, { metadata: { name: accountName, namespace, labels } }, opts);
        const role = new k8s.rbac.v1.Role(`${name}-listener`, {
            metadata: { name: accountName, namespace, labels },
            rules: [
                { apiGroups: ["triggers.tekton.dev"], resources: ["eventlisteners", "triggerbindings", "triggertemplates", "triggers", "interceptors"], verbs: ["get", "list", "watch"] },
                { apiGroups: ["tekton.dev"], resources: ["pipelineruns"], verbs: ["create"] },
                { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
                { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
            ],
        }, opts);
        new k8s.rbac.v1.RoleBinding(`${name}-listener`, {
            metadata: { name: accountName, namespace, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace }],
        }, opts);
        // Interceptors and cluster bindings are cluster-scoped: read access only.
        const clusterRole = new k8s.rbac.v1.ClusterRole(`${name}-listener`, {
            metadata: { name: `${accountName}-${this.context.environment}-interceptors`, labels },
            rules: [{ apiGroups: ["triggers.tekton.dev"], resources: ["clustertriggerbindings", "clusterinterceptors"], verbs: ["get", "list", "watch"] }],
        }, opts);
        new k8s.rbac.v1.ClusterRoleBinding(`${name}-listener`, {
            metadata: { name: clusterRole.metadata.name, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace }],
        }, opts);
        return account;
    }

    private createTrigger(
        name: string,
        pipeline: Pipeline,
        namespace: pulumi.Output<string>,
        labels: Record<string, string>,
        runner: k8s.core.v1.ServiceAccount,
        registrySecret: k8s.core.v1.Secret | undefined,
        opts: pulumi.CustomResourceOptions,
    ): k8s.apiextensions.CustomResource {
        return new k8s.apiextensions.CustomResource(`${name}-${pipeline.tier}-template`, {
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
                                volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "2Gi" } } } },
                            },
                            ...(registrySecret === undefined ? [] : [{ name: "dockerconfig", secret: { secretName: registrySecret.metadata.name } }]),
                        ],
                    },
                }],
            },
        }, opts);
    }
}

const ciStepResources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "1Gi" } };

function pipelineSpec(pipeline: Pipeline, tasks: Record<"clone" | "test" | "build", k8s.apiextensions.CustomResource>): Record<string, unknown> {
    const source = [{ name: "source", workspace: "source" }];
    return {
        params: [{ name: "revision", type: "string", default: pipeline.branch }],
        workspaces: [{ name: "source" }, { name: "dockerconfig", optional: true }],
        tasks: [
            {
                name: "clone",
                taskRef: { name: tasks.clone.metadata.name },
                params: [{ name: "url", value: pipeline.repository }, { name: "revision", value: "$(params.revision)" }],
                workspaces: source,
            },
            {
                name: "test",
                runAfter: ["clone"],
                taskRef: { name: tasks.test.metadata.name },
                params: [{ name: "image", value: pipeline.test.image }, { name: "command", value: pipeline.test.command }],
                workspaces: source,
            },
            {
                name: "build-and-push",
                runAfter: ["test"],
                taskRef: { name: tasks.build.metadata.name },
                params: [
                    { name: "image", value: `${pipeline.image}:$(params.revision)` },
                    { name: "context", value: pipeline.context },
                    { name: "dockerfile", value: pipeline.dockerfile },
                ],
                workspaces: [...source, { name: "dockerconfig", workspace: "dockerconfig" }],
            },
        ],
    };
}

/** Only pushes to the configured branch of the configured repository start the tier's pipeline. */
function pushFilter(pipeline: Pipeline): string {
    const quote = (value: string) => `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
    const repository = pipeline.repository.replace(/\.git$/, "");
    return [
        `body.ref == ${quote(`refs/heads/${pipeline.branch}`)}`,
        `(body.repository.clone_url == ${quote(`${repository}.git`)} || body.repository.ssh_url == ${quote(`${repository}.git`)} || body.repository.html_url == ${quote(repository)})`,
    ].join(" && ");
}
