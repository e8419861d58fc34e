import * as assert from "node:assert/strict";
import { environments } from "../../components/config";
import { environmentProfiles } from "../../components/platform/environment";
import { aStack, aTier, Environment, TierBuilder } from "../support/builders";
import { parseStack as parse } from "../support/problems";
import { runStack, StackRun } from "../support/program";

/** Two tiers that set neither replicas nor logLevel, so the environment decides both. */
const unsized = (): TierBuilder[] => [aTier("api"), aTier("worker").calledBy("api")];

describe("environments", () => {
    it("are local, development, staging and production, each with a profile", () => {
        assert.deepEqual([...environments], ["local", "development", "staging", "production"]);
        assert.deepEqual(Object.keys(environmentProfiles).sort(), [...environments].sort());
    });

    for (const environment of environments) {
        it(`${environment}: a tier without replicas or logLevel, and the stack's data protection, follow the ${environment} profile`, () => {
            const profile = environmentProfiles[environment];
            const config = parse(aStack(environment).withTier(...unsized()).build());
            assert.deepEqual(config.tiers.map((tier) => [tier.replicas, tier.logLevel]), config.tiers.map(() => [profile.replicas, profile.logLevel]));
            assert.equal(config.protectData, profile.protectData);
        });
    }

    it("runs production highly available: tiers keep a replica through a node's loss, data is protected", () => {
        const production = environmentProfiles.production;
        assert.ok(production.highAvailability);
        assert.ok(production.replicas >= 2, `production's default replicas (${production.replicas}) must survive a pod's loss`);
        assert.ok(production.protectData);
        assert.ok(["info", "warn", "error"].includes(production.logLevel), `production logs at ${production.logLevel}`);
    });

    it("keeps the environments below production small, unprotected and not highly available", () => {
        for (const environment of environments.filter((name) => name !== "production")) {
            const profile = environmentProfiles[environment];
            assert.deepEqual([profile.replicas, profile.protectData, profile.highAvailability], [1, false, false], environment);
        }
    });

    it("starts an autoscaled tier without replicas at the autoscaler's minimum", () => {
        const config = parse(aStack("development").withTier(aTier("api").autoscaled(2, 4)).build());
        assert.equal(config.tiers[0].replicas, 2);
    });

    it("keeps what the stack file sets over the environment's defaults", () => {
        const config = parse(aStack("development").withTier(aTier("api").with({ replicas: 3, logLevel: "warn" })).build());
        assert.deepEqual([config.tiers[0].replicas, config.tiers[0].logLevel], [3, "warn"]);
        assert.equal(parse(aStack("development").with("protectData", true).build()).protectData, true);
        assert.equal(parse(aStack("production").with("protectData", false).build()).protectData, false);
    });

    /** The program under each profile with what the safeguards act on: a database, and cert-manager's webhook. */
    const runIn = (environment: Environment): Promise<StackRun> => runStack(environment, {
        config: aStack(environment).withTier(...unsized().map((tier) => tier.withDatabase())).build(),
    });

    for (const environment of ["development", "production"] as const) {
        describe(`${environment}, through the whole program`, function () {
            this.timeout(60000);
            const profile = environmentProfiles[environment];
            let run: StackRun;
            before(async () => {
                run = await runIn(environment);
            });

            it(`runs the profile's replicas of every tier, logging at its level, labelled ${environment}`, () => {
                for (const tier of ["api", "worker"]) {
                    assert.equal((run.get("kubernetes:apps/v1:Deployment", `${tier}-deployment`).inputs as any).spec.replicas, profile.replicas, tier);
                    const settings = (run.get("kubernetes:core/v1:ConfigMap", `${tier}-settings`).inputs as any).data;
                    assert.deepEqual([settings.LOG_LEVEL, settings.ENVIRONMENT], [profile.logLevel, environment], tier);
                    assert.equal((run.get("kubernetes:core/v1:Namespace", tier).inputs as any).metadata.labels["groundwork.dev/environment"], environment);
                }
            });

            it(profile.highAvailability ? "protects the volumes and keeps the production safeguards" : "protects no volume and keeps no production safeguard", () => {
                const claims = run.ofType("kubernetes:core/v1:PersistentVolumeClaim");
                assert.ok(claims.length > 0);
                assert.deepEqual(claims.filter((claim) => !claim.protect).map((claim) => claim.name), profile.protectData ? [] : claims.map((claim) => claim.name));
                const deployment = (run.get("kubernetes:apps/v1:Deployment", "api-deployment").inputs as any).spec;
                assert.equal(deployment.strategy.rollingUpdate.maxUnavailable, profile.highAvailability ? 0 : "25%");
                const whenUnsatisfiable = profile.highAvailability ? "DoNotSchedule" : "ScheduleAnyway";
                assert.ok(deployment.template.spec.topologySpreadConstraints.some((constraint: any) => constraint.whenUnsatisfiable === whenUnsatisfiable));
                const postgresBudget = (run.get("kubernetes:policy/v1:PodDisruptionBudget", "api-postgres-pdb").inputs as any).spec;
                // A budget that admits no eviction of the one database pod makes a drain wait for an operator.
                assert.deepEqual([postgresBudget.minAvailable, postgresBudget.maxUnavailable], profile.highAvailability ? [1, undefined] : [undefined, 1]);
            });

            it(profile.highAvailability ? "runs the add-ons with several replicas" : "runs the add-ons with one replica each", () => {
                const chart = run.resources.find((resource) => resource.type === "kubernetes:helm.sh/v4:Chart" && resource.name.includes("cert-manager"));
                assert.ok(chart);
                const replicas = (chart.inputs as any).values.webhook.replicaCount;
                assert.ok(profile.highAvailability ? replicas > 1 : replicas === 1, `cert-manager webhook replicas ${replicas}`);
            });
        });
    }
});
