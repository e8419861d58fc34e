import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { standardLabels } from "../../platform/security";
import { AddonContext, ChartValues, HelmAddon, restrictedContainer, restrictedPod } from "../helm-addon";
import { IngressLayer, publicEndpoint, servingOf } from "../ingress-layer";
import { ApplicationKind, applicationKinds, ArgoCdSettings, RepositoryCredentials, repositoryKey } from "./config";

export interface ArgoCdArgs {
    context: AddonContext;
    settings: ArgoCdSettings;
    /** Parsed groundwork:argocdRepositoryCredentials (plaintext here; stored only in Secrets, as secrets). */
    repositoryCredentials: RepositoryCredentials;
    /** Serve the UI's host; needed only when it is set. */
    ingress?: IngressLayer;
    clusterIssuer?: pulumi.Input<string>;
}

const releaseName = "argocd";
/** `argocd.argoproj.io/sync-wave` of each kind's Applications: CRDs, then operators, then apps. */
export const syncWaves: Record<ApplicationKind, number> = { crds: -2, operator: -1, app: 0 };
/** The apps' set keeps the name (and URN) it had when it was the only one. */
const applicationSetNames: Record<ApplicationKind, string> = { crds: "crds", operator: "operators", app: "applications" };
const inClusterServer = "https://kubernetes.default.svc";

/**
 * Argo CD, highly available in production, its UI behind the ingress with TLS. The environment's
 * AppProject admits only the configured repositories and tier namespaces and nothing cluster-scoped;
 * a second project, only when applications of kind "crds" exist, admits CustomResourceDefinitions and
 * nothing else cluster-wide. One ApplicationSet per kind (CRDs, operators, apps) stamps its
 * Applications with the kind's sync wave and waits for the set before it; sync is automated with the
 * stack's prune and self-heal, retried with backoff.
 *
 * Chart v4 drops the `redis-secret-init` hook, so `argocd-redis` is created here from
 * @pulumi/random; the admin password is a RandomPassword whose bcrypt hash is kept in state, so
 * previews stay quiet. Secrets reach Argo CD only through Secret objects, never chart values.
 *
 * Namespace level: restricted (the chart's containers run non-root, read-only, no capabilities,
 * RuntimeDefault seccomp; redis-ha is given the same settings below).
 */
export class ArgoCd extends HelmAddon {
    readonly chart: k8s.helm.v4.Chart;
    readonly url: pulumi.Output<string>;
    /** Plaintext admin password (a secret output); Argo CD stores only its bcrypt hash. */
    readonly adminPassword: pulumi.Output<string>;
    readonly redisPassword: pulumi.Output<string>;
    readonly project: k8s.apiextensions.CustomResource;
    /** The applications' ApplicationSet ("app" kind), if any. */
    readonly applicationSet?: k8s.apiextensions.CustomResource;
    /** Every ApplicationSet, in sync-wave order: CRDs, operators, apps. */
    readonly applicationSets: k8s.apiextensions.CustomResource[];

