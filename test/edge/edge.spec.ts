import * as assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import * as kubernetes from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { checkExpression, ExpressionUse } from "../../components/edge/expression";
import { originPullCaExpiry, originPullCaPem, originPullCaSecretName, originPullCaSha256 } from "../../components/edge/originPullCa";
import { managedRulesetIds, owaspParanoiaLevels } from "../../components/edge/planLimits";
import { RawConfig } from "../support/builders";
import { readStackConfig, runStack, valueOf } from "../support/program";
import { parseStack } from "../support/problems";
import { matches, Request } from "./rules";
import { edgeOf, hosts, memberStack, ownerStack, zone } from "./stacks";

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

const zoneId = "023e105f4ecef8ad9ca31a8372d0c353";

/** How the mock monitor hands over a secret input: the engine's secret envelope. */
const secretSignature = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
const secret = (value: unknown) => ({ ...secretSignature, value });
const reveal = (input: any) => input !== null && typeof input === "object" && "value" in input ? input.value : input;

/** Fake engine state that makes the certificate chain visible in the values it passes along. */
function mockState(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
    switch (type) {
        case "tls:index/privateKey:PrivateKey":
            return { ...inputs, privateKeyPem: `KEY(${name})` };
        case "tls:index/certRequest:CertRequest":
            return { ...inputs, certRequestPem: `CSR(${reveal(inputs.privateKeyPem)}; ${inputs.dnsNames.join(",")})` };
        case "cloudflare:index/originCaCertificate:OriginCaCertificate":
            return { ...inputs, certificate: `CERT(${inputs.csr})` };
        default:
            return inputs;
    }
}

/** Runs the Edge component alone under mocks for a stack's parsed config, `change` applied to its edge section, in a stack named after its environment. */
async function runEdge(raw: RawConfig, options: { change?: (edge: any) => void; address?: string } = {}) {
    const stack = String(raw["groundwork:environment"]);
    const registered: Registered[] = [];
    const invokes: { token: string; inputs: Record<string, any> }[] = [];
    await pulumi.runtime.setMocks({
        newResource(args) {
            registered.push({ type: args.type, name: args.name, inputs: args.inputs });
            return { id: args.custom ? `${args.name}-id` : undefined, state: mockState(args.type, args.name, args.inputs) };
        },
        call(args) {
            invokes.push({ token: args.token, inputs: args.inputs });
            return { id: zoneId, zoneId, name: args.inputs.filter.name };
        },
    }, "groundwork", stack);
    const { Edge } = await import("../../components/edge");
    const changed = structuredClone(raw);
    options.change?.(edgeOf(changed));
    const config = parseStack(changed);
    if (!config.edge.enabled) {
        assert.fail(`the ${stack} stack must enable the edge`);
    }
    const edge = new Edge("edge", {
        config: config.edge,
        apiToken: pulumi.secret("test-token"),
        ingress: { loadBalancerAddress: options.address ?? "203.0.113.10", controllerNamespace: "ingress-nginx" },
        publicTiers: config.tiers.filter((tier) => tier.public).map((tier) => ({ name: tier.name, namespace: tier.namespace, hosts: tier.public!.hosts })),
    });
    // Each public tier asks for its origin TLS once its namespace exists, as its TierUnit does.
    const tiers = config.tiers.filter((tier) => tier.public).map((tier) =>
        [tier.name, edge.originTlsFor(tier.name, new kubernetes.core.v1.Namespace(tier.namespace, { metadata: { name: tier.namespace } }))] as const);
    const outputs = {
        zoneId: await valueOf(edge.zoneId),
        hostnames: await valueOf(edge.hostnames),
        rulesetIds: await valueOf(edge.rulesetIds),
        tiers: Object.fromEntries(await Promise.all(tiers.map(async ([tier, settings]) =>
            [tier, { tlsSecretName: await valueOf(settings.tlsSecretName), ingressAnnotations: await valueOf(settings.ingressAnnotations) }] as const))),
    };
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    const ofType = (type: string) => registered.filter((resource) => resource.type === type);
    const one = (type: string) => {
        const found = ofType(type);
        assert.equal(found.length, 1, `expected one ${type}, got ${found.map((resource) => resource.name).join(", ") || "none"}`);
        return found[0];
    };
    return { edge: config.edge, component: edge, registered, invokes, outputs, ofType, one };
}

