import * as assert from "node:assert/strict";
import { EventLog } from "../../scripts/engine/session";
import { engineConfig, throwawayStack } from "./support";

/**
 * Application secrets as a person sets them: `pulumi config set --secret --path
 * 'groundwork:tierSecrets.<tier>.<NAME>'`. That the engine hands the program the whole map as a secret
 * key, and keeps the value out of state and output, is the engine's doing, so it is tested here.
 */
describe("engine: application secrets", () => {
    const value = "sk-engine-test-do-not-show";
    const key = "groundwork:tierSecrets.backend.STRIPE_API_KEY";
    const config = () => {
        const base = engineConfig("local");
        (base["groundwork:tiers"] as { secrets?: string[] }[])[0].secrets = ["STRIPE_API_KEY"];
        return base;
    };

    it("reads a value set with --secret --path, and keeps it encrypted in state and out of the output", async function () {
        const { stack } = await throwawayStack(this, "tier-secrets", config());
        await stack.setConfig(key, { value, secret: true }, true);
        const result = await stack.up({ onEvent: new EventLog().onEvent });
        assert.ok(!result.stdout.includes(value), "the engine's output shows the value");
        const state = (await stack.exportStack()).deployment as { resources: { urn: string; outputs?: Record<string, unknown> }[] };
        const secret = state.resources.find((resource) => resource.urn.endsWith("kubernetes:core/v1:Secret::backend-secrets"));
        assert.ok(secret, "no application Secret in the state");
        // The provider keeps the values as base64 `data`, encrypted like every secret output.
        const outputs = secret.outputs ?? {};
        const fields = ["data", "stringData"].filter((field) => field in outputs);
        assert.ok(fields.length > 0, `no data among ${Object.keys(outputs).join(", ")}`);
        for (const field of fields) {
            assert.match(JSON.stringify(outputs[field]), /ciphertext/, field);
        }
        assert.ok(!JSON.stringify(state).includes(value), "the state holds the value in plaintext");
    });

    it("refuses a value set without --secret, naming the command that stores it as one, before any resource", async function () {
        const { stack } = await throwawayStack(this, "tier-secrets-plaintext", config());
        await stack.setConfig(key, { value, secret: false }, true);
        const events = new EventLog();
        await assert.rejects(stack.preview({ onEvent: events.onEvent }), (error: Error) => {
            assert.match(error.message, /groundwork:tierSecrets\.backend\.STRIPE_API_KEY is stored in plaintext but must be a secret: run `pulumi config set --secret --path 'groundwork:tierSecrets\.backend\.STRIPE_API_KEY' <value>`/);
            assert.ok(!error.message.includes(value), "the error shows the value");
            return true;
        });
        assert.deepEqual([...events.operations.keys()].filter((urn) => !urn.includes("::pulumi:pulumi:Stack::")), []);
    });
});
