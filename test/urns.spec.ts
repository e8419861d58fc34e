/**
 * Renaming nothing: every resource of the staging and production stacks keeps its URN, or an alias
 * carries its state over. The inventories under test/fixtures/urns list the URNs of the stacks as
 * deployed; a resource that is added or removed on purpose is recorded by regenerating them with
 * `URN_INVENTORY=write npm run test:unit` and committing the difference, where review sees it.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { deployedUrnsTakenOver, runStack } from "./support/program";

const inventoryDir = path.join(__dirname, "fixtures", "urns");

describe("URNs of the shared stacks", () => {
    for (const stack of ["staging", "production"]) {
        it(`${stack}: every deployed URN is still registered or aliased, and nothing new appears`, async () => {
            const run = await runStack(stack);
            const inventoryFile = path.join(inventoryDir, `${stack}.txt`);
            const current = run.resources.map((resource) => resource.urn).sort();
            if (process.env.URN_INVENTORY === "write") {
                fs.writeFileSync(inventoryFile, `${current.join("\n")}\n`);
            }
            const deployed = new Set(fs.readFileSync(inventoryFile, "utf8").trim().split("\n"));
            const takenOver = deployedUrnsTakenOver(run.resources, deployed);
            const claims = [...takenOver.values()];
            const lost = [...deployed].filter((urn) => !claims.includes(urn));
            const added = run.resources.filter((resource) => !takenOver.has(resource)).map((resource) => resource.urn);
            const fix = "add an alias for a rename, or regenerate the inventory with URN_INVENTORY=write for an intended change";
            assert.deepEqual(lost, [], `URNs that would be deleted (${fix})`);
            assert.deepEqual(added, [], `URNs that would be created (${fix})`);
            // The engine refuses a deployment in which two resources take over the same state.
            assert.deepEqual(claims.filter((urn, i) => claims.indexOf(urn) !== i), [], "URNs claimed by more than one resource");
        });
    }
});
