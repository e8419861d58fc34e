/**
 * The random provider plugin we bridge from terraform-provider-random (scripts/toolchain/modules/
 * random-bridged) against the SDK that talks to it: every resource @pulumi/random defines must be in
 * the plugin's schema under the same token, with the same input and output names and the same
 * secrets, or the SDK's requests would reach properties the provider does not know.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { runCommand } from "../../scripts/toolchain/process";
import { REPO_ROOT } from "../../scripts/toolchain/recipes";
import { toolchainVersions } from "../../scripts/toolchain/versions";
import { PackageSchema, readSdkResources, schemaDifferences } from "../support/sdk-schema";
import { engine } from "./support";

describe("engine: the bridged random provider", () => {
    it("answers GetSchema with @pulumi/random's tokens, property names and secrets", async function () {
        const session = engine(this);
        const random = session.toolchain.tools.find((tool) => tool.tool === "random");
        if (random?.state === "unavailable") {
            process.stderr.write(`      random is not buildable here, so its stand-in serves it: ${random.reason}\n`);
            this.skip();
        }
        assert.equal(session.toolchain.plugins.random, "real", `random ${random?.state}: ${random?.reason ?? ""}`);
        const binary = random?.binary as string;
        // The CLI starts the plugin and asks it over gRPC, as it does for any provider.
        const result = await runCommand(session.pulumi.command, ["package", "get-schema", binary], { env: { ...process.env, ...session.toolchain.env } });
        assert.equal(result.code, 0, result.stderr);
        const schema = JSON.parse(result.stdout) as PackageSchema & { name: string; version: string };
        assert.deepEqual({ name: schema.name, version: schema.version }, { name: "random", version: toolchainVersions.random.version });
        const sdk = readSdkResources(path.join(REPO_ROOT, "node_modules", "@pulumi", "random"));
        assert.deepEqual(schemaDifferences(sdk, schema), []);
    });
});
