import * as assert from "node:assert/strict";
import { runStack, StackRun } from "./support/program";

/** What the mocks answer for a generated password (see mockState in support/program.ts). */
const generatedPassword = /mock-password-\d+/;

describe("generated secrets", function () {
    this.timeout(60000);
    const runs: StackRun[] = [];
    before(async () => {
        runs.push(await runStack("staging"), await runStack("production"));
    });

    it("generates one password per database and one for Redis", () => {
        for (const run of runs) {
            assert.deepEqual(run.ofType("random:index/randomPassword:RandomPassword").filter((r) => r.parent.includes("groundwork:data:")).map((r) => r.name).sort(),
                ["ai-engine-postgres-password", "backend-postgres-password", "executor-postgres-password", "redis-password"]);
        }
    });

    it("hands every password to Kubernetes only inside Secrets, as secret values", () => {
        for (const run of runs) {
            for (const resource of run.resources) {
                const text = JSON.stringify(resource.inputs);
                if (!generatedPassword.test(text)) {
                    continue;
                }
                assert.equal(resource.type, "kubernetes:core/v1:Secret", `${resource.type} ${resource.name} carries a password`);
                assert.ok(resource.secretInputs.includes("stringData"), `${resource.name}: stringData must be secret`);
            }
        }
    });

    it("marks every Secret's data secret, so that state and previews never show it", () => {
        for (const run of runs) {
            const secrets = run.ofType("kubernetes:core/v1:Secret");
            assert.ok(secrets.length >= 7);
            for (const secret of secrets) {
                assert.ok(secret.secretInputs.includes("stringData"), secret.name);
            }
        }
    });
});
