import * as assert from "node:assert/strict";
import { checkWorkload } from "../../policy/core";
import { versions } from "../../components/versions";
import { parseCpu } from "../../components/platform/quantity";
import { aDatabase, aStack, aTier, Environment, RawConfig } from "../support/builders";
import { revealSecrets, runStack, StackRun, testSecretValue, withTestSecrets } from "../support/program";
import { unwrapValues } from "../support/mocks";
import { overruns } from "../support/quota";

const types = {
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    cronJob: "kubernetes:batch/v1:CronJob",
    claim: "kubernetes:core/v1:PersistentVolumeClaim",
    secret: "kubernetes:core/v1:Secret",
    quota: "kubernetes:core/v1:ResourceQuota",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
};

const placement = {
    nodeSelector: { "node.kubernetes.io/pool": "ml" },
    tolerations: [{ key: "dedicated", operator: "Equal", value: "ml", effect: "NoSchedule" }],
    affinity: {
        nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: "disktype", operator: "In", values: ["ssd"] }] } }],
        },
    },
};
const databasePlacement = { nodeSelector: { "node.kubernetes.io/pool": "data" } };
const redisPlacement = { tolerations: [{ key: "dedicated", operator: "Exists", effect: "NoSchedule" }] };

/** Two maintenance jobs: one sized like its tier, one at a size of its own. */
const cleanupJob = { name: "metrics-cleanup", schedule: "0 3 * * *", command: ["node", "dist/jobs/metrics-cleanup.js"] };
const retrainJob = {
    name: "retrain", schedule: "0 4 * * 0", command: ["python", "-m", "retrain"], activeDeadlineSeconds: 14400,
    resources: { requests: { cpu: "4", memory: "8Gi" }, limits: { cpu: "4", memory: "8Gi" } },
};

/**
 * Tiers using every workload capability: backend and ai-engine with a maintenance job each, mlflow (a
 * StatefulSet of two replicas, each with its own volume, application secrets, a scheduled job replaced
 * when late, its own PostgreSQL placed apart) and reports (a Deployment with one ReadWriteOnce volume),
 * with Redis placed where its own placement says.
 */
function withCapabilities(environment: Environment, jobs = true): RawConfig {
    const cronJobs = (...scheduled: Record<string, unknown>[]) => ({ cronJobs: jobs ? scheduled : [] });
    return aStack(environment)
        .withTier(
            aTier("backend").withDatabase().withRedis().with(cronJobs(cleanupJob)),
            aTier("ai-engine").calledBy("backend").autoscaled(1, 3).withDatabase().withRedis().with(cronJobs(retrainJob)),
            aTier("mlflow").calledBy("ai-engine").withDatabase(aDatabase({ storage: "5Gi", placement: databasePlacement })).withRedis().with({
                image: "ghcr.io/mlflow/mlflow:v3.4.0",
                port: 5000,
                replicas: 2,
                kind: "StatefulSet",
                resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
                secrets: ["MLFLOW_TRACKING_PASSWORD", "AWS_SECRET_ACCESS_KEY"],
                volumes: [{ name: "artifacts", mountPath: "/mlflow/artifacts", size: "10Gi" }],
                ...cronJobs({ name: "gc", schedule: "@daily", command: ["mlflow", "gc"], concurrencyPolicy: "Replace", successfulJobsHistoryLimit: 3 }),
                placement,
            }),
            aTier("reports").with({ replicas: 1, volumes: [{ name: "cache", mountPath: "/var/cache/reports", size: "1Gi" }] }),
        )
        .withRedis({ storage: "1Gi", placement: redisPlacement })
        .build();
}

const restricted = (type: string, inputs: unknown) => checkWorkload(type, unwrapValues(inputs) as any, { level: "restricted", version: versions.podSecurity })
    .map((violation) => JSON.stringify(violation));

