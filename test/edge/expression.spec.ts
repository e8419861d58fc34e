import * as assert from "node:assert/strict";
import { checkExpression, ExpressionContext } from "../../components/edge/expression";
import { maxExpressionLength } from "../../components/edge/rulesLanguage";

const business: ExpressionContext = { plan: "business", addOns: [], use: "custom rule" };
const on = (plan: ExpressionContext["plan"], use: ExpressionContext["use"] = "custom rule", addOns: ExpressionContext["addOns"] = []): ExpressionContext =>
    ({ plan, use, addOns });

const valid: { expression: string; context?: ExpressionContext }[] = [
    { expression: "true" },
    { expression: "ssl" },
    { expression: "not cf.client.bot" },
    { expression: "! ssl && cf.client.bot" },
    { expression: "http.host eq \"api.example.com\"" },
    { expression: "http.host == \"api.example.com\" || http.host != \"www.example.com\"" },
    { expression: "http.request.uri.path contains \"/admin\" xor ssl ^^ cf.client.bot" },
    { expression: "starts_with(http.request.uri.path, \"/api/\") and ends_with(http.request.uri.path, \".json\")" },
    { expression: "lower(http.request.uri.path) wildcard \"/wp-*\"" },
    { expression: "http.request.uri.path strict wildcard \"/Admin/*\"" },
    { expression: "http.request.method in {\"POST\" \"PUT\" \"PATCH\"}" },
    { expression: "cf.edge.server_port in {80 443 8000..8099}" },
    { expression: "not ip.src in {198.51.100.0/24 203.0.113.7 2001:db8::/32 ::1}" },
    { expression: "ip.src in $office_networks or ip.src in $cf.open_proxies" },
    { expression: "any(http.request.headers[\"user-agent\"][*] contains \"sqlmap\")" },
    { expression: "all(http.request.headers.names[*] ne \"x-debug\")" },
    { expression: "any(lower(http.request.uri.args.values[*])[*] contains \"<script\")" },
    { expression: "len(http.request.uri.query) gt 2048" },
    { expression: "http.request.uri.path matches \"^/(wp-admin|xmlrpc\\\\.php)\"" },
    { expression: "http.request.uri.path ~ r\"^/a\\d+$\"" },
    { expression: "http.request.uri.path matches r#\"^/say-\"hi\"$\"#" },
    { expression: "http.host eq \"tab\\x09here\" and http.referer eq \"q\\\"uote\"" },
    { expression: "((http.host eq \"a\") and (ssl or (cf.client.bot)))" },
    { expression: "url_decode(http.request.uri.query, \"r\") contains \"../\"" },
    { expression: "substring(http.request.uri.path, -3) eq \"php\"" },
    { expression: "cf.waf.score.class in {\"attack\" \"likely_attack\"}" },
    { expression: "cf.waf.score lt 20 and cf.bot_management.score lt 30", context: on("enterprise", "custom rule", ["bot-management"]) },
    { expression: "http.request.uri.path eq \"/login\" and http.response.code in {401 403}", context: on("business", "rate-limit counting expression") },
    { expression: "starts_with(http.request.uri.path, \"/api/\")", context: on("free", "rate limit") },
    { expression: "is_timed_hmac_valid_v0(\"secret\", http.request.uri, 100000, http.request.timestamp.sec, 8)", context: on("pro") },
];