    constructor(name: string, args: ArgoCdArgs, opts?: pulumi.ComponentResourceOptions) {
        const { settings, context } = args;
        super("groundwork:addons:ArgoCd", name, context, { name: settings.namespace, podSecurityLevel: "restricted" }, opts);
        const labels = standardLabels("argocd", "addon", context.environment);
        const argoLabels = { ...labels, "app.kubernetes.io/part-of": "argocd" };
        const child = { parent: this };
        const inNamespace = { parent: this, dependsOn: [this.namespaceResource] };

        const admin = new random.RandomPassword(`${name}-admin`, { length: 32, special: false }, child);
        const redis = new random.RandomPassword(`${name}-redis`, { length: 32, special: false }, child);
        const serverKey = new random.RandomPassword(`${name}-server-key`, { length: 48, special: false }, child);
        // Secret already by the provider's schema; marked here too so that no code path can lose it.
        this.adminPassword = pulumi.secret(admin.result);
        this.redisPassword = pulumi.secret(redis.result);

        const redisSecret = new k8s.core.v1.Secret(`${name}-redis`, {
            metadata: { name: "argocd-redis", namespace: this.namespace, labels: argoLabels },
            type: "Opaque",
            stringData: { auth: redis.result },
        }, inNamespace);
        const argocdSecret = new k8s.core.v1.Secret(`${name}-secret`, {
            metadata: { name: "argocd-secret", namespace: this.namespace, labels: argoLabels },
            type: "Opaque",
            stringData: { "admin.password": admin.bcryptHash, "server.secretkey": serverKey.result },
        }, inNamespace);
        // Named by the repository, not its place in the list, so that reordering the list changes nothing;
        // the alias carries over the state of Secrets created when names were positional.
        const repositorySecrets = args.repositoryCredentials.map((repository, i) => new k8s.core.v1.Secret(`${name}-repository-${repositoryKey(repository.url)}`, {
            metadata: {
                name: `repository-${repositoryKey(repository.url)}`,
                namespace: this.namespace,
                labels: { ...argoLabels, "argocd.argoproj.io/secret-type": "repository" },
            },
            type: "Opaque",
            stringData: pulumi.secret(Object.fromEntries(Object.entries(repository).filter(([, value]) => value !== undefined)) as Record<string, string>),
        }, { ...inNamespace, aliases: [{ name: `${name}-repository-${i}` }] }));

        this.chart = this.installChart({
            chart: "argoCd",
            releaseName,
            values: this.chartValues(settings),
            overrides: settings.values,
            dependsOn: [redisSecret, argocdSecret, ...repositorySecrets],
        });

        const afterCrds = { parent: this, dependsOn: [this.chart] };
        const projectName = context.environment;
        const byKind = (kinds: readonly ApplicationKind[]) => settings.applications.filter((application) => kinds.includes(application.kind));
        // Workloads: only tier namespaces, no cluster-scoped objects, never the namespace guards.
        this.project = this.createProject(`${name}-project`, projectName, `Applications of the ${context.environment} environment`, settings, byKind(["operator", "app"]), [], labels);
        // CRDs are cluster-scoped: the one project that may create them may create nothing else cluster-wide.
        const crdProject = byKind(["crds"]).length === 0 ? undefined : this.createProject(`${name}-crds-project`, `${projectName}-crds`,
            `CustomResourceDefinitions of the ${context.environment} environment`, settings, byKind(["crds"]), [{ group: "apiextensions.k8s.io", kind: "CustomResourceDefinition" }], labels);

        // Argo CD creates a `default` project allowing everything when none exists; this one allows nothing.
        // Server-side apply takes over the object the server may have created first (patchForce: its fields).
        new k8s.apiextensions.CustomResource(`${name}-default-project`, {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "AppProject",
            metadata: { name: "default", namespace: this.namespace, labels, annotations: { "pulumi.com/patchForce": "true" } },
            spec: {
                description: "Locked: every application belongs to an environment project",
                sourceRepos: [],
                destinations: [],
                clusterResourceWhitelist: [],
                namespaceResourceWhitelist: [],
            },
        }, { parent: this, dependsOn: [this.chart], retainOnDelete: true });

        // One ApplicationSet per kind, in wave order, each waiting for the one before it.
        this.applicationSets = [];
        for (const kind of applicationKinds) {
            const applications = byKind([kind]);
            if (applications.length === 0) {
                continue;
            }
            const project = kind === "crds" ? crdProject! : this.project;
            const applicationSet = new k8s.apiextensions.CustomResource(`${name}-${applicationSetNames[kind]}`, {
                apiVersion: "argoproj.io/v1alpha1",
                kind: "ApplicationSet",
                metadata: { name: `${projectName}-${applicationSetNames[kind]}`, namespace: this.namespace, labels },
                spec: {
                    goTemplate: true,
                    goTemplateOptions: ["missingkey=error"],
                    generators: [{ list: { elements: applications.map((application) => ({ ...application })) } }],
                    // Deleting the set must not delete CRDs, and with them every instance in the cluster.
                    ...(kind === "crds" ? { syncPolicy: { preserveResourcesOnDeletion: true } } : {}),
                    template: {
                        metadata: {
                            name: "{{.name}}",
                            labels: { "groundwork.dev/environment": context.environment, "groundwork.dev/wave": kind },
                            annotations: { "argocd.argoproj.io/sync-wave": String(syncWaves[kind]) },
                        },
                        spec: {
                            project: project.metadata.name,
                            source: { repoURL: "{{.repository}}", path: "{{.path}}", targetRevision: "{{.revision}}" },
                            destination: { server: inClusterServer, namespace: "{{.namespace}}" },
                            syncPolicy: syncPolicy(kind, settings.sync),
                        },
                    },
                },
            }, { parent: this, dependsOn: [this.chart, project, ...this.applicationSets.slice(-1)] });
            this.applicationSets.push(applicationSet);
            if (kind === "app") {
                this.applicationSet = applicationSet;
            }
        }

        if (settings.host !== undefined) {
            publicEndpoint(`${name}-server`, {
                host: settings.host,
                namespace: this.namespace,
                serviceName: `${releaseName}-server`,
                servicePort: 80,
                ...servingOf("groundwork:addons.argocd.host", args),
                labels,
            }, afterCrds);
            this.url = pulumi.output(`https://${settings.host}`);
        } else {
            this.url = pulumi.interpolate`http://${releaseName}-server.${this.namespace}.svc.cluster.local`;
        }
        this.registerOutputs({ url: this.url, adminPassword: this.adminPassword, namespace: this.namespace });
    }

