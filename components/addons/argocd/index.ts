import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { replicasFor } from "../../platform/environment";
import { standardLabels } from "../../platform/security";
import { versions } from "../../versions";
import { ChartSource } from "../helm-addon/chart-source";
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
/** `argocd.argoproj.io/sync-wave` of each kind's Applications inside the app-of-apps: CRDs, then operators, then apps. */
export const syncWaves: Record<ApplicationKind, number> = { crds: -2, operator: -1, app: 0 };
const inClusterServer = "https://kubernetes.default.svc";
const applicationKind = { group: "argoproj.io", kind: "Application" };

/**
 * The cluster-scoped kinds each kind's project admits, named one by one (never "*"): CRDs alone for
 * "crds"; for operators their CRDs, cluster RBAC and admission webhooks; nothing for apps.
 */
export const clusterResources: Record<ApplicationKind, readonly { group: string; kind: string }[]> = {
    crds: [{ group: "apiextensions.k8s.io", kind: "CustomResourceDefinition" }],
    operator: [
        { group: "apiextensions.k8s.io", kind: "CustomResourceDefinition" },
        { group: "rbac.authorization.k8s.io", kind: "ClusterRole" },
        { group: "rbac.authorization.k8s.io", kind: "ClusterRoleBinding" },
        { group: "admissionregistration.k8s.io", kind: "MutatingWebhookConfiguration" },
        { group: "admissionregistration.k8s.io", kind: "ValidatingWebhookConfiguration" },
    ],
    app: [],
};

/** Each kind's project: `<environment>` for apps (the name it always had), `<environment>-crds`, `<environment>-operators`. */
const projectSuffix: Record<ApplicationKind, string> = { crds: "-crds", operator: "-operators", app: "" };
const projectResourceSuffix: Record<ApplicationKind, string> = { crds: "-crds-project", operator: "-operators-project", app: "-project" };

/**
 * Argo CD's health of an Application is its own status.health. Argo CD 1.8 dropped this assessment, so
 * an app-of-apps would move to the next sync wave as soon as the children exist; with it, the parent
 * waits in each wave until that wave's Applications are Healthy.
 */
const applicationHealthLua = [
    "local health = { status = \"Progressing\", message = \"\" }",
    "if obj.status ~= nil and obj.status.health ~= nil and obj.status.health.status ~= nil then",
    "  health.status = obj.status.health.status",
    "  health.message = obj.status.health.message or \"\"",
    "end",
    "return health",
].join("\n");

