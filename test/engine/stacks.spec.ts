import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import * as YAML from "yaml";
import { EventLog, PROJECT_NAME } from "../../tools/engine/session";
import { LOCAL_STACK, LOCAL_STACK_PASSPHRASE, REPO_ROOT } from "../../tools/cli/paths";
import { TEST_PASSPHRASE, engine, engineConfig, scratch, throwawayStack, withPolicy } from "./support";

/** The local stack file carries the salt of its documented passphrase; the others carry none. */
const passphraseOf = (stackName: string) => (stackName === LOCAL_STACK ? LOCAL_STACK_PASSPHRASE : TEST_PASSPHRASE);

const committedStacks = fs.readdirSync(REPO_ROOT).filter((file) => /^Pulumi\.(?!test-)[\w-]+\.yaml$/.test(file)).map((file) => file.slice("Pulumi.".length, -".yaml".length));

describe("engine: the CLI's own project-config checks", () => {
    /**
     * Each committed stack file as it stands, beside the committed Pulumi.yaml: the CLI validates the
     * stack's config against the project's declared keys before any program runs. The program here
     * registers nothing, so only the CLI's check can fail.
     */
    async function previewAsIs(context: Mocha.Context, stackName: string, stackFile: string): Promise<void> {
        const session = engine(context);
        const workDir = scratch(`config-${stackName}`);
        fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(workDir, "Pulumi.yaml"));
        fs.writeFileSync(path.join(workDir, `Pulumi.${stackName}.yaml`), stackFile);
        fs.mkdirSync(path.join(workDir, "state"));
        const env = { ...session.toolchain.env, PULUMI_BACKEND_URL: `file://${path.join(workDir, "state")}`, PULUMI_CONFIG_PASSPHRASE: passphraseOf(stackName) };
        const stack = await LocalWorkspace.createOrSelectStack(
            { projectName: PROJECT_NAME, stackName, program: async () => ({}) },
            { workDir, pulumiCommand: session.pulumi, envVars: env },
        );
        await stack.preview();
    }

    it("finds the committed stack files", () => assert.deepEqual(committedStacks.sort(), ["local", "production", "staging"]));

    for (const stackName of committedStacks) {
        it(`accepts Pulumi.${stackName}.yaml`, async function () {
            await previewAsIs(this, stackName, fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${stackName}.yaml`), "utf8"));
        });
    }

    // The same check refuses what it should, so the acceptances above mean something.
    const refusals: { name: string; edit: (config: Record<string, unknown>) => void; message: RegExp }[] = [
        { name: "a stack without groundwork:environment", edit: (config) => delete config["groundwork:environment"], message: /missing configuration value 'groundwork:environment'/ },
        { name: "tiers that are not a list", edit: (config) => (config["groundwork:tiers"] = "backend"), message: /configuration key 'groundwork:tiers' must be of type 'array<object>'/ },
    ];
    for (const { name, edit, message } of refusals) {
        it(`refuses ${name}`, async function () {
            const document = YAML.parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.staging.yaml"), "utf8")) as { config: Record<string, unknown> };
            edit(document.config);
            await assert.rejects(previewAsIs(this, "refused", YAML.stringify(document)), message);
        });
    }
});

describe("engine: staging and production previews with the policy pack", () => {
    for (const stackFile of ["staging", "production"]) {
        it(`${stackFile}: no policy violations (rendered, fixture charts, edge off: no cloudflare plugin here)`, async function () {
            const { stack } = await throwawayStack(this, stackFile, engineConfig(stackFile));
            const events = new EventLog();
            const preview = await stack.preview(withPolicy(events));
            assert.ok((preview.changeSummary.create ?? 0) > 150, `expected the whole platform, got ${JSON.stringify(preview.changeSummary)}`);
            assert.deepEqual(events.findings.filter((finding) => finding.level === "mandatory"), []);
            // The pack saw the Helm charts' children, not only Groundwork's own workloads.
            assert.ok([...events.operations.keys()].some((urn) => /kubernetes:helm\.sh\/v4:Chart\$kubernetes:apps\/v1:Deployment::/.test(urn)));
        });
    }
});
