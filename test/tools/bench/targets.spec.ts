import * as assert from "node:assert/strict";
import { verdictLine } from "../../../tools/bench/targets";

describe("bench: the last line reads each ratio against its target", () => {
    const cases: { name: string; ratios: Parameters<typeof verdictLine>[0]; expected: string }[] = [
        {
            name: "costs over their floors and a speed under the reference's",
            ratios: { programOverBaseline: 1.52, packOverPlain: 1.1, tiers50OverTiers10PerResource: 0.64, pssCoreOverReference: 0.31 },
            expected: "bench: program/baseline 1.52x (target <= 1.30x: missed), pack 1.10x (target <= 1.10x: met), "
                + "50/10 tiers per-resource 0.64x (target <= 1.05x: met), pss core/reference 0.31x (target >= 0.50x: missed)",
        },
        {
            name: "everything met, a speed above the reference's",
            ratios: { programOverBaseline: 1.2, packOverPlain: 1.05, tiers50OverTiers10PerResource: 1.0, pssCoreOverReference: 1.74 },
            expected: "bench: program/baseline 1.20x (target <= 1.30x: met), pack 1.05x (target <= 1.10x: met), "
                + "50/10 tiers per-resource 1.00x (target <= 1.05x: met), pss core/reference 1.74x (target >= 0.50x: met)",
        },
        {
            name: "sections not run (--only pss)",
            ratios: { pssCoreOverReference: 0.5 },
            expected: "bench: program/baseline n/a (target <= 1.30x), pack n/a (target <= 1.10x), "
                + "50/10 tiers per-resource n/a (target <= 1.05x), pss core/reference 0.50x (target >= 0.50x: met)",
        },
    ];
    for (const { name, ratios, expected } of cases) {
        it(name, () => assert.equal(verdictLine(ratios), expected));
    }
});
