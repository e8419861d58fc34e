import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { profileOf } from "../platform/environment";
import { Placement, placementSpec } from "../platform/placement";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, standardLabels } from "../platform/security";
import { Resources } from "../platform/sizing";

/** What PostgreSQL and Redis share: one pod with a persistent volume that must outlive the stack. */
export interface SingleInstanceStoreArgs {
    /** Object name prefix, e.g. "backend-postgres" or "redis". */
    name: string;
    namespace: pulumi.Input<string>;
    environment: string;
    component: "postgres" | "redis";
    image: string;
    port: number;
    uid: number;
    resources: Resources;
    storage: string;
    storageClass?: string;
    dataPath: string;
    /** Directories the server writes besides its data volume (the root filesystem is read-only). */
    scratchPaths: string[];
    env: pulumi.Input<k8s.types.input.core.v1.EnvVar>[];
    command?: string[];
    args?: string[];
    /** Command that exits 0 when the server accepts connections. */
    readinessCommand: string[];
    /** Keep the data volume when the stack is destroyed, and refuse to delete it through Pulumi. */
    protect: boolean;
    /** Containers beside the server in its pod, e.g. a metrics exporter. */
    sidecars?: k8s.types.input.core.v1.Container[];
    placement?: Placement;
}

export const dataVolumeName = "data";

/** What a workload needs to use a store: the Secret it reads, and what its network policy must let it reach. */
export interface StoreClient {
    credentialsSecretName: pulumi.Input<string>;
    /** The client must not start before these exist (credentials Secret, Service). */
    readyResources: pulumi.Resource[];
    port: number;
    peer: k8s.types.input.networking.v1.NetworkPolicyPeer;
    /** Labels the client's pods must carry for the store to admit them. */
    podLabels?: Record<string, string>;
}

/** Labels the store's objects carry. */
export function storeLabels(args: Pick<SingleInstanceStoreArgs, "name" | "component" | "environment">): Record<string, string> {
    return standardLabels(args.name, args.component, args.environment);
}

/** Labels selecting the store's pod; its Service, disruption budget and network policies use them. */
export function storeSelector(args: Pick<SingleInstanceStoreArgs, "name" | "component">): Record<string, string> {
    return { "app.kubernetes.io/name": args.name, "app.kubernetes.io/component": args.component };
}

/** A generated password: alphanumeric, so it is safe in URLs and shell commands. */
export function storePassword(name: string, parent: pulumi.Resource): random.RandomPassword {
    return new random.RandomPassword(name, { length: 32, special: false }, { parent });
}

/**
 * Creates the headless Service, the StatefulSet, its PersistentVolumeClaim (created by us
 * rather than by the StatefulSet controller, so that Pulumi can protect it) and the
 * PodDisruptionBudget. Returns the Service.
 */
export function createSingleInstanceStore(args: SingleInstanceStoreArgs, parent: pulumi.Resource): {
    service: k8s.core.v1.Service;
    statefulSet: k8s.apps.v1.StatefulSet;
    claim: k8s.core.v1.PersistentVolumeClaim;
} {
    const labels = storeLabels(args);
    const selector = storeSelector(args);

    const serviceAccount = new k8s.core.v1.ServiceAccount(`${args.name}-sa`, {
        metadata: { name: args.name, namespace: args.namespace, labels },
        automountServiceAccountToken: false,
    }, { parent });

    const service = new k8s.core.v1.Service(`${args.name}-service`, {
        metadata: { name: args.name, namespace: args.namespace, labels },
        spec: {
            clusterIP: "None",
            selector,
            ports: [{ name: args.component, port: args.port, targetPort: args.port }],
        },
    }, { parent });

    // The claim the StatefulSet controller would create for ordinal 0; it adopts a claim of that name.
    const claim = new k8s.core.v1.PersistentVolumeClaim(`${args.name}-data`, {
        metadata: { name: `${dataVolumeName}-${args.name}-0`, namespace: args.namespace, labels },
        spec: claimSpec(args.storage, args.storageClass),
    }, { parent, protect: args.protect, retainOnDelete: args.protect });

    const statefulSet = new k8s.apps.v1.StatefulSet(`${args.name}-statefulset`, {
        metadata: { name: args.name, namespace: args.namespace, labels },
        spec: {
            serviceName: args.name,
            replicas: 1,
            selector: { matchLabels: selector },
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
            template: {
                metadata: { labels },
                spec: {
                    serviceAccountName: serviceAccount.metadata.name,
                    automountServiceAccountToken: false,
                    securityContext: restrictedPodSecurityContext(args.uid),
                    ...placementSpec(args.placement),
                    terminationGracePeriodSeconds: 60,
                    containers: [{
                        name: args.component,
                        image: args.image,
                        command: args.command,
                        args: args.args,
                        env: args.env,
                        ports: [{ name: args.component, containerPort: args.port }],
                        resources: args.resources,
                        securityContext: restrictedContainerSecurityContext(),
                        readinessProbe: { exec: { command: args.readinessCommand }, periodSeconds: 10, timeoutSeconds: 5 },
                        livenessProbe: { tcpSocket: { port: args.port }, initialDelaySeconds: 30, periodSeconds: 20, timeoutSeconds: 5 },
                        startupProbe: { exec: { command: args.readinessCommand }, periodSeconds: 5, failureThreshold: 60 },
                        volumeMounts: [
                            { name: dataVolumeName, mountPath: args.dataPath },
                            ...args.scratchPaths.map((mountPath, i) => ({ name: `scratch-${i}`, mountPath })),
                        ],
                    }, ...(args.sidecars ?? [])],
                    volumes: args.scratchPaths.map((_, i) => ({ name: `scratch-${i}`, emptyDir: { sizeLimit: "256Mi" } })),
                },
            },
            volumeClaimTemplates: [{
                metadata: { name: dataVolumeName, labels },
                spec: claimSpec(args.storage, args.storageClass),
            }],
        },
    }, { parent, dependsOn: [claim, service] });

    // One pod cannot stay available through a drain; in production the budget makes a drain wait
    // for an operator instead of taking the database down unannounced.
    new k8s.policy.v1.PodDisruptionBudget(`${args.name}-pdb`, {
        metadata: { name: args.name, namespace: args.namespace, labels },
        spec: profileOf(args.environment).highAvailability
            ? { minAvailable: 1, selector: { matchLabels: selector } }
            : { maxUnavailable: 1, selector: { matchLabels: selector } },
    }, { parent });

    return { service, statefulSet, claim };
}

export function claimSpec(storage: string, storageClass?: string): k8s.types.input.core.v1.PersistentVolumeClaimSpec {
    return {
        accessModes: ["ReadWriteOnce"],
        storageClassName: storageClass,
        resources: { requests: { storage } },
    };
}

/** A NetworkPolicy admitting only `from` to the store's port. */
export function admitOnly(
    name: string,
    args: Pick<SingleInstanceStoreArgs, "name" | "namespace" | "component" | "port" | "environment">,
    from: k8s.types.input.networking.v1.NetworkPolicyPeer[],
    parent: pulumi.Resource,
): k8s.networking.v1.NetworkPolicy {
    return new k8s.networking.v1.NetworkPolicy(name, {
        metadata: { name: `${args.name}-ingress`, namespace: args.namespace, labels: storeLabels(args) },
        spec: {
            podSelector: { matchLabels: storeSelector(args) },
            policyTypes: ["Ingress"],
            ingress: [{ from, ports: [{ protocol: "TCP", port: args.port }] }],
        },
    }, { parent });
}
