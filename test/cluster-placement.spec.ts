import * as assert from "node:assert/strict";
import * as path from "node:path";
import { namedStorageClasses, placementNodeLabels } from "../tools/engine/stack-config";
import { readConfigFile, repoRoot } from "./support/program";

describe("loopback cluster: what a stack needs of it", () => {
    const cases: { name: string; config: Record<string, unknown>; expected: Record<string, string[]> }[] = [
        { name: "no placement", config: { "groundwork:tiers": [{ name: "a" }] }, expected: {} },
        {
            name: "a tier's, its database's and Redis's, each value once, in first-seen order",
            config: {
                "groundwork:tiers": [
                    { name: "a", placement: { nodeSelector: { pool: "apps" } }, database: { placement: { nodeSelector: { pool: "data", disk: "ssd" } } } },
                    { name: "b", placement: { nodeSelector: { pool: "apps" } } },
                ],
                "groundwork:redis": { placement: { nodeSelector: { disk: "ssd" } } },
            },
            expected: { pool: ["apps", "data"], disk: ["ssd"] },
        },
    ];
    for (const { name, config, expected } of cases) {
        it(name, () => assert.deepEqual(placementNodeLabels(config), expected));
    }

    it("covers Circle Core's development pool", () => {
        assert.deepEqual(placementNodeLabels(readConfigFile(path.join(repoRoot, "examples", "circle-core-development.yaml"))), { pool: ["development"] });
    });
});

describe("loopback cluster: the StorageClasses a stack names", () => {
    it("finds the default, a database's, a volume's, Redis's and monitoring's, each once", () => {
        assert.deepEqual(namedStorageClasses({
            "groundwork:storageClass": "fast-ssd",
            "groundwork:tiers": [{ database: { storageClass: "fast-ssd" }, volumes: [{ storageClass: "shared-nfs" }, {}] }, {}],
            "groundwork:redis": { storageClass: "memory-optimised" },
            "groundwork:addons": { monitoring: { storageClass: "standard" } },
        }), ["fast-ssd", "shared-nfs", "memory-optimised", "standard"]);
    });

    it("finds AgentGuard's", () => {
        assert.deepEqual(namedStorageClasses(readConfigFile(path.join(repoRoot, "examples", "agentguard.yaml"))).sort(), ["fast-ssd", "standard"]);
    });
});
