/**
 * The random provider plugin we bridge from terraform-provider-random (tools/toolchain/modules/
 * random-bridged) against the SDK that talks to it: every resource @pulumi/random defines must be in
 * the plugin's schema under the same token, with the same input and output names and the same
 * secrets, or the SDK's requests would reach properties the provider does not know; and each must
 * deploy through it.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { EventLog, EngineSession } from "../../tools/engine/session";
import { runCommand } from "../../tools/toolchain/process";
import { REPO_ROOT } from "../../tools/cli/paths";
import { toolchainVersions } from "../../tools/toolchain/versions";
import { PackageSchema, readSdkResources, schemaDifferences } from "../support/sdk-schema";
import { engine, throwawayStack } from "./support";

const sdk = readSdkResources(path.join(REPO_ROOT, "node_modules", "@pulumi", "random"));

/** The session, once the real plugin serves random; a skip where it cannot be built here. */
function bridgedRandom(context: Mocha.Context): { session: EngineSession; binary: string } {
    const session = engine(context);
    const status = session.toolchain.tools.find((tool) => tool.tool === "random");
    if (status?.state === "unavailable") {
        process.stderr.write(`      random is not buildable here, so its stand-in serves it: ${status.reason}\n`);
        context.skip();
    }
    assert.equal(session.toolchain.plugins.random, "real", `random ${status?.state}: ${status?.reason ?? ""}`);
    return { session, binary: status?.binary as string };
}

/** Arguments for one of each resource: the required inputs, nothing more. */
const ARGS: Record<string, object> = {
    RandomBytes: { length: 16 },
    RandomId: { byteLength: 8 },
    RandomInteger: { min: 1, max: 100 },
    RandomPassword: { length: 24 },
    RandomPet: {},
    RandomShuffle: { inputs: ["a", "b", "c"] },
    RandomString: { length: 12 },
    RandomUuid: {},
    RandomUuid4: {},
    RandomUuid7: {},
};

/** How an export with revealed secrets (the Automation API's) marks a secret value. */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";

describe("engine: the bridged random provider", () => {
    it("answers GetSchema with @pulumi/random's tokens, property names and secrets", async function () {
        const { session, binary } = bridgedRandom(this);
        // The CLI starts the plugin and asks it over gRPC, as it does for any provider.
        const result = await runCommand(session.pulumi.command, ["package", "get-schema", binary], { env: { ...process.env, ...session.toolchain.env } });
        assert.equal(result.code, 0, result.stderr);
        const schema = JSON.parse(result.stdout) as PackageSchema & { name: string; version: string };
        assert.deepEqual({ name: schema.name, version: schema.version }, { name: "random", version: toolchainVersions.random.version });
        assert.deepEqual(schemaDifferences(sdk, schema), []);
    });

    it("creates one of every resource, keeps the secret outputs secret in state, and a second up changes nothing", async function () {
        bridgedRandom(this);
        assert.deepEqual(Object.keys(ARGS).sort(), sdk.map((resource) => resource.name).sort(), "ARGS must name every resource of the SDK");
        const classes = random as unknown as Record<string, new (name: string, args: object) => pulumi.CustomResource>;
        const { stack } = await throwawayStack(this, "random-resources", { "groundwork:environment": "local", "groundwork:tiers": [] }, async () => {
            for (const [name, args] of Object.entries(ARGS)) {
                new classes[name](name.toLowerCase(), args);
            }
            return {};
        });
        const first = await stack.up({ onEvent: new EventLog().onEvent });
        assert.equal(first.summary.resourceChanges?.create, sdk.length + 1, JSON.stringify(first.summary.resourceChanges));
        const deployment = (await stack.exportStack()).deployment as { resources: { type: string; id?: string; outputs?: Record<string, unknown> }[] };
        for (const resource of sdk) {
            const state = deployment.resources.find((candidate) => candidate.type === resource.token);
            assert.ok(state?.id, `${resource.token}: no resource with an ID in the state`);
            for (const output of resource.secretOutputs) {
                const value = state.outputs?.[output];
                assert.ok(typeof value === "object" && value !== null && SECRET_SIGNATURE in value, `${resource.token}.${output} is not stored as a secret`);
            }
        }
        const second = await stack.up({ onEvent: new EventLog().onEvent });
        assert.deepEqual(second.summary.resourceChanges, { same: sdk.length + 1 });
        await stack.destroy();
    });
});
