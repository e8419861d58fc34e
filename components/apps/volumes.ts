import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { claimSpec } from "../data/stateful";

/** A volume a tier mounts: one claim, or with kind StatefulSet one per replica. */
export interface TierVolume {
    name: string;
    mountPath: string;
    size: string;
    storageClass?: string;
    accessMode: "ReadWriteOnce" | "ReadWriteMany";
}

export type WorkloadKind = "Deployment" | "StatefulSet";

/** The sizes of every claim the tier's volumes make at `replicas` replicas. */
export function claimedSizes(kind: WorkloadKind, volumes: readonly TierVolume[], replicas: number): string[] {
    const perReplica = volumes.map((volume) => volume.size);
    return kind === "StatefulSet" ? Array.from({ length: replicas }, () => perReplica).flat() : perReplica;
}

/** A Deployment whose volume one node mounts at a time cannot surge: its new pod must wait for the old one to let go. */
export function mustRecreate(kind: WorkloadKind, volumes: readonly TierVolume[]): boolean {
    return kind === "Deployment" && volumes.some((volume) => volume.accessMode === "ReadWriteOnce");
}

export interface VolumeClaimsArgs {
    /** The tier's name: the claims and the StatefulSet are named after it. */
    tierName: string;
    kind: WorkloadKind;
    volumes: readonly TierVolume[];
    replicas: number;
    namespace: pulumi.Input<string>;
    labels: Record<string, string>;
    defaultStorageClass?: string;
    /** Keep the claims when the stack is destroyed, and refuse to delete them through Pulumi, like the databases' volumes. */
    protect: boolean;
}

/**
 * The tier's claims, created by Pulumi so that it can protect them: for a Deployment one per volume;
 * for a StatefulSet the claims its controller would create for each ordinal (it adopts a claim of that
 * name), with templates for the controller. Returns the pod volumes (Deployment), the templates
 * (StatefulSet), the mounts and the claims.
 */
export function volumeClaims(name: string, args: VolumeClaimsArgs, parent: pulumi.Resource): {
    podVolumes: k8s.types.input.core.v1.Volume[];
    templates: k8s.types.input.core.v1.PersistentVolumeClaim[];
    mounts: k8s.types.input.core.v1.VolumeMount[];
    claims: k8s.core.v1.PersistentVolumeClaim[];
} {
    const spec = (volume: TierVolume) => ({
        ...claimSpec(volume.size, volume.storageClass ?? args.defaultStorageClass),
        accessModes: [volume.accessMode],
    });
    const options = { parent, protect: args.protect, retainOnDelete: args.protect };
    const mounts = args.volumes.map((volume) => ({ name: volume.name, mountPath: volume.mountPath }));
    if (args.kind === "StatefulSet") {
        const claims = args.volumes.flatMap((volume) => Array.from({ length: args.replicas }, (_, ordinal) =>
            new k8s.core.v1.PersistentVolumeClaim(`${name}-${volume.name}-${ordinal}`, {
                metadata: { name: `${volume.name}-${args.tierName}-${ordinal}`, namespace: args.namespace, labels: args.labels },
                spec: spec(volume),
            }, options)));
        const templates = args.volumes.map((volume) => ({ metadata: { name: volume.name, labels: args.labels }, spec: spec(volume) }));
        return { podVolumes: [], templates, mounts, claims };
    }
    const claims = args.volumes.map((volume) => new k8s.core.v1.PersistentVolumeClaim(`${name}-${volume.name}`, {
        metadata: { name: `${args.tierName}-${volume.name}`, namespace: args.namespace, labels: args.labels },
        spec: spec(volume),
    }, options));
    const podVolumes = args.volumes.map((volume, v) => ({ name: volume.name, persistentVolumeClaim: { claimName: claims[v].metadata.name } }));
    return { podVolumes, templates: [], mounts, claims };
}
