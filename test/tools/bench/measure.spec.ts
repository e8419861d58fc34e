import * as assert from "node:assert/strict";
import { cpuOverFloor, ProcessRole } from "../../../tools/bench/measure";

const roles = (values: Partial<Record<ProcessRole, number>>): Record<ProcessRole, number> => ({
    node: 0, cli: 0, analyzer: 0, provider: 0, "stand-in": 0, other: 0, ...values,
});

describe("bench: CPU over a floor, per process", () => {
    const cases: { name: string; figure: Partial<Record<ProcessRole, number>>; floor: Partial<Record<ProcessRole, number>>; expected: [ProcessRole, number][] }[] = [
        {
            name: "the pack's extra, largest first",
            figure: { node: 4220, cli: 4380, analyzer: 2390, provider: 900, "stand-in": 320 },
            floor: { node: 3800, cli: 3360, provider: 790, "stand-in": 350 },
            expected: [["analyzer", 2390], ["cli", 1020], ["node", 420], ["provider", 110]],
        },
        {
            name: "a process cheaper than in its floor, last and negative",
            figure: { node: 3000, cli: 2000 },
            floor: { node: 3500, cli: 1000 },
            expected: [["cli", 1000], ["node", -500]],
        },
        { name: "differences under one sampling interval left out", figure: { node: 3090, cli: 2000 }, floor: { node: 3000, cli: 2000 }, expected: [] },
    ];
    for (const { name, figure, floor, expected } of cases) {
        it(name, () => {
            assert.deepEqual(cpuOverFloor(roles(figure), roles(floor)).map(({ role, extraMs }) => [role, extraMs]), expected);
        });
    }
});