const rulesetType = "cloudflare:index/ruleset:Ruleset";
const zoneSettingType = "cloudflare:index/zoneSetting:ZoneSetting";
const dnsRecordType = "cloudflare:index/dnsRecord:DnsRecord";
const secretType = "kubernetes:core/v1:Secret";

const phases = { custom: "http_request_firewall_custom", managed: "http_request_firewall_managed", rateLimit: "http_ratelimit" };
const ddosPhase = "ddos_l7";

type Outcome = "pass" | "block" | "managed_challenge";

/**
 * What the owner's WAF (ownerEdge(), and the committed production stack's) must do, evaluated over the rules as registered: the custom rules' outcome
 * (the first matching rule acts) and which rate limits count the request.
 */
const protections: { what: string; request: Request; outcome: Outcome; countedBy: string[] }[] = [
    { what: "an API call", request: { path: "/api/users" }, outcome: "pass", countedBy: ["api"] },
    { what: "a page outside every protected path", request: { path: "/" }, outcome: "pass", countedBy: [] },
    { what: "path traversal in the path", request: { path: "/api/../etc/passwd" }, outcome: "block", countedBy: ["api"] },
    { what: "encoded path traversal, in either case", request: { path: "/static/%2E%2E/secret" }, outcome: "block", countedBy: [] },
    { what: "encoded path traversal in the query", request: { path: "/download", query: "file=..%2Fetc%2Fpasswd" }, outcome: "block", countedBy: [] },
    { what: "backslash path traversal", request: { path: "/files/..\\windows" }, outcome: "block", countedBy: [] },
    { what: "the admin pages from outside the operations networks", request: { path: "/admin/users", ip: "203.0.113.5" }, outcome: "block", countedBy: [] },
    { what: "the admin pages from an operations network, unverified", request: { path: "/admin/users", ip: "198.51.100.7" }, outcome: "managed_challenge", countedBy: [] },
    { what: "the admin pages from an operations IPv6 network, as a verified bot", request: { path: "/admin", ip: "2001:db8:100::1", verifiedBot: true }, outcome: "pass", countedBy: [] },
    { what: "the sign-in page, unverified", request: { path: "/login" }, outcome: "managed_challenge", countedBy: [] },
    { what: "the sign-in page, as a verified bot", request: { path: "/login", verifiedBot: true }, outcome: "pass", countedBy: [] },
    { what: "the sign-up page, unverified", request: { path: "/signup" }, outcome: "managed_challenge", countedBy: [] },
    { what: "a login", request: { path: "/api/auth/login", method: "POST" }, outcome: "pass", countedBy: ["api", "login"] },
    { what: "a read of the login endpoint", request: { path: "/api/auth/login" }, outcome: "pass", countedBy: ["api"] },
    { what: "a sign-up", request: { path: "/api/auth/signup", method: "POST" }, outcome: "pass", countedBy: ["api", "signup"] },
];

/** The custom rules' verdict: rules run in order, the first match acts (`log` only records), and `skip` lets the request past the rest. */
function customOutcome(rules: any[], request: Request): Outcome {
    const rule = rules.find((candidate) => candidate.enabled && candidate.action !== "log" && matches(candidate.expression, request));
    return rule === undefined || rule.action === "skip" ? "pass" : rule.action;
}

