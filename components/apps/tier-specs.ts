import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { StoreClient } from "../data/stateful";
import { profileOf } from "../platform/environment";
import { placementSpec } from "../platform/placement";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, serviceAccountBinding, standardLabels } from "../platform/security";
import { hpaBehaviorSpec } from "./autoscaling";
import { maxSurgePercent } from "./budget";
import { certificateVolumes } from "./certificates";
import type { AppTierArgs } from "./tier";

/**
 * The objects of an app tier as plain resource args, built from the tier's args and the names of
 * the objects they refer to: AppTier (./tier.ts) only registers them, so that tests read every
 * spec without Pulumi. The traffic rules (NetworkPolicies, Ingress) are in ./tier-traffic.ts.
 */

/** What every object of a tier derives from its args once. */
export interface TierFacts {
    readonly labels: Record<string, string>;
    /** Selects the tier's app pods. */
    readonly selector: Record<string, string>;
    readonly highAvailability: boolean;
    /** The tier calls the Kubernetes API (a Role of its own, or a ClusterRole bound elsewhere): its pods get a token. */
    readonly needsApi: boolean;
    /** Where Prometheus scrapes: the app's own port unless metrics have one of their own. */
    readonly metricsPort: number;
    /** The container and Service ports besides "http": "metrics" when metrics have a port of their own. */
    readonly extraPorts: readonly { name: string; port: number }[];
}

/** A tier's app pods (not its scheduled jobs', nor its stores'), by the labels its Service and peers select. */
export function tierAppSelector(tier: string): Record<string, string> {
    return { "app.kubernetes.io/name": tier, "app.kubernetes.io/component": "app" };
}

export function tierFacts(args: AppTierArgs): TierFacts {
    const metricsPort = args.metrics?.port ?? args.port;
    return {
        labels: standardLabels(args.name, "app", args.environment),
        selector: tierAppSelector(args.name),
        highAvailability: profileOf(args.environment).highAvailability,
        needsApi: args.apiAccess.length > 0 || args.clusterApi === true,
        metricsPort,
        extraPorts: metricsPort === args.port ? [] : [{ name: "metrics", port: metricsPort }],
    };
}

/** The Service port that serves metrics, by name; none without metrics. */
export function metricsPortName(args: AppTierArgs, facts: TierFacts): string | undefined {
    return args.metrics && (facts.extraPorts.length > 0 ? "metrics" : "http");
}

/** Name, namespace and labels of an object named like the tier. */
function tierMetadata(args: AppTierArgs, facts: TierFacts, namespace: pulumi.Input<string>) {
    return { name: args.name, namespace, labels: facts.labels };
}

export function serviceAccountArgs(args: AppTierArgs, facts: TierFacts, namespace: pulumi.Input<string>): k8s.core.v1.ServiceAccountArgs {
    return { metadata: tierMetadata(args, facts, namespace), automountServiceAccountToken: facts.needsApi };
}

/** The tier's API access in its own namespace; registered only when it has any. */
export function apiRoleArgs(args: AppTierArgs, facts: TierFacts, namespace: pulumi.Input<string>): k8s.rbac.v1.RoleArgs {
    return {
        metadata: tierMetadata(args, facts, namespace),
        rules: args.apiAccess.map((rule) => ({ apiGroups: [...rule.apiGroups], resources: [...rule.resources], verbs: [...rule.verbs] })),
    };
}

export function apiRoleBindingArgs(
    args: AppTierArgs,
    facts: TierFacts,
    namespace: pulumi.Input<string>,
    refs: { roleName: pulumi.Input<string>; serviceAccountName: pulumi.Input<string> },
): k8s.rbac.v1.RoleBindingArgs {
    return serviceAccountBinding(tierMetadata(args, facts, namespace), { kind: "Role", name: refs.roleName }, { name: refs.serviceAccountName, namespace });
}

/** The non-secret settings; unnamed, so that the provider auto-names it and a change rolls the pods. */
export function settingsArgs(args: AppTierArgs, facts: TierFacts, namespace: pulumi.Input<string>): k8s.core.v1.ConfigMapArgs {
    return {
        metadata: { namespace, labels: facts.labels },
        data: { LOG_LEVEL: args.logLevel, PORT: String(args.port), ENVIRONMENT: args.environment, ...args.settings },
    };
}

/** The stores a tier uses, in the order its variables and egress rules list them. */
export function tierStores(args: Pick<AppTierArgs, "database" | "redis">): StoreClient[] {
    return [args.database, args.redis].filter((store): store is StoreClient => store !== undefined);
}

