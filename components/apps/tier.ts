import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Tier } from "../config";
import { redisClientLabel } from "../data/redis";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, standardLabels } from "../platform/security";

/** How a public tier is exposed; the ingress layer and the edge fill it in. */
export interface TierIngressArgs {
    className: pulumi.Input<string>;
    /** Namespace of the ingress controller: the only one admitted to a public tier. */
    controllerNamespace: pulumi.Input<string>;
    /** cert-manager issues `<tier>-tls` from this ClusterIssuer when set. */
    clusterIssuer?: pulumi.Input<string>;
    /**
     * cert-manager may answer an ACME HTTP-01 challenge for the tier's hosts from a solver pod in the
     * tier namespace, which the controller must reach through the namespace's default-deny policy.
     */
    http01Solver?: boolean;
    /** An existing TLS Secret in the tier namespace (e.g. the Cloudflare origin certificate); wins over clusterIssuer. */
    tlsSecretName?: pulumi.Input<string>;
    /** Extra Ingress annotations, e.g. client-certificate verification. */
    annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** A store the tier connects to: the Secret it reads, and where its pods are for the egress policy. */
export interface TierStoreArgs {
    credentialsSecretName: pulumi.Input<string>;
    /** The tier must not start before these exist (credentials Secret, Service). */
    readyResources: pulumi.Resource[];
    port: number;
    peer: k8s.types.input.networking.v1.NetworkPolicyPeer;
}

export interface AppTierArgs {
    tier: Tier;
    environment: string;
    namespace: pulumi.Input<string>;
    database?: TierStoreArgs;
    redis?: TierStoreArgs;
    /** Namespaces of the tiers listed in `tier.callers`. */
    callerNamespaces: { tier: string; namespace: pulumi.Input<string> }[];
    /** Required for public tiers. */
    ingress?: TierIngressArgs;
}

const securityHeaders: Record<string, string> = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
};

/** The response headers every public tier sends; the ingress controller must allow these names. */
export const securityHeaderNames = Object.keys(securityHeaders);

/**
 * One application tier: a restricted Deployment with probes, settings from a ConfigMap and
 * secrets only by reference, its ServiceAccount (with least-privilege API access when it needs
 * any), Service, autoscaler, disruption budget, network policy and, when public, its Ingress.
 */
export class AppTier extends pulumi.ComponentResource {
    readonly deployment: k8s.apps.v1.Deployment;
    readonly service: k8s.core.v1.Service;
    readonly serviceName: pulumi.Output<string>;
    /** In-cluster address, e.g. "backend.backend.svc.cluster.local:3000". */
    readonly internalAddress: pulumi.Output<string>;
    readonly publicUrls: pulumi.Output<string[]>;

