import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as appBudget from "../components/apps/budget";
import * as cronJobs from "../components/apps/cron-jobs";
import * as dataBudget from "../components/data/budget";
import { Budget } from "../components/platform/sizing";
import { committedStacks, readConfigFile, runStack, StackRun, withTestSecrets } from "./support/program";
import { overruns, workloadNamespaces } from "./support/quota";

const nothing: Budget = { requestsCpu: 0, limitsCpu: 0, requestsMemory: 0, limitsMemory: 0, pods: 0, persistentVolumeClaims: 0, storage: 0 };

/** The program's run of a committed stack file or example, with its application secrets set as secrets. */
function runCommitted(stack: string, file: string): Promise<StackRun> {
    const { config, secretKeys } = withTestSecrets(readConfigFile(file));
    return runStack(stack, { config, secretKeys });
}

/**
 * The namespaces the program guards with a quota: every tier's, Redis's when a tier uses it, the CI
 * pipelines', and the monitoring add-on's two when it is on.
 */
function guardedNamespaces(file: string): string[] {
    const config = readConfigFile(file);
    const tiers = config["groundwork:tiers"] as { name: string; namespace?: string; redis?: boolean }[];
    const redis = config["groundwork:redis"] as { namespace?: string } | undefined;
    const addons = (config["groundwork:addons"] ?? {}) as {
        tekton?: { enabled?: boolean; ciNamespace?: string };
        monitoring?: { enabled?: boolean; namespace?: string; nodeExporterNamespace?: string };
    };
    const monitoring = addons.monitoring?.enabled
        ? [addons.monitoring.namespace ?? "monitoring", addons.monitoring.nodeExporterNamespace ?? "monitoring-node-exporter"]
        : [];
    return [
        ...tiers.map((tier) => tier.namespace ?? tier.name),
        ...(redis && tiers.some((tier) => tier.redis) ? [redis.namespace ?? "redis"] : []),
        ...(addons.tekton?.enabled === false ? [] : [addons.tekton?.ciNamespace ?? "ci"]),
        ...monitoring,
    ].sort();
}

describe("quota truth", function () {
    this.timeout(120000);
    const stacks = committedStacks();

    it("finds every stack file and example", () => {
        assert.ok(["local", "staging", "production"].every((stack) => stacks.some((found) => found.stack === stack)), stacks.map((found) => found.stack).join(", "));
    });

    for (const { stack, file } of stacks) {
        it(`${path.relative(path.resolve(__dirname, ".."), file)}: every namespace holds what the program creates in it at its peak`, async () => {
            const run = await runCommitted(stack, file);
            const quotaNamespaces = run.ofType("kubernetes:core/v1:ResourceQuota").map((quota) => (quota.inputs as any).metadata.namespace as string).sort();
            assert.deepEqual(quotaNamespaces, guardedNamespaces(file));
            const unguarded = workloadNamespaces(run).filter((namespace) => guardedNamespaces(file).includes(namespace) !== quotaNamespaces.includes(namespace));
            assert.deepEqual(unguarded, []);
            assert.deepEqual(overruns(run), []);
        });
    }

    // Each budget dropped in turn: the invariant must catch it, or it would not guard anything.
    const dropped: { name: string; owner: object; key: string }[] = [
        { name: "the app tier's (replicas, surge, volumes, jobs)", owner: appBudget, key: "appTierBudget" },
        { name: "the scheduled jobs'", owner: cronJobs, key: "cronJobsBudget" },
        { name: "PostgreSQL's (its pod, volume and backup job)", owner: dataBudget, key: "postgresBudget" },
        { name: "Redis's (its pod and volume)", owner: dataBudget, key: "redisBudget" },
    ];
    for (const { name, owner, key } of dropped) {
        it(`fails when ${name} budget is dropped`, async () => {
            const original = (owner as Record<string, unknown>)[key];
            (owner as Record<string, unknown>)[key] = () => nothing;
            try {
                const staging = stacks.find((found) => found.stack === "staging")!;
                const run = await runCommitted(staging.stack, staging.file);
                assert.notDeepEqual(overruns(run), []);
            } finally {
                (owner as Record<string, unknown>)[key] = original;
            }
        });
    }
});
