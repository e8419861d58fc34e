import { EnterpriseAddOn, Plan } from "./planLimits";

/**
 * The parts of the Cloudflare Rules language that WAF custom rules and rate-limiting rules may
 * use: fields, functions and operators, with the plan each field needs. The expression checker
 * (expression.ts) reads these tables and nothing else.
 *
 * Sources (cloudflare/cloudflare-docs):
 * - src/content/fields/index.yaml (commit 0026d94e): names, data types and `plan_info_label`
 * - docs/ruleset-engine/rules-language/functions.mdx: names, arguments and where each may be used
 * - docs/ruleset-engine/rules-language/operators.mdx: comparison and logical operators
 * - docs/ruleset-engine/rules-language/values.mdx: strings, raw strings, lists and list references
 * Fields only Transform Rules, custom errors or Magic Firewall can read are left out on purpose:
 * the checker then rejects them as unknown in a WAF expression, which is what the API does.
 */

/** Value types, as far as the checker needs them (a bare operand must be boolean). */
export type FieldType = "string" | "number" | "boolean" | "ip" | "bytes" | "map" | "array";

export interface FieldDefinition {
    readonly type: FieldType;
    /** The cheapest plan that has the field (`plan_info_label`); every plan when absent. */
    readonly plan?: Plan;
    /** An Enterprise add-on the field also needs. */
    readonly addOn?: EnterpriseAddOn;
    /** Response fields exist only after the origin answered: rate-limit counting expressions only. */
    readonly response?: true;
    /** A field that still parses but must not be used, with what to use instead. */
    readonly unusable?: string;
}

const field = (type: FieldType, extra: Omit<FieldDefinition, "type"> = {}): FieldDefinition => ({ type, ...extra });
const enterprise = { plan: "enterprise" } as const;
const botManagement = { plan: "enterprise", addOn: "bot-management" } as const;
const response = { response: true } as const;

const geoDeprecated = (replacement: string): FieldDefinition => field("string", {
    unusable: `is a deprecated alias: use ${replacement}`,
});

