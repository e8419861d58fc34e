/** The check table: one Pod Security Standards control per file under policy/core/controls, each registered once. */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PSS_CONTROLS, PssControl } from "../../policy/core";

const CONTROLS_DIR = path.resolve(__dirname, "../../policy/core/controls");
const controlFiles = fs.readdirSync(CONTROLS_DIR).filter((entry) => entry.endsWith(".ts")).sort();

function isPssControl(value: unknown): value is PssControl {
    const candidate = value as Partial<PssControl> | null;
    return typeof candidate === "object" && candidate !== null && typeof candidate.id === "string" && Array.isArray(candidate.versions);
}

/** The controls a file exports (a control file may export helpers too, never a second control). */
function exportedControls(file: string): PssControl[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return Object.values(require(path.join(CONTROLS_DIR, file)) as Record<string, unknown>).filter(isPssControl);
}

describe("policy: the check table", function () {
    it("finds the control files", function () {
        assert.ok(controlFiles.length > 0, `no control files under ${CONTROLS_DIR}`);
    });

    for (const file of controlFiles) {
        it(`registers the control of ${file} exactly once`, function () {
            const controls = exportedControls(file);
            assert.strictEqual(controls.length, 1, `${file} must define exactly one control, found ${controls.map((c) => c.id).join(", ") || "none"}`);
            const registrations = PSS_CONTROLS.filter((registered) => registered === controls[0]).length;
            assert.strictEqual(registrations, 1, `${controls[0].id} (${file}) is registered ${registrations} times in PSS_CONTROLS`);
        });
    }

    it("holds no control that lacks its own file", function () {
        const defined = new Set(controlFiles.flatMap(exportedControls));
        assert.deepStrictEqual(PSS_CONTROLS.filter((control) => !defined.has(control)).map((control) => control.id), []);
    });

    it("gives every control a distinct id and policy name", function () {
        assert.strictEqual(new Set(PSS_CONTROLS.map((control) => control.id)).size, PSS_CONTROLS.length);
        assert.strictEqual(new Set(PSS_CONTROLS.map((control) => control.policyName)).size, PSS_CONTROLS.length);
    });

    it("lets a revision override only baseline controls of the table", function () {
        const baselineIds = new Set(PSS_CONTROLS.filter((control) => control.level === "baseline").map((control) => control.id));
        for (const control of PSS_CONTROLS) {
            for (const revision of control.versions) {
                for (const overridden of revision.overrides ?? []) {
                    assert.ok(control.level === "restricted" && baselineIds.has(overridden), `${control.id} v1.${revision.since} overrides ${overridden}`);
                }
            }
        }
    });
});