    constructor(name: string, args: AppTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("groundwork:apps:AppTier", name, {}, opts);
        const { tier, environment } = args;
        if (tier.public && !args.ingress) {
            throw new Error(`tier "${tier.name}" is public but no ingress was given to AppTier: pass the ingress layer's class and namespace`);
        }
        const namespace = pulumi.output(args.namespace);
        const labels = standardLabels(tier.name, "app", environment);
        const selector = { "app.kubernetes.io/name": tier.name, "app.kubernetes.io/component": "app" };
        const child = { parent: this };
        const needsApi = tier.apiAccess.length > 0;

        const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-sa`, {
            metadata: { name: tier.name, namespace, labels },
            automountServiceAccountToken: needsApi,
        }, child);

        if (needsApi) {
            const role = new k8s.rbac.v1.Role(`${name}-role`, {
                metadata: { name: tier.name, namespace, labels },
                rules: tier.apiAccess.map((rule) => ({ apiGroups: [...rule.apiGroups], resources: [...rule.resources], verbs: [...rule.verbs] })),
            }, child);
            new k8s.rbac.v1.RoleBinding(`${name}-rolebinding`, {
                metadata: { name: tier.name, namespace, labels },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: serviceAccount.metadata.name, namespace }],
            }, child);
        }

        // Auto-named, so that a change of settings creates a new ConfigMap and rolls the pods.
        const settings = new k8s.core.v1.ConfigMap(`${name}-settings`, {
            metadata: { namespace, labels },
            data: { LOG_LEVEL: tier.logLevel, PORT: String(tier.port), ENVIRONMENT: environment, ...tier.settings },
        }, child);

        const podLabels = { ...labels, ...(args.redis ? redisClientLabel : {}) };
        const metricsPort = tier.metrics?.port ?? tier.port;
        const podAnnotations: Record<string, string> = tier.metrics
            ? { "prometheus.io/scrape": "true", "prometheus.io/port": String(metricsPort), "prometheus.io/path": tier.metrics.path }
            : {};
        const writableVolumes = tier.writablePaths.map((mountPath, i) => ({ name: `writable-${i}`, mountPath }));

        this.deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, {
            metadata: { name: tier.name, namespace, labels },
            spec: {
                replicas: tier.replicas,
                selector: { matchLabels: selector },
                strategy: {
                    type: "RollingUpdate",
                    rollingUpdate: environment === "production" ? { maxUnavailable: 0, maxSurge: "25%" } : { maxUnavailable: "25%", maxSurge: "25%" },
                },
                template: {
                    metadata: { labels: podLabels, annotations: podAnnotations },
                    spec: {
                        serviceAccountName: serviceAccount.metadata.name,
                        automountServiceAccountToken: needsApi,
                        securityContext: restrictedPodSecurityContext(tier.runAsUser),
                        topologySpreadConstraints: ["kubernetes.io/hostname", "topology.kubernetes.io/zone"].map((topologyKey) => ({
                            maxSkew: 1,
                            topologyKey,
                            whenUnsatisfiable: environment === "production" && topologyKey === "kubernetes.io/hostname" ? "DoNotSchedule" : "ScheduleAnyway",
                            labelSelector: { matchLabels: selector },
                        })),
                        containers: [{
                            name: tier.name,
                            image: tier.image,
                            ports: [{ name: "http", containerPort: tier.port }],
                            envFrom: [{ configMapRef: { name: settings.metadata.name } }],
                            env: [
                                ...secretEnv(args.database, { PGHOST: "host", PGPORT: "port", PGDATABASE: "database", PGUSER: "username", PGPASSWORD: "password" }),
                                ...secretEnv(args.redis, { REDIS_HOST: "host", REDIS_PORT: "port", REDIS_PASSWORD: "password" }),
                                ...tier.secretEnv.map((ref) => ({ name: ref.name, valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } } })),
                            ],
                            resources: {
                                requests: { ...tier.resources.requests },
                                limits: { ...tier.resources.limits },
                            },
                            securityContext: restrictedContainerSecurityContext(),
                            startupProbe: { httpGet: { path: tier.probes.startup, port: "http" }, periodSeconds: 5, failureThreshold: 60 },
                            readinessProbe: { httpGet: { path: tier.probes.readiness, port: "http" }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
                            livenessProbe: { httpGet: { path: tier.probes.liveness, port: "http" }, periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 3 },
                            volumeMounts: writableVolumes,
                        }],
                        volumes: writableVolumes.map((volume) => ({ name: volume.name, emptyDir: { sizeLimit: "256Mi" } })),
                    },
                },
            },
        }, {
            parent: this,
            dependsOn: [...(args.database?.readyResources ?? []), ...(args.redis?.readyResources ?? [])],
            // The autoscaler owns the replica count once it exists; re-applying ours would undo its work.
            ignoreChanges: tier.hpa ? ["spec.replicas"] : [],
        });

        this.service = new k8s.core.v1.Service(`${name}-service`, {
            metadata: { name: tier.name, namespace, labels },
            spec: { selector, ports: [{ name: "http", port: tier.port, targetPort: "http" }] },
        }, child);
        this.serviceName = this.service.metadata.name;
        this.internalAddress = pulumi.interpolate`${this.serviceName}.${namespace}.svc.cluster.local:${tier.port}`;

        if (tier.hpa) {
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(`${name}-hpa`, {
                metadata: { name: tier.name, namespace, labels },
                spec: {
                    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: this.deployment.metadata.name },
                    minReplicas: tier.hpa.minReplicas,
                    maxReplicas: tier.hpa.maxReplicas,
                    metrics: [
                        utilization("cpu", tier.hpa.cpuUtilization),
                        ...(tier.hpa.memoryUtilization ? [utilization("memory", tier.hpa.memoryUtilization)] : []),
                    ],
                    behavior: {
                        scaleUp: {
                            stabilizationWindowSeconds: 60,
                            selectPolicy: "Max",
                            policies: [{ type: "Percent", value: 50, periodSeconds: 60 }, { type: "Pods", value: 4, periodSeconds: 60 }],
                        },
                        scaleDown: {
                            stabilizationWindowSeconds: 300,
                            selectPolicy: "Max",
                            policies: [{ type: "Percent", value: 10, periodSeconds: 60 }, { type: "Pods", value: 2, periodSeconds: 60 }],
                        },
                    },
                },
            }, child);
        }

        new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, {
            metadata: { name: tier.name, namespace, labels },
            spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
        }, child);

        new k8s.networking.v1.NetworkPolicy(`${name}-traffic`, {
            metadata: { name: `${tier.name}-traffic`, namespace, labels },
            spec: {
                podSelector: { matchLabels: selector },
                policyTypes: ["Ingress", "Egress"],
                ingress: ingressRules(args, metricsPort),
                egress: [
                    ...[args.database, args.redis].filter((store): store is TierStoreArgs => store !== undefined)
                        .map((store) => ({ to: [store.peer], ports: [{ protocol: "TCP", port: store.port }] })),
                    ...tier.egress.map((rule) => ({ to: [{ ipBlock: { cidr: rule.cidr } }], ports: rule.ports.map((port) => ({ protocol: "TCP", port })) })),
                ],
            },
        }, child);

        this.publicUrls = pulumi.output(tier.public ? tier.public.hosts.map((host) => `https://${host}`) : []);
        if (tier.public && args.ingress) {
            this.createIngress(name, tier, args.ingress, namespace, labels);
        }

        this.registerOutputs({ serviceName: this.serviceName, internalAddress: this.internalAddress, publicUrls: this.publicUrls });
    }