describe("tier workloads: secrets, scheduled jobs, volumes, placement", function () {
    this.timeout(60000);
    const runs: Record<string, StackRun> = {};
    before(async () => {
        for (const stack of ["staging", "production"] as const) {
            const { config, secretKeys } = withTestSecrets(withCapabilities(stack));
            runs[stack] = await runStack(stack, { config, secretKeys });
        }
    });
    const pod = (run: StackRun, type: string, name: string) => {
        const spec = (run.get(type, name).inputs as any).spec;
        return type === types.cronJob ? spec.jobTemplate.spec.template : spec.template;
    };

    describe("application secrets", () => {
        const names = ["MLFLOW_TRACKING_PASSWORD", "AWS_SECRET_ACCESS_KEY"];

        it("keeps them in a Secret whose data is a secret input, read by the app and its jobs through secretKeyRef", () => {
            const run = runs.production;
            const secret = run.get(types.secret, "mlflow-secrets");
            assert.ok(secret.secretInputs.includes("stringData"));
            assert.deepEqual((revealSecrets(secret.inputs) as any).stringData,
                Object.fromEntries(names.map((name) => [name, testSecretValue("mlflow", name)])));
            // Auto-named, so that a changed value rolls the pods; the mocks name it as the provider would.
            const secretName = "mlflow-secrets-a1b2c3d4";
            assert.equal((secret.inputs as any).metadata.name, undefined);
            for (const [type, name] of [[types.statefulSet, "mlflow-statefulset"], [types.cronJob, "mlflow-cron-gc"]]) {
                const env = pod(run, type, name).spec.containers[0].env as any[];
                for (const variable of names) {
                    const entry = env.find((candidate) => candidate.name === variable);
                    assert.deepEqual(entry, { name: variable, valueFrom: { secretKeyRef: { name: secretName, key: variable } } }, `${name} ${variable}`);
                }
            }
        });

        it("never puts a value anywhere else: no other input, no output", () => {
            for (const run of Object.values(runs)) {
                const values = names.map((name) => testSecretValue("mlflow", name));
                for (const resource of run.resources.filter((candidate) => !(candidate.type === types.secret && candidate.name === "mlflow-secrets"))) {
                    const text = JSON.stringify(unwrapValues(resource.inputs));
                    assert.ok(values.every((value) => !text.includes(value)), `${resource.type} ${resource.name} carries a secret value`);
                }
                const outputs = JSON.stringify(run.outputs);
                assert.ok(values.every((value) => !outputs.includes(value)), "the stack outputs carry a secret value");
            }
        });

        it("creates no Secret for tiers without application secrets", () => {
            assert.deepEqual(runs.staging.ofType(types.secret).filter((secret) => secret.name.endsWith("-secrets")).map((secret) => secret.name), ["mlflow-secrets"]);
        });
    });

    describe("scheduled jobs", () => {
        it("runs each job from the tier's image, restricted, in UTC, with its schedule, command, policy and history", () => {
            for (const run of Object.values(runs)) {
                const cronJob = run.get(types.cronJob, "mlflow-cron-gc").inputs as any;
                assert.deepEqual(restricted(types.cronJob, cronJob), []);
                const escalating = structuredClone(unwrapValues(cronJob)) as any;
                escalating.spec.jobTemplate.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
                assert.notDeepEqual(restricted(types.cronJob, escalating), [], "the check must see the job's pod");
                assert.deepEqual(
                    [cronJob.metadata.name, cronJob.spec.schedule, cronJob.spec.timeZone, cronJob.spec.concurrencyPolicy, cronJob.spec.successfulJobsHistoryLimit, cronJob.spec.failedJobsHistoryLimit],
                    ["mlflow-gc", "@daily", "Etc/UTC", "Replace", 3, 1]);
                const container = cronJob.spec.jobTemplate.spec.template.spec.containers[0];
                assert.deepEqual([container.image, container.command], ["ghcr.io/mlflow/mlflow:v3.4.0", ["mlflow", "gc"]]);
                // Sized like the tier unless the job says otherwise.
                assert.deepEqual(container.resources, { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } });
                assert.equal(cronJob.spec.jobTemplate.spec.template.spec.restartPolicy, "OnFailure");
            }
        });

        it("runs each tier's jobs at their schedule, a job that sets its size at that size and deadline, the others at the tier's", () => {
            for (const stack of ["staging", "production"]) {
                const cleanup = runs[stack].get(types.cronJob, "backend-cron-metrics-cleanup").inputs as any;
                assert.equal(cleanup.spec.schedule, cleanupJob.schedule, stack);
                assert.deepEqual(cleanup.spec.jobTemplate.spec.template.spec.containers[0].resources, aTier().build().resources, stack);
                const retrain = runs[stack].get(types.cronJob, "ai-engine-cron-retrain").inputs as any;
                assert.equal(retrain.spec.schedule, retrainJob.schedule, stack);
                assert.equal(retrain.spec.jobTemplate.spec.activeDeadlineSeconds, retrainJob.activeDeadlineSeconds, stack);
                assert.deepEqual(retrain.spec.jobTemplate.spec.template.spec.containers[0].resources, retrainJob.resources, stack);
                for (const name of ["backend-cron-metrics-cleanup", "ai-engine-cron-retrain"]) {
                    assert.deepEqual(restricted(types.cronJob, runs[stack].get(types.cronJob, name).inputs), [], `${stack} ${name}`);
                }
            }
        });

        it("lets job pods reach what the tier reaches, through a policy that admits nothing, and the stores admit them", () => {
            const run = runs.staging;
            const jobPod = pod(run, types.cronJob, "mlflow-cron-gc");
            const jobPolicy = (run.get(types.networkPolicy, "mlflow-cron-traffic").inputs as any).spec;
            const tierPolicy = (run.get(types.networkPolicy, "mlflow-traffic").inputs as any).spec;
            const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([key, value]) => labels[key] === value);
            assert.ok(selects(jobPolicy.podSelector.matchLabels, jobPod.metadata.labels));
            assert.ok(!selects(tierPolicy.podSelector.matchLabels, jobPod.metadata.labels), "job pods must not be the app's: its Service would send them traffic");
            assert.deepEqual(jobPolicy.policyTypes, ["Ingress", "Egress"]);
            assert.deepEqual(jobPolicy.ingress, []);
            assert.deepEqual(jobPolicy.egress, tierPolicy.egress);
            const postgres = (run.get(types.networkPolicy, "mlflow-postgres-ingress").inputs as any).spec.ingress[0].from;
            assert.ok(postgres.some((peer: any) => selects(peer.podSelector.matchLabels, jobPod.metadata.labels)), "PostgreSQL must admit the job pods");
            const redis = (run.get(types.networkPolicy, "redis-ingress").inputs as any).spec.ingress[0].from[0];
            assert.ok(selects(redis.podSelector.matchLabels, jobPod.metadata.labels), "Redis must admit the job pods");
            assert.ok(redis.namespaceSelector.matchExpressions[0].values.includes("mlflow"));
        });

        it("counts every job in its namespace's quota: one pod with Forbid, two with Replace", async () => {
            const { config, secretKeys } = withTestSecrets(withCapabilities("staging", false));
            const withoutJobs = await runStack("staging", { config, secretKeys });
            const hard = (run: StackRun, namespace: string) => (run.get(types.quota, `${namespace}-quota`).inputs as any).spec.hard;
            assert.equal(Number(hard(runs.staging, "mlflow").pods) - Number(hard(withoutJobs, "mlflow").pods), 2);
            assert.equal(Number(hard(runs.staging, "ai-engine").pods) - Number(hard(withoutJobs, "ai-engine").pods), 1);
            // The retraining job forbids overlap: one pod at its own size on top of the tier's.
            const limitsCpu = (run: StackRun) => parseCpu(hard(run, "ai-engine")["limits.cpu"])!;
            assert.equal(limitsCpu(runs.staging) - limitsCpu(withoutJobs), parseCpu(retrainJob.resources.limits.cpu));
        });
    });

    describe("volumes and StatefulSets", () => {
        it("runs a StatefulSet tier with a claim per replica, created and protected like the databases' in production only", () => {
            for (const [stack, protect] of [["staging", false], ["production", true]] as const) {
                const run = runs[stack];
                assert.equal(run.ofType(types.deployment).some((deployment) => deployment.name === "mlflow-deployment"), false);
                const set = run.get(types.statefulSet, "mlflow-statefulset").inputs as any;
                assert.deepEqual(restricted(types.statefulSet, set), []);
                assert.deepEqual(set.spec.volumeClaimTemplates.map((template: any) => [template.metadata.name, template.spec.resources.requests.storage]), [["artifacts", "10Gi"]]);
                assert.deepEqual(set.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
                assert.deepEqual(set.spec.template.spec.containers[0].volumeMounts.find((mount: any) => mount.name === "artifacts"), { name: "artifacts", mountPath: "/mlflow/artifacts" });
                for (const ordinal of [0, 1]) {
                    const claim = run.get(types.claim, `mlflow-artifacts-${ordinal}`);
                    assert.equal((claim.inputs as any).metadata.name, `artifacts-mlflow-${ordinal}`);
                    assert.equal(claim.protect, protect, `${stack} ordinal ${ordinal}`);
                    assert.ok(run.resources.find((resource) => resource.name === "mlflow-statefulset")!.dependencies.some((urn) => urn.endsWith(`::mlflow-artifacts-${ordinal}`)));
                }
            }
        });

        it("gives a Deployment with a ReadWriteOnce volume its claim and recreates it instead of surging", () => {
            for (const [stack, protect] of [["staging", false], ["production", true]] as const) {
                const run = runs[stack];
                const deployment = run.get(types.deployment, "reports-deployment").inputs as any;
                assert.deepEqual(deployment.spec.strategy, { type: "Recreate" });
                const claim = run.get(types.claim, "reports-cache");
                assert.deepEqual([(claim.inputs as any).metadata.name, (claim.inputs as any).spec.accessModes, claim.protect], ["reports-cache", ["ReadWriteOnce"], protect]);
                assert.deepEqual(deployment.spec.template.spec.volumes.find((volume: any) => volume.name === "cache"), { name: "cache", persistentVolumeClaim: { claimName: "reports-cache" } });
            }
        });

        it("counts the claims and holds every namespace at its peak", () => {
            for (const run of Object.values(runs)) {
                const hard = (namespace: string) => (run.get(types.quota, `${namespace}-quota`).inputs as any).spec.hard;
                // mlflow: two artifact claims, its database's and its backups'.
                assert.deepEqual([hard("mlflow").persistentvolumeclaims, hard("mlflow")["requests.storage"]], ["4", "30Gi"]);
                // reports: one pod, no surge; one claim.
                assert.deepEqual([hard("reports").pods, hard("reports").persistentvolumeclaims], ["1", "1"]);
                assert.deepEqual(overruns(run), []);
            }
        });
    });

    describe("placement", () => {
        it("places the tier's pods and jobs, keeping its spread across nodes and zones", () => {
            const run = runs.production;
            for (const [type, name] of [[types.statefulSet, "mlflow-statefulset"], [types.cronJob, "mlflow-cron-gc"]]) {
                const spec = pod(run, type, name).spec;
                assert.deepEqual([spec.nodeSelector, spec.tolerations, spec.affinity], [placement.nodeSelector, placement.tolerations, placement.affinity], name);
            }
            const spread = pod(run, types.statefulSet, "mlflow-statefulset").spec.topologySpreadConstraints;
            assert.deepEqual(spread.map((constraint: any) => [constraint.topologyKey, constraint.whenUnsatisfiable]),
                [["kubernetes.io/hostname", "DoNotSchedule"], ["topology.kubernetes.io/zone", "ScheduleAnyway"]]);
        });

        it("places the database and its backup job apart from the tier, and Redis where its own placement says", () => {
            const run = runs.production;
            for (const [type, name] of [[types.statefulSet, "mlflow-postgres-statefulset"], [types.cronJob, "mlflow-postgres-backup"]]) {
                const spec = pod(run, type, name).spec;
                assert.deepEqual([spec.nodeSelector, spec.tolerations, spec.affinity], [databasePlacement.nodeSelector, undefined, undefined], name);
            }
            const redis = pod(run, types.statefulSet, "redis-statefulset").spec;
            assert.deepEqual([redis.nodeSelector, redis.tolerations, redis.affinity], [undefined, redisPlacement.tolerations, undefined]);
        });

        it("leaves the pods of tiers without placement to the scheduler", () => {
            const spec = pod(runs.production, types.deployment, "backend-deployment").spec;
            assert.deepEqual([spec.nodeSelector, spec.tolerations, spec.affinity], [undefined, undefined, undefined]);
        });
    });
});
