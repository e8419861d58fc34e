/**
 * The NetworkPolicy judge (tools/network/judge.ts over the toolchain's netpol-judge): verdicts the
 * NetworkPolicy spec decides, so that a judge reading policies wrongly fails here before any stack's
 * traffic matrix trusts it. Needs only Go (or a cached build), not the rest of the toolchain.
 */
import * as assert from "node:assert/strict";
import { Judgement, NetworkJudge, TrafficCase, TrafficPeer, Verdict, ensureNetworkJudge, judgeTraffic } from "../../tools/network/judge";
import { runCommand } from "../../tools/toolchain/process";
import { ToolchainError } from "../../tools/toolchain/recipes";
import { toolchainVersions } from "../../tools/toolchain/versions";

type Rule = Record<string, unknown>;

/** A NetworkPolicy as the API returns it; `types` left out exercises the API server's defaulting. */
function policy(namespace: string, name: string, spec: { podSelector?: Rule; types?: ("Ingress" | "Egress")[]; ingress?: Rule[]; egress?: Rule[] }): object {
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name, namespace },
        spec: {
            podSelector: spec.podSelector ?? {},
            ...(spec.types ? { policyTypes: spec.types } : {}),
            ...(spec.ingress ? { ingress: spec.ingress } : {}),
            ...(spec.egress ? { egress: spec.egress } : {}),
        },
    };
}

const denyAll = (namespace: string) => policy(namespace, "default-deny", { types: ["Ingress", "Egress"] });
const denyEgress = (namespace: string) => policy(namespace, "default-deny-egress", { types: ["Egress"] });
const inNamespace = (name: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });

const web: TrafficPeer = { namespace: "web", podLabels: { app: "web" }, ip: "10.244.1.10" };
const api: TrafficPeer = { namespace: "api", podLabels: { app: "api" }, ip: "10.244.2.10" };
const stranger: TrafficPeer = { namespace: "other", podLabels: { app: "other" }, ip: "10.244.3.10" };
const dns: TrafficPeer = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" }, ip: "10.244.0.10" };
const partner: TrafficPeer = { ip: "198.51.100.7" };
const internetHost: TrafficPeer = { ip: "203.0.113.10" };

const allowFromWeb = policy("api", "allow-from-web", { ingress: [{ from: [inNamespace("web")], ports: [{ port: 8080, protocol: "TCP" }] }] });

interface Row {
    name: string;
    policies: object[];
    traffic: Omit<TrafficCase, "name">;
    /** What the spec says, as the verdict minus its name. */
    expected: Omit<Verdict, "name">;
}

const open = { ingress: true, egress: true, allowed: true, ingressPolicies: [], egressPolicies: [] };

