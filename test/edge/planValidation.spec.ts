import * as assert from "node:assert/strict";
import { problemsOf } from "../support/problems";
import { edgeOf, memberStack, ownerStack, zone } from "./stacks";

/** The zone owner's edge (ownerEdge()) with one change; the owner's edge is where plan checks apply. */
const production = (change: (edge: any) => void) => () => ownerStack((config) => change(edgeOf(config)));
const onPlan = (plan: string, change: (edge: any) => void = () => undefined) => production((edge) => {
    edge.plan = plan;
    change(edge);
});
const rateLimit = (edge: any, ref: string) => edge.rateLimits.find((rule: any) => rule.ref === ref);
const onlyApiRateLimit = (edge: any) => {
    edge.rateLimits = [rateLimit(edge, "api")];
};
const freeSafe = (edge: any) => {
    delete edge.managedRulesets;
    edge.rateLimits = [{ ...rateLimit(edge, "api"), period: 10, mitigationTimeout: 10, requestsPerPeriod: 20 }];
};

const cases: { name: string; config: () => Record<string, unknown>; withoutToken?: boolean; expected: string }[] = [
    { name: "a period the plan lacks", config: onPlan("pro", (edge) => { onlyApiRateLimit(edge); rateLimit(edge, "api").period = 30; }),
        expected: "groundwork:edge.rateLimits[0].period (30) is not allowed on the pro plan (rate limit \"api\"): allowed periods are 10, 60" },
    { name: "a ten-minute period on pro", config: onPlan("pro", (edge) => { edge.rateLimits = [rateLimit(edge, "signup")]; }),
        expected: "groundwork:edge.rateLimits[0].period (600) is not allowed on the pro plan (rate limit \"signup\"): allowed periods are 10, 60" },
    { name: "an hour-long period on business", config: production((edge) => { rateLimit(edge, "signup").period = 3600; }),
        expected: "groundwork:edge.rateLimits[2].period (3600) is not allowed on the business plan (rate limit \"signup\"): allowed periods are 10, 60, 120, 300, 600" },
    { name: "more rate limits than pro allows", config: onPlan("pro", (edge) => {
        edge.rateLimits.forEach((rule: any) => Object.assign(rule, { period: 60, mitigationTimeout: 60 }));
    }), expected: "list 3 rules; the pro plan allows at most 2 rate-limiting rules in a zone" },
    { name: "more rate limits than free allows", config: onPlan("free", (edge) => { delete edge.managedRulesets; }),
        expected: "list 3 rules; the free plan allows at most 1 rate-limiting rules in a zone" },
    { name: "a mitigation timeout the plan lacks", config: production((edge) => { rateLimit(edge, "login").mitigationTimeout = 600; }),
        expected: "groundwork:edge.rateLimits[1].mitigationTimeout (600) is not allowed on the business plan (rate limit \"login\"): allowed mitigation timeouts are 10, 60, 3600, 86400" },
    { name: "a day-long mitigation on pro", config: onPlan("pro", (edge) => { onlyApiRateLimit(edge); rateLimit(edge, "api").mitigationTimeout = 86400; }),
        expected: "groundwork:edge.rateLimits[0].mitigationTimeout (86400) is not allowed on the pro plan (rate limit \"api\"): allowed mitigation timeouts are 10, 60, 3600" },
    { name: "a challenge with a timeout below enterprise", config: production((edge) => { rateLimit(edge, "login").action = "managed_challenge"; }),
        expected: "groundwork:edge.rateLimits[1].mitigationTimeout (60) must be 0 on the business plan for rate limit \"login\"" },
    { name: "throttling with block below enterprise", config: production((edge) => { rateLimit(edge, "api").mitigationTimeout = 0; }),
        expected: "groundwork:edge.rateLimits[0].mitigationTimeout (0) is 0 (rate limit \"api\"), which throttles with block and needs the enterprise plan" },
    { name: "a log action below enterprise", config: production((edge) => { rateLimit(edge, "api").action = "log"; }),
        expected: "groundwork:edge.rateLimits[0].action (\"log\") (rate limit \"api\") is not available on the business plan: allowed actions are block, managed_challenge, js_challenge, challenge" },
    { name: "counting by IP with NAT support on pro", config: onPlan("pro", (edge) => { onlyApiRateLimit(edge); rateLimit(edge, "api").characteristics = ["cf.unique_visitor_id"]; }),
        expected: "groundwork:edge.rateLimits[0].characteristics[0] (\"cf.unique_visitor_id\") (rate limit \"api\") cannot be counted on the pro plan: allowed characteristics are ip.src" },
    { name: "counting by a header without Advanced Rate Limiting", config: production((edge) => { rateLimit(edge, "api").characteristics = ["http.request.headers[\"x-api-key\"]"]; }),
        expected: "groundwork:edge.rateLimits[0].characteristics[0] (\"http.request.headers[\\\"x-api-key\\\"]\") (rate limit \"api\") cannot be counted on the business plan" },
    { name: "a mixed-case header characteristic", config: onPlan("enterprise", (edge) => {
        edge.enterpriseAddOns = ["advanced-rate-limiting"];
        rateLimit(edge, "api").characteristics = ["http.request.headers[\"X-Api-Key\"]"];
    }), expected: "groundwork:edge.rateLimits[0].characteristics[0] (\"http.request.headers[\\\"X-Api-Key\\\"]\") (rate limit \"api\") must name the headers in lower case" },
    { name: "both IP characteristics", config: production((edge) => { rateLimit(edge, "api").characteristics = ["ip.src", "cf.unique_visitor_id"]; }),
        expected: "groundwork:edge.rateLimits[0].characteristics ([\"ip.src\",\"cf.unique_visitor_id\"]) (rate limit \"api\") list both ip.src and cf.unique_visitor_id" },
    { name: "a counting expression on pro", config: onPlan("pro", (edge) => {
        onlyApiRateLimit(edge);
        rateLimit(edge, "api").countingExpression = "http.response.code eq 401";
    }), expected: "groundwork:edge.rateLimits[0].countingExpression (\"http.response.code eq 401\") (rate limit \"api\") needs the business plan or above" },
    { name: "a rate-limit field the plan lacks", config: onPlan("pro", (edge) => { edge.rateLimits = [{ ...rateLimit(edge, "login"), mitigationTimeout: 60 }]; }),
        expected: "(rate limit \"login\") is not a valid expression for the pro plan: column 49: http.request.method cannot be used in a rate-limit rule on the pro plan: "
            + "allowed fields are http.request.uri.path, cf.client.bot, http.host, http.request.uri, http.request.full_uri, http.request.uri.query" },
    { name: "more custom rules than free allows", config: onPlan("free", (edge) => {
        freeSafe(edge);
        edge.firewallRules = Array.from({ length: 6 }, (_, i) => ({ ref: `rule-${i}`, description: "d", action: "block", expression: "ssl" }));
    }), expected: "list 6 rules; the free plan allows at most 5 custom rules in a zone" },
    { name: "a log custom rule below enterprise", config: production((edge) => { edge.firewallRules[0].action = "log"; }),
        expected: "groundwork:edge.firewallRules[0].action (\"log\") (custom rule \"block-path-traversal\") is not available on the business plan: allowed actions are block, managed_challenge, js_challenge, challenge, skip (log needs enterprise)" },
    { name: "a regular expression below business", config: onPlan("pro", (edge) => {
        onlyApiRateLimit(edge);
        edge.firewallRules[0].expression = "http.request.uri.path matches \"^/wp-\"";
    }), expected: "groundwork:edge.firewallRules[0].expression (\"http.request.uri.path matches \\\"^/wp-\\\"\") (custom rule \"block-path-traversal\") is not a valid expression for the pro plan: column 23: matches (regular expressions) needs the business plan or above" },
    { name: "an enterprise-only field on business", config: production((edge) => { edge.firewallRules[0].expression = "cf.waf.score lt 20"; }),
        expected: "groundwork:edge.firewallRules[0].expression (\"cf.waf.score lt 20\") (custom rule \"block-path-traversal\") is not a valid expression for the business plan: column 1: cf.waf.score needs the enterprise plan or above; this zone is on business" },
    { name: "a bot-management field without the add-on", config: onPlan("enterprise", (edge) => { edge.firewallRules[0].expression = "cf.bot_management.score lt 30"; }),
        expected: "column 1: cf.bot_management.score needs the Enterprise bot-management add-on" },
    { name: "the retired threat score", config: production((edge) => { edge.firewallRules[0].expression = "cf.threat_score gt 30"; }),
        expected: "groundwork:edge.firewallRules[0].expression (\"cf.threat_score gt 30\") (custom rule \"block-path-traversal\") is not a valid expression for the business plan: column 1: cf.threat_score always returns 0" },
    { name: "the Cloudflare Managed Ruleset on free", config: onPlan("free", (edge) => { freeSafe(edge); edge.managedRulesets = { cloudflareManaged: true }; }),
        expected: "groundwork:edge.managedRulesets.cloudflareManaged (true) is not available on the free plan (it needs pro or above" },
    { name: "the OWASP ruleset on free", config: onPlan("free", (edge) => { freeSafe(edge); edge.managedRulesets = { owasp: { paranoiaLevel: 1 } }; }),
        expected: "groundwork:edge.managedRulesets.owasp ({\"paranoiaLevel\":1}) is not available on the free plan (the OWASP Core Ruleset needs pro or above)" },
    { name: "an OWASP log action below enterprise", config: production((edge) => { edge.managedRulesets.owasp.action = "log"; }),
        expected: "groundwork:edge.managedRulesets.owasp.action (\"log\") log is not available on the business plan" },
    { name: "an undocumented OWASP score threshold", config: production((edge) => { edge.managedRulesets.owasp.scoreThreshold = 30; }),
        expected: "groundwork:edge.managedRulesets.owasp.scoreThreshold (30) must be 25 (high sensitivity), 40 (medium) or 60 (low)" },
    { name: "an OWASP paranoia level out of range", config: production((edge) => { edge.managedRulesets.owasp.paranoiaLevel = 5; }),
        expected: "groundwork:edge.managedRulesets.owasp.paranoiaLevel (5) must be 1, 2, 3 or 4" },
    { name: "enterprise add-ons on business", config: production((edge) => { edge.enterpriseAddOns = ["bot-management"]; }),
        expected: "groundwork:edge.enterpriseAddOns ([\"bot-management\"]) are Enterprise add-ons, but the zone is on the business plan" },
    { name: "duplicate rule refs", config: production((edge) => { edge.firewallRules[1].ref = edge.firewallRules[0].ref; }),
        expected: "groundwork:edge.firewallRules[1].ref (\"block-path-traversal\") is already used by another rule" },
    { name: "an unknown plan", config: production((edge) => { edge.plan = "ultimate"; }),
        expected: "groundwork:edge.plan (\"ultimate\") must be one of \"free\", \"pro\", \"business\", \"enterprise\"" },
    { name: "a host outside the zone", config: () => ownerStack((config) => { config["groundwork:tiers"][0].public.hosts = ["api.example.org"]; }),
        expected: `groundwork:tiers[0].public.hosts[0] ("api.example.org") is not in the Cloudflare zone ${zone.name}` },
    { name: "a missing token", config: () => ownerStack(), withoutToken: true,
        expected: "groundwork:cloudflareApiToken is required: it must be set when edge.enabled is true: run `pulumi config set --secret groundwork:cloudflareApiToken <token>`" },
    { name: "an edge section without enabled", config: production((edge) => { delete edge.enabled; }),
        expected: "groundwork:edge.enabled is required: it must set enabled: true or false" },
    { name: "enabled-edge settings left in a disabled edge", config: production((edge) => { edge.enabled = false; }),
        expected: "groundwork:edge.plan is not a known key: remove it or check its spelling" },
    { name: "a malformed account id", config: production((edge) => { edge.zone.accountId = "acme"; }),
        expected: "groundwork:edge.zone.accountId (\"acme\") must be the 32-character hex Cloudflare account id" },
    { name: "a DDoS log action below enterprise", config: production((edge) => { edge.ddosL7.action = "log"; }),
        expected: "groundwork:edge.ddosL7.action (\"log\") (HTTP DDoS override) needs the enterprise plan with the advanced-ddos-protection add-on (the zone is on business): use block, managed_challenge or challenge" },
    { name: "a DDoS log action on enterprise without Advanced DDoS Protection", config: onPlan("enterprise", (edge) => { edge.ddosL7.action = "log"; }),
        expected: "groundwork:edge.ddosL7.action (\"log\") (HTTP DDoS override) needs the enterprise plan with the advanced-ddos-protection add-on (the zone is on enterprise without it)" },
    { name: "a DDoS sensitivity Cloudflare lacks", config: production((edge) => { edge.ddosL7.sensitivity = "default"; }),
        expected: "groundwork:edge.ddosL7.sensitivity (\"default\") must be one of \"high\", \"medium\", \"low\", \"essentially_off\"" },
    { name: "a DDoS action Cloudflare lacks in overrides", config: production((edge) => { edge.ddosL7.action = "js_challenge"; }),
        expected: "groundwork:edge.ddosL7.action (\"js_challenge\") must be one of \"block\", \"managed_challenge\", \"challenge\", \"log\"" },
    { name: "a DDoS override in a stack that shares the zone", config: () => memberStack((config) => { edgeOf(config).ddosL7 = { sensitivity: "high", action: "block" }; }),
        expected: `groundwork:edge.ddosL7 ({"sensitivity":"high","action":"block"}) are HTTP DDoS overrides, which belong to the stack that owns zone ${zone.name}` },
    { name: "rules in a stack that shares the zone", config: () => memberStack((config) => { edgeOf(config).rateLimits = []; }),
        expected: `groundwork:edge.rateLimits ([]) are rate limits, which belong to the stack that owns zone ${zone.name} (edge.zoneOwner is false here): `
            + "move them to the owner's stack file, where they apply to every host in the zone, or give this stack its own zone" },
];

