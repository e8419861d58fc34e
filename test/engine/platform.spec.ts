/**
 * The whole platform (the local stack's config) deployed into a live control plane on loopback,
 * with the real engine and Pulumi's normal await logic. One deployment is shared by the tests, in
 * order: what the API server accepts, measures and refuses is the judge, not a mock.
 */
import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ApiClient, ControlPlane } from "../../tools/cluster/control-plane";
import { KubeObject } from "../../tools/cluster/emulation";
import { workloads } from "../../tools/cluster/workloads";
import { EventLog } from "../../tools/engine/session";
import { clusterRunConfig } from "../../tools/engine/stack-config";
import { ThrowawayStack, chartRepositoryUrl, engineConfig, startTestControlPlane, throwawayStack, withPolicy } from "./support";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

/** Pulumi's wait on every Deployment: short where a test expects a failure, so that it reports within seconds, not the default ten minutes. */
function deploymentTimeout(seconds: number): pulumi.ResourceTransform {
    return (args) => (args.type === DEPLOYMENT ? { props: args.props, opts: pulumi.mergeOptions(args.opts, { customTimeouts: { create: `${seconds}s`, update: `${seconds}s` } }) } : undefined);
}

async function eventually<T>(what: string, seconds: number, check: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
        const result = await check();
        if (result !== undefined) {
            return result;
        }
        if (Date.now() > deadline) {
            throw new Error(`${what}: not within ${seconds} s`);
        }
        await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
}

/** Every object the API server lists, as `group/Kind namespace/name`, over every listable resource it serves. */
async function inventory(api: ApiClient): Promise<Set<string>> {
    type ResourceList = { groupVersion: string; resources: { name: string; kind: string; verbs: string[] }[] };
    const groups = (await api.get<{ groups: { preferredVersion: { groupVersion: string } }[] }>("/apis")).groups;
    const lists = [await api.get<ResourceList>("/api/v1"), ...await Promise.all(groups.map((group) => api.get<ResourceList>(`/apis/${group.preferredVersion.groupVersion}`)))];
    const names = new Set<string>();
    for (const list of lists) {
        const base = list.groupVersion === "v1" ? "/api/v1" : `/apis/${list.groupVersion}`;
        for (const resource of list.resources.filter((candidate) => !candidate.name.includes("/") && candidate.verbs.includes("list"))) {
            for (const object of (await api.list(`${base}/${resource.name}`)) ?? []) {
                names.add(`${list.groupVersion.split("/")[0]}/${resource.kind} ${object.metadata.namespace ?? ""}/${object.metadata.name}`);
            }
        }
    }
    return names;
}

/** Kinds that come and go with the cluster's own activity, not with what the program deploys. */
const CLUSTER_ACTIVITY = /^(v1\/Event|events\.k8s\.io\/Event|coordination\.k8s\.io\/Lease) /;