const rows: Row[] = [
    {
        name: "no policy anywhere: open",
        policies: [],
        traffic: { source: web, destination: api, port: 8080, protocol: "TCP" },
        expected: open,
    },
    {
        name: "default deny in the destination namespace: ingress denied",
        policies: [denyAll("api")],
        traffic: { source: web, destination: api, port: 8080, protocol: "TCP" },
        expected: { ingress: false, egress: true, allowed: false, ingressPolicies: ["api/default-deny"], egressPolicies: [] },
    },
    {
        name: "allow from the web namespace (by kubernetes.io/metadata.name): web is admitted",
        policies: [denyAll("api"), allowFromWeb],
        traffic: { source: web, destination: api, port: 8080, protocol: "TCP" },
        expected: { ingress: true, egress: true, allowed: true, ingressPolicies: ["api/allow-from-web"], egressPolicies: [] },
    },
    {
        name: "allow from the web namespace: another namespace is not",
        policies: [denyAll("api"), allowFromWeb],
        traffic: { source: stranger, destination: api, port: 8080, protocol: "TCP" },
        expected: { ingress: false, egress: true, allowed: false, ingressPolicies: ["api/allow-from-web", "api/default-deny"], egressPolicies: [] },
    },
    {
        name: "allow from web on 8080: another port is denied",
        policies: [denyAll("api"), allowFromWeb],
        traffic: { source: web, destination: api, port: 9090, protocol: "TCP" },
        expected: { ingress: false, egress: true, allowed: false, ingressPolicies: ["api/allow-from-web", "api/default-deny"], egressPolicies: [] },
    },
    {
        name: "egress denied at the source while the destination is open: not allowed",
        policies: [denyEgress("web")],
        traffic: { source: web, destination: api, port: 8080, protocol: "TCP" },
        expected: { ingress: true, egress: false, allowed: false, ingressPolicies: [], egressPolicies: ["web/default-deny-egress"] },
    },
    ...(["UDP", "TCP"] as const).map((protocol): Row => ({
        name: `egress to DNS opened for UDP 53 only: ${protocol} is ${protocol === "UDP" ? "allowed" : "denied"}`,
        policies: [denyEgress("web"), policy("web", "dns-udp", { types: ["Egress"], egress: [{ to: [inNamespace("kube-system")], ports: [{ port: 53, protocol: "UDP" }] }] })],
        traffic: { source: web, destination: dns, port: 53, protocol },
        expected:
            protocol === "UDP"
                ? { ingress: true, egress: true, allowed: true, ingressPolicies: [], egressPolicies: ["web/dns-udp"] }
                : { ingress: true, egress: false, allowed: false, ingressPolicies: [], egressPolicies: ["web/default-deny-egress", "web/dns-udp"] },
    })),
    ...(["TCP", "UDP"] as const).map((protocol): Row => ({
        name: `a policy port without a protocol means TCP: ${protocol} 53 is ${protocol === "TCP" ? "allowed" : "denied"}`,
        policies: [denyEgress("web"), policy("web", "dns-any", { types: ["Egress"], egress: [{ to: [inNamespace("kube-system")], ports: [{ port: 53 }] }] })],
        traffic: { source: web, destination: dns, port: 53, protocol },
        expected:
            protocol === "TCP"
                ? { ingress: true, egress: true, allowed: true, ingressPolicies: [], egressPolicies: ["web/dns-any"] }
                : { ingress: true, egress: false, allowed: false, ingressPolicies: [], egressPolicies: ["web/default-deny-egress", "web/dns-any"] },
    })),
    ...[
        { to: internetHost, allowed: true, what: "an internet host" },
        { to: { ip: "10.12.0.5" }, allowed: false, what: "an address in the except range" },
        { to: api, allowed: false, what: "a pod whose IP is in the except range" },
    ].map(({ to, allowed, what }): Row => ({
        name: `egress to 0.0.0.0/0 except 10.0.0.0/8 on 443: ${what} is ${allowed ? "allowed" : "denied"}`,
        policies: [policy("web", "internet-443", { types: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }], ports: [{ port: 443, protocol: "TCP" }] }] })],
        traffic: { source: web, destination: to, port: 443, protocol: "TCP" },
        expected: { ingress: true, egress: allowed, allowed, ingressPolicies: [], egressPolicies: ["web/internet-443"] },
    })),
    ...[
        { from: partner, allowed: true, what: "a host in the allowed block" },
        { from: internetHost, allowed: false, what: "any other host" },
    ].map(({ from, allowed, what }): Row => ({
        name: `ingress to a pod from outside the cluster, allowed from 198.51.100.0/24: ${what} is ${allowed ? "admitted" : "refused"}`,
        policies: [policy("api", "partners", { types: ["Ingress"], ingress: [{ from: [{ ipBlock: { cidr: "198.51.100.0/24" } }], ports: [{ port: 8080, protocol: "TCP" }] }] })],
        traffic: { source: from, destination: api, port: 8080, protocol: "TCP" },
        // An external source is governed by no policy, so its egress is always open.
        expected: { ingress: allowed, egress: true, allowed, ingressPolicies: ["api/partners"], egressPolicies: [] },
    })),
    ...[
        { portName: "http", allowed: true },
        { portName: undefined, allowed: false },
    ].map(({ portName, allowed }): Row => ({
        name: `a named policy port matches only a case carrying that port name (${portName ?? "none"})`,
        policies: [policy("api", "named-port", { types: ["Ingress"], ingress: [{ ports: [{ port: "http" }] }] })],
        traffic: { source: web, destination: api, port: 8080, ...(portName ? { portName } : {}), protocol: "TCP" },
        expected: { ingress: allowed, egress: true, allowed, ingressPolicies: ["api/named-port"], egressPolicies: [] },
    })),
    {
        name: "a policy without policyTypes but with egress rules governs egress too (the API server's default)",
        policies: [policy("web", "to-db-only", { egress: [{ to: [inNamespace("db")] }] })],
        traffic: { source: web, destination: api, port: 8080, protocol: "TCP" },
        expected: { ingress: true, egress: false, allowed: false, ingressPolicies: [], egressPolicies: ["web/to-db-only"] },
    },
];

function reportSkip(context: Mocha.Context, error: unknown): void {
    if (!(error instanceof ToolchainError)) {
        throw error;
    }
    process.stderr.write(`      netpol-judge not available, so these tests are skipped: ${error.message}\n`);
    context.skip();
}