export const fields: Readonly<Record<string, FieldDefinition>> = {
    "http.cookie": field("string"),
    "http.host": field("string"),
    "http.referer": field("string"),
    "http.request.full_uri": field("string"),
    "http.request.method": field("string"),
    "http.request.cookies": field("map", { plan: "pro" }),
    "http.request.timestamp.sec": field("number"),
    "http.request.timestamp.msec": field("number"),
    "http.request.uri": field("string"),
    "http.request.uri.path": field("string"),
    "http.request.uri.path.extension": field("string"),
    "http.request.uri.query": field("string"),
    "http.request.uri.args": field("map"),
    "http.request.uri.args.names": field("array"),
    "http.request.uri.args.values": field("array"),
    "http.request.headers": field("map"),
    "http.request.headers.names": field("array"),
    "http.request.headers.values": field("array"),
    "http.request.headers.truncated": field("boolean"),
    "http.request.version": field("string"),
    "http.user_agent": field("string"),
    "http.x_forwarded_for": field("string"),
    "raw.http.request.full_uri": field("string"),
    "raw.http.request.uri": field("string"),
    "raw.http.request.uri.path": field("string"),
    "raw.http.request.uri.path.extension": field("string"),
    "raw.http.request.uri.query": field("string"),
    "raw.http.request.uri.args": field("map"),
    "raw.http.request.uri.args.names": field("array"),
    "raw.http.request.uri.args.values": field("array"),
    "http.request.body.raw": field("string", enterprise),
    "http.request.body.truncated": field("boolean", enterprise),
    "http.request.body.size": field("number", enterprise),
    "http.request.body.form": field("map", enterprise),
    "http.request.body.form.names": field("array", enterprise),
    "http.request.body.form.values": field("array", enterprise),
    "http.request.body.mime": field("string"),
    "http.request.body.multipart": field("map", enterprise),
    "http.request.body.multipart.names": field("array", enterprise),
    "http.request.body.multipart.values": field("array", enterprise),
    "http.request.body.multipart.content_types": field("array", enterprise),
    "http.request.body.multipart.content_dispositions": field("array", enterprise),
    "http.request.body.multipart.content_transfer_encodings": field("array", enterprise),
    "http.request.body.multipart.filenames": field("array", enterprise),
    "ip.src": field("ip"),
    "ip.src.lat": field("string"),
    "ip.src.lon": field("string"),
    "ip.src.city": field("string"),
    "ip.src.postal_code": field("string"),
    "ip.src.metro_code": field("string"),
    "ip.src.region": field("string"),
    "ip.src.region_code": field("string"),
    "ip.src.asnum": field("number"),
    "ip.src.continent": field("string"),
    "ip.src.country": field("string"),
    "ip.src.subdivision_1_iso_code": field("string", { plan: "business" }),
    "ip.src.subdivision_2_iso_code": field("string", { plan: "business" }),
    "ip.src.is_in_european_union": field("boolean", { plan: "business" }),
    "ip.geoip.asnum": geoDeprecated("ip.src.asnum"),
    "ip.geoip.continent": geoDeprecated("ip.src.continent"),
    "ip.geoip.country": geoDeprecated("ip.src.country"),
    "ip.geoip.subdivision_1_iso_code": geoDeprecated("ip.src.subdivision_1_iso_code"),
    "ip.geoip.subdivision_2_iso_code": geoDeprecated("ip.src.subdivision_2_iso_code"),
    "ip.geoip.is_in_european_union": geoDeprecated("ip.src.is_in_european_union"),
    "ssl": field("boolean"),
    "cf.api_gateway.auth_id_present": field("boolean", enterprise),
    "cf.api_gateway.request_violates_schema": field("boolean"),
    "cf.api_gateway.fallthrough_detected": field("boolean"),
    "cf.bot_management.verified_bot": field("boolean", botManagement),
    "cf.bot_management.score": field("number", botManagement),
    "cf.bot_management.static_resource": field("boolean", botManagement),
    "cf.bot_management.ja3_hash": field("string", botManagement),
    "cf.bot_management.ja4": field("string", botManagement),
    "cf.bot_management.js_detection.passed": field("boolean", botManagement),
    "cf.bot_management.detection_ids": field("array", botManagement),
    "cf.bot_management.corporate_proxy": field("boolean", botManagement),
    "cf.bot_management.signed_agent": field("boolean", botManagement),
    "cf.client.bot": field("boolean"),
    "cf.verified_bot_category": field("string"),
    "cf.edge.server_ip": field("ip"),
    "cf.edge.server_port": field("number"),
    "cf.hostname.metadata": field("string"),
    "cf.ray_id": field("string"),
    "cf.threat_score": field("number", {
        unusable: "always returns 0 (Cloudflare retired the threat score), so a rule on it never fires: use the OWASP "
            + "anomaly-score threshold (edge.managedRulesets.owasp.scoreThreshold), cf.waf.score.class (business) or "
            + "cf.waf.score / cf.bot_management.score (enterprise)",
    }),
    "cf.colo.id": field("number", { unusable: "must not be used in expressions: rate limits count per data center already (cf.colo.id is always a counting characteristic)" }),
    "cf.tls_cipher": field("string"),
    "cf.tls_version": field("string"),
    "cf.tls_client_auth.cert_revoked": field("boolean"),
    "cf.tls_client_auth.cert_verified": field("boolean"),
    "cf.tls_client_auth.cert_presented": field("boolean"),
    "cf.tls_client_auth.cert_issuer_dn": field("string"),
    "cf.tls_client_auth.cert_subject_dn": field("string"),
    "cf.tls_client_auth.cert_fingerprint_sha256": field("string"),
    "cf.tls_client_auth.cert_serial": field("string"),
    "cf.tls_client_hello_length": field("number"),
    "cf.edge.client_tcp": field("boolean"),
    "cf.timings.client_tcp_rtt_msec": field("number"),
    "cf.waf.content_scan.has_obj": field("boolean", enterprise),
    "cf.waf.content_scan.has_malicious_obj": field("boolean", enterprise),
    "cf.waf.content_scan.num_malicious_obj": field("number", enterprise),
    "cf.waf.content_scan.has_failed": field("boolean", enterprise),
    "cf.waf.content_scan.num_obj": field("number", enterprise),
    "cf.waf.score": field("number", enterprise),
    "cf.waf.score.sqli": field("number", enterprise),
    "cf.waf.score.xss": field("number", enterprise),
    "cf.waf.score.rce": field("number", enterprise),
    "cf.waf.score.class": field("string", { plan: "business" }),
    "cf.waf.auth_detected": field("boolean", enterprise),
    "cf.waf.credential_check.password_leaked": field("boolean"),
    "cf.waf.credential_check.username_leaked": field("boolean", enterprise),
    "cf.waf.credential_check.username_and_password_leaked": field("boolean", { plan: "pro" }),
    "cf.waf.credential_check.username_password_similar": field("boolean", enterprise),
    "cf.llm.prompt.detected": field("boolean", enterprise),
    "cf.llm.prompt.injection_score": field("number", enterprise),
    "cf.worker.upstream_zone": field("string"),
    "cf.zone.name": field("string"),
    "cf.zone.plan": field("string"),
    "http.response.code": field("number", response),
    "http.response.headers": field("map", response),
    "http.response.headers.names": field("array", response),
    "http.response.headers.values": field("array", response),
    "http.response.content_type.media_type": field("string", response),
};

