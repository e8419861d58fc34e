import * as assert from "node:assert/strict";
import { parsePlatformConfig } from "../../components/config";
import { environmentProfiles, environments } from "../../components/platform/environment";
import { asEngineConfig, readStackConfig, runStack, StackRun } from "../support/program";

/** The local stack's tiers with the sizing and log level left to the environment. */
function localWithDefaults(environment: string, change: (tiers: any[]) => void = () => undefined): Record<string, unknown> {
    const config = structuredClone(readStackConfig("local")) as any;
    config["groundwork:environment"] = environment;
    for (const tier of config["groundwork:tiers"]) {
        delete tier.replicas;
        delete tier.logLevel;
    }
    change(config["groundwork:tiers"]);
    return config;
}

function parse(config: Record<string, unknown>) {
    return parsePlatformConfig(asEngineConfig(config), new Set());
}

describe("environments", () => {
    it("are local, development, staging and production, each with a profile", () => {
        assert.deepEqual([...environments], ["local", "development", "staging", "production"]);
        assert.deepEqual(Object.keys(environmentProfiles).sort(), [...environments].sort());
    });

    const expected: Record<string, { replicas: number; logLevel: string; protectData: boolean }> = {
        local: { replicas: 1, logLevel: "debug", protectData: false },
        development: { replicas: 1, logLevel: "debug", protectData: false },
        staging: { replicas: 1, logLevel: "info", protectData: false },
        production: { replicas: 2, logLevel: "info", protectData: true },
    };
    for (const [environment, defaults] of Object.entries(expected)) {
        it(`${environment}: a tier without replicas or logLevel gets ${defaults.replicas} replica(s) and ${defaults.logLevel} logs; data protected: ${defaults.protectData}`, () => {
            const config = parse(localWithDefaults(environment));
            assert.deepEqual(config.tiers.map((tier) => [tier.replicas, tier.logLevel]), config.tiers.map(() => [defaults.replicas, defaults.logLevel]));
            assert.equal(config.protectData, defaults.protectData);
        });
    }

    it("starts an autoscaled tier without replicas at the autoscaler's minimum", () => {
        const config = parse(localWithDefaults("development", (tiers) => { tiers[0].hpa = { minReplicas: 2, maxReplicas: 4, cpuUtilization: 70 }; }));
        assert.equal(config.tiers[0].replicas, 2);
    });

    it("keeps what the stack file sets over the environment's defaults", () => {
        const config = parse(localWithDefaults("development", (tiers) => Object.assign(tiers[0], { replicas: 3, logLevel: "warn" })));
        assert.deepEqual([config.tiers[0].replicas, config.tiers[0].logLevel], [3, "warn"]);
        assert.equal(parse({ ...localWithDefaults("development"), "groundwork:protectData": true }).protectData, true);
    });

    describe("development, through the whole program", function () {
        this.timeout(60000);
        let run: StackRun;
        before(async () => {
            run = await runStack("local", { config: localWithDefaults("development") });
        });

        it("runs one replica of every tier, logging at debug, labelled development", () => {
            for (const tier of ["backend", "ai-engine", "executor"]) {
                assert.equal((run.get("kubernetes:apps/v1:Deployment", `${tier}-deployment`).inputs as any).spec.replicas, 1, tier);
                const settings = (run.get("kubernetes:core/v1:ConfigMap", `${tier}-settings`).inputs as any).data;
                assert.deepEqual([settings.LOG_LEVEL, settings.ENVIRONMENT], ["debug", "development"], tier);
                assert.equal((run.get("kubernetes:core/v1:Namespace", tier).inputs as any).metadata.labels["groundwork.dev/environment"], "development");
            }
        });

        it("protects no volume and keeps no production safeguard", () => {
            const claims = run.ofType("kubernetes:core/v1:PersistentVolumeClaim");
            assert.ok(claims.length > 0);
            assert.deepEqual(claims.filter((claim) => claim.protect).map((claim) => claim.name), []);
            const deployment = (run.get("kubernetes:apps/v1:Deployment", "backend-deployment").inputs as any).spec;
            assert.equal(deployment.strategy.rollingUpdate.maxUnavailable, "25%");
            assert.ok(deployment.template.spec.topologySpreadConstraints.every((constraint: any) => constraint.whenUnsatisfiable === "ScheduleAnyway"));
            const postgresBudget = (run.get("kubernetes:policy/v1:PodDisruptionBudget", "backend-postgres-pdb").inputs as any).spec;
            assert.equal(postgresBudget.maxUnavailable, 1);
        });

        it("runs the add-ons with one replica each", () => {
            const chart = run.resources.find((resource) => resource.type === "kubernetes:helm.sh/v4:Chart" && resource.name.includes("cert-manager"));
            assert.ok(chart);
            assert.equal((chart.inputs as any).values.webhook.replicaCount, 1);
        });
    });
});
