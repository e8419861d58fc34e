import * as assert from "node:assert/strict";
import { anEdge, aStack, aTier } from "./support/builders";
import { runStack, StackRun } from "./support/program";

/** What the mocks answer for a generated password (see mockState in support/program.ts). */
const generatedPassword = /mock-password-\d+/;

/** Tiers with and without a database, Redis clients, behind the edge with every default add-on. */
const tiers = [aTier("backend").public("api.example.com").withDatabase().withRedis(), aTier("worker").withDatabase().withRedis().calledBy("backend"), aTier("web").calledBy("backend")];
const withDatabase = tiers.map((tier) => tier.build()).filter((tier) => tier.database).map((tier) => tier.name as string);

describe("generated secrets", function () {
    this.timeout(60000);
    const runs: StackRun[] = [];
    before(async () => {
        for (const environment of ["staging", "production"] as const) {
            runs.push(await runStack(environment, { config: aStack(environment).withTier(...tiers).withRedis().withEdge(anEdge()).build() }));
        }
    });

    it("generates one password per database and one for Redis", () => {
        for (const run of runs) {
            assert.deepEqual(run.ofType("random:index/randomPassword:RandomPassword").filter((r) => r.parent.includes("groundwork:data:")).map((r) => r.name).sort(),
                [...withDatabase.map((tier) => `${tier}-postgres-password`), "redis-password"].sort());
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
            const expected = [...withDatabase.map((tier) => `${tier}-postgres-credentials`), ...withDatabase.map((tier) => `redis-credentials-${tier}`)];
            assert.deepEqual(expected.filter((name) => !secrets.some((secret) => secret.name === name)), [], "every database's and Redis client's credentials");
            for (const secret of secrets) {
                assert.ok(secret.secretInputs.includes("stringData"), secret.name);
            }
        }
    });
});
