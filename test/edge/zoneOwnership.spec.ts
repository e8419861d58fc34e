import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { currentStackEdge, projectDirectory, readStackFiles, StackEdge, summarizeStackFile, zoneConflicts } from "../../components/edge/zoneOwnership";
import { repoRoot } from "../support/program";
import { edgeOf, problemsOf, stackConfig } from "./stacks";

const zone = { zoneName: "example.com", accountId: "0123456789abcdef0123456789abcdef" };
const stack = (name: string, changes: Partial<StackEdge> = {}): StackEdge => ({
    stack: name, environment: name, enabled: true, ...zone, zoneOwner: false, authenticatedOriginPulls: true, hosts: [`${name}.example.com`], ...changes,
});

const conflictCases: { name: string; current: StackEdge; other: StackEdge; paths: string[] }[] = [
    { name: "an owner and a member of one zone", current: stack("production", { zoneOwner: true }), other: stack("staging"), paths: [] },
    { name: "two owners of one zone", current: stack("production", { zoneOwner: true }), other: stack("staging", { zoneOwner: true }), paths: ["edge.zoneOwner"] },
    { name: "two owners of different zones", current: stack("production", { zoneOwner: true }), other: stack("staging", { zoneOwner: true, zoneName: "example.net" }), paths: [] },
    { name: "one zone name in two accounts", current: stack("production", { zoneOwner: true }),
        other: stack("staging", { zoneOwner: true, accountId: "f".repeat(32) }), paths: [] },
    { name: "an owner and a disabled edge", current: stack("production", { zoneOwner: true }), other: stack("local", { zoneOwner: true, enabled: false }), paths: [] },
    { name: "one host in two stacks", current: stack("production"), other: stack("staging", { hosts: ["production.example.com"] }), paths: ["edge.zone.name"] },
    { name: "a member verifying pulls the owner turns off", current: stack("staging"), other: stack("production", { zoneOwner: true, authenticatedOriginPulls: false }),
        paths: ["edge.authenticatedOriginPulls"] },
    { name: "an owner turning off pulls a member verifies", current: stack("production", { zoneOwner: true, authenticatedOriginPulls: false }), other: stack("staging"),
        paths: ["edge.authenticatedOriginPulls"] },
    { name: "a member not verifying pulls", current: stack("staging", { authenticatedOriginPulls: false }),
        other: stack("production", { zoneOwner: true, authenticatedOriginPulls: false }), paths: [] },
    { name: "a stack and its own file", current: stack("production", { zoneOwner: true }),
        other: stack("production", { zoneOwner: true, hosts: ["other.example.com"] }), paths: [] },
    { name: "an unnamed stack and its environment's file", current: stack("", { zoneOwner: true, environment: "production" }),
        other: stack("production", { zoneOwner: true, hosts: ["other.example.com"] }), paths: [] },
    { name: "a named stack and a copy of it for the same environment", current: stack("production", { zoneOwner: true }),
        other: stack("production-eu", { zoneOwner: true, environment: "production", hosts: ["production.example.com"] }), paths: ["edge.zoneOwner", "edge.zone.name"] },
    { name: "an unnamed stack and another environment's owner", current: stack("", { zoneOwner: true, environment: "qa" }),
        other: stack("production", { zoneOwner: true }), paths: ["edge.zoneOwner"] },
];

const pathOf = (segments: (string | number)[]) => segments.join(".");

