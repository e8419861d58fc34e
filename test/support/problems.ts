import * as assert from "node:assert/strict";

/** Fails unless some validation problem starts with `expected`, listing every problem found. */
export function assertProblem(problems: readonly string[], expected: string): void {
    assert.ok(problems.some((problem) => problem.startsWith(expected)),
        `expected a problem starting with:\n  ${expected}\ngot:\n  ${problems.join("\n  ") || "(none)"}`);
}