    private createIngress(
        name: string,
        tier: Tier,
        ingress: TierIngressArgs,
        namespace: pulumi.Output<string>,
        labels: Record<string, string>,
    ): void {
        const publicConfig = tier.public!;
        const headers = new k8s.core.v1.ConfigMap(`${name}-security-headers`, {
            metadata: { name: `${tier.name}-security-headers`, namespace, labels },
            data: securityHeaders,
        }, { parent: this });

        const tlsSecretName = ingress.tlsSecretName ?? `${tier.name}-tls`;
        const issuerAnnotations: Record<string, pulumi.Input<string>> = ingress.tlsSecretName === undefined && ingress.clusterIssuer !== undefined
            ? { "cert-manager.io/cluster-issuer": ingress.clusterIssuer }
            : {};
        if (ingress.tlsSecretName === undefined && ingress.clusterIssuer === undefined) {
            throw new Error(`tier "${tier.name}" is public but its ingress has neither tlsSecretName nor clusterIssuer: it would serve no TLS certificate`);
        }

        new k8s.networking.v1.Ingress(`${name}-ingress`, {
            metadata: {
                name: tier.name,
                namespace,
                labels,
                annotations: pulumi.all([ingress.annotations ?? {}, issuerAnnotations, headers.metadata.name, namespace]).apply(
                    ([extra, issuer, headersName, ns]): Record<string, string> => ({
                        "nginx.ingress.kubernetes.io/ssl-redirect": "true",
                        "nginx.ingress.kubernetes.io/limit-rps": String(publicConfig.requestsPerSecond),
                        "nginx.ingress.kubernetes.io/limit-connections": String(publicConfig.connections),
                        "nginx.ingress.kubernetes.io/custom-headers": `${ns}/${headersName}`,
                        ...issuer,
                        ...extra,
                    }),
                ),
            },
            spec: {
                ingressClassName: ingress.className,
                tls: [{ hosts: [...publicConfig.hosts], secretName: tlsSecretName }],
                rules: publicConfig.hosts.map((host) => ({
                    host,
                    http: {
                        paths: publicConfig.paths.map((path) => ({
                            path,
                            pathType: "Prefix",
                            backend: { service: { name: this.serviceName, port: { name: "http" } } },
                        })),
                    },
                })),
            },
        }, { parent: this, dependsOn: [headers] });

        if (ingress.http01Solver && issuerAnnotations["cert-manager.io/cluster-issuer"] !== undefined) {
            new k8s.networking.v1.NetworkPolicy(`${name}-acme-solver`, {
                metadata: { name: `${tier.name}-acme-http01-solver`, namespace, labels },
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
const acmeSolverPort = 8089;

function secretEnv(store: TierStoreArgs | undefined, variables: Record<string, string>): k8s.types.input.core.v1.EnvVar[] {
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

function ingressRules(args: AppTierArgs, metricsPort: number): k8s.types.input.networking.v1.NetworkPolicyIngressRule[] {
    const { tier } = args;
    const rules: k8s.types.input.networking.v1.NetworkPolicyIngressRule[] = [];
    const callers = args.callerNamespaces.map((caller) =>
        namespacePeer(caller.namespace, { "app.kubernetes.io/name": caller.tier, "app.kubernetes.io/component": "app" }));
    if (args.ingress && tier.public) {
        callers.push(namespacePeer(args.ingress.controllerNamespace));
    }
    if (callers.length > 0) {
        rules.push({ from: callers, ports: [{ protocol: "TCP", port: tier.port }] });
    }
    if (tier.metrics) {
        rules.push({ from: [namespacePeer(tier.metrics.scraperNamespace)], ports: [{ protocol: "TCP", port: metricsPort }] });
    }
    return rules;
}