describe("engine: the platform in a live cluster", () => {
    let cluster: ControlPlane;
    let platform: ThrowawayStack;
    let baseline: Set<string>;
    /** Set by a test that expects a rollout to fail; read by the program's transform. */
    let failFastSeconds: number | undefined;

    before(async function () {
        cluster = await startTestControlPlane(this, "platform-cluster");
        baseline = await inventory(cluster.api);
        const { platform: program } = await import("../../components/program");
        platform = await throwawayStack(this, "platform", clusterRunConfig(engineConfig("local"), cluster), async () => {
            pulumi.runtime.registerResourceTransform((args) => (failFastSeconds === undefined ? undefined : deploymentTimeout(failFastSeconds)(args)));
            return program();
        });
    });

    after(async () => {
        await cluster?.stop();
    });

    it("up succeeds with the policy pack, and the API server reports every Deployment and StatefulSet ready", async () => {
        const events = new EventLog();
        const result = await platform.stack.up(withPolicy(events));
        assert.ok((result.summary.resourceChanges?.create ?? 0) > 150, JSON.stringify(result.summary.resourceChanges));
        assert.deepEqual(events.findings.filter((finding) => finding.level === "mandatory"), []);
        const all = await workloads(cluster.api);
        assert.ok(all.filter((workload) => workload.kind === "Deployment").length >= 5, JSON.stringify(all));
        assert.ok(all.filter((workload) => workload.kind === "StatefulSet").length >= 4, JSON.stringify(all));
        assert.deepEqual(all.filter((workload) => !workload.ready), []);
    });

    it("a second up makes no changes", async () => {
        const events = new EventLog();
        const result = await platform.stack.up(withPolicy(events));
        assert.deepEqual(Object.keys(result.summary.resourceChanges ?? {}), ["same"]);
        assert.deepEqual(events.changed(), []);
    });

    it("every namespace's quota admits its peak: a rollout of every Deployment (with surge) and a run of every backup at once", async () => {
        const api = cluster.api;
        const since = new Date(Date.now() - 1_000).toISOString();
        // Deployments only: they roll out with surge. A StatefulSet replaces its pod (delete, then
        // create), adding nothing to the peak, and its create can race the quota controller's
        // recount of the deleted pod, a refusal the controller retries, not a budget error.
        const rolled: string[] = [];
        for (const deployment of (await api.list("/apis/apps/v1/deployments")) ?? []) {
            const { namespace, name } = deployment.metadata;
            await api.patch(`/apis/apps/v1/namespaces/${namespace}/deployments/${name}`, {
                spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": since } } } },
            });
            rolled.push(`${namespace}/${name}`);
        }
        const cronJobs = (await api.list("/apis/batch/v1/cronjobs")) ?? [];
        assert.ok(cronJobs.length >= 3, "a backup CronJob per database");
        for (const cronJob of cronJobs) {
            const { namespace, name } = cronJob.metadata;
            const template = (cronJob.spec as { jobTemplate: { metadata?: Record<string, unknown>; spec: Record<string, unknown> } }).jobTemplate;
            // Owned by the CronJob, as `kubectl create job --from=cronjob/…` makes it: deleting the CronJob deletes it.
            const owner = { apiVersion: "batch/v1", kind: "CronJob", name, uid: cronJob.metadata.uid, controller: true };
            await api.apply(`/apis/batch/v1/namespaces/${namespace}/jobs`, {
                apiVersion: "batch/v1",
                kind: "Job",
                metadata: { ...template.metadata, name: `${name}-peak`, ownerReferences: [owner] },
                spec: template.spec,
            });
        }
        await eventually("every rollout done and every backup run complete", 180, async () => {
            const pending = (await workloads(api)).filter((workload) => !workload.ready);
            const jobs = ((await api.list("/apis/batch/v1/jobs")) ?? []).filter((job) => job.metadata.name.endsWith("-peak"));
            const complete = jobs.filter((job) => ((job.status?.succeeded as number | undefined) ?? 0) > 0);
            return pending.length === 0 && complete.length === cronJobs.length ? true : undefined;
        });
        const refused = ((await api.list("/api/v1/events")) ?? [])
            .map((event) => event as KubeObject & { reason?: string; message?: string; lastTimestamp?: string; eventTime?: string })
            .filter((event) => (event.lastTimestamp ?? event.eventTime ?? "") >= since && /exceeded quota|forbidden/i.test(event.message ?? ""))
            .map((event) => `${event.metadata.namespace}: ${event.reason}: ${event.message}`);
        assert.deepEqual(refused, [], `rolled ${rolled.length} workloads`);
    });

    it("a privileged pod from the fixture chart is refused in a tier namespace by Pod Security admission, the policy pack off", async function () {
        const { stack } = await throwawayStack(this, "platform-privileged", { "groundwork:environment": "local", "groundwork:tiers": [] }, async () => {
            pulumi.runtime.registerResourceTransform(deploymentTimeout(20));
            const provider = new k8s.Provider("cluster", { kubeconfig: cluster.kubeconfig });
            new k8s.helm.v4.Chart("privileged-demo", { chart: "privileged-demo", namespace: "backend", repositoryOpts: { repo: chartRepositoryUrl } }, { provider });
            return {};
        });
        await assert.rejects(stack.up(), /privileged-demo/);
        const deployment = await cluster.api.get<KubeObject>("/apis/apps/v1/namespaces/backend/deployments/privileged-demo");
        const failure = ((deployment.status?.conditions ?? []) as { type: string; message: string }[]).find((condition) => condition.type === "ReplicaFailure");
        assert.match(failure?.message ?? JSON.stringify(deployment.status), /violates PodSecurity "restricted:v1\.\d+": privileged \(container "privileged" must not set securityContext\.privileged=true\)/);
        const pods = ((await cluster.api.list("/api/v1/namespaces/backend/pods")) ?? []).filter((pod) => pod.metadata.name.startsWith("privileged-demo"));
        assert.deepEqual(pods, []);
        await stack.destroy();
    });

    it("a bad image set in config rolls out through the normal update, and Pulumi fails naming the Deployment within a minute, the pull failure on the API server", async () => {
        const key = "groundwork:tiers[0].image";
        const good = (await platform.stack.getConfig(key, true)).value;
        const bad = "registry.invalid/groundwork/backend:1.0.0";
        await platform.stack.setConfig(key, { value: bad }, true);
        failFastSeconds = 45;
        const started = Date.now();
        try {
            await assert.rejects(platform.stack.up(withPolicy(new EventLog())), /"backend\/backend" failed to fully initialize or become live: 'backend' timed out waiting to be Ready[\s\S]*Minimum number of Pods/);
        } finally {
            failFastSeconds = undefined;
            await platform.stack.setConfig(key, { value: good }, true);
        }
        assert.ok(Date.now() - started < 120_000, `took ${Math.round((Date.now() - started) / 1000)} s`);
        // The rollout kept the old pod serving (maxUnavailable 0 for one replica) while the new one cannot pull.
        const pods = ((await cluster.api.list("/api/v1/namespaces/backend/pods")) ?? []) as (KubeObject & { spec: { containers: { image: string }[] } })[];
        const waiting = pods.filter((pod) => pod.spec.containers[0].image === bad)
            .map((pod) => ((pod.status?.containerStatuses ?? []) as { state: { waiting?: { reason: string } } }[])[0]?.state.waiting?.reason);
        assert.deepEqual(waiting, ["ImagePullBackOff"]);
        await platform.stack.up(withPolicy(new EventLog()));
        assert.deepEqual((await workloads(cluster.api)).filter((workload) => !workload.ready), []);
    });

    it("destroy with data protection on keeps the database claims; without it, leaves no Groundwork object behind", async () => {
        const claims = async () => ((await cluster.api.list("/api/v1/persistentvolumeclaims")) ?? []).map((claim) => `${claim.metadata.namespace}/${claim.metadata.name}`).sort();
        const before = await claims();
        assert.ok(before.length >= 4, JSON.stringify(before));
        await platform.stack.setConfig("groundwork:protectData", { value: "true" });
        await platform.stack.up(withPolicy(new EventLog()));
        await assert.rejects(platform.stack.destroy(), /protected/);
        assert.deepEqual(await claims(), before);

        await platform.stack.setConfig("groundwork:protectData", { value: "false" });
        await platform.stack.up(withPolicy(new EventLog()));
        await platform.stack.destroy();
        const left = await eventually("the cluster back to what it held before the deploy", 60, async () => {
            const leftovers = [...await inventory(cluster.api)].filter((name) => !baseline.has(name) && !CLUSTER_ACTIVITY.test(name));
            return leftovers.length === 0 ? leftovers : undefined;
        }).catch(async () => [...await inventory(cluster.api)].filter((name) => !baseline.has(name) && !CLUSTER_ACTIVITY.test(name)));
        assert.deepEqual(left, []);
    });
});