export interface FunctionDefinition {
    readonly returns: FieldType;
    readonly minArgs: number;
    readonly maxArgs: number;
    readonly plan?: Plan;
    /** Where the function cannot be used in WAF and rate-limiting expressions. */
    readonly unusable?: string;
}

const fn = (returns: FieldType, minArgs: number, maxArgs: number, extra: Omit<FunctionDefinition, "returns" | "minArgs" | "maxArgs"> = {}): FunctionDefinition =>
    ({ returns, minArgs, maxArgs, ...extra });
const rewriteOnly = { unusable: "is only available in rewrite expressions of Transform Rules and redirects" } as const;
const variadic = Number.MAX_SAFE_INTEGER;

export const functions: Readonly<Record<string, FunctionDefinition>> = {
    any: fn("boolean", 1, 1),
    all: fn("boolean", 1, 1),
    cidr: fn("ip", 3, 3),
    cidr6: fn("ip", 2, 2),
    concat: fn("string", 1, variadic),
    decode_base64: fn("string", 1, 1),
    ends_with: fn("boolean", 2, 2),
    join: fn("string", 2, 2),
    len: fn("number", 1, 1),
    lookup_json_integer: fn("number", 2, variadic),
    lookup_json_string: fn("string", 2, variadic),
    lower: fn("string", 1, 1),
    remove_bytes: fn("bytes", 2, 2),
    starts_with: fn("boolean", 2, 2),
    substring: fn("string", 2, 3),
    upper: fn("string", 1, 1),
    url_decode: fn("string", 1, 2),
    is_timed_hmac_valid_v0: fn("boolean", 4, 6, { plan: "pro" }),
    regex_replace: fn("string", 3, 3, rewriteOnly),
    remove_query_args: fn("string", 2, variadic, rewriteOnly),
    to_string: fn("string", 1, 1, rewriteOnly),
    uuidv4: fn("string", 1, 1, rewriteOnly),
    wildcard_replace: fn("string", 3, 4, rewriteOnly),
    split: fn("array", 3, 3, { unusable: "is only available in response header transform rules and custom error rules" }),
    bit_slice: fn("number", 3, 3, { unusable: "is a Magic Firewall function" }),
};

/** Functions whose arguments may use `[*]` (they reduce an array of booleans to one). */
export const arrayReducers: readonly string[] = ["any", "all"];

/** Comparison operators: English spelling → C-like spelling (where one exists). */
export const comparisonOperators: Readonly<Record<string, string | undefined>> = {
    eq: "==", ne: "!=", lt: "<", le: "<=", gt: ">", ge: ">=",
    contains: undefined, wildcard: undefined, "strict wildcard": undefined, matches: "~", in: undefined,
};

/** C-like comparison spellings, mapped back to the English name the tables use. */
export const symbolicComparisons: Readonly<Record<string, string>> = Object.fromEntries(
    Object.entries(comparisonOperators).filter(([, symbol]) => symbol !== undefined).map(([name, symbol]) => [symbol!, name]),
);

/** Logical operators in precedence order, loosest first (`not` binds tightest). */
export const logicalOperators = [
    { name: "or", symbol: "||" },
    { name: "xor", symbol: "^^" },
    { name: "and", symbol: "&&" },
] as const;

/** Every word the language reserves, for "operators are lower case" hints. */
export const operatorWords: readonly string[] = ["and", "or", "xor", "not", "eq", "ne", "lt", "le", "gt", "ge", "contains", "wildcard", "strict", "matches", "in"];

/** Cloudflare-managed IP lists referenced as `$cf.<name>` (docs: waf/tools/lists/managed-lists). */
export const managedLists: readonly string[] = ["cf.anonymizer", "cf.botnetcc", "cf.malware", "cf.open_proxies", "cf.vpn"];

/** The longest expression the API accepts (docs: ruleset-engine/rules-language/expressions). */
export const maxExpressionLength = 4096;
