import * as assert from "node:assert/strict";
import { StackEdge, summarizeStackFile, zoneConflicts } from "../../../tools/lint-stacks/zone-ownership";

const zone = { zoneName: "example.com", accountId: "0123456789abcdef0123456789abcdef" };
const stack = (name: string, changes: Partial<StackEdge> = {}): StackEdge => ({
    stack: name, enabled: true, ...zone, zoneOwner: false, authenticatedOriginPulls: true, hosts: [`${name}.example.com`], ...changes,
});

const conflictCases: { name: string; current: StackEdge; other: StackEdge; paths: string[] }[] = [
    { name: "an owner and a member of one zone", current: stack("production", { zoneOwner: true }), other: stack("staging"), paths: [] },
    { name: "two owners of one zone", current: stack("production", { zoneOwner: true }), other: stack("staging", { zoneOwner: true }), paths: ["edge.zoneOwner"] },
    { name: "two owners of different zones", current: stack("production", { zoneOwner: true }), other: stack("staging", { zoneOwner: true, zoneName: "example.net" }), paths: [] },
    { name: "one zone name in two accounts", current: stack("production", { zoneOwner: true }),
        other: stack("staging", { zoneOwner: true, accountId: "f".repeat(32) }), paths: [] },
    { name: "an owner and a disabled edge", current: stack("production", { zoneOwner: true }), other: stack("local", { zoneOwner: true, enabled: false }), paths: [] },
    { name: "a disabled edge and an owner", current: stack("local", { zoneOwner: true, enabled: false }), other: stack("production", { zoneOwner: true }), paths: [] },
    { name: "one host in two stacks", current: stack("production"), other: stack("staging", { hosts: ["production.example.com"] }), paths: ["edge.zone.name"] },
    { name: "a member verifying pulls the owner turns off", current: stack("staging"), other: stack("production", { zoneOwner: true, authenticatedOriginPulls: false }),
        paths: ["edge.authenticatedOriginPulls"] },
    { name: "an owner turning off pulls a member verifies", current: stack("production", { zoneOwner: true, authenticatedOriginPulls: false }), other: stack("staging"),
        paths: ["edge.authenticatedOriginPulls"] },
    { name: "a member not verifying pulls", current: stack("staging", { authenticatedOriginPulls: false }),
        other: stack("production", { zoneOwner: true, authenticatedOriginPulls: false }), paths: [] },
    { name: "a stack and its own file", current: stack("production", { zoneOwner: true }), other: stack("production", { zoneOwner: true }), paths: [] },
    { name: "a copy of a stack under another name", current: stack("production", { zoneOwner: true }),
        other: stack("production-eu", { zoneOwner: true, hosts: ["production.example.com"] }), paths: ["edge.zoneOwner", "edge.zone.name"] },
];

const pathOf = (segments: readonly (string | number)[]) => segments.join(".");

describe("zone ownership across stack files", () => {
    for (const { name, current, other, paths } of conflictCases) {
        it(`${paths.length === 0 ? "allows" : "rejects"} ${name}`, () => {
            assert.deepEqual(zoneConflicts(current, [other]).map((conflict) => pathOf(conflict.path)), paths);
        });
    }

    it("names the other stack file and the fix in a two-owner conflict", () => {
        const [conflict] = zoneConflicts(stack("production", { zoneOwner: true }), [stack("staging", { zoneOwner: true })]);
        assert.match(conflict.message, /stack "staging" \(Pulumi\.staging\.yaml\) also owns zone example\.com: Cloudflare allows one entrypoint ruleset per phase/);
        assert.match(conflict.message, /Set edge\.zoneOwner to false in one of the two files/);
    });

    const summaries: { what: string; config: Record<string, unknown>; expected: Partial<StackEdge> }[] = [
        {
            what: "an owner's edge, with each public host once and sorted",
            config: {
                "groundwork:edge": { enabled: true, zone: { name: "example.com", accountId: zone.accountId }, zoneOwner: true },
                "groundwork:tiers": [{ public: { hosts: ["b.example.com", "a.example.com"] } }, { public: { hosts: ["a.example.com"] } }, { name: "private" }, "not a tier"],
            },
            expected: { enabled: true, zoneOwner: true, authenticatedOriginPulls: true, hosts: ["a.example.com", "b.example.com"] },
        },
        {
            what: "a member that turns origin pulls off",
            config: { "groundwork:edge": { enabled: true, zone: { name: "example.com", accountId: zone.accountId }, zoneOwner: false, authenticatedOriginPulls: false } },
            expected: { enabled: true, zoneOwner: false, authenticatedOriginPulls: false, hosts: [] },
        },
        { what: "no edge section", config: {}, expected: { enabled: false, zoneOwner: false, hosts: [] } },
        { what: "an edge without a zone name", config: { "groundwork:edge": { enabled: true, zoneOwner: true } }, expected: { enabled: false } },
        { what: "an edge switched on by a string", config: { "groundwork:edge": { enabled: "true", zone: { name: "example.com" } } }, expected: { enabled: false } },
    ];
    for (const { what, config, expected } of summaries) {
        it(`summarizes a stack file leniently: ${what}`, () => {
            const summary = summarizeStackFile({ stack: "x", config });
            assert.deepEqual(Object.fromEntries(Object.keys(expected).map((key) => [key, summary[key as keyof StackEdge]])), expected);
        });
    }
});