describe("network judge (cyclonus)", function () {
    let judge: NetworkJudge;

    before(async function () {
        // A cold build takes about a minute on two cores, longer while other builds run.
        this.timeout(0);
        try {
            judge = await ensureNetworkJudge((line) => process.stderr.write(`      ${line}\n`));
        } catch (error) {
            reportSkip(this, error);
        }
    });

    it(`is cyclonus ${toolchainVersions.cyclonus}, and says so`, async () => {
        assert.equal(judge.version, toolchainVersions.cyclonus);
        const judgement = await judgeTraffic(judge, [], []);
        assert.deepEqual(judgement, { engine: `cyclonus ${toolchainVersions.cyclonus}`, verdicts: [] } satisfies Judgement);
    });

    for (const row of rows) {
        it(row.name, async () => {
            const { verdicts } = await judgeTraffic(judge, row.policies, [{ name: row.name, ...row.traffic }]);
            assert.deepEqual(verdicts, [{ name: row.name, ...row.expected }]);
        });
    }

    it("judges every case of one call, in the order given", async () => {
        const cases = [
            { name: "other -> api:8080", source: stranger, destination: api, port: 8080, protocol: "TCP" },
            { name: "web -> api:8080", source: web, destination: api, port: 8080, protocol: "TCP" },
            { name: "web -> api:9090", source: web, destination: api, port: 9090, protocol: "TCP" },
        ] satisfies TrafficCase[];
        const { verdicts } = await judgeTraffic(judge, [denyAll("api"), allowFromWeb], cases);
        assert.deepEqual(verdicts.map((verdict) => [verdict.name, verdict.allowed]), [["other -> api:8080", false], ["web -> api:8080", true], ["web -> api:9090", false]]);
    });

    const base: TrafficCase = { name: "c", source: web, destination: api, port: 8080, protocol: "TCP" };
    const badInput: { what: string; policies?: object[]; cases?: unknown[]; message: RegExp }[] = [
        { what: "a case without an IP", cases: [{ ...base, name: "no ip", source: { namespace: "web" } }], message: /^netpol-judge: cases\[0\] "no ip": source\.ip: missing; every peer needs an IP/ },
        { what: "an IP that is none", cases: [{ ...base, destination: { ip: "api.example" } }], message: /cases\[0\] "c": destination\.ip: "api\.example" is not an IP address/ },
        { what: "an unknown protocol", cases: [base, { ...base, name: "icmp", protocol: "ICMP" }], message: /cases\[1\] "icmp": protocol: "ICMP" is not one of TCP, UDP, SCTP/ },
        { what: "a port given as text", cases: [{ ...base, port: "8080" }], message: /cases\[0\] "c": port: expected int, got a JSON string/ },
        { what: "a port out of range", cases: [{ ...base, port: 70000 }], message: /cases\[0\] "c": port: 70000 is not a port \(1-65535\)/ },
        { what: "a case without a name", cases: [{ ...base, name: "" }], message: /cases\[0\]: name: missing/ },
        { what: "two cases of one name", cases: [base, base], message: /cases\[1\] "c": name: cases\[0\] has the same name/ },
        { what: "labels on an external peer", cases: [{ ...base, source: { ip: "203.0.113.1", podLabels: { app: "x" } } }], message: /cases\[0\] "c": source\.namespace: missing, but labels are given/ },
        { what: "a misspelt case field", cases: [{ ...base, protocl: "TCP" }], message: /cases\[0\] "c": unknown field "protocl"/ },
        {
            what: "a namespace label contradicting the namespace",
            cases: [{ ...base, source: { ...web, namespaceLabels: { "kubernetes.io/metadata.name": "api" } } }],
            message: /cases\[0\] "c": source\.namespaceLabels\.kubernetes\.io\/metadata\.name: "api", but the API server sets it to the namespace's name, "web"/,
        },
        { what: "a misspelt policy field", policies: [{ ...(denyAll("api") as Rule), spec: { podSelecter: {} } }], message: /^netpol-judge: policies\[0\] \(api\/default-deny\): unknown field "podSelecter"/ },
        { what: "a policy without a namespace", policies: [{ ...(denyAll("api") as Rule), metadata: { name: "p" } }], message: /policies\[0\] \(p\): metadata\.namespace: missing/ },
        { what: "an object that is no NetworkPolicy", policies: [{ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", namespace: "api" } }], message: /policies\[0\] \(api\/d\): apiVersion\/kind: "apps\/v1"\/"Deployment" is not a networking\.k8s\.io\/v1 NetworkPolicy/ },
        {
            what: "an except entry that is no CIDR",
            policies: [policy("web", "bad-cidr", { types: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "pods"] } }] }] })],
            message: /policies\[0\] \(web\/bad-cidr\): spec\.egress\[0\]\.to\[0\]\.ipBlock\.except\[1\]: "pods" is not a CIDR/,
        },
        { what: "an empty peer", policies: [policy("api", "empty-peer", { ingress: [{ from: [{}] }] })], message: /policies\[0\] \(api\/empty-peer\): spec\.ingress\[0\]\.from\[0\]: an empty peer, which the API server refuses/ },
    ];
    for (const { what, policies = [], cases = [], message } of badInput) {
        it(`refuses ${what}, naming it`, async () => {
            await assert.rejects(judgeTraffic(judge, policies, cases as TrafficCase[]), { message });
        });
    }

    it("refuses input that is not JSON, exiting 1", async () => {
        const result = await runCommand(judge.binary, [], { input: '{"cases": [' });
        assert.equal(result.code, 1);
        assert.equal(result.stdout, "");
        assert.match(result.stderr, /^netpol-judge: the request is not valid JSON of the expected shape/);
    });
});
