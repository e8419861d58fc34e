import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Redis } from "../../components/data/redis";
import { aDatabase, aStack, aTier, Environment, RawConfig } from "../support/builders";
import { runStack, StackRun } from "../support/program";

const claim = "kubernetes:core/v1:PersistentVolumeClaim";
const statefulSet = "kubernetes:apps/v1:StatefulSet";

/** Each tier's database volume, and the shared Redis's, in databases(). */
const databaseSizes: Record<string, string> = { "backend": "20Gi", "ai-engine": "50Gi", "executor": "10Gi" };
const redisSize = "5Gi";
const tierNames = Object.keys(databaseSizes);

/** A tier per entry of databaseSizes with its database and Redis, backend calling the others. */
function databases(environment: Environment): RawConfig {
    return aStack(environment)
        .withTier(...tierNames.map((name) => aTier(name).withDatabase(aDatabase({ storage: databaseSizes[name] })).withRedis().calledBy(...(name === "backend" ? [] : ["backend"]))))
        .withRedis({ storage: redisSize })
        .build();
}

describe("databases", function () {
    this.timeout(60000);
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.staging = await runStack("staging", { config: databases("staging") });
        runs.production = await runStack("production", { config: databases("production") });
    });

    const volumes: [string, string, string][] = [
        ...tierNames.map((name): [string, string, string] => [`${name}-postgres-data`, `data-${name}-postgres-0`, databaseSizes[name]]),
        ["redis-data", "data-redis-0", redisSize],
    ];

    for (const [resource, claimName, size] of volumes) {
        it(`sizes ${claimName} at ${size} and protects it in production only`, () => {
            for (const stack of ["staging", "production"]) {
                const recorded = runs[stack].get(claim, resource);
                const inputs = recorded.inputs as any;
                assert.equal(inputs.metadata.name, claimName);
                assert.equal(inputs.spec.resources.requests.storage, size);
                assert.equal(recorded.protect, stack === "production", `${stack} protect`);
            }
        });
    }

    it("names the claims the StatefulSet controller adopts, and keeps them when the set is deleted", () => {
        const set = (runs.production.get(statefulSet, "backend-postgres-statefulset").inputs as any).spec;
        assert.equal(set.volumeClaimTemplates[0].metadata.name, "data");
        assert.equal(set.serviceName, "backend-postgres");
        assert.deepEqual(set.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
        assert.ok(runs.production.get(statefulSet, "backend-postgres-statefulset").dependencies
            .some((urn) => urn.endsWith("PersistentVolumeClaim::backend-postgres-data")));
    });

    it("runs PostgreSQL non-root with fsGroup, restricted, and ready by pg_isready", () => {
        const pod = (runs.production.get(statefulSet, "ai-engine-postgres-statefulset").inputs as any).spec.template.spec;
        assert.equal(pod.securityContext.runAsUser, 70);
        assert.equal(pod.securityContext.fsGroup, 70);
        assert.equal(pod.automountServiceAccountToken, false);
        const container = pod.containers[0];
        assert.match(container.image, /^docker\.io\/library\/postgres:\d+\.\d+/);
        assert.equal(container.securityContext.allowPrivilegeEscalation, false);
        assert.equal(container.securityContext.readOnlyRootFilesystem, true);
        assert.match(container.readinessProbe.exec.command.join(" "), /pg_isready/);
        assert.deepEqual(container.env.filter((variable: any) => variable.value !== undefined).map((variable: any) => variable.name), ["PGDATA"]);
    });

    it("admits only its tier's pods (the app's, carrying the client label) and its backup job to PostgreSQL", () => {
        const policy = (runs.staging.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "executor-postgres-ingress").inputs as any).spec;
        assert.deepEqual(policy.ingress, [{
            from: [
                { podSelector: { matchLabels: { "groundwork.dev/postgres-client": "true" } } },
                { podSelector: { matchLabels: { "groundwork.dev/role": "postgres-backup" } } },
            ],
            ports: [{ protocol: "TCP", port: 5432 }],
        }]);
        const appPod = (runs.staging.get("kubernetes:apps/v1:Deployment", "executor-deployment").inputs as any).spec.template.metadata.labels;
        assert.equal(appPod["groundwork.dev/postgres-client"], "true");
    });

    it("backs every database up daily at 02:00 UTC, keeps 7 days, and stays restricted", () => {
        for (const tier of tierNames) {
            const cron = (runs.production.get("kubernetes:batch/v1:CronJob", `${tier}-postgres-backup`).inputs as any).spec;
            assert.equal(cron.schedule, "0 2 * * *");
            assert.equal(cron.timeZone, "Etc/UTC");
            assert.equal(cron.concurrencyPolicy, "Forbid");
            const pod = cron.jobTemplate.spec.template.spec;
            const script = pod.containers[0].command[2];
            assert.match(script, /pg_dump/);
            assert.match(script, /-mtime \+6 -delete/);
            assert.equal(pod.securityContext.runAsNonRoot, true);
            assert.deepEqual(pod.containers[0].securityContext.capabilities, { drop: ["ALL"] });
            assert.equal(pod.volumes[0].persistentVolumeClaim.claimName, `${tier}-postgres-backups`);
            assert.equal(runs.production.get(claim, `${tier}-postgres-backups`).protect, true);
        }
    });

    it("requires a password from Redis, persists append-only, and admits only its client tiers", () => {
        const container = (runs.production.get(statefulSet, "redis-statefulset").inputs as any).spec.template.spec.containers[0];
        assert.deepEqual(container.args.slice(0, 4), ["--requirepass", "$(REDIS_PASSWORD)", "--appendonly", "yes"]);
        assert.ok(container.env.every((variable: any) => variable.valueFrom?.secretKeyRef));
        const policy = (runs.production.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "redis-ingress").inputs as any).spec;
        assert.deepEqual(policy.ingress[0].from[0].namespaceSelector.matchExpressions[0].values, tierNames);
        assert.deepEqual(policy.ingress[0].from[0].podSelector.matchLabels, { "groundwork.dev/redis-client": "true" });
    });

    it("gives each client tier, once its namespace exists, credentials, the label Redis admits and egress to the Redis pod only", () => {
        const run = runs.production;
        const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([key, value]) => labels[key] === value);
        const redisPod = (run.get(statefulSet, "redis-statefulset").inputs as any).spec.template.metadata.labels;
        const redisPort = (run.get("kubernetes:core/v1:Service", "redis-service").inputs as any).spec.ports[0].port;
        const admitted = (run.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "redis-ingress").inputs as any).spec.ingress[0].from[0].podSelector.matchLabels;
        for (const tier of tierNames) {
            const secret = run.get("kubernetes:core/v1:Secret", `redis-credentials-${tier}`);
            assert.equal((secret.inputs as any).metadata.namespace, tier);
            assert.ok(secret.dependencies.some((urn) => urn.endsWith(`$kubernetes:core/v1:Namespace::${tier}`)), `${tier}: the Secret must wait for its namespace`);
            const pod = (run.get("kubernetes:apps/v1:Deployment", `${tier}-deployment`).inputs as any).spec.template;
            assert.ok(selects(admitted, pod.metadata.labels), `${tier}: Redis does not admit its pods`);
            assert.ok(pod.spec.containers[0].env.some((variable: any) => variable.name === "REDIS_PASSWORD" && variable.valueFrom.secretKeyRef.name === (secret.inputs as any).metadata.name));
            const egress = (run.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", `${tier}-traffic`).inputs as any).spec.egress;
            const toRedis = egress.filter((rule: any) => rule.ports.some((port: any) => port.port === redisPort));
            assert.deepEqual(toRedis.map((rule: any) => rule.to[0].namespaceSelector.matchLabels), [{ "kubernetes.io/metadata.name": "redis" }]);
            assert.ok(selects(toRedis[0].to[0].podSelector.matchLabels, redisPod), `${tier}: its egress does not select the Redis pod`);
        }
    });

    it("refuses credentials to a namespace whose pods it would not admit", async () => {
        await pulumi.runtime.setMocks({ newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: (args) => args.inputs }, "groundwork", "test", false);
        const resources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } };
        const redis = new Redis("redis", { namespace: "redis", environment: "development", podSecurityVersion: "latest", storage: "1Gi", resources, clientNamespaces: ["backend"], protect: false });
        assert.throws(() => redis.clientFor("ai-engine", redis), /namespace "ai-engine" is not among Redis's client namespaces \(backend\)/);
    });

    it("makes a drain of production wait for an operator, but not of staging", () => {
        const budget = (stack: string) => (runs[stack].get("kubernetes:policy/v1:PodDisruptionBudget", "backend-postgres-pdb").inputs as any).spec;
        assert.equal(budget("production").minAvailable, 1);
        assert.equal(budget("staging").maxUnavailable, 1);
    });

    it("keeps protectData switchable per stack", async () => {
        const run = await runStack("staging", { config: databases("staging"), overrides: { "groundwork:protectData": true } });
        assert.ok(run.ofType(claim).every((recorded) => recorded.protect));
    });
});