    /** An AppProject limited to the applications' repositories and namespaces, and to `clusterResources` cluster-wide. */
    private createProject(
        resourceName: string,
        projectName: string,
        description: string,
        settings: ArgoCdSettings,
        applications: ArgoCdSettings["applications"],
        clusterResources: { group: string; kind: string }[],
        labels: Record<string, string>,
    ): k8s.apiextensions.CustomResource {
        const namespaces = [...new Set(applications.map((application) => application.namespace))];
        const repositories = [...new Set([...settings.sourceRepositories, ...applications.map((application) => application.repository)])];
        return new k8s.apiextensions.CustomResource(resourceName, {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "AppProject",
            metadata: { name: projectName, namespace: this.namespace, labels },
            spec: {
                description,
                sourceRepos: repositories,
                destinations: namespaces.map((namespace) => ({ server: inClusterServer, namespace })),
                clusterResourceWhitelist: clusterResources,
                // The namespace guards stay with the platform.
                namespaceResourceBlacklist: [
                    { group: "", kind: "ResourceQuota" },
                    { group: "", kind: "LimitRange" },
                    { group: "networking.k8s.io", kind: "NetworkPolicy" },
                ],
            },
        }, { parent: this, dependsOn: [this.chart] });
    }

    private chartValues(settings: ArgoCdSettings): ChartValues {
        const highAvailability = settings.highAvailability ?? this.highAvailability;
        const replicas = highAvailability ? 2 : 1;
        const resources = { requests: { ...settings.resources.requests }, limits: { ...settings.resources.limits } };
        const component = (extra: ChartValues = {}): ChartValues => ({
            resources,
            containerSecurityContext: restrictedContainer,
            pdb: { enabled: highAvailability, minAvailable: 1 },
            ...extra,
        });
        return {
            global: {
                ...(settings.host === undefined ? {} : { domain: settings.host }),
                securityContext: restrictedPod,
                affinity: { podAntiAffinity: highAvailability ? "soft" : "none" },
            },
            crds: { install: true, keep: true },
            configs: {
                // TLS ends at the ingress; the server speaks plain HTTP inside the cluster.
                params: { "server.insecure": true },
                // argocd-secret is created by this component (admin hash, server key).
                secret: { createSecret: false },
                cm: { "admin.enabled": true, "exec.enabled": false },
            },
            // A hook, which Chart v4 drops; argocd-redis is created by this component.
            redisSecretInit: { enabled: false },
            // No SSO connector is configured: Dex would run for nothing.
            dex: { enabled: false },
            controller: component({ replicas: 1 }),
            server: component({ replicas, ingress: { enabled: false } }),
            repoServer: component({ replicas }),
            applicationSet: component({ replicas }),
            notifications: component(),
            redis: { enabled: !highAvailability, resources, containerSecurityContext: restrictedContainer, securityContext: { ...restrictedPod, runAsUser: 999 } },
            "redis-ha": {
                enabled: highAvailability,
                securityContext: { ...restrictedPod, runAsUser: 1000, fsGroup: 1000 },
                containerSecurityContext: restrictedContainer,
                haproxy: { containerSecurityContext: restrictedContainer, securityContext: { ...restrictedPod, runAsUser: 99, fsGroup: 99 } },
            },
        };
    }
}

/**
 * Automated sync with the stack's prune and self-heal, retried with exponential backoff. CRDs are never
 * pruned automatically (deleting a CRD deletes every instance) and are applied server-side (their
 * schemas outgrow the last-applied annotation); operators and apps skip the dry run of kinds whose CRD
 * is still being created, and the retry picks them up once it exists.
 */
function syncPolicy(kind: ApplicationKind, sync: ArgoCdSettings["sync"]): Record<string, unknown> {
    return {
        automated: { prune: kind === "crds" ? false : sync.prune, selfHeal: sync.selfHeal },
        // Namespaces are the platform's (guarded, labelled): never created by Argo CD.
        syncOptions: ["CreateNamespace=false", ...(kind === "crds" ? ["ServerSideApply=true"] : ["SkipDryRunOnMissingResource=true"])],
        retry: { limit: sync.retry.limit, backoff: { ...sync.retry.backoff } },
    };
}
