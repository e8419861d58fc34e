import * as assert from "node:assert/strict";
import { formatBytes, formatCpu, parseBytes, parseCpu } from "../../components/platform/quantity";

describe("resource quantities", () => {
    const cpu: [string, number | undefined][] = [
        ["250m", 250], ["1", 1000], ["0.5", 500], ["1.5", 1500], ["2000m", 2000],
        ["", undefined], ["1 core", undefined], ["-1", undefined], ["1Ki", undefined],
    ];
    for (const [quantity, millicores] of cpu) {
        it(`reads CPU ${JSON.stringify(quantity)} as ${millicores ?? "no quantity"}`, () => assert.equal(parseCpu(quantity), millicores));
    }

    const bytes: [string, number | undefined][] = [
        ["512Mi", 512 * 2 ** 20], ["2Gi", 2 * 2 ** 30], ["1G", 1e9], ["1.5Ki", 1536], ["128", 128],
        ["", undefined], ["1gb", undefined], ["-1Gi", undefined],
    ];
    for (const [quantity, value] of bytes) {
        it(`reads bytes ${JSON.stringify(quantity)} as ${value ?? "no quantity"}`, () => assert.equal(parseBytes(quantity), value));
    }

    const cpuText: [number, string][] = [[1500, "1500m"], [2000, "2"], [0, "0"], [99.2, "100m"]];
    for (const [millicores, text] of cpuText) {
        it(`writes ${millicores} millicores as ${text}, rounding up`, () => assert.equal(formatCpu(millicores), text));
    }

    const bytesText: [number, string][] = [[768 * 2 ** 20, "768Mi"], [3 * 2 ** 30, "3Gi"], [1, "1Mi"], [0, "0Gi"], [1e9, "954Mi"]];
    for (const [value, text] of bytesText) {
        it(`writes ${value} bytes as ${text}, rounding up to whole Mi`, () => assert.equal(formatBytes(value), text));
    }

    it("reads back what it writes", () => {
        for (const millicores of [1, 250, 1000, 14500]) {
            assert.equal(parseCpu(formatCpu(millicores)), millicores);
        }
        for (const mebibytes of [1, 512, 1024, 14848]) {
            assert.equal(parseBytes(formatBytes(mebibytes * 2 ** 20)), mebibytes * 2 ** 20);
        }
    });
});
