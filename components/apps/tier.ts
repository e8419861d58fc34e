import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StoreClient } from "../data/stateful";
import { Placement } from "../platform/placement";
import { securityHeaders } from "../platform/security-headers";
import { Resources } from "../platform/sizing";
import { HpaBehavior } from "./autoscaling";
import { CertificateMount } from "./certificates";
import { createCronJobs, TierCronJob } from "./cron-jobs";
import { appSecretEnv, AppSecretsArgs } from "./secrets";
import {
    apiRoleArgs, apiRoleBindingArgs, appPodTemplate, cronJobPod, deploymentArgs, disruptionBudgetArgs, hpaArgs, metricsPortName,
    serviceAccountArgs, serviceArgs, settingsArgs, statefulSetArgs, storePodLabels, TierFacts, tierFacts, tierPod, tierStores,
} from "./tier-specs";
import { acmeSolverPolicyArgs, ingressAnnotations, ingressSpec, ingressTls, publicUrls, tierEgress, trafficPolicyArgs } from "./tier-traffic";
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
        const facts = tierFacts(args);
        const { labels } = facts;
        const namespace = pulumi.output(args.namespace);
        const child = { parent: this };

        const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-sa`, serviceAccountArgs(args, facts, namespace), child);
        if (facts.needsApi) {
            const role = new k8s.rbac.v1.Role(`${name}-role`, apiRoleArgs(args, facts, namespace), child);
            new k8s.rbac.v1.RoleBinding(`${name}-rolebinding`, apiRoleBindingArgs(args, facts, namespace, {
                roleName: role.metadata.name,
                serviceAccountName: serviceAccount.metadata.name,
            }), child);
        }
        const settings = new k8s.core.v1.ConfigMap(`${name}-settings`, settingsArgs(args, facts, namespace), child);
        this.metricsPortName = metricsPortName(args, facts);

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
        const pod = tierPod(args, facts, {
            serviceAccountName: serviceAccount.metadata.name,
            settingsName: settings.metadata.name,
            appSecretEnv: appSecretEnv(name, args.secrets, { namespace, labels }, this),
        });
        const template = appPodTemplate(args, facts, pod, claims);
        const storesReady = tierStores(args).flatMap((store) => store.readyResources);
        const workloadOptions: pulumi.CustomResourceOptions = {
            parent: this,
            dependsOn: [...storesReady, ...claims.claims, ...(args.prerequisites ?? [])],
            // The autoscaler owns the replica count once it exists; re-applying ours would undo its work.
            ignoreChanges: args.hpa ? ["spec.replicas"] : [],
        };
        this.workload = args.kind === "StatefulSet"
            ? new k8s.apps.v1.StatefulSet(`${name}-statefulset`, statefulSetArgs(args, facts, namespace, template, claims.templates), workloadOptions)
            : new k8s.apps.v1.Deployment(`${name}-deployment`, deploymentArgs(args, facts, namespace, template, mustRecreate(args.kind, args.volumes)), workloadOptions);

        createCronJobs(name, {
            tierName: args.name,
            jobs: args.cronJobs,
            namespace,
            labels,
            podLabels: storePodLabels(args),
            tierResources: args.resources,
            ...cronJobPod(args, pod),
            egress: tierEgress(args).jobs,
            dependsOn: storesReady,
        }, this);

        this.service = new k8s.core.v1.Service(`${name}-service`, serviceArgs(args, facts, namespace), child);
        this.serviceName = this.service.metadata.name;
        this.internalAddress = pulumi.interpolate`${this.serviceName}.${namespace}.svc.cluster.local:${args.port}`;
        if (args.hpa) {
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(`${name}-hpa`, hpaArgs(args, args.hpa, facts, namespace, this.workload.metadata.name), child);
        }
        new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, disruptionBudgetArgs(args, facts, namespace), child);
        new k8s.networking.v1.NetworkPolicy(`${name}-traffic`, trafficPolicyArgs(args, facts, namespace), child);

        this.publicUrls = pulumi.output(publicUrls(args.public));
        if (args.public) {
            this.createIngress(name, args, args.public, facts, namespace);
        }

        this.registerOutputs({ serviceName: this.serviceName, internalAddress: this.internalAddress, publicUrls: this.publicUrls });
    }

    /** The Ingress, the security headers it adds, and the ACME solver's NetworkPolicy when cert-manager proves the hosts over HTTP-01. */
    private createIngress(name: string, args: AppTierArgs, publicArgs: PublicArgs, facts: TierFacts, namespace: pulumi.Output<string>): void {
        const { ingress } = publicArgs;
        const headers = new k8s.core.v1.ConfigMap(`${name}-security-headers`, {
            metadata: { name: `${args.name}-security-headers`, namespace, labels: facts.labels },
            data: securityHeaders,
        }, { parent: this });
        const tls = ingressTls(args.name, ingress);
        new k8s.networking.v1.Ingress(`${name}-ingress`, {
            metadata: {
                name: args.name,
                namespace,
                labels: facts.labels,
                annotations: pulumi.all([ingress.annotations ?? {}, tls.issuerAnnotations, headers.metadata.name, namespace]).apply(
                    ([extra, issuer, headersName, ns]) => ingressAnnotations(publicArgs, { securityHeaders: `${ns}/${headersName}`, issuer, extra }),
                ),
            },
            spec: ingressSpec(publicArgs, tls.secretName, this.serviceName),
        }, { parent: this, dependsOn: [headers] });

        if (args.http01Solver) {
            new k8s.networking.v1.NetworkPolicy(`${name}-acme-solver`, acmeSolverPolicyArgs(args, facts, namespace, ingress.controllerNamespace), { parent: this });
        }
    }
}
