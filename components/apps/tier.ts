import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StoreClient } from "../data/stateful";
import { profileOf } from "../platform/environment";
import { Placement, placementSpec } from "../platform/placement";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, standardLabels } from "../platform/security";
import { securityHeaders } from "../platform/security-headers";
import { Resources } from "../platform/sizing";
import { HpaBehavior, hpaBehaviorSpec } from "./autoscaling";
import { maxSurgePercent } from "./budget";
import { certificateVolumes, CertificateMount } from "./certificates";
import { createCronJobs, TierCronJob } from "./cron-jobs";
import { appSecretEnv, AppSecretsArgs } from "./secrets";
import { mustRecreate, TierVolume, volumeClaims, WorkloadKind } from "./volumes";

/** Another tier, as a NetworkPolicy peer: its app pods in its namespace. */
export interface TierPeer {
    tier: string;
    namespace: pulumi.Input<string>;
}

/** How a public tier's Ingress is served; the ingress layer and the edge fill it in. */
export interface TierIngressArgs {
    className: pulumi.Input<string>;
    /** Namespace of the ingress controller: the only one admitted to a public tier. */
    controllerNamespace: pulumi.Input<string>;
    /** cert-manager issues `<tier>-tls` from this ClusterIssuer when set. */
    clusterIssuer?: pulumi.Input<string>;
    /** An existing TLS Secret in the tier namespace (e.g. the Cloudflare origin certificate); wins over clusterIssuer. */
    tlsSecretName?: pulumi.Input<string>;
    /** Extra Ingress annotations, e.g. client-certificate verification. */
    annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** A public tier's hosts and limits, and the Ingress that serves them. */
export interface PublicArgs {
    hosts: readonly string[];
    paths: readonly string[];
    requestsPerSecond: number;
    connections: number;
    ingress: TierIngressArgs;
}

export interface AppTierArgs {
    /** The tier's name: its Deployment, Service, ServiceAccount and labels carry it. */
    name: string;
    environment: string;
    namespace: pulumi.Input<string>;
    image: string;
    port: number;
    replicas: number;
    resources: Resources;
    logLevel: string;
    /** Non-secret settings, passed as environment variables from a ConfigMap. */
    settings: Readonly<Record<string, string>>;
    /** Variables read from Secrets that already exist in the namespace. */
    secretEnv: readonly { name: string; secretName: string; key: string }[];
    /** Application secrets from the secret config, kept in a Secret the tier creates. */
    secrets?: AppSecretsArgs;
    /** Deployment, or StatefulSet for a volume per replica. */
    kind: WorkloadKind;
    volumes: readonly TierVolume[];
    /** StorageClass of volumes that name none. */
    storageClass?: string;
    /** Protect the volumes like the databases' (production). */
    protect: boolean;
    cronJobs: readonly TierCronJob[];
    placement?: Placement;
    probes: { liveness: string; readiness: string; startup: string };
    hpa?: { minReplicas: number; maxReplicas: number; cpuUtilization: number; memoryUtilization?: number; behavior: HpaBehavior };
    metrics?: { path: string; port?: number; scraperNamespace: string; requests: string; latencyHistogram?: string };
    /** Directories the app writes (the root filesystem is read-only). */
    writablePaths: readonly string[];
    runAsUser: number;
    /** Kubernetes API access in its own namespace; none means no token is mounted. */
    apiAccess: readonly { apiGroups: readonly string[]; resources: readonly string[]; verbs: readonly string[] }[];
    /** A ClusterRole is bound to the tier's ServiceAccount (see ClusterAccess), so it needs a token too. */
    clusterApi?: boolean;
    egress: readonly { cidr: string; ports: readonly number[] }[];
    /** The tiers allowed to call this one, with their namespaces: the tier admits them. */
    callers: readonly TierPeer[];
    /**
     * The tiers that name this one among their callers, with their ports: under the namespace's
     * default-deny, a call needs the caller's egress as much as the callee's ingress.
     */
    callees: readonly (TierPeer & { port: number })[];
    public?: PublicArgs;
    /**
     * cert-manager proves the public hosts' certificate over ACME HTTP-01, from solver pods in the
     * tier's namespace, which the controller must reach through the namespace's default-deny policy.
     */
    http01Solver?: boolean;
    database?: StoreClient;
    redis?: StoreClient;
    /** What the pods need before they start, besides the stores: CRDs and cluster bindings, certificates. */
    prerequisites?: readonly pulumi.Resource[];
    /** Certificate Secrets mounted read-only (see TierCertificates). */
    certificateMounts?: readonly CertificateMount[];
}

/**
 * One application tier: a restricted Deployment with probes, settings from a ConfigMap and
 * secrets only by reference, its ServiceAccount (with least-privilege API access when it needs
 * any), Service, autoscaler, disruption budget, network policy and, when public, its Ingress.
 */
export class AppTier extends pulumi.ComponentResource {
    /** The Deployment, or the StatefulSet with kind StatefulSet. */
    readonly workload: k8s.apps.v1.Deployment | k8s.apps.v1.StatefulSet;
    readonly service: k8s.core.v1.Service;
    readonly serviceName: pulumi.Output<string>;
    /** In-cluster address, e.g. "backend.backend.svc.cluster.local:3000". */
    readonly internalAddress: pulumi.Output<string>;
    readonly publicUrls: pulumi.Output<string[]>;
    /** The Service port that serves metrics, by name: "http", or "metrics" when metrics have a port of their own. */
    readonly metricsPortName?: string;