/** The labels the tier's stores admit; its app and job pods carry them. */
export function storePodLabels(args: Pick<AppTierArgs, "database" | "redis">): Record<string, string> {
    return { ...args.database?.podLabels, ...args.redis?.podLabels };
}

/** The objects the tier's pods name, registered by the component before the pods. */
export interface TierPodRefs {
    serviceAccountName: pulumi.Input<string>;
    settingsName: pulumi.Input<string>;
    /** The variables reading the tier's application secrets (appSecretEnv): after the stores' and the referenced Secrets'. */
    appSecretEnv: readonly k8s.types.input.core.v1.EnvVar[];
}

/** What the app's pods and the scheduled jobs' pods share: identity, security, placement, configuration, writable directories. */
export interface TierPod {
    readonly podSpec: Omit<k8s.types.input.core.v1.PodSpec, "containers">;
    readonly container: Omit<k8s.types.input.core.v1.Container, "name">;
    /** The writable directories' mounts (the root filesystem is read-only) and their emptyDir volumes. */
    readonly writableMounts: k8s.types.input.core.v1.VolumeMount[];
    readonly writableVolumes: k8s.types.input.core.v1.Volume[];
}

export function tierPod(args: AppTierArgs, facts: TierFacts, refs: TierPodRefs): TierPod {
    const writableMounts = args.writablePaths.map((mountPath, i) => ({ name: `writable-${i}`, mountPath }));
    return {
        podSpec: {
            serviceAccountName: refs.serviceAccountName,
            automountServiceAccountToken: facts.needsApi,
            securityContext: restrictedPodSecurityContext(args.runAsUser),
            ...placementSpec(args.placement),
        },
        container: {
            image: args.image,
            envFrom: [{ configMapRef: { name: refs.settingsName } }],
            env: [
                ...storeEnv(args.database, { PGHOST: "host", PGPORT: "port", PGDATABASE: "database", PGUSER: "username", PGPASSWORD: "password" }),
                ...storeEnv(args.redis, { REDIS_HOST: "host", REDIS_PORT: "port", REDIS_PASSWORD: "password" }),
                ...args.secretEnv.map((ref) => ({ name: ref.name, valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } } })),
                ...refs.appSecretEnv,
            ],
            securityContext: restrictedContainerSecurityContext(),
        },
        writableMounts,
        writableVolumes: writableMounts.map((volume) => ({ name: volume.name, emptyDir: { sizeLimit: "256Mi" } })),
    };
}

/** A store's connection variables (variable → key of its credentials Secret); none without the store. */
function storeEnv(store: StoreClient | undefined, variables: Record<string, string>): k8s.types.input.core.v1.EnvVar[] {
    if (!store) {
        return [];
    }
    return Object.entries(variables).map(([name, key]) => ({ name, valueFrom: { secretKeyRef: { name: store.credentialsSecretName, key } } }));
}

/** The tier's volume claims as its pods mount them (see volumeClaims). */
export interface TierClaimMounts {
    mounts: k8s.types.input.core.v1.VolumeMount[];
    podVolumes: k8s.types.input.core.v1.Volume[];
}

/**
 * The app's pods: spread over nodes and zones (over nodes strictly with high availability), with
 * probes, the configured resources, the writable directories, volume claims and certificates, and
 * Prometheus' scrape annotations when the app serves metrics.
 */
