import { z } from "zod";
import { checkExpression, describeProblems, ExpressionContext, ExpressionUse } from "../edge/expression";
import {
    challengeActions, characteristicAllowed, cheapestPlan, coloCharacteristic, customRuleActions, describeCharacteristics,
    enterpriseAddOns, ipCharacteristic, ipWithNatCharacteristic, keyedCharacteristicPattern, owaspActions, owaspParanoiaLevels,
    owaspScoreThresholds, Plan, planLimits, plans, rateLimitActions,
} from "../edge/planLimits";
import { currentStackEdge, readStackFiles, zoneConflicts } from "../edge/zoneOwnership";
import { hostname, ReportIssue } from "./fields";

/**
 * `groundwork:edge`: Cloudflare in front of the ingress. Shape errors come from the schema;
 * `checkEdge` adds what needs the whole config (plan limits, expressions, hosts, zone ownership
 * across this repository's stack files), so every problem is reported before anything is registered.
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
});

const edgeOffSchema = z.strictObject({ enabled: z.literal(false) });

export const edgeSchema = z.discriminatedUnion("enabled", [edgeOffSchema, edgeOnSchema], "must set enabled: true or false")
    .default({ enabled: false });

export type EdgeConfig = z.output<typeof edgeSchema>;
type EnabledEdgeConfig = Extract<EdgeConfig, { enabled: true }>;
type RateLimitConfig = z.output<typeof rateLimitSchema>;
type TlsConfig = z.output<typeof tlsSchema>;

export const defaultTls: TlsConfig = tlsSchema.parse({});

interface TierHosts {
    readonly name: string;
    readonly public?: { readonly hosts: readonly string[] };
}

/** Every public host of the given tiers, once each. */
function publicHostsOf(tiers: readonly TierHosts[]): string[] {
    return [...new Set(tiers.flatMap((tier) => tier.public?.hosts ?? []))];
}

/** Whether `host` is the zone apex or lies below it. */
function hostInZone(host: string, zone: string): boolean {
    const bare = host.startsWith("*.") ? host.slice(2) : host;
    return bare === zone || bare.endsWith(`.${zone}`);
}

export function checkEdge(
    config: { edge: EdgeConfig; cloudflareApiToken?: string; tiers: readonly TierHosts[]; environment: string },
    report: ReportIssue,
): void {
    const { edge } = config;
    if (!edge.enabled) {
        return;
    }
    if (config.cloudflareApiToken === undefined) {
        report(["cloudflareApiToken"], "must be set when edge.enabled is true: run `pulumi config set --secret groundwork:cloudflareApiToken <token>`");
    }
    checkHosts(edge, config.tiers, report);
    if (edge.zoneOwner) {
        checkPlan(edge, report);
    } else {
        checkMember(edge, report);
    }
    const stacks = readStackFiles();
    for (const conflict of zoneConflicts(currentStackEdge(edge, publicHostsOf(config.tiers), config.environment, stacks), stacks)) {
        report(conflict.path, conflict.message);
    }
}

function checkHosts(edge: EnabledEdgeConfig, tiers: readonly TierHosts[], report: ReportIssue): void {
    tiers.forEach((tier, i) => tier.public?.hosts.forEach((host, h) => {
        if (!hostInZone(host, edge.zone.name)) {
            report(["tiers", i, "public", "hosts", h],
                `is not in the Cloudflare zone ${edge.zone.name} (groundwork:edge.zone.name): use a host below it or put this stack in the zone that holds ${host}`);
        }
    }));
    const hosts = publicHostsOf(tiers);
    if (hosts.length === 0 && !edge.zoneOwner) {
        report(["edge", "enabled"], "is true but no tier has public.hosts and this stack does not own the zone, so the edge would do nothing: set edge.enabled to false");
    }
    if (hosts.length > 200) {
        report(["tiers"], `list ${hosts.length} public hosts; a Cloudflare origin certificate covers at most 200`);
    }
}