describe("edge plan validation", () => {
    it("accepts the owner's edge as built", () => {
        assert.deepEqual(problemsOf(production(() => undefined)()), []);
    });

    for (const plan of ["free", "pro", "business", "enterprise"]) {
        it(`accepts a minimal owner config on the ${plan} plan`, () => {
            assert.deepEqual(problemsOf(onPlan(plan, freeSafe)()), []);
        });
    }

    it("accepts the DDoS log action on enterprise with Advanced DDoS Protection", () => {
        assert.deepEqual(problemsOf(onPlan("enterprise", (edge) => {
            edge.enterpriseAddOns = ["advanced-ddos-protection"];
            edge.ddosL7.action = "log";
        })()), []);
    });

    for (const { name, config, withoutToken, expected } of cases) {
        it(`rejects ${name}`, () => {
            const problems = problemsOf(config(), [], !withoutToken);
            assert.ok(problems.some((problem) => problem.includes(expected)),
                `expected a problem containing:\n  ${expected}\ngot:\n  ${problems.join("\n  ") || "(none)"}`);
        });
    }

    it("reports every edge problem at once, naming each rule", () => {
        const problems = problemsOf(onPlan("pro", (edge) => {
            rateLimit(edge, "api").period = 30;
            edge.firewallRules[0].expression = "http.request.uri.pth eq \"/\"";
        })());
        const edgeProblems = problems.filter((problem) => problem.startsWith("groundwork:edge"));
        assert.ok(edgeProblems.length >= 4, edgeProblems.join("\n"));
        assert.ok(edgeProblems.some((problem) => problem.includes("did you mean http.request.uri.path?")), edgeProblems.join("\n"));
    });
});
