/**
 * What an app tier lets in and out, as the pure builders of components/apps/tier-traffic.ts make it
 * from tier args alone. test/network.spec.ts checks the policies of whole stacks together.
 */
import * as assert from "node:assert/strict";
import type { AppTierArgs, TierIngressArgs } from "../../components/apps/tier";
import { tierFacts } from "../../components/apps/tier-specs";
import {
    acmeSolverPolicyArgs, acmeSolverPort, ingressAnnotations, ingressSpec, ingressTls, publicUrls, tierEgress, tierIngressRules, trafficPolicyArgs,
} from "../../components/apps/tier-traffic";
import { aPublic, aStore, aTierArgs } from "./tier-args";

/** A NetworkPolicy peer as `namespace/name` (`*` for any pod of the namespace, `@` for the tier's own namespace), or a CIDR. */
function peer(value: any): string {
    if (value.ipBlock) {
        return value.ipBlock.cidr;
    }
    const namespace = value.namespaceSelector?.matchLabels["kubernetes.io/metadata.name"] ?? "@";
    return `${namespace}/${value.podSelector?.matchLabels["app.kubernetes.io/name"] ?? "*"}`;
}
const rules = (list: any[], direction: "from" | "to") => list.map((rule) => [rule[direction].map(peer), rule.ports.map((port: any) => port.port)]);

describe("app tier traffic", () => {
    describe("admits", () => {
        const metrics = { path: "/metrics", scraperNamespace: "monitoring", requests: "r" };
        const cases: { name: string; args: Partial<AppTierArgs>; expected: [string[], number[]][] }[] = [
            { name: "no one, for an internal tier without callers or metrics", args: {}, expected: [] },
            { name: "its callers' app pods at its port", args: { callers: [{ tier: "front", namespace: "front-ns" }] }, expected: [[["front-ns/front"], [3000]]] },
            { name: "the ingress controller beside its callers when public", args: { callers: [{ tier: "front", namespace: "front-ns" }], public: aPublic() },
                expected: [[["front-ns/front", "ingress-nginx/*"], [3000]]] },
            { name: "the scraper at the app's port", args: { metrics }, expected: [[["monitoring/*"], [3000]]] },
            { name: "the scraper at the metrics port of their own", args: { public: aPublic(), metrics: { ...metrics, port: 9090 } },
                expected: [[["ingress-nginx/*"], [3000]], [["monitoring/*"], [9090]]] },
        ];
        for (const { name, args: overrides, expected } of cases) {
            it(name, () => {
                const args = aTierArgs(overrides);
                assert.deepEqual(rules(tierIngressRules(args, tierFacts(args).metricsPort), "from"), expected);
                assert.deepEqual(rules((trafficPolicyArgs(args, tierFacts(args), "web-ns").spec as any).ingress, "from"), expected);
            });
        }
    });

    it("lets the app reach its stores, declared addresses and callees, and the scheduled jobs all but the callees", () => {
        const args = aTierArgs({
            database: aStore("postgres", 5432),
            egress: [{ cidr: "203.0.113.0/24", ports: [443, 8443] }],
            callees: [{ tier: "api", namespace: "api-ns", port: 8080 }],
        });
        const egress = tierEgress(args);
        const jobs: [string[], number[]][] = [[["@/postgres"], [5432]], [["203.0.113.0/24"], [443, 8443]]];
        assert.deepEqual(rules(egress.jobs, "to"), jobs);
        assert.deepEqual(rules(egress.app, "to"), [...jobs, [["api-ns/api"], [8080]]]);
        const policy = trafficPolicyArgs(args, tierFacts(args), "web-ns");
        assert.deepEqual((policy.spec as any).egress, egress.app);
        assert.deepEqual((policy.spec as any).policyTypes, ["Ingress", "Egress"]);
        assert.equal((policy.metadata as any).name, "web-traffic");
    });

    describe("serves TLS", () => {
        const cases: { name: string; ingress: Partial<TierIngressArgs>; secretName?: string; issuer?: Record<string, string>; error?: RegExp }[] = [
            { name: "from the ClusterIssuer's <tier>-tls", ingress: {}, secretName: "web-tls", issuer: { "cert-manager.io/cluster-issuer": "letsencrypt" } },
            { name: "from an existing Secret, which wins over the issuer", ingress: { tlsSecretName: "origin-tls" }, secretName: "origin-tls", issuer: {} },
            { name: "or refuses a public tier with neither", ingress: { clusterIssuer: undefined },
                error: /^Error: tier "web" is public but its ingress has neither tlsSecretName nor clusterIssuer: it would serve no TLS certificate$/ },
        ];
        for (const { name, ingress, secretName, issuer, error } of cases) {
            it(name, () => {
                const publicArgs = aPublic(ingress);
                if (error) {
                    assert.throws(() => ingressTls("web", publicArgs.ingress), (thrown: Error) => error.test(String(thrown)));
                    return;
                }
                assert.deepEqual(ingressTls("web", publicArgs.ingress), { secretName, issuerAnnotations: issuer });
            });
        }
    });

    it("annotates the Ingress with HTTPS only, the tier's limits and headers, the issuer, then the ingress layer's own, which win", () => {
        const annotations = ingressAnnotations(aPublic(), {
            securityHeaders: "web-ns/web-security-headers",
            issuer: { "cert-manager.io/cluster-issuer": "letsencrypt" },
            extra: { "nginx.ingress.kubernetes.io/limit-rps": "5", "nginx.ingress.kubernetes.io/auth-tls-verify-client": "on" },
        });
        assert.deepEqual(annotations, {
            "nginx.ingress.kubernetes.io/ssl-redirect": "true",
            "nginx.ingress.kubernetes.io/limit-rps": "5",
            "nginx.ingress.kubernetes.io/limit-connections": "10",
            "nginx.ingress.kubernetes.io/custom-headers": "web-ns/web-security-headers",
            "cert-manager.io/cluster-issuer": "letsencrypt",
            "nginx.ingress.kubernetes.io/auth-tls-verify-client": "on",
        });
    });

    it("routes every host and path to the Service's http port", () => {
        const spec = ingressSpec(aPublic(), "web-tls", "web") as any;
        assert.equal(spec.ingressClassName, "nginx");
        assert.deepEqual(spec.tls, [{ hosts: ["web.example.com", "www.example.com"], secretName: "web-tls" }]);
        assert.deepEqual(spec.rules.flatMap((rule: any) => rule.http.paths.map((path: any) => `${rule.host}${path.path} ${path.pathType} ${path.backend.service.name}:${path.backend.service.port.name}`)), [
            "web.example.com/ Prefix web:http", "web.example.com/api Prefix web:http",
            "www.example.com/ Prefix web:http", "www.example.com/api Prefix web:http",
        ]);
        assert.deepEqual(publicUrls(aPublic()), ["https://web.example.com", "https://www.example.com"]);
        assert.deepEqual(publicUrls(undefined), []);
    });

    it("lets only the ingress controller reach the ACME solver pods, at the solver's port", () => {
        const args = aTierArgs({ public: aPublic(), http01Solver: true });
        const policy = acmeSolverPolicyArgs(args, tierFacts(args), "web-ns", "ingress-nginx") as any;
        assert.equal(policy.metadata.name, "web-acme-http01-solver");
        assert.deepEqual(policy.spec.podSelector, { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } });
        assert.deepEqual(rules(policy.spec.ingress, "from"), [[["ingress-nginx/*"], [acmeSolverPort]]]);
        assert.equal(acmeSolverPort, 8089);
    });
});