export function appPodTemplate(args: AppTierArgs, facts: TierFacts, pod: TierPod, claims: TierClaimMounts): k8s.types.input.core.v1.PodTemplateSpec {
    const certificates = certificateVolumes(args.certificateMounts ?? []);
    const annotations: Record<string, string> = args.metrics
        ? { "prometheus.io/scrape": "true", "prometheus.io/port": String(facts.metricsPort), "prometheus.io/path": args.metrics.path }
        : {};
    return {
        metadata: { labels: { ...facts.labels, ...storePodLabels(args) }, annotations },
        spec: {
            ...pod.podSpec,
            topologySpreadConstraints: ["kubernetes.io/hostname", "topology.kubernetes.io/zone"].map((topologyKey) => ({
                maxSkew: 1,
                topologyKey,
                whenUnsatisfiable: facts.highAvailability && topologyKey === "kubernetes.io/hostname" ? "DoNotSchedule" : "ScheduleAnyway",
                labelSelector: { matchLabels: facts.selector },
            })),
            containers: [{
                name: args.name,
                ...pod.container,
                ports: [{ name: "http", containerPort: args.port }, ...facts.extraPorts.map(({ name, port }) => ({ name, containerPort: port }))],
                resources: {
                    requests: { ...args.resources.requests },
                    limits: { ...args.resources.limits },
                },
                startupProbe: { httpGet: { path: args.probes.startup, port: "http" }, periodSeconds: 5, failureThreshold: 60 },
                readinessProbe: { httpGet: { path: args.probes.readiness, port: "http" }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
                livenessProbe: { httpGet: { path: args.probes.liveness, port: "http" }, periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 3 },
                volumeMounts: [...pod.writableMounts, ...claims.mounts, ...certificates.volumeMounts],
            }],
            volumes: [...pod.writableVolumes, ...claims.podVolumes, ...certificates.volumes],
        },
    };
}

/** The scheduled jobs' pods: the app's identity, configuration and writable directories, without its ports, probes or volumes. */
export function cronJobPod(args: AppTierArgs, pod: TierPod): { podSpec: Omit<k8s.types.input.core.v1.PodSpec, "containers">; container: k8s.types.input.core.v1.Container } {
    return {
        podSpec: { ...pod.podSpec, volumes: pod.writableVolumes },
        container: { name: args.name, ...pod.container, volumeMounts: pod.writableMounts },
    };
}

/** A StatefulSet replaces its pods one by one and keeps its claims when it is deleted or scaled down. */
export function statefulSetArgs(
    args: AppTierArgs,
    facts: TierFacts,
    namespace: pulumi.Input<string>,
    template: k8s.types.input.core.v1.PodTemplateSpec,
    claimTemplates: k8s.types.input.core.v1.PersistentVolumeClaim[],
): k8s.apps.v1.StatefulSetArgs {
    return {
        metadata: tierMetadata(args, facts, namespace),
        spec: {
            serviceName: args.name,
            replicas: args.replicas,
            selector: { matchLabels: facts.selector },
            updateStrategy: { type: "RollingUpdate" },
            // The claims outlive the pods and the StatefulSet; Pulumi protects them in production.
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
            template,
            volumeClaimTemplates: claimTemplates,
        },
    };
}

/** A Deployment rolls with a surge (never below the replica count with high availability), or recreates when its volumes cannot be shared. */
export function deploymentArgs(
    args: AppTierArgs,
    facts: TierFacts,
    namespace: pulumi.Input<string>,
    template: k8s.types.input.core.v1.PodTemplateSpec,
    recreate: boolean,
): k8s.apps.v1.DeploymentArgs {
    return {
        metadata: tierMetadata(args, facts, namespace),
        spec: {
            replicas: args.replicas,
            selector: { matchLabels: facts.selector },
            strategy: recreate
                ? { type: "Recreate" }
                : {
                    type: "RollingUpdate",
                    rollingUpdate: { maxUnavailable: facts.highAvailability ? 0 : "25%", maxSurge: `${maxSurgePercent}%` },
                },
            template,
        },
    };
}

export function serviceArgs(args: AppTierArgs, facts: TierFacts, namespace: pulumi.Input<string>): k8s.core.v1.ServiceArgs {
    return {
        metadata: tierMetadata(args, facts, namespace),
        spec: {
            selector: facts.selector,
            ports: [{ name: "http", port: args.port, targetPort: "http" }, ...facts.extraPorts.map(({ name, port }) => ({ name, port, targetPort: name }))],
        },
    };
}

/** The autoscaler of the tier's workload, on CPU and, when configured, memory utilization. */
export function hpaArgs(
    args: AppTierArgs,
    hpa: NonNullable<AppTierArgs["hpa"]>,
    facts: TierFacts,
    namespace: pulumi.Input<string>,
    workloadName: pulumi.Input<string>,
): k8s.autoscaling.v2.HorizontalPodAutoscalerArgs {
    return {
        metadata: tierMetadata(args, facts, namespace),
        spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: args.kind, name: workloadName },
            minReplicas: hpa.minReplicas,
            maxReplicas: hpa.maxReplicas,
            metrics: [
                utilization("cpu", hpa.cpuUtilization),
                ...(hpa.memoryUtilization ? [utilization("memory", hpa.memoryUtilization)] : []),
            ],
            behavior: hpaBehaviorSpec(hpa.behavior),
        },
    };
}

function utilization(resource: "cpu" | "memory", averageUtilization: number): k8s.types.input.autoscaling.v2.MetricSpec {
    return { type: "Resource", resource: { name: resource, target: { type: "Utilization", averageUtilization } } };
}

/** Voluntary disruptions (drains) take one app pod at a time. */
export function disruptionBudgetArgs(args: AppTierArgs, facts: TierFacts, namespace: pulumi.Input<string>): k8s.policy.v1.PodDisruptionBudgetArgs {
    return { metadata: tierMetadata(args, facts, namespace), spec: { maxUnavailable: 1, selector: { matchLabels: facts.selector } } };
}
