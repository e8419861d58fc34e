import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../platform/security";
import { CertificateConfig, certificateSecretName } from "./certificates-config";

export interface TierCertificatesArgs {
    tierName: string;
    environment: string;
    namespace: pulumi.Input<string>;
    certificates: readonly CertificateConfig[];
    /** The ClusterIssuer that signs those that name no issuer: cert-manager's internal CA. */
    issuer: k8s.apiextensions.CustomResource;
}

/** Where a certificate's Secret is mounted in the tier's pods. */
export interface CertificateMount {
    readonly volumeName: string;
    readonly secretName: string;
    readonly mountPath: string;
}

/**
 * A tier's mutual-TLS certificates: one cert-manager Certificate per entry, issued with a fresh ECDSA
 * key at every renewal into a Secret the tier mounts read-only (see `mounts`). The internal CA signs
 * unless the entry names its issuer: a CA Secret the owner put in the namespace (one CA Issuer per
 * Secret, named like it) or an existing ClusterIssuer.
 */
export class TierCertificates extends pulumi.ComponentResource {
    readonly mounts: readonly CertificateMount[];
    /** The Certificates and their issuer: the tier's pods wait for them. */
    readonly ready: pulumi.Resource[];

    constructor(name: string, args: TierCertificatesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("groundwork:apps:TierCertificates", name, {}, opts);
        const labels = standardLabels(args.tierName, "certificate", args.environment);
        // cert-manager's webhook admits Issuers once the internal CA's ClusterIssuer was admitted.
        const caIssuers = new Map([...new Set(args.certificates.flatMap((certificate) => certificate.issuer?.caSecret ?? []))].map((secretName) => [secretName,
            new k8s.apiextensions.CustomResource(`${name}-ca-${secretName}`, {
                apiVersion: "cert-manager.io/v1",
                kind: "Issuer",
                metadata: { name: secretName, namespace: args.namespace, labels },
                spec: { ca: { secretName } },
            }, { parent: this, dependsOn: [args.issuer] })]));
        /** The issuerRef, and the Issuer Groundwork creates for it, if any; every Certificate also waits for the internal CA's admission. */
        const issuerOf = (certificate: CertificateConfig): { ref: Record<string, pulumi.Input<string>>; resource?: pulumi.Resource } => {
            const caSecret = certificate.issuer?.caSecret;
            if (caSecret !== undefined) {
                const issuer = caIssuers.get(caSecret)!;
                return { ref: { group: "cert-manager.io", kind: "Issuer", name: issuer.metadata.name }, resource: issuer };
            }
            const clusterIssuer = certificate.issuer?.clusterIssuer;
            return clusterIssuer !== undefined
                ? { ref: { group: "cert-manager.io", kind: "ClusterIssuer", name: clusterIssuer } }
                : { ref: { group: "cert-manager.io", kind: "ClusterIssuer", name: args.issuer.metadata.name } };
        };
        const certificates = args.certificates.map((certificate) => {
            const objectName = `${args.tierName}-${certificate.name}`;
            const secretName = certificateSecretName(args.tierName, certificate);
            const issuer = issuerOf(certificate);
            const resource = new k8s.apiextensions.CustomResource(`${name}-${certificate.name}`, {
                apiVersion: "cert-manager.io/v1",
                kind: "Certificate",
                metadata: { name: objectName, namespace: args.namespace, labels },
                spec: {
                    secretName,
                    secretTemplate: { labels },
                    issuerRef: issuer.ref,
                    dnsNames: [...certificate.dnsNames],
                    usages: [...certificate.usages],
                    privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
                },
            }, { parent: this, dependsOn: [args.issuer, ...(issuer.resource === undefined ? [] : [issuer.resource])] });
            const mount: CertificateMount = { volumeName: `certificate-${certificate.name}`, secretName, mountPath: certificate.mountPath };
            return { resource, mount };
        });
        this.mounts = certificates.map(({ mount }) => mount);
        this.ready = [args.issuer, ...caIssuers.values(), ...certificates.map(({ resource }) => resource)];
        this.registerOutputs({});
    }
}

/** The pod volumes and read-only mounts of a tier's certificates; group-readable, for the pod's fsGroup. */
export function certificateVolumes(mounts: readonly CertificateMount[]): {
    volumes: k8s.types.input.core.v1.Volume[];
    volumeMounts: k8s.types.input.core.v1.VolumeMount[];
} {
    return {
        volumes: mounts.map((mount) => ({ name: mount.volumeName, secret: { secretName: mount.secretName, defaultMode: 0o440 } })),
        volumeMounts: mounts.map((mount) => ({ name: mount.volumeName, mountPath: mount.mountPath, readOnly: true })),
    };
}
