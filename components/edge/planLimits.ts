/**
 * What each Cloudflare plan allows in the three WAF phases Groundwork configures. Config
 * validation reads this table (and nothing else) to reject rules a plan cannot run, before
 * any resource is registered; the Cloudflare API stays the final arbiter at deploy time.
 *
 * Sources (cloudflare/cloudflare-docs):
 * - src/content/plans/index.json (security.waf_c_custom_rules, waf_a_managed_rules, rate_limiting)
 * - partials/waf/rate-limiting-availability-by-plan.mdx (commit 07acbb66 and the older 8bce8c0d)
 * - docs/waf/rate-limiting-rules/parameters.mdx ("available API values" for period and mitigation_timeout)
 * - docs/waf/custom-rules/index.mdx (rule counts), docs/ruleset-engine/rules-language/operators.mdx (regex)
 * - docs/waf/managed-rules/index.mdx (which managed rulesets each plan may deploy)
 *
 * Where the sources disagree (the newer availability table allows any documented period up to
 * the plan maximum; the older table and the parameters page list fewer values), the table keeps
 * only values every source accepts, so a config that passes here is not refused by the API for
 * a reason this table could have caught.
 */

export const plans = ["free", "pro", "business", "enterprise"] as const;
export type Plan = (typeof plans)[number];

/** Paid Enterprise add-ons that unlock fields, counting characteristics and DDoS override actions. */
export const enterpriseAddOns = ["bot-management", "advanced-rate-limiting", "advanced-ddos-protection"] as const;
export type EnterpriseAddOn = (typeof enterpriseAddOns)[number];

export const customRuleActions = ["block", "managed_challenge", "js_challenge", "challenge", "skip", "log"] as const;
type CustomRuleAction = (typeof customRuleActions)[number];

export const rateLimitActions = ["block", "managed_challenge", "js_challenge", "challenge", "log"] as const;
type RateLimitAction = (typeof rateLimitActions)[number];

export const challengeActions: readonly string[] = ["managed_challenge", "js_challenge", "challenge"];

/** Rate-limit counting characteristics; `cf.colo.id` is mandatory and always added by Groundwork. */
export const ipCharacteristic = "ip.src";
export const ipWithNatCharacteristic = "cf.unique_visitor_id";
export const coloCharacteristic = "cf.colo.id";

/** Characteristics Advanced Rate Limiting adds (headers, cookies and query arguments take a lower-case name). */
const advancedCharacteristics = [
    "http.host", "http.request.uri.path", "http.request.uri.query", "ip.src.asnum", "ip.src.country",
    "cf.bot_management.ja3_hash", "cf.bot_management.ja4",
] as const;
export const keyedCharacteristicPattern = /^(http\.request\.headers|http\.request\.cookies|http\.request\.uri\.args)\["([^"\\]+)"\]$/;

export interface PlanLimits {
    readonly customRules: {
        readonly maxRules: number;
        readonly actions: readonly CustomRuleAction[];
        /** The `matches` / `~` operator. */
        readonly regex: boolean;
    };
    readonly managedRulesets: {
        readonly cloudflareManaged: boolean;
        readonly owasp: boolean;
    };
    readonly rateLimits: {
        readonly maxRules: number;
        readonly actions: readonly RateLimitAction[];
        readonly periods: readonly number[];
        /** Allowed non-zero mitigation timeouts; 0 is governed by the two flags below. */
        readonly mitigationTimeouts: readonly number[];
        /** Challenge actions must use mitigation timeout 0 (the action applies per request). */
        readonly challengeNeedsZeroTimeout: boolean;
        /** Block with mitigation timeout 0 ("throttle"). */
        readonly blockThrottling: boolean;
        readonly characteristics: readonly string[];
        readonly countingExpression: boolean;
        /** Fields a rate-limit rule expression may use; "any" means every request field the plan has. */
        readonly ruleFields: readonly string[] | "any";
    };
}

const everyPeriod = [10, 60, 120, 300, 600, 3600] as const;
const everyMitigationTimeout = [10, 60, 120, 300, 600, 3600, 86400] as const;
const freeRateLimitFields = ["http.request.uri.path", "cf.client.bot"];
const proRateLimitFields = [...freeRateLimitFields, "http.host", "http.request.uri", "http.request.full_uri", "http.request.uri.query"];
const businessRateLimitFields = [...proRateLimitFields, "http.request.method", "ip.src", "http.user_agent"];
const actionsWithoutLog = customRuleActions.filter((action) => action !== "log");
const rateLimitActionsWithoutLog = rateLimitActions.filter((action) => action !== "log");

