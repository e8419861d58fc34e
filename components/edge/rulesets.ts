import type * as cloudflare from "@pulumi/cloudflare";
import type { EdgeSettings } from "./config";
import { coloCharacteristic, ddosSensitivities, httpDdosRulesetId, managedRulesetIds, owaspParanoiaLevels } from "./planLimits";

/**
 * The Cloudflare API shapes Groundwork sends, built from validated config as plain data so that
 * tests can evaluate them. Names follow @pulumi/cloudflare 6.17.0 (types/input.d.ts
 * RulesetRule*, zoneSetting.d.ts); string values are the API's snake_case ones.
 */

type RulesetRule = cloudflare.types.input.RulesetRule;
type FirewallRule = NonNullable<EdgeSettings["firewallRules"]>[number];
type RateLimit = NonNullable<EdgeSettings["rateLimits"]>[number];
type TlsSettings = NonNullable<EdgeSettings["tls"]>;

export const phases = {
    custom: "http_request_firewall_custom",
    managed: "http_request_firewall_managed",
    rateLimit: "http_ratelimit",
    ddosL7: "ddos_l7",
} as const;
export interface RulesetSpec {
    readonly phase: (typeof phases)[keyof typeof phases];
    readonly name: string;
    readonly description: string;
    readonly rules: RulesetRule[];
}

/** The zone entrypoint rulesets the owner stack manages; a phase without rules gets none. */
export function rulesetSpecs(edge: EdgeSettings): RulesetSpec[] {
    const specs: RulesetSpec[] = [
        {
            phase: phases.custom, name: "Groundwork WAF custom rules",
            description: "Path traversal, bot challenges and admin allow-lists, managed by Pulumi (groundwork edge)",
            rules: (edge.firewallRules ?? []).map(customRule),
        },
        {
            phase: phases.managed, name: "Groundwork managed rulesets",
            description: "Cloudflare Managed Ruleset and OWASP Core Ruleset, managed by Pulumi (groundwork edge)",
            rules: managedRules(edge),
        },
        {
            phase: phases.rateLimit, name: "Groundwork rate limits",
            description: "Per-client request limits, managed by Pulumi (groundwork edge)",
            rules: (edge.rateLimits ?? []).map(rateLimitRule),
        },
        {
            phase: phases.ddosL7, name: "Groundwork HTTP DDoS overrides",
            description: "Sensitivity and action of the HTTP DDoS Attack Protection managed ruleset, managed by Pulumi (groundwork edge)",
            rules: edge.ddosL7 === undefined ? [] : [ddosOverride(edge.ddosL7)],
        },
    ];
    return specs.filter((spec) => spec.rules.length > 0);
}

/** What every configured rule sends as is. */
function ruleBasics(rule: FirewallRule | RateLimit): RulesetRule {
    return { ref: rule.ref, description: rule.description, expression: rule.expression, action: rule.action, enabled: rule.enabled };
}

function customRule(rule: FirewallRule): RulesetRule {
    return {
        ...ruleBasics(rule),
        // "skip" here means: the remaining custom rules do not apply to this request; the skip is logged.
        ...(rule.action === "skip" ? { actionParameters: { ruleset: "current" }, logging: { enabled: true } } : {}),
    };
}

function managedRules(edge: EdgeSettings): RulesetRule[] {
    const rules: RulesetRule[] = [];
    const managed = edge.managedRulesets;
    if (managed?.cloudflareManaged) {
        rules.push({
            ref: "execute-cloudflare-managed",
            description: "Cloudflare Managed Ruleset",
            expression: "true",
            action: "execute",
            actionParameters: { id: managedRulesetIds.cloudflareManaged },
        });
    }
    if (managed?.owasp !== undefined) {
        const { paranoiaLevel, scoreThreshold, action } = managed.owasp;
        // The OWASP ruleset has no paranoia setting: each level's rules carry the tag paranoia-level-N,
        // and the levels above the chosen one are switched off.
        const disabledLevels = owaspParanoiaLevels.filter((level) => level > paranoiaLevel);
        rules.push({
            ref: "execute-owasp-core",
            description: `OWASP Core Ruleset, paranoia level ${paranoiaLevel}, anomaly score threshold ${scoreThreshold}`,
            expression: "true",
            action: "execute",
            actionParameters: {
                id: managedRulesetIds.owasp,
                overrides: {
                    ...(disabledLevels.length > 0 ? { categories: disabledLevels.map((level) => ({ category: `paranoia-level-${level}`, enabled: false })) } : {}),
                    rules: [{ id: managedRulesetIds.owaspAnomalyScoreRule, action, scoreThreshold, enabled: true }],
                },
            },
        });
    }
    return rules;
}

/** The one override every plan may have: for all traffic ("true"), over the whole managed ruleset. */
function ddosOverride(ddos: NonNullable<EdgeSettings["ddosL7"]>): RulesetRule {
    return {
        ref: "http-ddos-override",
        description: `HTTP DDoS Attack Protection: sensitivity ${ddos.sensitivity}, action ${ddos.action}`,
        expression: "true",
        action: "execute",
        actionParameters: {
            id: httpDdosRulesetId,
            overrides: { sensitivityLevel: ddosSensitivities[ddos.sensitivity], action: ddos.action },
        },
    };
}

function rateLimitRule(rule: RateLimit): RulesetRule {
    return {
        ...ruleBasics(rule),
        ratelimit: {
            characteristics: [coloCharacteristic, ...rule.characteristics.filter((characteristic) => characteristic !== coloCharacteristic)],
            period: rule.period,
            requestsPerPeriod: rule.requestsPerPeriod,
            mitigationTimeout: rule.mitigationTimeout,
            // Explicit, because the provider computes it when absent and then reports a diff on every update.
            requestsToOrigin: false,
            ...(rule.countingExpression !== undefined ? { countingExpression: rule.countingExpression } : {}),
        },
    };
}

export interface ZoneSettingSpec {
    readonly settingId: string;
    readonly value: unknown;
}

/**
 * Zone settings the owner stack enforces. Values go to the API as written (the bridge passes a
 * dynamic `value` through without renaming keys), so nested keys are the API's snake_case.
 */
export function zoneSettingSpecs(tls: TlsSettings, authenticatedOriginPulls: boolean): ZoneSettingSpec[] {
    return [
        { settingId: "ssl", value: "strict" },
        { settingId: "min_tls_version", value: tls.minVersion },
        { settingId: "tls_1_3", value: "on" },
        { settingId: "always_use_https", value: "on" },
        {
            settingId: "security_header",
            value: {
                strict_transport_security: {
                    enabled: true,
                    max_age: tls.hsts.maxAgeSeconds,
                    include_subdomains: tls.hsts.includeSubdomains,
                    preload: tls.hsts.preload,
                    nosniff: true,
                },
            },
        },
        // Deleting a ZoneSetting changes nothing at Cloudflare, so "off" is written explicitly.
        { settingId: "tls_client_auth", value: authenticatedOriginPulls ? "on" : "off" },
    ];
}
