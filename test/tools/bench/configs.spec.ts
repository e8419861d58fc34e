import * as assert from "node:assert/strict";
import { benchConfig, validate, withTiers } from "../../../tools/bench/configs";

describe("bench: the configs it previews", () => {
    const staging = () => benchConfig("out/bench", "http://127.0.0.1:18879");

    it("staging in render mode, with fixture charts and no edge, validates", () => {
        const config = validate(staging());
        assert.equal(config.cluster.renderDirectory, "out/bench");
        assert.equal(config.edge.enabled, false);
    });

    for (const count of [1, 2, 10, 50]) {
        it(`${count} synthetic tiers validate, with unique names and hosts`, () => {
            const config = validate(withTiers(staging(), count));
            assert.equal(config.tiers.length, count);
            assert.equal(new Set(config.tiers.map((tier) => tier.name)).size, count);
            const hosts = config.tiers.flatMap((tier) => tier.public?.hosts ?? []);
            assert.equal(new Set(hosts).size, hosts.length);
            // Every caller names a tier of the config.
            const names = new Set(config.tiers.map((tier) => tier.name));
            assert.deepEqual(config.tiers.flatMap((tier) => tier.callers).filter((caller) => !names.has(caller)), []);
        });
    }

    it("refuses a config without tiers", () => assert.throws(() => withTiers(staging(), 0), /at least one tier/));
});
