import { z } from "zod";
import { DeepReadonly, filesystemPath, hostname, ReportIssue, resourceName } from "../fields";

/**
 * `groundwork:tiers[].certificates`: certificates from the internal CA that a tier presents or checks
 * in mutual TLS, mounted read-only. Their shape and the checks that need only the tier are here; the
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

const certificateSchema = z.strictObject({
    name: resourceName.describe("Names the Certificate and its Secret (<tier>-<name>, <tier>-<name>-tls)."),
    mountPath: filesystemPath.describe("Directory where tls.crt, tls.key and ca.crt (the internal CA) are mounted read-only."),
    dnsNames: z.array(hostname).min(1, "must list at least one DNS name, such as \"broker.atb.svc.cluster.local\"")
        .describe("Names the certificate is valid for: hostnames, or service names such as <service>.<namespace>.svc.cluster.local."),
    usages: z.array(z.enum(certificateUsages)).min(1, "must list at least one usage such as \"client auth\"").default(["digital signature", "client auth"])
        .describe("cert-manager key usages; at least one of client auth or server auth. The key is ECDSA P-256."),
});

export const certificatesSchema = z.array(certificateSchema).default([])
    .describe("Certificates from the internal CA (ClusterIssuer internal-ca) for mutual TLS, each mounted read-only at its path.");

export type CertificateConfig = DeepReadonly<z.output<typeof certificateSchema>>;

/** The checks that need a tier's whole list: unique names and mount paths, usages fit for TLS, paths apart from writable ones. */
export function checkCertificates(
    certificates: readonly CertificateConfig[], writablePaths: readonly string[], at: (string | number)[], report: ReportIssue,
): void {
    const names = new Set<string>();
    const paths = new Set<string>();
    certificates.forEach((certificate, c) => {
        if (names.has(certificate.name)) {
            report([...at, c, "name"], "is already used by another certificate of this tier: names must be unique");
        }
        names.add(certificate.name);
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
                report([...at, c, "usages", u], "would let the tier's certificate sign or act as any other: remove it (the internal CA signs)");
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