describe("Cloudflare edge component", () => {
    describe(`production (owner of ${zone.name}, business plan)`, () => {
        let run: Awaited<ReturnType<typeof runEdge>>;
        before(async () => {
            run = await runEdge(ownerStack());
        });

        it("looks the zone up by name and account through its own provider, holding the token as a secret", () => {
            assert.deepEqual(run.invokes.map((invoke) => [invoke.token, invoke.inputs.filter]), [
                ["cloudflare:index/getZone:getZone", { name: zone.name, account: { id: zone.accountId } }],
            ]);
            assert.deepEqual(run.one("pulumi:providers:cloudflare").inputs.apiToken, secret("test-token"));
            assert.equal(run.outputs.zoneId, zoneId);
        });

        const ruleset = (phase: string) => {
            const found = run.ofType(rulesetType).find((resource) => resource.inputs.phase === phase);
            assert.ok(found, `no ruleset for ${phase}`);
            assert.equal(found.inputs.zoneId, zoneId);
            assert.equal(found.inputs.kind, "zone");
            return found.inputs.rules as any[];
        };

        it("sends the configured custom rules and rate limits in their order, each as configured", () => {
            const basics = (rule: any) => ({ ref: rule.ref, description: rule.description, expression: rule.expression, action: rule.action, enabled: rule.enabled });
            assert.deepEqual(ruleset(phases.custom).map(basics), run.edge.firewallRules!.map(basics));
            assert.deepEqual(ruleset(phases.rateLimit).map(basics), run.edge.rateLimits!.map(basics));
            ruleset(phases.rateLimit).forEach((rule, i) => {
                const configured = run.edge.rateLimits![i];
                assert.deepEqual(rule.ratelimit, {
                    // Cloudflare requires counting per data centre; the provider would report a diff on every update without requestsToOrigin.
                    characteristics: ["cf.colo.id", ...configured.characteristics],
                    period: configured.period, requestsPerPeriod: configured.requestsPerPeriod, mitigationTimeout: configured.mitigationTimeout, requestsToOrigin: false,
                }, rule.ref);
            });
        });

        it("sends only expressions that parse on the zone's plan", () => {
            const uses: Record<string, ExpressionUse> = { [phases.custom]: "custom rule", [phases.managed]: "custom rule", [phases.rateLimit]: "rate limit" };
            for (const phase of Object.values(phases)) {
                for (const rule of ruleset(phase)) {
                    const context = { plan: run.edge.plan, addOns: run.edge.enterpriseAddOns, use: uses[phase] };
                    assert.deepEqual(checkExpression(rule.expression, context), [], `${phase} ${rule.ref}: ${rule.expression}`);
                }
            }
        });

        for (const { what, request, outcome, countedBy } of protections) {
            it(`${outcome === "pass" ? "lets through" : `answers with ${outcome}`} ${what}${countedBy.length > 0 ? `, counted by ${countedBy.join(" and ")}` : ""}`, () => {
                assert.equal(customOutcome(ruleset(phases.custom), request), outcome);
                assert.deepEqual(ruleset(phases.rateLimit).filter((rule) => rule.enabled && matches(rule.expression, request)).map((rule) => rule.ref), countedBy);
            });
        }

        it("runs the Cloudflare Managed and OWASP Core rulesets on every request, OWASP at the configured paranoia level and threshold", () => {
            const executed: Record<string, any> = Object.fromEntries(ruleset(phases.managed).map((rule) => [rule.actionParameters.id, rule]));
            assert.deepEqual(Object.keys(executed).sort(), [managedRulesetIds.cloudflareManaged, managedRulesetIds.owasp].sort());
            assert.ok(Object.values(executed).every((rule) => rule.action === "execute" && matches(rule.expression, { path: "/" })));
            const owasp = run.edge.managedRulesets!.owasp!;
            const overrides = executed[managedRulesetIds.owasp].actionParameters.overrides;
            assert.deepEqual(overrides.categories.map((category: any) => [category.category, category.enabled]),
                owaspParanoiaLevels.filter((level) => level > owasp.paranoiaLevel).map((level) => [`paranoia-level-${level}`, false]));
            assert.deepEqual(overrides.rules, [{ id: managedRulesetIds.owaspAnomalyScoreRule, action: owasp.action, scoreThreshold: owasp.scoreThreshold, enabled: true }]);
        });

        it("overrides the HTTP DDoS Attack Protection ruleset to high sensitivity and block, for all traffic", () => {
            assert.deepEqual(run.edge.ddosL7, edgeOf(ownerStack()).ddosL7);
            assert.deepEqual(run.edge.ddosL7, { sensitivity: "high", action: "block" });
            const rules = ruleset(ddosPhase);
            assert.equal(rules.length, 1);
            const [override] = rules;
            assert.equal(override.action, "execute");
            assert.ok(matches(override.expression, { path: "/" }) && override.expression === "true", "below enterprise the one override must cover all traffic");
            // "default" is the API's name for the dashboard's High.
            assert.deepEqual(override.actionParameters, { id: "4d21379b4f9f4bb088e0729962c8b3cf", overrides: { sensitivityLevel: "default", action: "block" } });
        });

        it("registers one ruleset per phase and outputs their ids", () => {
            assert.deepEqual(run.ofType(rulesetType).map((resource) => resource.inputs.phase).sort(), [...Object.values(phases), ddosPhase].sort());
            assert.deepEqual(run.outputs.rulesetIds, {
                http_request_firewall_custom: "edge-http_request_firewall_custom-id",
                http_request_firewall_managed: "edge-http_request_firewall_managed-id",
                http_ratelimit: "edge-http_ratelimit-id",
                ddos_l7: "edge-ddos_l7-id",
            });
        });

        it("enforces strict TLS, TLS 1.2+, TLS 1.3, HTTPS, HSTS and authenticated origin pulls on the zone", () => {
            const settings = Object.fromEntries(run.ofType(zoneSettingType).map((resource) => [resource.inputs.settingId, resource.inputs.value]));
            assert.deepEqual(settings, {
                ssl: "strict",
                min_tls_version: "1.2",
                tls_1_3: "on",
                always_use_https: "on",
                security_header: { strict_transport_security: { enabled: true, max_age: 31536000, include_subdomains: true, preload: false, nosniff: true } },
                tls_client_auth: "on",
            });
            assert.ok(run.ofType(zoneSettingType).every((resource) => resource.inputs.zoneId === zoneId));
        });

        it("points a proxied DNS record for every public host at the ingress address", () => {
            assert.deepEqual(run.ofType(dnsRecordType).map((resource) => resource.inputs), [{
                zoneId, name: hosts.owner, type: "A", content: "203.0.113.10", proxied: true, ttl: 1,
                comment: "groundwork tier backend: proxied to the ingress load balancer",
            }]);
            assert.deepEqual(run.outputs.hostnames, [hosts.owner]);
        });

        it("chains tls key → CSR → Origin CA certificate → TLS Secret → the tier's ingress", () => {
            const key = run.one("tls:index/privateKey:PrivateKey");
            assert.deepEqual(key.inputs, { algorithm: "ECDSA", ecdsaCurve: "P256" });
            const csr = run.one("tls:index/certRequest:CertRequest");
            assert.deepEqual(csr.inputs, { privateKeyPem: secret("KEY(edge-origin-key)"), subject: { commonName: hosts.owner }, dnsNames: [hosts.owner] });
            const certificate = run.one("cloudflare:index/originCaCertificate:OriginCaCertificate");
            assert.deepEqual(certificate.inputs, {
                csr: `CSR(KEY(edge-origin-key); ${hosts.owner})`, hostnames: [hosts.owner], requestType: "origin-ecc", requestedValidity: 5475,
            });
            const tlsSecret = run.ofType(secretType).find((resource) => resource.name === "edge-backend-origin-tls");
            assert.deepEqual(tlsSecret?.inputs, {
                apiVersion: "v1", kind: "Secret", type: "kubernetes.io/tls",
                metadata: { name: "cloudflare-origin-tls", namespace: "backend", labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "groundwork-edge" } },
                stringData: secret({ "tls.crt": `CERT(CSR(KEY(edge-origin-key); ${hosts.owner}))`, "tls.key": "KEY(edge-origin-key)" }),
            });
            assert.equal(run.outputs.tiers.backend.tlsSecretName, "cloudflare-origin-tls");
        });

        it("stores Cloudflare's origin-pull CA beside the controller and gives the tier annotations that demand its client certificate", () => {
            const caSecret = run.ofType(secretType).find((resource) => resource.name === "edge-origin-pull-ca");
            assert.equal(caSecret?.inputs.type, "Opaque");
            assert.deepEqual(caSecret?.inputs.metadata, {
                name: originPullCaSecretName, namespace: "ingress-nginx", labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "groundwork-edge" },
            });
            assert.deepEqual(caSecret?.inputs.stringData, secret({ "ca.crt": originPullCaPem }));
            assert.deepEqual(run.outputs.tiers.backend.ingressAnnotations, {
                "nginx.ingress.kubernetes.io/auth-tls-verify-client": "on",
                "nginx.ingress.kubernetes.io/auth-tls-secret": "ingress-nginx/cloudflare-origin-pull-ca",
                "nginx.ingress.kubernetes.io/auth-tls-verify-depth": "1",
            });
            assert.deepEqual(Object.keys(run.outputs.tiers), ["backend"]);
        });

        it("refuses origin TLS for a tier whose hosts Cloudflare does not serve", () => {
            assert.throws(() => run.component.originTlsFor("executor", run.component),
                /tier "executor" is not among the edge's public tiers \(backend\): Cloudflare serves none of its hosts/);
        });

        it("registers nothing else", () => {
            const counts: Record<string, number> = {};
            for (const resource of run.registered) {
                counts[resource.type] = (counts[resource.type] ?? 0) + 1;
            }
            assert.deepEqual(counts, {
                "groundwork:edge:Edge": 1, "pulumi:providers:cloudflare": 1, [dnsRecordType]: 1, [zoneSettingType]: 6, [rulesetType]: 4,
                "tls:index/privateKey:PrivateKey": 1, "tls:index/certRequest:CertRequest": 1, "cloudflare:index/originCaCertificate:OriginCaCertificate": 1, [secretType]: 2,
                // The test's stand-in for the tier's namespace.
                "kubernetes:core/v1:Namespace": 1,
            });
        });
    });

    describe("staging (member of production's zone)", () => {
        let run: Awaited<ReturnType<typeof runEdge>>;
        before(async () => {
            run = await runEdge(memberStack(), { address: "lb-1234.elb.example.net" });
        });

        it("registers no ruleset in any phase and no zone setting: the owner's cover it", () => {
            assert.deepEqual(run.ofType(rulesetType), []);
            assert.deepEqual(run.ofType(zoneSettingType), []);
            assert.deepEqual(run.outputs.rulesetIds, {});
        });

        it("points its own host at a load-balancer hostname with a CNAME", () => {
            assert.deepEqual(run.ofType(dnsRecordType).map((resource) => [resource.inputs.name, resource.inputs.type, resource.inputs.content, resource.inputs.proxied]),
                [[hosts.member, "CNAME", "lb-1234.elb.example.net", true]]);
        });

        it("has its own origin certificate for its own host", () => {
            assert.deepEqual(run.one("cloudflare:index/originCaCertificate:OriginCaCertificate").inputs.hostnames, [hosts.member]);
            assert.deepEqual(run.ofType(secretType).map((resource) => resource.name).sort(), ["edge-backend-origin-tls", "edge-origin-pull-ca"]);
        });
    });

    describe("the committed production stack's WAF", () => {
        let rules: Record<string, any[]>;
        before(async () => {
            const run = await runEdge(readStackConfig("production"));
            rules = Object.fromEntries(run.ofType(rulesetType).map((resource) => [resource.inputs.phase, resource.inputs.rules]));
        });

        for (const { what, request, outcome, countedBy } of protections) {
            it(`${outcome === "pass" ? "lets through" : `answers with ${outcome}`} ${what}${countedBy.length > 0 ? `, counted by ${countedBy.join(" and ")}` : ""}`, () => {
                assert.equal(customOutcome(rules[phases.custom], request), outcome);
                assert.deepEqual(rules[phases.rateLimit].filter((rule) => rule.enabled && matches(rule.expression, request)).map((rule) => rule.ref), countedBy);
            });
        }
    });

    describe("plan-dependent shapes", () => {
        it("deploys no managed ruleset on the free plan and keeps its one rate limit and its DDoS override", async () => {
            const run = await runEdge(ownerStack(), {
                address: "2001:db8::10",
                change: (edge) => {
                    edge.plan = "free";
                    delete edge.managedRulesets;
                    edge.rateLimits = [{ ...edge.rateLimits[0], period: 10, requestsPerPeriod: 20, mitigationTimeout: 10 }];
                },
            });
            assert.deepEqual(run.ofType(rulesetType).map((resource) => resource.inputs.phase).sort(), ["ddos_l7", "http_ratelimit", "http_request_firewall_custom"]);
            assert.deepEqual(run.one(dnsRecordType).inputs.type, "AAAA");
        });

        it("keeps paranoia levels off only above the chosen one, and RSA keys for origin-rsa", async () => {
            const run = await runEdge(ownerStack(), {
                change: (edge) => {
                    edge.managedRulesets.owasp = { paranoiaLevel: 4, scoreThreshold: 25, action: "block" };
                    edge.originCertificate = { keyAlgorithm: "RSA-2048", validityDays: 365 };
                },
            });
            const managed = run.ofType(rulesetType).find((resource) => resource.inputs.phase === "http_request_firewall_managed")!;
            assert.deepEqual(managed.inputs.rules[1].actionParameters.overrides, {
                rules: [{ id: "6179ae15870a4bb7b2d480d4843b323c", action: "block", scoreThreshold: 25, enabled: true }],
            });
            assert.deepEqual(run.one("tls:index/privateKey:PrivateKey").inputs, { algorithm: "RSA", rsaBits: 2048 });
            assert.deepEqual(run.one("cloudflare:index/originCaCertificate:OriginCaCertificate").inputs.requestType, "origin-rsa");
        });

        it("switches authenticated origin pulls off on the zone and drops the client-certificate annotations when configured off", async () => {
            const run = await runEdge(ownerStack(), { change: (edge) => Object.assign(edge, { authenticatedOriginPulls: false }) });
            assert.equal(run.ofType(zoneSettingType).find((resource) => resource.inputs.settingId === "tls_client_auth")?.inputs.value, "off");
            assert.deepEqual(run.outputs.tiers.backend.ingressAnnotations, {});
            assert.deepEqual(run.ofType(secretType).map((resource) => resource.name), ["edge-backend-origin-tls"]);
        });
    });

    it("refuses a load-balancer address that is neither an IP nor a hostname", async () => {
        const { dnsRecordTypeOf } = await import("../../components/edge/edge");
        assert.deepEqual(["198.51.100.4", "2001:db8::1", "lb.example.net"].map(dnsRecordTypeOf), ["A", "AAAA", "CNAME"]);
        assert.throws(() => dnsRecordTypeOf(undefined), /The ingress controller has no load-balancer address, so no DNS record can point at it/);
        assert.throws(() => dnsRecordTypeOf(""), /has no load-balancer address/);
        assert.throws(() => dnsRecordTypeOf("not an address"), /The ingress load-balancer address "not an address" is neither an IP address nor a hostname/);
    });

    it("embeds Cloudflare's origin-pull CA as documented: subject, expiry and fingerprint", () => {
        const ca = new X509Certificate(originPullCaPem);
        assert.ok(ca.ca);
        assert.match(ca.subject, /CN=origin-pull\.cloudflare\.net/);
        assert.equal(new Date(ca.validTo).toISOString(), new Date(originPullCaExpiry).toISOString());
        assert.equal(ca.fingerprint256, originPullCaSha256);
        assert.ok(new Date(ca.validTo) > new Date(), `Cloudflare's origin-pull CA expired on ${ca.validTo}: replace it`);
    });
});

describe("Cloudflare edge in the whole program", function () {
    this.timeout(60000);

    it("creates each public tier's origin TLS Secret after the tier's namespace, under the edge, at its deployed URN", async () => {
        const run = await runStack("production", { config: ownerStack() });
        const tlsSecret = run.get(secretType, "edge-backend-origin-tls");
        const namespace = run.get("kubernetes:core/v1:Namespace", "backend");
        assert.ok(tlsSecret.dependencies.includes(namespace.urn), `the Secret must wait for ${namespace.urn}; it depends on ${tlsSecret.dependencies.join(", ") || "nothing"}`);
        assert.equal(tlsSecret.urn, "urn:pulumi:production::groundwork::groundwork:edge:Edge$kubernetes:core/v1:Secret::edge-backend-origin-tls");
        assert.equal((tlsSecret.inputs as any).metadata.namespace, "backend");
        const ingress = run.get("kubernetes:networking.k8s.io/v1:Ingress", "backend-ingress").inputs as any;
        assert.equal(ingress.spec.tls[0].secretName, "cloudflare-origin-tls");
        assert.equal(ingress.metadata.annotations["nginx.ingress.kubernetes.io/auth-tls-secret"], "ingress-nginx/cloudflare-origin-pull-ca");
    });
});
