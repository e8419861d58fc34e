import * as assert from "node:assert/strict";
import { namedStorageClasses, placementNodeLabels } from "../tools/engine/stack-config";
import { aDatabase, aStack, aTier } from "./support/builders";

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

    it("reads a stack built as a stack file holds it: every tier and database on one pool", () => {
        const onPool = { nodeSelector: { pool: "development" } };
        const config = aStack("development")
            .withTier(aTier("api").with({ placement: onPool }).withDatabase(aDatabase({ placement: onPool })), aTier("worker").with({ placement: onPool }))
            .build();
        assert.deepEqual(placementNodeLabels(config), { pool: ["development"] });
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

    it("finds a built stack's default and monitoring's, and a database's that repeats the default once", () => {
        const config = aStack("production")
            .withTier(aTier("api").withDatabase(aDatabase({ storageClass: "fast-ssd" })))
            .with("storageClass", "fast-ssd")
            .withAddons({ monitoring: { enabled: true, storageClass: "standard" } })
            .build();
        assert.deepEqual(namedStorageClasses(config).sort(), ["fast-ssd", "standard"]);
    });
});