    constructor(name: string, args: AppTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("groundwork:apps:AppTier", name, {}, opts);
        const { environment } = args;
        const { highAvailability } = profileOf(environment);
        const namespace = pulumi.output(args.namespace);
        const labels = standardLabels(args.name, "app", environment);
        const selector = { "app.kubernetes.io/name": args.name, "app.kubernetes.io/component": "app" };
        const child = { parent: this };
        const needsApi = args.apiAccess.length > 0 || args.clusterApi === true;

        const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-sa`, {
            metadata: { name: args.name, namespace, labels },
            automountServiceAccountToken: needsApi,
        }, child);

        if (needsApi) {
            const role = new k8s.rbac.v1.Role(`${name}-role`, {
                metadata: { name: args.name, namespace, labels },
                rules: args.apiAccess.map((rule) => ({ apiGroups: [...rule.apiGroups], resources: [...rule.resources], verbs: [...rule.verbs] })),
            }, child);
            new k8s.rbac.v1.RoleBinding(`${name}-rolebinding`, {
                metadata: { name: args.name, namespace, labels },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: serviceAccount.metadata.name, namespace }],
            }, child);
        }

        // Auto-named, so that a change of settings creates a new ConfigMap and rolls the pods.
        const settings = new k8s.core.v1.ConfigMap(`${name}-settings`, {
            metadata: { namespace, labels },
            data: { LOG_LEVEL: args.logLevel, PORT: String(args.port), ENVIRONMENT: environment, ...args.settings },
        }, child);

        const podLabels = { ...labels, ...args.database?.podLabels, ...args.redis?.podLabels };
        const metricsPort = args.metrics?.port ?? args.port;
        const metricsPorts = metricsPort === args.port ? [] : [{ name: "metrics", port: metricsPort }];
        this.metricsPortName = args.metrics && (metricsPorts.length > 0 ? "metrics" : "http");
        const podAnnotations: Record<string, string> = args.metrics
            ? { "prometheus.io/scrape": "true", "prometheus.io/port": String(metricsPort), "prometheus.io/path": args.metrics.path }
            : {};
        const writableVolumes = args.writablePaths.map((mountPath, i) => ({ name: `writable-${i}`, mountPath }));
        const certificateMounts = certificateVolumes(args.certificateMounts ?? []);
        const stores = [args.database, args.redis].filter((store): store is StoreClient => store !== undefined);
        // What the scheduled jobs reach too: the stores and the declared external addresses. Calls to
        // other tiers are the app's alone, as the callees admit the caller's app pods only.
        const jobEgress: k8s.types.input.networking.v1.NetworkPolicyEgressRule[] = [
            ...stores.map((store) => ({ to: [store.peer], ports: [{ protocol: "TCP", port: store.port }] })),
            ...args.egress.map((rule) => ({ to: [{ ipBlock: { cidr: rule.cidr } }], ports: rule.ports.map((port) => ({ protocol: "TCP", port })) })),
        ];
        const egress = [
            ...jobEgress,
            ...args.callees.map((callee) => ({ to: [tierAppPeer(callee)], ports: [{ protocol: "TCP", port: callee.port }] })),
        ];
        const claims = volumeClaims(name, {
            tierName: args.name,
            kind: args.kind,
            volumes: args.volumes,
            replicas: args.replicas,
            namespace,
            labels,
            defaultStorageClass: args.storageClass,
            protect: args.protect,
        }, this);
        const storesReady = stores.flatMap((store) => store.readyResources);

        // What the app's pods and the scheduled jobs' pods share: identity, security, placement, configuration.
        const sharedPodSpec = {
            serviceAccountName: serviceAccount.metadata.name,
            automountServiceAccountToken: needsApi,
            securityContext: restrictedPodSecurityContext(args.runAsUser),
            ...placementSpec(args.placement),
        };
        const sharedContainer = {
            image: args.image,
            envFrom: [{ configMapRef: { name: settings.metadata.name } }],
            env: [
                ...secretEnv(args.database, { PGHOST: "host", PGPORT: "port", PGDATABASE: "database", PGUSER: "username", PGPASSWORD: "password" }),
                ...secretEnv(args.redis, { REDIS_HOST: "host", REDIS_PORT: "port", REDIS_PASSWORD: "password" }),
                ...args.secretEnv.map((ref) => ({ name: ref.name, valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } } })),
                ...appSecretEnv(name, args.secrets, { namespace, labels }, this),
            ],
            securityContext: restrictedContainerSecurityContext(),
        };
        const writableEmptyDirs = writableVolumes.map((volume) => ({ name: volume.name, emptyDir: { sizeLimit: "256Mi" } }));

        const podTemplate: k8s.types.input.core.v1.PodTemplateSpec = {
            metadata: { labels: podLabels, annotations: podAnnotations },
            spec: {
                ...sharedPodSpec,
                topologySpreadConstraints: ["kubernetes.io/hostname", "topology.kubernetes.io/zone"].map((topologyKey) => ({
                    maxSkew: 1,
                    topologyKey,
                    whenUnsatisfiable: highAvailability && topologyKey === "kubernetes.io/hostname" ? "DoNotSchedule" : "ScheduleAnyway",
                    labelSelector: { matchLabels: selector },
                })),
                containers: [{
                    name: args.name,
                    ...sharedContainer,
                    ports: [{ name: "http", containerPort: args.port }, ...metricsPorts.map(({ name: portName, port }) => ({ name: portName, containerPort: port }))],
                    resources: {
                        requests: { ...args.resources.requests },
                        limits: { ...args.resources.limits },
                    },
                    startupProbe: { httpGet: { path: args.probes.startup, port: "http" }, periodSeconds: 5, failureThreshold: 60 },
                    readinessProbe: { httpGet: { path: args.probes.readiness, port: "http" }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
                    livenessProbe: { httpGet: { path: args.probes.liveness, port: "http" }, periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 3 },
                    volumeMounts: [...writableVolumes, ...claims.mounts, ...certificateMounts.volumeMounts],
                }],
                volumes: [...writableEmptyDirs, ...claims.podVolumes, ...certificateMounts.volumes],
            },
        };
        const workloadOptions: pulumi.CustomResourceOptions = {
            parent: this,
            dependsOn: [...storesReady, ...claims.claims, ...(args.prerequisites ?? [])],
            // The autoscaler owns the replica count once it exists; re-applying ours would undo its work.
            ignoreChanges: args.hpa ? ["spec.replicas"] : [],
        };

        this.workload = args.kind === "StatefulSet"
            ? new k8s.apps.v1.StatefulSet(`${name}-statefulset`, {
                metadata: { name: args.name, namespace, labels },
                spec: {
                    serviceName: args.name,
                    replicas: args.replicas,
                    selector: { matchLabels: selector },
                    updateStrategy: { type: "RollingUpdate" },
                    // The claims outlive the pods and the StatefulSet; Pulumi protects them in production.
                    persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                    template: podTemplate,
                    volumeClaimTemplates: claims.templates,
                },
            }, workloadOptions)
            : new k8s.apps.v1.Deployment(`${name}-deployment`, {
                metadata: { name: args.name, namespace, labels },
                spec: {
                    replicas: args.replicas,
                    selector: { matchLabels: selector },
                    strategy: mustRecreate(args.kind, args.volumes)
                        ? { type: "Recreate" }
                        : {
                            type: "RollingUpdate",
                            rollingUpdate: { maxUnavailable: highAvailability ? 0 : "25%", maxSurge: `${maxSurgePercent}%` },
                        },
                    template: podTemplate,
                },
            }, workloadOptions);

        createCronJobs(name, {
            tierName: args.name,
            jobs: args.cronJobs,
            namespace,
            labels,
            podLabels: { ...args.database?.podLabels, ...args.redis?.podLabels },
            tierResources: args.resources,
            podSpec: { ...sharedPodSpec, volumes: writableEmptyDirs },
            container: { name: args.name, ...sharedContainer, volumeMounts: writableVolumes },
            egress: jobEgress,
            dependsOn: storesReady,
        }, this);

        this.service = new k8s.core.v1.Service(`${name}-service`, {
            metadata: { name: args.name, namespace, labels },
            spec: { selector, ports: [{ name: "http", port: args.port, targetPort: "http" }, ...metricsPorts.map(({ name: portName, port }) => ({ name: portName, port, targetPort: portName }))] },
        }, child);
        this.serviceName = this.service.metadata.name;
        this.internalAddress = pulumi.interpolate`${this.serviceName}.${namespace}.svc.cluster.local:${args.port}`;

        if (args.hpa) {
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(`${name}-hpa`, {
                metadata: { name: args.name, namespace, labels },
                spec: {
                    scaleTargetRef: { apiVersion: "apps/v1", kind: args.kind, name: this.workload.metadata.name },
                    minReplicas: args.hpa.minReplicas,
                    maxReplicas: args.hpa.maxReplicas,
                    metrics: [
                        utilization("cpu", args.hpa.cpuUtilization),
                        ...(args.hpa.memoryUtilization ? [utilization("memory", args.hpa.memoryUtilization)] : []),
                    ],
                    behavior: hpaBehaviorSpec(args.hpa.behavior),
                },
            }, child);
        }

        new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, {
            metadata: { name: args.name, namespace, labels },
            spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
        }, child);

        new k8s.networking.v1.NetworkPolicy(`${name}-traffic`, {
            metadata: { name: `${args.name}-traffic`, namespace, labels },
            spec: {
                podSelector: { matchLabels: selector },
                policyTypes: ["Ingress", "Egress"],
                ingress: ingressRules(args, metricsPort),
                egress,
            },
        }, child);

        this.publicUrls = pulumi.output(args.public ? args.public.hosts.map((host) => `https://${host}`) : []);
        if (args.public) {
            this.createIngress(name, args, args.public, namespace, labels);
        }

        this.registerOutputs({ serviceName: this.serviceName, internalAddress: this.internalAddress, publicUrls: this.publicUrls });
    }