const invalid: { name: string; expression: string; context?: ExpressionContext; column: number; message: string }[] = [
    { name: "a misspelt field", expression: "http.request.uri.pth eq \"/\"", column: 1, message: "unknown field http.request.uri.pth (did you mean http.request.uri.path?)" },
    { name: "a misspelt field after a condition", expression: "ssl and http.hots eq \"a\"", column: 9, message: "unknown field http.hots (did you mean http.host?)" },
    { name: "a misspelt function", expression: "start_with(http.request.uri.path, \"/a\")", column: 1, message: "unknown function start_with() (did you mean starts_with()?)" },
    { name: "an unknown function", expression: "frobnicate(http.host)", column: 1, message: "unknown function frobnicate()" },
    { name: "an unclosed parenthesis", expression: "(http.host eq \"a\" and ssl", column: 1, message: "this ( is not closed: add )" },
    { name: "a stray closing parenthesis", expression: "http.host eq \"a\")", column: 17, message: "unexpected \")\": this ) closes no (" },
    { name: "an unclosed string", expression: "http.host eq \"abc", column: 14, message: "string is not closed" },
    { name: "an unclosed raw string", expression: "http.host eq r#\"abc\"", column: 14, message: "raw string is not closed: end it with \"#" },
    { name: "an unknown escape", expression: "http.host eq \"a\\d\"", column: 16, message: "unknown escape \\d in a string" },
    { name: "single quotes", expression: "http.host eq 'a'", column: 14, message: "strings use double quotes" },
    { name: "an upper-case operator", expression: "ssl AND cf.client.bot", column: 5, message: "operators are lower case: write and, not AND" },
    { name: "an upper-case comparison", expression: "http.host EQ \"a\"", column: 11, message: "operators are lower case: write eq, not EQ" },
    { name: "a single ampersand", expression: "ssl & cf.client.bot", column: 5, message: "unexpected character \"&\": write &&" },
    { name: "a missing value", expression: "http.host eq", column: 13, message: "expected a value after eq, found the end of the expression" },
    { name: "a field on the right", expression: "http.host eq http.referer", column: 14, message: "the right side must be a value" },
    { name: "a bare string field", expression: "http.host", column: 1, message: "http.host is a string, not a condition" },
    { name: "a value on the left", expression: "\"a\" eq http.host", column: 1, message: "the left side of eq must be a field or a function" },
    { name: "a string compared with a number", expression: "http.host eq 5", column: 14, message: "http.host is a string: eq needs a quoted string, not 5" },
    { name: "an IP compared with a string", expression: "ip.src eq \"10.0.0.1\"", column: 11, message: "ip.src is an ip: eq needs an IP address or CIDR" },
    { name: "an invalid IP", expression: "ip.src in {300.1.1.1}", column: 12, message: "300.1.1.1 is not a valid IP address" },
    { name: "a too-long prefix", expression: "ip.src in {10.0.0.0/33}", column: 12, message: "10.0.0.0/33 has a prefix longer than /32" },
    { name: "an empty list", expression: "http.request.method in {}", column: 24, message: "the list is empty" },
    { name: "in without a list", expression: "http.request.method in \"GET\"", column: 24, message: "in needs a list" },
    { name: "a list outside in", expression: "$office_networks", column: 1, message: "the list $office_networks can only follow in" },
    { name: "an unknown managed list", expression: "ip.src in $cf.bad_guys", column: 11, message: "$cf.bad_guys is not a Cloudflare managed list" },
    { name: "[*] outside any()", expression: "http.request.headers[\"x\"][*] eq \"1\"", column: 1, message: "uses [*], which yields a list: wrap the comparison in any(…) or all(…)" },
    { name: "an upper-case header name", expression: "any(http.request.headers[\"User-Agent\"][*] eq \"x\")", column: 26, message: "header names are lower case" },
    { name: "an unindexed map", expression: "http.request.headers eq \"x\"", column: 1, message: "http.request.headers is a map: index it first" },
    { name: "a wrong argument count", expression: "starts_with(http.request.uri.path)", column: 1, message: "starts_with() takes 2 argument(s), not 1" },
    { name: "a rewrite-only function", expression: "to_string(cf.edge.server_port) eq \"443\"", column: 1, message: "to_string() is only available in rewrite expressions" },
    { name: "the retired threat score", expression: "cf.threat_score gt 30", column: 1, message: "cf.threat_score always returns 0 (Cloudflare retired the threat score), so a rule on it never fires" },
    { name: "a deprecated geo field", expression: "ip.geoip.country eq \"FR\"", column: 1, message: "ip.geoip.country is a deprecated alias: use ip.src.country" },
    { name: "cf.colo.id in an expression", expression: "cf.colo.id eq 1", column: 1, message: "cf.colo.id must not be used in expressions" },
    { name: "regex on pro", expression: "http.host matches \"a\"", context: on("pro"), column: 11, message: "matches (regular expressions) needs the business plan or above; this zone is on pro" },
    { name: "a business field on pro", expression: "ip.src.is_in_european_union", context: on("pro"), column: 1, message: "ip.src.is_in_european_union needs the business plan or above; this zone is on pro" },
    { name: "a pro field on free", expression: "any(http.request.cookies[\"session\"][*] eq \"\")", context: on("free"), column: 5, message: "http.request.cookies needs the pro plan or above; this zone is on free" },
    { name: "an add-on field without the add-on", expression: "cf.bot_management.score lt 30", context: on("enterprise"), column: 1, message: "needs the Enterprise bot-management add-on" },
    { name: "a response field in a custom rule", expression: "http.response.code eq 401", column: 1, message: "http.response.code is a response field: only a rate limit's countingExpression can use it" },
    { name: "a rate-limit field free lacks", expression: "http.host eq \"a\"", context: on("free", "rate limit"), column: 1, message: "http.host cannot be used in a rate-limit rule on the free plan: allowed fields are http.request.uri.path, cf.client.bot" },
    { name: "a trailing operator", expression: "ssl and", column: 8, message: "expected a field, a function or a value, found the end of the expression" },
    { name: "two conditions without an operator", expression: "ssl cf.client.bot", column: 5, message: "unexpected \"cf.client.bot\": expected and, or, xor or the end of the expression" },
];

describe("rules-language expression checker", () => {
    for (const { expression, context } of valid) {
        it(`accepts ${expression}`, () => {
            assert.deepEqual(checkExpression(expression, context ?? business), []);
        });
    }

    for (const { name, expression, context, column, message } of invalid) {
        it(`rejects ${name}: ${expression}`, () => {
            const problems = checkExpression(expression, context ?? business);
            assert.ok(problems.some((problem) => problem.column === column && problem.message.includes(message)),
                `expected column ${column}: ${message}\ngot: ${JSON.stringify(problems)}`);
        });
    }

    it(`rejects an expression longer than ${maxExpressionLength} characters`, () => {
        const long = Array.from({ length: 200 }, () => "http.host eq \"example.com\"").join(" or ");
        assert.ok(long.length > maxExpressionLength);
        assert.deepEqual(checkExpression(long, business), [{ column: maxExpressionLength + 1, message: `is ${long.length} characters long; Cloudflare accepts at most ${maxExpressionLength}` }]);
    });

    it("reports every unknown field, not just the first", () => {
        const problems = checkExpression("http.hots eq \"a\" and http.request.uri.pth eq \"/\"", business);
        assert.deepEqual(problems.map((problem) => problem.column), [1, 22]);
    });
});
