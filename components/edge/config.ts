import { z } from "zod";
import { hostname } from "../fields";
import { DeepReadonly } from "../readonly";
import {
    customRuleActions, ddosActions, ddosSensitivities, enterpriseAddOns, ipCharacteristic, owaspActions, owaspParanoiaLevels, owaspScoreThresholds, plans, rateLimitActions,
} from "./planLimits";

/**
 * `groundwork:edge`: the shape of each field, its defaults and its message. Plan limits against the
 * rules are checked in checks.ts; the tiers' hosts inside the zone in components/config/checks.ts.
 */

const ruleRef = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,49}$/, "must be a short id of lower-case letters, digits, - and _ such as \"block-path-traversal\"")
    .describe("Stable id of the rule (Cloudflare `ref`); unique within its list.");
const description = z.string().min(1, "must describe the rule").max(500, "must be at most 500 characters");
const expression = z.string().min(1, "must be a Rules language expression such as http.request.uri.path eq \"/login\"")
    .describe("Rules language expression, checked offline against the plan's fields, functions and operators.");

const firewallRuleSchema = z.strictObject({
    ref: ruleRef,
    description,
    action: z.enum(customRuleActions).describe("`skip` skips the remaining custom rules; `log` needs enterprise."),
    expression,
    enabled: z.boolean().default(true),
});

const rateLimitSchema = z.strictObject({
    ref: ruleRef,
    description,
    expression: expression.describe("Which requests are counted and acted on; the fields allowed depend on the plan."),
    action: z.enum(rateLimitActions),
    requestsPerPeriod: z.int("must be a whole number").min(1, "must be at least 1"),
    period: z.int("must be a whole number of seconds").describe("Counting window in seconds: free 10; pro 10, 60; business up to 600; enterprise up to 3600."),
    mitigationTimeout: z.int("must be a whole number of seconds").min(0, "must be 0 or more seconds")
        .describe("Seconds the action lasts once the limit is hit; must be 0 for challenges below enterprise."),
    characteristics: z.array(z.string().min(1)).min(1, "must list at least one characteristic such as \"ip.src\"").default([ipCharacteristic])
        .describe("Counting key (cf.colo.id is always added): ip.src, cf.unique_visitor_id (business+), more with Advanced Rate Limiting."),
    countingExpression: expression.optional().describe("Counts only what this matches, e.g. failed logins (business+); may use response fields."),
    enabled: z.boolean().default(true),
});

const owaspSchema = z.strictObject({
    paranoiaLevel: z.literal(owaspParanoiaLevels, "must be 1, 2, 3 or 4").default(1)
        .describe("PL1 has the fewest false positives; each level adds stricter rules (levels above are switched off)."),
    scoreThreshold: z.literal(owaspScoreThresholds, "must be 25 (high sensitivity), 40 (medium) or 60 (low)").default(40)
        .describe("Anomaly score at which the action fires: 25 high, 40 medium, 60 low sensitivity."),
    action: z.enum(owaspActions).default("block").describe("What a request over the threshold gets; `log` needs enterprise."),
});

const hstsSchema = z.strictObject({
    maxAgeSeconds: z.int().min(0).max(31536000, "must be at most 31536000 (one year)").default(31536000),
    includeSubdomains: z.boolean().default(true),
    preload: z.boolean().default(false),
});

const tlsSchema = z.strictObject({
    minVersion: z.enum(["1.2", "1.3"]).default("1.2"),
    hsts: hstsSchema.default({ maxAgeSeconds: 31536000, includeSubdomains: true, preload: false }),
});

const edgeOnSchema = z.strictObject({
    enabled: z.literal(true).describe("Put Cloudflare in front of this stack's ingress (false: no edge, as in the local stack)."),
    plan: z.enum(plans).describe("The zone's Cloudflare plan; rules are validated against what it allows."),
    enterpriseAddOns: z.array(z.enum(enterpriseAddOns)).default([]).describe("Enterprise add-ons the zone has; unlock bot-management fields and more counting keys."),
    zone: z.strictObject({
        name: hostname.refine((name) => !name.startsWith("*."), "must be the zone apex such as \"example.com\", not a wildcard")
            .describe("The zone apex; every public host of this stack must be in it."),
        accountId: z.string().regex(/^[0-9a-f]{32}$/, "must be the 32-character hex Cloudflare account id (dashboard → Account home → Account ID)")
            .describe("Cloudflare account id that holds the zone (32 hex characters)."),
    }),
    zoneOwner: z.boolean().describe("True in the one stack per zone that manages zone settings and the WAF, managed and rate-limit rulesets for every host in it; "
        + "false in stacks that share the zone and only add their DNS records and origin certificate."),
    tls: tlsSchema.optional().describe("Zone-wide TLS (owner only): minimum TLS version and HSTS; SSL strict, TLS 1.3 and Always Use HTTPS are always on."),
    originCertificate: z.strictObject({
        keyAlgorithm: z.enum(["RSA-2048", "ECDSA-P256"]).default("RSA-2048").describe("Key of the Origin CA certificate (@pulumi/tls); origin-rsa or origin-ecc."),
        validityDays: z.literal([7, 30, 90, 365, 730, 1095, 5475], "must be one of 7, 30, 90, 365, 730, 1095 or 5475 days").default(5475),
    }).default({ keyAlgorithm: "RSA-2048", validityDays: 5475 }),
    authenticatedOriginPulls: z.boolean().default(true)
        .describe("Cloudflare presents its origin-pull client certificate and each public tier's ingress refuses connections without it."),
    firewallRules: z.array(firewallRuleSchema).optional().describe("WAF custom rules (http_request_firewall_custom) in evaluation order; owner only."),
    managedRulesets: z.strictObject({
        cloudflareManaged: z.boolean().default(false).describe("Deploy the Cloudflare Managed Ruleset (pro+)."),
        owasp: owaspSchema.optional().describe("Deploy the OWASP Core Ruleset (pro+)."),
    }).optional().describe("Managed rulesets (http_request_firewall_managed); owner only."),
    rateLimits: z.array(rateLimitSchema).optional().describe("Rate-limiting rules (http_ratelimit); owner only."),
    ddosL7: z.strictObject({
        sensitivity: z.enum(Object.keys(ddosSensitivities) as [keyof typeof ddosSensitivities, ...(keyof typeof ddosSensitivities)[]])
            .describe("How readily an attack is mitigated: high (Cloudflare's default), medium, low or essentially_off."),
        action: z.enum(ddosActions).describe("What a request in a detected attack gets; `log` needs enterprise with the advanced-ddos-protection add-on."),
    }).optional().describe("Override of the HTTP DDoS Attack Protection managed ruleset for all traffic (ddos_l7); owner only. Unset keeps Cloudflare's defaults."),
});

const edgeOffSchema = z.strictObject({ enabled: z.literal(false) });

export const edgeSchema = z.discriminatedUnion("enabled", [edgeOffSchema, edgeOnSchema], "must set enabled: true or false")
    .default({ enabled: false });

export type EdgeConfig = DeepReadonly<z.output<typeof edgeSchema>>;
/** The section of a stack that has the edge switched on. */
export type EdgeSettings = Extract<EdgeConfig, { enabled: true }>;

/** What the owner stack enforces when `tls` is unset. */
export const defaultTls: NonNullable<EdgeSettings["tls"]> = tlsSchema.parse({});

