import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { runCli } from "../../tools/pss/cli";
import { parseSettings } from "../../policy/config";
import { exemptionApplies } from "../../policy/core";
import { EventLog } from "../../tools/engine/session";
import { REPO_ROOT } from "../../tools/cli/paths";
import { ThrowawayStack, engineConfig, throwawayStack, withPolicy } from "./support";

/** The deployment's resources as `pulumi stack export` writes them. */
interface ExportedResource {
    urn: string;
    type: string;
    outputs?: Record<string, unknown>;
}

const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";

/** Secret outputs as the decrypted export (`--show-secrets`) shows them: `{<signature>: …, plaintext: "<JSON>"}`. */
function revealedSecret(value: unknown): string | undefined {
    if (typeof value === "object" && value !== null && SECRET_SIGNATURE in value) {
        const plaintext = (value as { plaintext?: string }).plaintext;
        return plaintext === undefined ? undefined : (JSON.parse(plaintext) as string);
    }
    return undefined;
}

describe("engine: the local stack", () => {
    let local: ThrowawayStack;

    before(async function () {
        local = await throwawayStack(this, "local", engineConfig("local"));
    });

    it("deploys, and a second up changes nothing", async function () {
        const first = await local.stack.up(withPolicy(new EventLog()));
        assert.ok((first.summary.resourceChanges?.create ?? 0) > 150, JSON.stringify(first.summary.resourceChanges));
        const events = new EventLog();
        const second = await local.stack.up(withPolicy(events));
        assert.deepEqual(Object.keys(second.summary.resourceChanges ?? {}), ["same"]);
        assert.deepEqual(events.changed(), []);
    });

    it("renders workloads that all pass `npm run pss` at restricted, but for what the pack settings waive by name", function () {
        const renderDirectory = local.renderDirectory!;
        const files = (fs.readdirSync(renderDirectory, { recursive: true }) as string[])
            .filter((file) => file.endsWith(".yaml"))
            .map((file) => path.join(renderDirectory, file));
        const output: string[] = [];
        const status = runCli(["--json", ...files], { stdout: (text) => output.push(text), stderr: (text) => output.push(text), readFile: (file) => fs.readFileSync(file, "utf8") });
        const results = JSON.parse(output.join("")) as { kind: string; name: string | null; namespace: string | null; allowed: boolean; violations: { control: string; container: string | null; path: string; message: string }[] }[];
        assert.ok(results.filter((result) => ["Deployment", "StatefulSet", "CronJob", "Job"].includes(result.kind)).length >= 10, `too few workloads in ${files.length} files`);
        // node-exporter reads the host: the pack waives exactly its host controls, for it alone (policy/pack-settings.json).
        const { exemptions } = parseSettings(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "policy", "pack-settings.json"), "utf8")).settings, "pack-settings.json");
        const denied = results.filter((result) => !result.allowed);
        const unwaived = denied.flatMap((result) => result.violations
            .filter((violation) => !exemptions.some((exemption) => exemption.names !== undefined && exemptionApplies(exemption, violation,
                { namespace: result.namespace ?? undefined, name: result.name ?? undefined, images: new Map() })))
            .map((violation) => `${result.kind} ${result.namespace}/${result.name}: ${violation.control} ${violation.path}`));
        assert.deepEqual(unwaived, []);
        assert.deepEqual(denied.map((result) => `${result.kind} ${result.namespace}/${result.name}`), ["DaemonSet monitoring-node-exporter/kps-prometheus-node-exporter"]);
        assert.equal(status, 1, output.join(""));
    });

    it("keeps generated passwords and private keys out of `pulumi stack export` in plaintext", async function () {
        // The Automation API's exportStack decrypts (--show-secrets): it gives the real values to look for.
        const revealed = (await local.stack.exportStack()).deployment.resources as ExportedResource[];
        const secretOutputs: Record<string, string[]> = {
            "random:index/randomPassword:RandomPassword": ["result", "bcryptHash"],
            "tls:index/privateKey:PrivateKey": ["privateKeyPem", "privateKeyPemPkcs8"],
        };
        const values = revealed.flatMap((resource) =>
            (secretOutputs[resource.type] ?? []).map((output) => {
                const value = revealedSecret(resource.outputs?.[output]);
                assert.ok(value, `${resource.urn}: ${output} is not stored as a secret`);
                return value;
            }),
        );
        assert.ok(values.length >= 10, `expected the generated passwords and keys, found ${values.length}`);
        // The CLI's own export, as a user runs it: without --show-secrets.
        const exported = spawnSync(local.session.pulumi.command, ["stack", "export", "--stack", local.stack.name], { cwd: local.workDir, env: { ...process.env, ...local.env }, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
        assert.equal(exported.status, 0, exported.stderr);
        const leaked = values.filter((value) => exported.stdout.includes(value) || exported.stdout.includes(JSON.stringify(value).slice(1, -1)));
        assert.equal(leaked.length, 0, `${leaked.length} of ${values.length} secrets appear in plaintext`);
    });

    it("updates exactly one Deployment when one tier's image changes", async function () {
        const stackFile = path.join(local.workDir, `Pulumi.${local.stack.name}.yaml`);
        const document = YAML.parseDocument(fs.readFileSync(stackFile, "utf8"));
        const imagePath = ["config", "groundwork:tiers", 0, "image"];
        const tier = String(document.getIn(["config", "groundwork:tiers", 0, "name"]));
        document.setIn(imagePath, String(document.getIn(imagePath)).replace(/:[^:]+$/, ":1.0.1"));
        fs.writeFileSync(stackFile, document.toString());
        const events = new EventLog();
        await local.stack.preview({ onEvent: events.onEvent });
        const changed = events.changed();
        assert.equal(changed.length, 1, JSON.stringify(changed));
        assert.match(changed[0][0], new RegExp(`::groundwork:apps:TierUnit\\$groundwork:apps:AppTier\\$kubernetes:apps/v1:Deployment::${tier}-deployment$`));
        assert.equal(changed[0][1], "update");
    });
});
