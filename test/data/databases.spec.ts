import * as assert from "node:assert/strict";
import { runStack, StackRun } from "../support/program";

const claim = "kubernetes:core/v1:PersistentVolumeClaim";
const statefulSet = "kubernetes:apps/v1:StatefulSet";

describe("databases", function () {
    this.timeout(60000);
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.staging = await runStack("staging");
        runs.production = await runStack("production");
    });

    const volumes: [string, string, string][] = [
        ["backend-postgres-data", "data-backend-postgres-0", "20Gi"],
        ["ai-engine-postgres-data", "data-ai-engine-postgres-0", "50Gi"],
        ["executor-postgres-data", "data-executor-postgres-0", "10Gi"],
        ["redis-data", "data-redis-0", "5Gi"],
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

    it("admits only its tier and its backup job to PostgreSQL", () => {
        const policy = (runs.staging.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "executor-postgres-ingress").inputs as any).spec;
        assert.deepEqual(policy.ingress, [{
            from: [
                { podSelector: { matchLabels: { "app.kubernetes.io/name": "executor", "app.kubernetes.io/component": "app" } } },
                { podSelector: { matchLabels: { "groundwork.dev/role": "postgres-backup" } } },
            ],
            ports: [{ protocol: "TCP", port: 5432 }],
        }]);
    });

    it("backs every database up daily at 02:00 UTC, keeps 7 days, and stays restricted", () => {
        for (const tier of ["backend", "ai-engine", "executor"]) {
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
        assert.deepEqual(policy.ingress[0].from[0].namespaceSelector.matchExpressions[0].values, ["backend", "ai-engine", "executor"]);
        assert.deepEqual(policy.ingress[0].from[0].podSelector.matchLabels, { "groundwork.dev/redis-client": "true" });
    });

    it("makes a drain of production wait for an operator, but not of staging", () => {
        const budget = (stack: string) => (runs[stack].get("kubernetes:policy/v1:PodDisruptionBudget", "backend-postgres-pdb").inputs as any).spec;
        assert.equal(budget("production").minAvailable, 1);
        assert.equal(budget("staging").maxUnavailable, 1);
    });

    it("keeps protectData switchable per stack", async () => {
        const run = await runStack("staging", { overrides: { "groundwork:protectData": true } });
        assert.ok(run.ofType(claim).every((recorded) => recorded.protect));
    });
});
