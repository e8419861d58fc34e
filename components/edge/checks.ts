import { repeatedIndexes, ReportIssue } from "../fields";
import { EdgeConfig, EdgeSettings } from "./config";
import { checkExpression, describeProblems, ExpressionContext, ExpressionUse } from "./expression";
import {
    challengeActions, characteristicAllowed, cheapestPlan, coloCharacteristic, ddosActionAllowed, describeCharacteristics,
    ipCharacteristic, ipWithNatCharacteristic, keyedCharacteristicPattern, Plan, planLimits,
} from "./planLimits";

/**
 * The edge checks that need more than the edge section's own shape (config.ts): the token, zone-wide
 * state left to the owner, and what the zone's plan allows. Whether the tiers' hosts lie in the zone
 * is checked with the tiers (components/config/checks.ts). Zone ownership across the stack files is a
 * repository lint (tools/lint-stacks), not a check here: it reads sibling files, which no `pulumi up`
 * should depend on.
 */

type RateLimitSettings = NonNullable<EdgeSettings["rateLimits"]>[number];

export function checkEdge(
    config: { edge: EdgeConfig; cloudflareApiToken?: string },
    report: ReportIssue,
): void {
    const { edge } = config;
    if (!edge.enabled) {
        return;
    }
    if (config.cloudflareApiToken === undefined) {
        report(["cloudflareApiToken"], "must be set when edge.enabled is true: run `pulumi config set --secret groundwork:cloudflareApiToken <token>`");
    }
    if (edge.zoneOwner) {
        checkPlan(edge, report);
    } else {
        checkMember(edge, report);
    }
}

/** A stack sharing the zone must leave zone-wide state to the owner, or Cloudflare would see two writers. */
function checkMember(edge: EdgeSettings, report: ReportIssue): void {
    const ownerOnly: [keyof EdgeSettings, string][] = [
        ["tls", "zone-wide TLS settings"], ["firewallRules", "WAF custom rules"], ["managedRulesets", "managed rulesets"], ["rateLimits", "rate limits"],
        ["ddosL7", "HTTP DDoS overrides"],
    ];
    for (const [key, what] of ownerOnly) {
        if (edge[key] !== undefined) {
            report(["edge", key], `are ${what}, which belong to the stack that owns zone ${edge.zone.name} (edge.zoneOwner is false here): `
                + "move them to the owner's stack file, where they apply to every host in the zone, or give this stack its own zone");
        }
    }
}

function checkPlan(edge: EdgeSettings, report: ReportIssue): void {
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

    if (edge.ddosL7 !== undefined && !ddosActionAllowed(edge.ddosL7.action, plan, edge.enterpriseAddOns)) {
        report(["edge", "ddosL7", "action"], `(HTTP DDoS override) needs the enterprise plan with the advanced-ddos-protection add-on (the zone is on ${plan}`
            + `${plan === "enterprise" ? " without it" : ""}): use block, managed_challenge or challenge`);
    }
}

function checkRateLimits(
    edge: EdgeSettings,
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

function checkMitigationTimeout(rule: RateLimitSettings, plan: Plan, named: string, path: (string | number)[], report: ReportIssue): void {
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
    characteristics: readonly string[], plan: Plan, addOns: EdgeSettings["enterpriseAddOns"], named: string,
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
    repeatedIndexes(rules.map((rule) => rule.ref)).forEach((i) =>
        report(["edge", key, i, "ref"], "is already used by another rule: refs keep rules stable across updates and must be unique"));
}