describe("edge zone ownership", () => {
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

    it("finds the project directory from the component's own folder", () => {
        assert.equal(projectDirectory(), repoRoot);
    });

    it("reads this repository's stack files: production owns the zone staging shares, local has the edge off", () => {
        const stacks = readStackFiles(repoRoot);
        const byName = Object.fromEntries(stacks.map((entry) => [entry.stack, entry]));
        assert.deepEqual(Object.keys(byName).sort(), ["local", "production", "staging"]);
        const production = byName.production as StackEdge;
        const staging = byName.staging as StackEdge;
        assert.equal(production.zoneOwner, true);
        assert.equal(staging.zoneOwner, false);
        assert.equal((byName.local as StackEdge).enabled, false);
        assert.deepEqual([production.zoneName, staging.zoneName], ["groundwork.example.com", "groundwork.example.com"]);
        assert.deepEqual(zoneConflicts(production, stacks), []);
        assert.deepEqual(zoneConflicts(staging, stacks), []);
    });

    it("reports a stack file it cannot read", () => {
        const directory = fs.mkdtempSync(path.join(os.tmpdir(), "groundwork-edge-"));
        try {
            fs.writeFileSync(path.join(directory, "Pulumi.yaml"), "name: groundwork\n");
            fs.writeFileSync(path.join(directory, "Pulumi.a.yaml"), "config:\n  groundwork:environment: staging\n");
            fs.writeFileSync(path.join(directory, "Pulumi.b.yaml"), "config: [unclosed\n");
            const stacks = readStackFiles(directory);
            assert.deepEqual(stacks.map((entry) => entry.stack), ["a", "b"]);
            const conflicts = zoneConflicts(stack("a"), stacks);
            assert.equal(conflicts.length, 1);
            assert.match(conflicts[0].message, /^cannot be compared with Pulumi\.b\.yaml for zone ownership: it is not valid YAML/);
        } finally {
            fs.rmSync(directory, { recursive: true, force: true });
        }
    });

    it("summarizes a stack file leniently", () => {
        const summary = summarizeStackFile("x", {
            "groundwork:environment": "staging",
            "groundwork:edge": { enabled: true, zone: { name: "example.com", accountId: zone.accountId }, zoneOwner: true },
            "groundwork:tiers": [{ public: { hosts: ["b.example.com", "a.example.com"] } }, { name: "private" }, "not a tier"],
        });
        assert.deepEqual(summary, { ...stack("x", { zoneOwner: true, environment: "staging" }), hosts: ["a.example.com", "b.example.com"] });
    });

    describe("in config validation", () => {
        afterEach(() => pulumi.runtime.setMocks({ newResource: (args) => ({ id: args.name, state: args.inputs }), call: (args) => args.inputs }));

        const validateAs = async (stackName: string, change: (edge: any) => void) => {
            await pulumi.runtime.setMocks({ newResource: (args) => ({ id: args.name, state: args.inputs }), call: (args) => args.inputs }, "groundwork", stackName);
            return problemsOf(stackConfig(stackName, (config) => change(edgeOf(config))));
        };

        it("does not trust a stack name whose file is for another environment", async () => {
            await pulumi.runtime.setMocks({ newResource: (args) => ({ id: args.name, state: args.inputs }), call: (args) => args.inputs }, "groundwork", "staging");
            const stacks = readStackFiles();
            const production = stacks.find((entry) => entry.stack === "production") as StackEdge;
            const current = currentStackEdge({ enabled: true, zone: { name: production.zoneName, accountId: production.accountId }, zoneOwner: true },
                production.hosts, "production", stacks);
            assert.equal(current.stack, "");
            assert.deepEqual(zoneConflicts(current, stacks), []);
            assert.deepEqual(await validateAs("staging", () => undefined), []);
            assert.deepEqual(problemsOf(stackConfig("production")), []);
        });

        it("accepts staging sharing production's zone as a member", async () => {
            assert.deepEqual(await validateAs("staging", () => undefined), []);
        });

        it("rejects staging claiming production's zone too, before any resource is registered", async () => {
            const problems = await validateAs("staging", (edge) => {
                edge.zoneOwner = true;
            });
            assert.ok(problems.some((problem) => problem.startsWith("groundwork:edge.zoneOwner (true) is true, but stack \"production\" (Pulumi.production.yaml) also owns zone groundwork.example.com")),
                problems.join("\n"));
        });

        it("accepts staging as the owner of its own zone", async () => {
            const problems = await validateAs("staging", (edge) => {
                edge.zoneOwner = true;
                edge.zone.name = "staging.groundwork.example.com";
            });
            assert.deepEqual(problems, []);
        });

        it("rejects rules in a member stack, pointing at the owner", async () => {
            const problems = await validateAs("staging", (edge) => {
                edge.rateLimits = [];
            });
            assert.ok(problems.some((problem) => problem.startsWith("groundwork:edge.rateLimits ([]) are rate limits, which belong to the stack that owns zone groundwork.example.com")),
                problems.join("\n"));
        });
    });
});
