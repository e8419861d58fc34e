import { z } from "zod";
import { hostname, replicaCount, resourceName, resourcesSchema } from "../../fields";
import { DeepReadonly } from "../../readonly";
import { chartValues, sized } from "../helm-addon/config";

export const clusterIssuerNames = ["selfsigned", "internal-ca", "letsencrypt-staging", "letsencrypt-production"] as const;
export type ClusterIssuerName = (typeof clusterIssuerNames)[number];

/** `groundwork:addons.certManager`. */
export const certManagerSchema = z.strictObject({
    enabled: z.boolean().describe("Install cert-manager with Groundwork's ClusterIssuers. false: certificates come from `existing.clusterIssuer`, or nothing asks for one; `defaultIssuer` is unused.").default(true),
    existing: z.strictObject({
        clusterIssuer: resourceName.describe("ClusterIssuer of an existing cert-manager that issues the public tiers', Argo CD's and the EventListener's certificates."),
        http01: z.boolean().describe("Whether that issuer proves certificates by ACME HTTP-01, starting solver pods in public tiers' namespaces (their quota then makes room).").default(false),
    }).describe("The cert-manager already in the cluster, when `enabled` is false; unset: no issuer, and no tier, host or add-on may need a certificate.").optional(),
    namespace: resourceName.default("cert-manager"),
    replicas: replicaCount.describe("Defaults to 1, and to 2 in production.").optional(),
    resources: resourcesSchema.default(sized(["50m", "128Mi"], ["500m", "512Mi"])),
    acmeEmail: z.email("must be an email address such as \"ops@example.com\"").describe("Contact for Let's Encrypt expiry and policy mail.").optional(),
    dns01Zones: z.array(hostname).describe("Zones whose certificates are solved with DNS-01 through Cloudflare (needs groundwork:cloudflareApiToken).").default([]),
    internalCa: z.strictObject({
        commonName: z.string().min(1).max(64, "must be at most 64 characters (X.509 limit)").default("Groundwork internal CA"),
        validityHours: z.int().min(24 * 30, "must be at least 720 hours (30 days)").default(24 * 365 * 10),
    }).default({ commonName: "Groundwork internal CA", validityHours: 24 * 365 * 10 }),
    values: chartValues,
});

export type CertManagerSettings = DeepReadonly<z.output<typeof certManagerSchema>>;

const acmeIssuers: ReadonlySet<ClusterIssuerName> = new Set(["letsencrypt-staging", "letsencrypt-production"]);

/**
 * Whether cert-manager proves a public tier's certificate by ACME HTTP-01, starting a solver pod in the
 * tier's namespace: the edge is off (it would supply an origin certificate), the default issuer is
 * Let's Encrypt, and some host lies outside the DNS-01 zones (cert-manager picks the zone solver for
 * the others).
 */
export function answersHttp01(
    config: {
        edge?: { enabled: boolean };
        addons: { defaultIssuer: ClusterIssuerName; certManager: { enabled: boolean; dns01Zones: readonly string[]; existing?: { http01: boolean } } };
    },
    tier: { public?: { hosts: readonly string[] } },
): boolean {
    if (tier.public === undefined || config.edge?.enabled === true) {
        return false;
    }
    // An existing cert-manager's issuer is declared by the stack, which knows whether it answers HTTP-01.
    if (!config.addons.certManager.enabled) {
        return config.addons.certManager.existing?.http01 ?? false;
    }
    if (!acmeIssuers.has(config.addons.defaultIssuer)) {
        return false;
    }
    const zones = config.addons.certManager.dns01Zones;
    return tier.public.hosts.some((host) => !zones.some((zone) => host === zone || host.endsWith(`.${zone}`)));
}