/** A stack sharing the zone must leave zone-wide state to the owner, or Cloudflare would see two writers. */
function checkMember(edge: EnabledEdgeConfig, report: ReportIssue): void {
    const ownerOnly: [keyof EnabledEdgeConfig, string][] = [
        ["tls", "zone-wide TLS settings"], ["firewallRules", "WAF custom rules"], ["managedRulesets", "managed rulesets"], ["rateLimits", "rate limits"],
    ];
    for (const [key, what] of ownerOnly) {
        if (edge[key] !== undefined) {
            report(["edge", key], `are ${what}, which belong to the stack that owns zone ${edge.zone.name} (edge.zoneOwner is false here): `
                + "move them to the owner's stack file, where they apply to every host in the zone, or give this stack its own zone");
        }
    }
}

function checkPlan(edge: EnabledEdgeConfig, report: ReportIssue): void {
    const { plan } = edge;
    const limits = planLimits[plan];
    if (plan !== "enterprise" && edge.enterpriseAddOns.length > 0) {
        report(["edge", "enterpriseAddOns"], `are Enterprise add-ons, but the zone is on the ${plan} plan: remove them or set edge.plan to enterprise`);
    }
    const context = (use: ExpressionUse): ExpressionContext => ({ plan, addOns: edge.enterpriseAddOns, use });
    const checkRuleExpression = (path: (string | number)[], text: string, use: ExpressionUse, ref: string) => {
        const problems = checkExpression(text, context(use));
        if (problems.length > 0) {
            report(path, `(${use} "${ref}") is not a valid expression for the ${plan} plan: ${describeProblems(problems)}`);
        }
    };

    const firewallRules = edge.firewallRules ?? [];
    if (firewallRules.length > limits.customRules.maxRules) {
        report(["edge", "firewallRules"], `list ${firewallRules.length} rules; the ${plan} plan allows at most ${limits.customRules.maxRules} custom rules in a zone`);
    }
    reportDuplicateRefs(firewallRules, "firewallRules", report);
    firewallRules.forEach((rule, i) => {
        if (!limits.customRules.actions.includes(rule.action)) {
            report(["edge", "firewallRules", i, "action"], `(custom rule "${rule.ref}") is not available on the ${plan} plan: `
                + `allowed actions are ${limits.customRules.actions.join(", ")} (log needs ${cheapestPlan((l) => l.customRules.actions.includes("log"))})`);
        }
        checkRuleExpression(["edge", "firewallRules", i, "expression"], rule.expression, "custom rule", rule.ref);
    });

    const managed = edge.managedRulesets;
    const managedAllowed = limits.managedRulesets;
    if (managed?.cloudflareManaged && !managedAllowed.cloudflareManaged) {
        report(["edge", "managedRulesets", "cloudflareManaged"], `is not available on the ${plan} plan (it needs ${cheapestPlan((l) => l.managedRulesets.cloudflareManaged)} or above; `
            + "free zones get the Free Managed Ruleset automatically): set it to false");
    }
    if (managed?.owasp !== undefined) {
        if (!managedAllowed.owasp) {
            report(["edge", "managedRulesets", "owasp"], `is not available on the ${plan} plan (the OWASP Core Ruleset needs ${cheapestPlan((l) => l.managedRulesets.owasp)} or above): remove it`);
        } else if (managed.owasp.action === "log" && !limits.customRules.actions.includes("log")) {
            report(["edge", "managedRulesets", "owasp", "action"], `log is not available on the ${plan} plan: use block or managed_challenge`);
        }
    }

    checkRateLimits(edge, report, checkRuleExpression);
}