/**
 * Argo CD, highly available in production, its UI behind the ingress with TLS. Each kind of
 * application has its project, admitting only the configured repositories and tier namespaces and,
 * cluster-wide, only the kinds that kind needs (clusterResources). The applications are the children
 * of one app-of-apps Application, in sync waves CRDs → operators → apps (see createAppOfApps); sync is
 * automated with the stack's prune and self-heal, retried with backoff.
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
    /** The apps' project. */
    readonly project: k8s.apiextensions.CustomResource;
    /** The parent Application whose children are the configured applications, in sync waves; none without applications. */
    readonly appOfApps?: k8s.apiextensions.CustomResource;

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
        // One project per kind, each admitting only the cluster-scoped kinds that kind needs; the apps' project always exists.
        const projectOf = (kind: ApplicationKind) => this.createProject(`${name}${projectResourceSuffix[kind]}`, `${projectName}${projectSuffix[kind]}`,
            `${projectDescriptions[kind]} of the ${context.environment} environment`, settings, kind, labels);
        this.project = projectOf("app");
        const projects = [this.project, ...applicationKinds.filter((kind) => kind !== "app" && settings.applications.some((application) => application.kind === kind)).map(projectOf)];

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

        if (settings.applications.length > 0) {
            this.appOfApps = this.createAppOfApps(name, projectName, settings, projects, labels, argoLabels);
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

    /**
     * The app-of-apps: a parent Application whose rendered manifests are the configured applications,
     * each annotated with its kind's sync wave.
     *
     * Why app-of-apps and not ApplicationSets: Argo CD ignores sync waves on the Applications an
     * ApplicationSet generates (it creates them; nothing syncs them as one operation), and the one way
     * an ApplicationSet orders them, a RollingSync progressive sync, is alpha, needs the ApplicationSet
     * controller started with progressive syncs enabled, and has that controller trigger the syncs in
     * place of the Applications' own automated sync. Children of an Application, by contrast, are resources of its sync, which
     * Argo CD applies wave by wave, waiting (with the health assessment in argocd-cm) until a wave's
     * Applications are Healthy before the next: CRDs, then operators, then apps.
     *
     * The parent's source is the argocd-apps chart (argo-helm, pinned in versions.ts), which renders one
     * Application per `applications` entry of its values, `additionalAnnotations` into its
     * metadata.annotations: the waves are in the manifests Argo CD syncs, not in Pulumi's ordering.
     */
    private createAppOfApps(
        name: string,
        projectName: string,
        settings: ArgoCdSettings,
        projects: k8s.apiextensions.CustomResource[],
        labels: Record<string, string>,
        argoLabels: Record<string, string>,
    ): k8s.apiextensions.CustomResource {
        const chart = argoCdRenderedChart(this.context.charts);
        // A mirror is declared to Argo CD as a Helm repository, with the mirror's login if it has one.
        const mirror = this.context.charts.source === "upstream" ? [] : [new k8s.core.v1.Secret(`${name}-chart-repository`, {
            metadata: { name: "repository-chart-mirror", namespace: this.namespace, labels: { ...argoLabels, "argocd.argoproj.io/secret-type": "repository" } },
            type: "Opaque",
            stringData: pulumi.secret({
                type: "helm",
                name: "chart-mirror",
                url: chart.repoURL,
                ...(chart.oci ? { enableOCI: "true" } : {}),
                ...(this.context.charts.username === undefined ? {} : { username: this.context.charts.username, password: this.context.charts.password ?? "" }),
            }),
        }, { parent: this, dependsOn: [this.namespaceResource] })];
        const parentProject = new k8s.apiextensions.CustomResource(`${name}-app-of-apps-project`, {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "AppProject",
            metadata: { name: `${projectName}-app-of-apps`, namespace: this.namespace, labels },
            spec: {
                description: `The app-of-apps of the ${projectName} environment: Applications in Argo CD's namespace, nothing else`,
                sourceRepos: [chart.repoURL],
                destinations: [{ server: inClusterServer, namespace: settings.namespace }],
                clusterResourceWhitelist: [],
                namespaceResourceWhitelist: [applicationKind],
            },
        }, { parent: this, dependsOn: [this.chart] });

        const children = Object.fromEntries(settings.applications.map((application) => [application.name, {
            namespace: settings.namespace,
            project: `${projectName}${projectSuffix[application.kind]}`,
            additionalLabels: { "groundwork.dev/environment": projectName, "groundwork.dev/wave": application.kind },
            additionalAnnotations: { "argocd.argoproj.io/sync-wave": String(syncWaves[application.kind]) },
            // Deleting an Application deletes what it deployed, except CRDs: deleting one deletes every instance.
            ...(application.kind === "crds" ? {} : { finalizers: ["resources-finalizer.argocd.argoproj.io"] }),
            source: { repoURL: application.repository, path: application.path, targetRevision: application.revision },
            destination: { server: inClusterServer, namespace: application.namespace },
            syncPolicy: syncPolicy(application.kind, settings.sync),
        }]));
        return new k8s.apiextensions.CustomResource(`${name}-app-of-apps`, {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "Application",
            metadata: { name: `${projectName}-applications`, namespace: this.namespace, labels },
            spec: {
                project: parentProject.metadata.name,
                source: { repoURL: chart.repoURL, chart: chart.name, targetRevision: chart.version, helm: { valuesObject: { applications: children } } },
                destination: { server: inClusterServer, namespace: settings.namespace },
                syncPolicy: {
                    automated: { prune: settings.sync.prune, selfHeal: settings.sync.selfHeal },
                    syncOptions: ["CreateNamespace=false"],
                    retry: { limit: settings.sync.retry.limit, backoff: { ...settings.sync.retry.backoff } },
                },
            },
        }, { parent: this, dependsOn: [this.chart, parentProject, ...projects, ...mirror] });
    }

    /** The AppProject of one kind: its applications' repositories and namespaces, and that kind's cluster-scoped kinds. */
    private createProject(
        resourceName: string,
        projectName: string,
        description: string,
        settings: ArgoCdSettings,
        kind: ApplicationKind,
        labels: Record<string, string>,
    ): k8s.apiextensions.CustomResource {
        const applications = settings.applications.filter((application) => application.kind === kind);
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
                clusterResourceWhitelist: clusterResources[kind].map((entry) => ({ ...entry })),
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
        const replicas = replicasFor(highAvailability);
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
                cm: { "admin.enabled": true, "exec.enabled": false, "resource.customizations.health.argoproj.io_Application": applicationHealthLua },
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

const projectDescriptions: Record<ApplicationKind, string> = {
    crds: "CustomResourceDefinitions",
    operator: "Operators",
    app: "Applications",
};

/** Where Argo CD's repo server fetches argocd-apps: the stack's chart source, as Pulumi's charts. Validation keeps "local" sources away. */
function argoCdRenderedChart(charts: ChartSource): { repoURL: string; oci: boolean; name: string; version: string } {
    const pinned = versions.argoCdRenderedCharts.argocdApps;
    if (charts.source === "upstream") {
        return { repoURL: pinned.repository, oci: false, name: pinned.name, version: pinned.version };
    }
    if (charts.source === "local" || charts.url === undefined) {
        throw new Error(`groundwork:charts.source "${charts.source}" has no URL from which Argo CD could fetch ${pinned.name}`);
    }
    // Argo CD names a Helm OCI repository without its scheme and marks it with enableOCI.
    return { repoURL: charts.url.replace(/^oci:\/\//, "").replace(/\/+$/, ""), oci: charts.source === "oci", name: pinned.name, version: pinned.version };
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