    private createIngress(
        name: string,
        args: AppTierArgs,
        publicArgs: PublicArgs,
        namespace: pulumi.Output<string>,
        labels: Record<string, string>,
    ): void {
        const { ingress } = publicArgs;
        const headers = new k8s.core.v1.ConfigMap(`${name}-security-headers`, {
            metadata: { name: `${args.name}-security-headers`, namespace, labels },
            data: securityHeaders,
        }, { parent: this });

        const tlsSecretName = ingress.tlsSecretName ?? `${args.name}-tls`;
        const issuerAnnotations: Record<string, pulumi.Input<string>> = ingress.tlsSecretName === undefined && ingress.clusterIssuer !== undefined
            ? { "cert-manager.io/cluster-issuer": ingress.clusterIssuer }
            : {};
        if (ingress.tlsSecretName === undefined && ingress.clusterIssuer === undefined) {
            throw new Error(`tier "${args.name}" is public but its ingress has neither tlsSecretName nor clusterIssuer: it would serve no TLS certificate`);
        }

        new k8s.networking.v1.Ingress(`${name}-ingress`, {
            metadata: {
                name: args.name,
                namespace,
                labels,
                annotations: pulumi.all([ingress.annotations ?? {}, issuerAnnotations, headers.metadata.name, namespace]).apply(
                    ([extra, issuer, headersName, ns]): Record<string, string> => ({
                        "nginx.ingress.kubernetes.io/ssl-redirect": "true",
                        "nginx.ingress.kubernetes.io/limit-rps": String(publicArgs.requestsPerSecond),
                        "nginx.ingress.kubernetes.io/limit-connections": String(publicArgs.connections),
                        "nginx.ingress.kubernetes.io/custom-headers": `${ns}/${headersName}`,
                        ...issuer,
                        ...extra,
                    }),
                ),
            },
            spec: {
                ingressClassName: ingress.className,
                tls: [{ hosts: [...publicArgs.hosts], secretName: tlsSecretName }],
                rules: publicArgs.hosts.map((host) => ({
                    host,
                    http: {
                        paths: publicArgs.paths.map((path) => ({
                            path,
                            pathType: "Prefix",
                            backend: { service: { name: this.serviceName, port: { name: "http" } } },
                        })),
                    },
                })),
            },
        }, { parent: this, dependsOn: [headers] });

        if (args.http01Solver) {
            new k8s.networking.v1.NetworkPolicy(`${name}-acme-solver`, {
                metadata: { name: `${args.name}-acme-http01-solver`, namespace, labels },
                spec: {
                    podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
                    policyTypes: ["Ingress"],
                    ingress: [{
                        from: [namespacePeer(ingress.controllerNamespace)],
                        ports: [{ protocol: "TCP", port: acmeSolverPort }],
                    }],
                },
            }, { parent: this });
        }
    }
}

/** Where cert-manager's acmesolver listens for the challenge request. */
export const acmeSolverPort = 8089;

function secretEnv(store: StoreClient | undefined, variables: Record<string, string>): k8s.types.input.core.v1.EnvVar[] {
    if (!store) {
        return [];
    }
    return Object.entries(variables).map(([name, key]) => ({ name, valueFrom: { secretKeyRef: { name: store.credentialsSecretName, key } } }));
}

function utilization(resource: "cpu" | "memory", averageUtilization: number): k8s.types.input.autoscaling.v2.MetricSpec {
    return { type: "Resource", resource: { name: resource, target: { type: "Utilization", averageUtilization } } };
}

/** Pods of a namespace, optionally only those with these labels. */
function namespacePeer(namespace: pulumi.Input<string>, podLabels?: Record<string, string>): k8s.types.input.networking.v1.NetworkPolicyPeer {
    return {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
        ...(podLabels ? { podSelector: { matchLabels: podLabels } } : {}),
    };
}

/** A tier's app pods (not its scheduled jobs', nor its database's) in the tier's namespace. */
function tierAppPeer(peer: TierPeer): k8s.types.input.networking.v1.NetworkPolicyPeer {
    return namespacePeer(peer.namespace, { "app.kubernetes.io/name": peer.tier, "app.kubernetes.io/component": "app" });
}

function ingressRules(args: AppTierArgs, metricsPort: number): k8s.types.input.networking.v1.NetworkPolicyIngressRule[] {
    const rules: k8s.types.input.networking.v1.NetworkPolicyIngressRule[] = [];
    const callers = args.callers.map(tierAppPeer);
    if (args.public) {
        callers.push(namespacePeer(args.public.ingress.controllerNamespace));
    }
    if (callers.length > 0) {
        rules.push({ from: callers, ports: [{ protocol: "TCP", port: args.port }] });
    }
    if (args.metrics) {
        rules.push({ from: [namespacePeer(args.metrics.scraperNamespace)], ports: [{ protocol: "TCP", port: metricsPort }] });
    }
    return rules;
}
