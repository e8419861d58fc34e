import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../platform/security";
import { CertificateConfig } from "./certificates-config";

export interface TierCertificatesArgs {
    tierName: string;
    environment: string;
    namespace: pulumi.Input<string>;
    certificates: readonly CertificateConfig[];
    /** The ClusterIssuer that signs them: cert-manager's internal CA. */
    issuer: k8s.apiextensions.CustomResource;
}

/** Where a certificate's Secret is mounted in the tier's pods. */
export interface CertificateMount {
    readonly volumeName: string;
    readonly secretName: string;
    readonly mountPath: string;
}

/**
 * A tier's mutual-TLS certificates: one cert-manager Certificate per entry, issued by the internal CA
 * with a fresh ECDSA key at every renewal, into a Secret the tier mounts read-only (see `mounts`).
 */
export class TierCertificates extends pulumi.ComponentResource {
    readonly mounts: readonly CertificateMount[];
    /** The Certificates and their issuer: the tier's pods wait for them. */
    readonly ready: pulumi.Resource[];

    constructor(name: string, args: TierCertificatesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("groundwork:apps:TierCertificates", name, {}, opts);
        const labels = standardLabels(args.tierName, "certificate", args.environment);
        const certificates = args.certificates.map((certificate) => {
            const objectName = `${args.tierName}-${certificate.name}`;
            const resource = new k8s.apiextensions.CustomResource(`${name}-${certificate.name}`, {
                apiVersion: "cert-manager.io/v1",
                kind: "Certificate",
                metadata: { name: objectName, namespace: args.namespace, labels },
                spec: {
                    secretName: `${objectName}-tls`,
                    secretTemplate: { labels },
                    issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: args.issuer.metadata.name },
                    dnsNames: [...certificate.dnsNames],
                    usages: [...certificate.usages],
                    privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
                },
            }, { parent: this, dependsOn: [args.issuer] });
            const mount: CertificateMount = {
                volumeName: `certificate-${certificate.name}`,
                secretName: `${objectName}-tls`,
                mountPath: certificate.mountPath,
            };
            return { resource, mount };
        });
        this.mounts = certificates.map(({ mount }) => mount);
        this.ready = [args.issuer, ...certificates.map(({ resource }) => resource)];
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