export const planLimits: Readonly<Record<Plan, PlanLimits>> = {
    free: {
        customRules: { maxRules: 5, actions: actionsWithoutLog, regex: false },
        managedRulesets: { cloudflareManaged: false, owasp: false },
        rateLimits: {
            maxRules: 1, actions: rateLimitActionsWithoutLog, periods: [10], mitigationTimeouts: [10],
            challengeNeedsZeroTimeout: true, blockThrottling: false, characteristics: [ipCharacteristic],
            countingExpression: false, ruleFields: freeRateLimitFields,
        },
    },
    pro: {
        customRules: { maxRules: 20, actions: actionsWithoutLog, regex: false },
        managedRulesets: { cloudflareManaged: true, owasp: true },
        rateLimits: {
            maxRules: 2, actions: rateLimitActionsWithoutLog, periods: [10, 60], mitigationTimeouts: [10, 60, 3600],
            challengeNeedsZeroTimeout: true, blockThrottling: false, characteristics: [ipCharacteristic],
            countingExpression: false, ruleFields: proRateLimitFields,
        },
    },
    business: {
        customRules: { maxRules: 100, actions: actionsWithoutLog, regex: true },
        managedRulesets: { cloudflareManaged: true, owasp: true },
        rateLimits: {
            maxRules: 5, actions: rateLimitActionsWithoutLog, periods: [10, 60, 120, 300, 600], mitigationTimeouts: [10, 60, 3600, 86400],
            challengeNeedsZeroTimeout: true, blockThrottling: false, characteristics: [ipCharacteristic, ipWithNatCharacteristic],
            countingExpression: true, ruleFields: businessRateLimitFields,
        },
    },
    enterprise: {
        customRules: { maxRules: 1000, actions: customRuleActions, regex: true },
        managedRulesets: { cloudflareManaged: true, owasp: true },
        rateLimits: {
            maxRules: 100, actions: rateLimitActions, periods: everyPeriod, mitigationTimeouts: everyMitigationTimeout,
            challengeNeedsZeroTimeout: false, blockThrottling: true, characteristics: [ipCharacteristic, ipWithNatCharacteristic],
            countingExpression: true, ruleFields: "any",
        },
    },
};

/** Whether a rate-limit characteristic is allowed, taking Advanced Rate Limiting into account. */
export function characteristicAllowed(characteristic: string, plan: Plan, addOns: readonly EnterpriseAddOn[]): boolean {
    if (planLimits[plan].rateLimits.characteristics.includes(characteristic)) {
        return true;
    }
    if (plan !== "enterprise" || !addOns.includes("advanced-rate-limiting")) {
        return false;
    }
    return (advancedCharacteristics as readonly string[]).includes(characteristic) || keyedCharacteristicPattern.test(characteristic);
}

/** The characteristics a plan allows, for error messages. */
export function describeCharacteristics(plan: Plan, addOns: readonly EnterpriseAddOn[]): string {
    const base = planLimits[plan].rateLimits.characteristics.join(", ");
    return plan === "enterprise" && addOns.includes("advanced-rate-limiting")
        ? `${base}, ${advancedCharacteristics.join(", ")}, or http.request.headers["<lower-case name>"] / cookies / uri.args`
        : base;
}

/** The cheapest plan that includes a capability, for messages such as "needs the business plan". */
export function cheapestPlan(allows: (limits: PlanLimits) => boolean): Plan | undefined {
    return plans.find((plan) => allows(planLimits[plan]));
}

/** Cloudflare managed rulesets deployed in the `http_request_firewall_managed` phase (docs: waf/managed-rules). */
export const managedRulesetIds = {
    cloudflareManaged: "efb7b8c949ac4650a09736fc376e9aee",
    owasp: "4814384a9e5d4991b9815dcfc25d2f1f",
    /** OWASP rule 949110 "Inbound Anomaly Score Exceeded": its override carries the score threshold and action. */
    owaspAnomalyScoreRule: "6179ae15870a4bb7b2d480d4843b323c",
} as const;

/** OWASP anomaly-score thresholds the dashboard and API document: 25 high, 40 medium (default), 60 low sensitivity. */
export const owaspScoreThresholds = [25, 40, 60] as const;
export const owaspParanoiaLevels = [1, 2, 3, 4] as const;
export const owaspActions = ["block", "managed_challenge", "js_challenge", "challenge", "log"] as const;

/**
 * The HTTP DDoS Attack Protection managed ruleset, always on in every zone; a rule in the zone's `ddos_l7`
 * entrypoint that executes it only changes its sensitivity and action (docs: ddos-protection/managed-rulesets/http).
 * Every plan may have that one override for all traffic; more rules, custom expressions and the `log`
 * action need Enterprise with Advanced DDoS Protection.
 */
export const httpDdosRulesetId = "4d21379b4f9f4bb088e0729962c8b3cf";

/** The dashboard's sensitivity levels and the API values they are sent as ("High" is the API's "default"). */
export const ddosSensitivities = { high: "default", medium: "medium", low: "low", essentially_off: "eoff" } as const;
export type DdosSensitivity = keyof typeof ddosSensitivities;

export const ddosActions = ["block", "managed_challenge", "challenge", "log"] as const;
export type DdosAction = (typeof ddosActions)[number];

/** Whether a DDoS override may use `action`, given the plan and its add-ons. */
export function ddosActionAllowed(action: DdosAction, plan: Plan, addOns: readonly EnterpriseAddOn[]): boolean {
    return action !== "log" || (plan === "enterprise" && addOns.includes("advanced-ddos-protection"));
}
