import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { EventLog } from "../../tools/engine/session";
import { engineConfig, throwawayStack } from "./support";

/**
 * Application secrets as a person sets them: `pulumi config set --secret --path
 * 'groundwork:tierSecrets.<tier>.<NAME>'`. That the engine hands the program the whole map as a secret
 * key, and keeps the value out of state and output, is the engine's doing, so it is tested here.
 */
/** How a state export marks a secret value. */
const secretSignature = "4dabf18193072939515e22adb298388d";

describe("engine: application secrets", () => {
    const value = "sk-engine-test-do-not-show";
    const key = "groundwork:tierSecrets.backend.STRIPE_API_KEY";
    const config = () => {
        const base = engineConfig("local");
        (base["groundwork:tiers"] as { secrets?: string[] }[])[0].secrets = ["STRIPE_API_KEY"];
        return base;
    };

    it("reads a value set with --secret --path, and keeps it encrypted in state and out of the output", async function () {
        const { stack, session, workDir, env } = await throwawayStack(this, "tier-secrets", config());
        await stack.setConfig(key, { value, secret: true }, true);
        const result = await stack.up({ onEvent: new EventLog().onEvent });
        assert.ok(!result.stdout.includes(value), "the engine's output shows the value");
        // The Automation API's export decrypts (--show-secrets): the Secret's data must come back as a secret.
        const revealed = (await stack.exportStack()).deployment as { resources: { urn: string; outputs?: Record<string, unknown> }[] };
        const secret = revealed.resources.find((resource) => resource.urn.endsWith("kubernetes:core/v1:Secret::backend-secrets"));
        assert.ok(secret, "no application Secret in the state");
        const fields = ["data", "stringData"].filter((field) => secret.outputs?.[field] !== undefined);
        assert.ok(fields.length > 0, `no data among ${Object.keys(secret.outputs ?? {}).join(", ")}`);
        for (const field of fields) {
            assert.ok(secretSignature in (secret.outputs![field] as object), `${field} is not stored as a secret`);
        }
        const stored = JSON.parse((secret.outputs![fields[0]] as { plaintext: string }).plaintext) as Record<string, string>;
        assert.ok([value, Buffer.from(value).toString("base64")].includes(stored.STRIPE_API_KEY), "the Secret does not hold the value set");
        // The CLI's own export, as a user runs it: neither the value nor its base64 appears.
        const exported = spawnSync(session.pulumi.command, ["stack", "export", "--stack", stack.name], { cwd: workDir, env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
        assert.equal(exported.status, 0, exported.stderr);
        for (const form of [value, Buffer.from(value).toString("base64")]) {
            assert.ok(!exported.stdout.includes(form), "the state holds the value in plaintext");
        }
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
