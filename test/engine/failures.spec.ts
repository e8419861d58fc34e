import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import { EventLog } from "../../tools/engine/session";
import { REPO_ROOT } from "../../tools/cli/paths";
import { engineConfig, scratch, throwawayStack, withPolicy } from "./support";

/** Resources the program registered, leaving out the stack itself, which the engine registers first. */
function programResources(events: EventLog): string[] {
    return [...events.operations.keys()].filter((urn) => !urn.includes("::pulumi:pulumi:Stack::"));
}

describe("engine: what must fail does", () => {
    it("the policy pack rejects the privileged fixture chart, naming policy, resource and container", async function () {
        const renderDirectory = scratch("privileged");
        const program = async () => {
            const provider = new k8s.Provider("render", { renderYamlToDirectory: renderDirectory });
            new k8s.helm.v4.Chart("privileged-demo", { chart: path.join(REPO_ROOT, "test", "fixtures", "charts", "privileged-demo"), namespace: "demo" }, { provider });
            return {};
        };
        const { stack } = await throwawayStack(this, "privileged", { "groundwork:environment": "local", "groundwork:tiers": [] }, program);
        const events = new EventLog();
        await assert.rejects(stack.preview(withPolicy(events)));
        const privileged = events.findings.find((finding) => finding.policy === "pss-privileged");
        assert.ok(privileged, `no pss-privileged finding among ${JSON.stringify(events.findings.map((finding) => finding.policy))}`);
        assert.equal(privileged.level, "mandatory");
        assert.match(privileged.urn ?? "", /kubernetes:helm\.sh\/v4:Chart\$kubernetes:apps\/v1:Deployment::/);
        assert.match(privileged.message, /container "privileged"/);
    });

    it("bad config fails the preview before any resource is registered, with the validation message", async function () {
        const config = engineConfig("local");
        const tiers = config["groundwork:tiers"] as { port: number }[];
        tiers[0].port = 70000;
        const { stack } = await throwawayStack(this, "bad-config", config);
        const events = new EventLog();
        await assert.rejects(stack.preview({ onEvent: events.onEvent }), /Invalid stack configuration[\s\S]*groundwork:tiers\[0\]\.port/);
        assert.deepEqual(programResources(events), []);
    });

    it("destroying a production stack refuses to delete the database volumes, which stay in the stack", async function () {
        const { stack } = await throwawayStack(this, "protected", engineConfig("local", { "groundwork:environment": "production" }));
        await stack.up();
        const volumes = async () => ((await stack.exportStack()).deployment.resources as { urn: string; type: string }[])
            .filter((resource) => resource.type === "kubernetes:core/v1:PersistentVolumeClaim")
            .map((resource) => resource.urn);
        const before = await volumes();
        assert.ok(before.length >= 3, `expected a volume per database, found ${before.length}`);
        await assert.rejects(stack.destroy(), /protected/);
        assert.deepEqual(await volumes(), before);
    });
});