function checkRateLimits(
    edge: EnabledEdgeConfig,
    report: ReportIssue,
    checkRuleExpression: (path: (string | number)[], text: string, use: ExpressionUse, ref: string) => void,
): void {
    const { plan, enterpriseAddOns: addOns } = edge;
    const limits = planLimits[plan].rateLimits;
    const rateLimits = edge.rateLimits ?? [];
    if (rateLimits.length > limits.maxRules) {
        report(["edge", "rateLimits"], `list ${rateLimits.length} rules; the ${plan} plan allows at most ${limits.maxRules} rate-limiting rules in a zone`);
    }
    reportDuplicateRefs(rateLimits, "rateLimits", report);
    rateLimits.forEach((rule, i) => {
        const at = (...path: (string | number)[]) => ["edge", "rateLimits", i, ...path];
        const named = `rate limit "${rule.ref}"`;
        if (!limits.actions.includes(rule.action)) {
            report(at("action"), `(${named}) is not available on the ${plan} plan: allowed actions are ${limits.actions.join(", ")}`);
        }
        if (!limits.periods.includes(rule.period)) {
            report(at("period"), `is not allowed on the ${plan} plan (${named}): allowed periods are ${limits.periods.join(", ")}`);
        }
        checkMitigationTimeout(rule, plan, named, at("mitigationTimeout"), report);
        checkCharacteristics(rule.characteristics, plan, addOns, named, at("characteristics"), report);
        checkRuleExpression(at("expression"), rule.expression, "rate limit", rule.ref);
        if (rule.countingExpression !== undefined) {
            if (!limits.countingExpression) {
                report(at("countingExpression"), `(${named}) needs the ${cheapestPlan((l) => l.rateLimits.countingExpression)} plan or above; `
                    + `the ${plan} plan counts the requests the rule expression matches: remove it`);
            } else {
                checkRuleExpression(at("countingExpression"), rule.countingExpression, "rate-limit counting expression", rule.ref);
            }
        }
    });
}

function checkMitigationTimeout(rule: RateLimitConfig, plan: Plan, named: string, path: (string | number)[], report: ReportIssue): void {
    const limits = planLimits[plan].rateLimits;
    const isChallenge = challengeActions.includes(rule.action);
    if (rule.mitigationTimeout === 0) {
        if (rule.action === "block" && !limits.blockThrottling) {
            report(path, `is 0 (${named}), which throttles with block and needs the enterprise plan: use one of ${limits.mitigationTimeouts.join(", ")}`);
        }
        return;
    }
    if (isChallenge && limits.challengeNeedsZeroTimeout) {
        report(path, `must be 0 on the ${plan} plan for ${named}: a ${rule.action} applies to each request over the limit rather than for a timeout`);
        return;
    }
    if (!limits.mitigationTimeouts.includes(rule.mitigationTimeout)) {
        report(path, `is not allowed on the ${plan} plan (${named}): allowed mitigation timeouts are ${limits.mitigationTimeouts.join(", ")}`);
    }
}

function checkCharacteristics(
    characteristics: readonly string[], plan: Plan, addOns: EnabledEdgeConfig["enterpriseAddOns"], named: string,
    path: (string | number)[], report: ReportIssue,
): void {
    characteristics.forEach((characteristic, c) => {
        if (characteristic === coloCharacteristic) {
            return;
        }
        const keyed = keyedCharacteristicPattern.exec(characteristic);
        if (keyed && keyed[2] !== keyed[2].toLowerCase()) {
            report([...path, c], `(${named}) must name the ${keyed[1].split(".").pop()} in lower case: ${keyed[1]}["${keyed[2].toLowerCase()}"]`);
        } else if (!characteristicAllowed(characteristic, plan, addOns)) {
            report([...path, c], `(${named}) cannot be counted on the ${plan} plan: allowed characteristics are ${describeCharacteristics(plan, addOns)}`);
        }
    });
    if (characteristics.includes(ipCharacteristic) && characteristics.includes(ipWithNatCharacteristic)) {
        report(path, `(${named}) list both ${ipCharacteristic} and ${ipWithNatCharacteristic}; Cloudflare counts by one or the other`);
    }
}

function reportDuplicateRefs(rules: readonly { ref: string }[], key: string, report: ReportIssue): void {
    const seen = new Set<string>();
    rules.forEach((rule, i) => {
        if (seen.has(rule.ref)) {
            report(["edge", key, i, "ref"], "is already used by another rule: refs keep rules stable across updates and must be unique");
        }
        seen.add(rule.ref);
    });
}
