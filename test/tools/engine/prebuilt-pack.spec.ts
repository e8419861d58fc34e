import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { PolicyPackArgs } from "@pulumi/policy";
import { POLICY_PACK_DIR, prebuiltPolicyPack } from "../../../tools/engine/policy-pack";
import { PACK_ARGS } from "../../../policy/policies";

describe("policy: the prebuilt JavaScript pack the engine runs", function () {
    // The first call transpiles the pack's sources.
    this.timeout(60_000);

    it("is the same pack: name, version, runtime and every policy, as JavaScript", () => {
        const directory = prebuiltPolicyPack();
        const manifest = JSON.parse(fs.readFileSync(path.join(directory, "package.json"), "utf8")) as { main: string; version: string; name: string };
        const source = JSON.parse(fs.readFileSync(path.join(POLICY_PACK_DIR, "package.json"), "utf8")) as { version: string; name: string };
        assert.deepEqual({ main: manifest.main, version: manifest.version, name: manifest.name }, { main: "index.js", version: source.version, name: source.name });
        assert.equal(fs.readFileSync(path.join(directory, "PulumiPolicy.yaml"), "utf8"), fs.readFileSync(path.join(POLICY_PACK_DIR, "PulumiPolicy.yaml"), "utf8"));
        assert.ok(fs.existsSync(path.join(directory, "index.js")));
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the prebuilt pack is plain JavaScript outside the TypeScript project
        const prebuilt = require(path.join(directory, "policies", "index.js")) as { PACK_ARGS: PolicyPackArgs };
        assert.deepEqual(prebuilt.PACK_ARGS.policies.map((policy) => policy.name), PACK_ARGS.policies.map((policy) => policy.name));
    });

    it("is built once per content", async () => {
        const entry = prebuiltPolicyPack();
        // A rebuild stages its files beside the entry before publishing them: watch for any write there.
        const written: string[] = [];
        const watcher = fs.watch(path.dirname(entry), (_event, name) => written.push(String(name)));
        try {
            assert.equal(prebuiltPolicyPack(), entry);
            await new Promise((resolve) => setTimeout(resolve, 200));
        } finally {
            watcher.close();
        }
        assert.deepEqual(written, [], "the second call built the pack again instead of reusing its entry");
    });
});
