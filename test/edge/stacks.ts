import { anEdge, aStack, aTier, RawConfig } from "../support/builders";

/** The zone of ownerStack() and memberStack(), and the host each serves its API on. */
export const zone = anEdge().zone as { name: string; accountId: string };
export const hosts = { owner: `api.${zone.name}`, member: `api.staging.${zone.name}` };

/**
 * The zone owner's edge on the business plan: three WAF custom rules (path traversal blocked, the
 * admin pages only from the operations networks, sign-in pages challenged), the Cloudflare Managed
 * and OWASP rulesets, three rate limits (the API, logins, sign-ups) and an HTTP DDoS override.
 */
export function ownerEdge(): Record<string, any> {
    return anEdge({
        zoneOwner: true,
        tls: { minVersion: "1.2", hsts: { maxAgeSeconds: 31536000, includeSubdomains: true, preload: false } },
        originCertificate: { keyAlgorithm: "ECDSA-P256", validityDays: 5475 },
        authenticatedOriginPulls: true,
        firewallRules: [
            {
                ref: "block-path-traversal", description: "Block path traversal", action: "block",
                expression: "(raw.http.request.uri contains \"../\" or raw.http.request.uri contains \"..\\\\\" or lower(raw.http.request.uri) contains \"%2e%2e\" "
                    + "or lower(raw.http.request.uri) contains \"..%2f\" or lower(raw.http.request.uri) contains \"..%5c\")",
            },
            {
                ref: "admin-allow-list", description: "Admin paths only from the operations networks", action: "block",
                expression: "(starts_with(http.request.uri.path, \"/admin\") and not ip.src in {198.51.100.0/24 2001:db8:100::/48})",
            },
            {
                ref: "challenge-unverified-bots", description: "Challenge unverified clients on the sign-in, sign-up and admin pages", action: "managed_challenge",
                expression: "(not cf.client.bot and (http.request.uri.path in {\"/login\" \"/signup\"} or starts_with(http.request.uri.path, \"/admin\")))",
            },
        ],
        managedRulesets: { cloudflareManaged: true, owasp: { paranoiaLevel: 2, scoreThreshold: 40, action: "managed_challenge" } },
        rateLimits: [
            { ref: "api", description: "API", expression: "starts_with(http.request.uri.path, \"/api/\")", action: "block", requestsPerPeriod: 100, period: 60, mitigationTimeout: 60 },
            {
                ref: "login", description: "Login", expression: "(http.request.uri.path eq \"/api/auth/login\" and http.request.method eq \"POST\")",
                action: "block", requestsPerPeriod: 10, period: 60, mitigationTimeout: 60,
            },
            {
                ref: "signup", description: "Sign-up", expression: "(http.request.uri.path eq \"/api/auth/signup\" and http.request.method eq \"POST\")",
                action: "block", requestsPerPeriod: 1, period: 600, mitigationTimeout: 3600,
            },
        ],
        ddosL7: { sensitivity: "high", action: "block" },
    });
}

/** A stack of a public backend and a private executor behind `edge`; parseStack and runStack give it its Cloudflare token. */
function stackBehind(environment: "staging" | "production", host: string, edge: Record<string, any>): RawConfig {
    return aStack(environment).withTier(aTier("backend").public(host), aTier("executor").calledBy("backend")).withEdge(edge).build();
}

/** The production stack that owns the zone (ownerEdge()), `change` applied to its config. */
export function ownerStack(change: (config: any) => void = () => undefined): RawConfig {
    const config = stackBehind("production", hosts.owner, ownerEdge());
    change(config);
    return config;
}

/** A staging stack in the owner's zone (zoneOwner: false), `change` applied to its config. */
export function memberStack(change: (config: any) => void = () => undefined): RawConfig {
    const config = stackBehind("staging", hosts.member, anEdge({ zoneOwner: false, originCertificate: { keyAlgorithm: "ECDSA-P256", validityDays: 5475 }, authenticatedOriginPulls: true }));
    change(config);
    return config;
}

/** The edge section of a config, for `change` callbacks. */
export const edgeOf = (config: any) => config["groundwork:edge"];
