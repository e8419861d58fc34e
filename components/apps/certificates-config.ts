import { z } from "zod";
import type { ClusterIssuerName } from "../addons/cert-manager/config";
import { filesystemPath, hostname, ReportIssue, resourceName } from "../fields";
import { DeepReadonly } from "../readonly";

/**
 * `groundwork:tiers[].certificates`: certificates that a tier presents or checks in mutual TLS,
 * mounted read-only, from the internal CA or from a CA the stack's owner supplies (an external
 * peer's, such as a broker's). Their shape and the checks that need only the tier are here; the
 * component is certificates.ts.
 */

/** The key usages cert-manager accepts (cert-manager.io/v1 KeyUsage). */
export const certificateUsages = [
    "signing", "digital signature", "content commitment", "key encipherment", "key agreement", "data encipherment",
    "cert sign", "crl sign", "encipher only", "decipher only", "any", "server auth", "client auth", "code signing",
    "email protection", "s/mime", "ipsec end system", "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing",
    "microsoft sgc", "netscape sgc",
] as const;

/** Usages that would make a tier's certificate a signer for others, or lift every restriction. */
const signerUsages: readonly string[] = ["cert sign", "crl sign", "any"];
const tlsUsages: readonly string[] = ["client auth", "server auth"];

/** The internal CA, the default issuer; the others Groundwork installs cannot sign a tier's mTLS certificate. */
const internalIssuer = "internal-ca" satisfies ClusterIssuerName;
const unfitIssuers = new Map<string, string>(Object.entries({
    "selfsigned": "signs each certificate with its own key, so no peer's CA vouches for it",
    "letsencrypt-staging": "is a public ACME CA: it proves public hostnames only and issues no certificate for in-cluster names",
    "letsencrypt-production": "is a public ACME CA: it proves public hostnames only and issues no certificate for in-cluster names",
} satisfies Record<Exclude<ClusterIssuerName, typeof internalIssuer>, string>));

const issuerSchema = z.strictObject({
    caSecret: resourceName.optional()
        .describe("A kubernetes.io/tls Secret you create in the tier's namespace with the CA's tls.crt and tls.key; Groundwork makes a cert-manager CA Issuer of the same name from it."),
    clusterIssuer: resourceName.optional()
        .describe("An existing cert-manager ClusterIssuer backed by the peer's PKI (Vault, step-ca, a CA Secret in cert-manager's namespace)."),
}).refine((issuer) => (issuer.caSecret === undefined) !== (issuer.clusterIssuer === undefined),
    "must set exactly one of caSecret (a CA Secret in the tier's namespace) or clusterIssuer (an existing ClusterIssuer)");

const certificateSchema = z.strictObject({
    name: resourceName.describe("Names the Certificate (<tier>-<name>) and, unless secretName is set, its Secret (<tier>-<name>-tls)."),
    secretName: resourceName.optional().describe("Name of the Secret cert-manager writes the key pair to, when a peer or a tool expects a fixed one."),
    issuer: issuerSchema.optional().describe("Who signs the certificate; the internal CA (ClusterIssuer internal-ca) when unset."),
    mountPath: filesystemPath.describe("Directory where tls.crt, tls.key and ca.crt (the issuing CA) are mounted read-only."),
    dnsNames: z.array(hostname).min(1, "must list at least one DNS name, such as \"broker.atb.svc.cluster.local\"")
        .describe("Names the certificate is valid for: hostnames, or service names such as <service>.<namespace>.svc.cluster.local."),
    usages: z.array(z.enum(certificateUsages)).min(1, "must list at least one usage such as \"client auth\"").default(["digital signature", "client auth"])
        .describe("cert-manager key usages; at least one of client auth or server auth. The key is ECDSA P-256."),
});

export const certificatesSchema = z.array(certificateSchema).default([])
    .describe("Certificates for mutual TLS, from the internal CA or a CA you supply (issuer), each mounted read-only at its path.");

export type CertificateConfig = DeepReadonly<z.output<typeof certificateSchema>>;

/** The Secret a certificate's key pair is written to. */
export function certificateSecretName(tierName: string, certificate: Pick<CertificateConfig, "name" | "secretName">): string {
    return certificate.secretName ?? `${tierName}-${certificate.name}-tls`;
}

/**
 * The checks that need a tier's whole list: unique names, Secrets and mount paths, usages fit for
 * TLS, paths apart from writable ones, and issuers that can sign a tier's certificate.
 */
export function checkCertificates(
    tier: { name: string; public?: object }, certificates: readonly CertificateConfig[], writablePaths: readonly string[], at: (string | number)[], report: ReportIssue,
): void {
    const tierName = tier.name;
    const names = new Set<string>();
    const paths = new Set<string>();
    const secrets = new Map<string, string>();
    const caSecrets = new Set(certificates.flatMap((certificate) => certificate.issuer?.caSecret ?? []));
    certificates.forEach((certificate, c) => {
        if (names.has(certificate.name)) {
            report([...at, c, "name"], "is already used by another certificate of this tier: names must be unique");
        }
        names.add(certificate.name);
        const secretName = certificateSecretName(tierName, certificate);
        const secretAt = [...at, c, certificate.secretName === undefined ? "name" : "secretName"];
        const owner = secrets.get(secretName);
        if (owner !== undefined) {
            report(secretAt, `writes the Secret ${secretName}, which certificate "${owner}" writes too: set a secretName of its own`);
        } else if (tier.public !== undefined && secretName === `${tierName}-tls`) {
            report(secretAt, `writes the Secret ${secretName}, which holds the certificate of the tier's public hosts: choose another secretName`);
        } else if (caSecrets.has(secretName)) {
            report(secretAt, `is the CA Secret an issuer of this tier signs with: cert-manager would overwrite the CA with a leaf certificate; choose another secretName`);
        }
        secrets.set(secretName, certificate.name);
        const clusterIssuer = certificate.issuer?.clusterIssuer;
        if (clusterIssuer === internalIssuer) {
            report([...at, c, "issuer", "clusterIssuer"], "is the internal CA, which signs when issuer is unset: remove issuer");
        } else if (clusterIssuer !== undefined && unfitIssuers.has(clusterIssuer)) {
            report([...at, c, "issuer", "clusterIssuer"], `${unfitIssuers.get(clusterIssuer)}: name the ClusterIssuer of the peer's CA, or use caSecret`);
        }
        if (paths.has(certificate.mountPath)) {
            report([...at, c, "mountPath"], "is already the mount path of another certificate: give each its own directory");
        }
        paths.add(certificate.mountPath);
        const clash = writablePaths.find((writable) => overlaps(writable, certificate.mountPath));
        if (clash !== undefined) {
            report([...at, c, "mountPath"], `overlaps the writable path ${clash}: the certificate is mounted read-only, so use a directory outside writablePaths`);
        }
        certificate.usages.forEach((usage, u) => {
            if (signerUsages.includes(usage)) {
                report([...at, c, "usages", u], "would let the tier's certificate sign or act as any other: remove it (the issuing CA signs)");
            }
        });
        if (!certificate.usages.some((usage) => tlsUsages.includes(usage))) {
            report([...at, c, "usages"], "has neither client auth nor server auth, so no TLS peer would accept the certificate: add the side the tier plays");
        }
    });
}

function overlaps(a: string, b: string): boolean {
    const within = (inner: string, outer: string) => inner === outer || inner.startsWith(`${outer.replace(/\/+$/, "")}/`);
    return within(a, b) || within(b, a);
}
