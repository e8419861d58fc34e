import * as assert from "node:assert/strict";
import { syncWaves } from "../../components/addons/argocd";
import { readStackConfig } from "../support/program";
import { AddonsRun, dependsOn, runAddons, types } from "./harness";

const deployRepository = "https://git.example.com/groundwork-platform/deploy.git";

/** Staging's add-ons with applications of every kind and the given sync settings. */
function stagingAddons(sync?: Record<string, unknown>, kinds: string[] = ["crds", "operator", "app"]): Record<string, unknown> {
    const addons = structuredClone(readStackConfig("staging")["groundwork:addons"]) as any;
    addons.argocd.applications = kinds.map((kind) => ({ name: `${kind}-x`, repository: deployRepository, path: `staging/${kind}`, namespace: "backend", kind }));
    if (sync) {
        addons.argocd.sync = sync;
    }
    return { "groundwork:addons": addons };
}

const setNamed = (run: AddonsRun, name: string) => run.ofType(types.applicationSet).find((set) => set.inputs.metadata.name === name)!;

describe("argocd: projects, sync waves and automated sync", () => {
    const runs: Record<string, AddonsRun> = {};
    before(async () => {
        runs.waves = await runAddons("staging", stagingAddons());
        runs.manual = await runAddons("staging", stagingAddons({ prune: false, selfHeal: false, retry: { limit: 3, backoff: { duration: "30s", factor: 3, maxDuration: "10m" } } }));
        runs.appsOnly = await runAddons("staging", stagingAddons(undefined, ["app"]));
    });

    it("keeps the environment's project locked cluster-wide, and lets only the CRD project create CustomResourceDefinitions", () => {
        const { default: builtIn, ...projects } = Object.fromEntries(runs.waves.ofType(types.appProject).map((project) => [project.inputs.metadata.name, project.inputs.spec]));
        assert.deepEqual(Object.keys(projects).sort(), ["staging", "staging-crds"]);
        // Argo CD's own `default` project admits no repository, destination or kind.
        assert.deepEqual([builtIn.sourceRepos, builtIn.destinations, builtIn.clusterResourceWhitelist, builtIn.namespaceResourceWhitelist], [[], [], [], []]);
        assert.deepEqual(projects.staging.clusterResourceWhitelist, []);
        assert.deepEqual(projects["staging-crds"].clusterResourceWhitelist, [{ group: "apiextensions.k8s.io", kind: "CustomResourceDefinition" }]);
        for (const spec of Object.values(projects) as any[]) {
            assert.deepEqual(spec.namespaceResourceBlacklist.map((entry: { kind: string }) => entry.kind), ["ResourceQuota", "LimitRange", "NetworkPolicy"]);
        }
        assert.deepEqual(runs.appsOnly.ofType(types.appProject).map((project) => project.inputs.metadata.name).sort(), ["default", "staging"]);
    });

    it("orders the ApplicationSets CRDs, operators, apps: sync waves, and each set waits for the one before", () => {
        const [crds, operators, apps] = ["staging-crds", "staging-operators", "staging-applications"].map((name) => setNamed(runs.waves, name));
        const wave = (set: typeof crds) => Number(set.inputs.spec.template.metadata.annotations["argocd.argoproj.io/sync-wave"]);
        assert.ok(wave(crds) < wave(operators) && wave(operators) < wave(apps), `waves ${wave(crds)}, ${wave(operators)}, ${wave(apps)}`);
        assert.deepEqual([wave(crds), wave(operators), wave(apps)], [syncWaves.crds, syncWaves.operator, syncWaves.app]);
        assert.ok(dependsOn(operators, crds) && dependsOn(apps, operators), "each set depends on the one before it");
        assert.ok(!dependsOn(crds, operators) && !dependsOn(crds, apps));
        assert.equal(crds.inputs.spec.template.spec.project, "staging-crds");
        assert.equal(operators.inputs.spec.template.spec.project, "staging");
        assert.equal(apps.inputs.spec.template.spec.project, "staging");
        assert.deepEqual(crds.inputs.spec.generators[0].list.elements.map((element: { name: string }) => element.name), ["crds-x"]);
        // The apps' set keeps its resource name from when it was the only one, so its URN does not change.
        assert.equal(apps.name, "addons-argocd-applications");
    });

    it("syncs automatically with the stack's prune and self-heal, never prunes CRDs, and retries with backoff", () => {
        const policy = (run: AddonsRun, name: string) => setNamed(run, name).inputs.spec.template.spec.syncPolicy;
        assert.deepEqual(policy(runs.waves, "staging-applications").automated, { prune: true, selfHeal: true });
        assert.deepEqual(policy(runs.waves, "staging-applications").retry, { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "5m" } });
        assert.deepEqual(policy(runs.manual, "staging-applications").automated, { prune: false, selfHeal: false });
        assert.deepEqual(policy(runs.manual, "staging-operators").retry, { limit: 3, backoff: { duration: "30s", factor: 3, maxDuration: "10m" } });
        assert.deepEqual(policy(runs.waves, "staging-crds").automated, { prune: false, selfHeal: true });
        assert.ok(policy(runs.waves, "staging-crds").syncOptions.includes("ServerSideApply=true"));
        assert.deepEqual(setNamed(runs.waves, "staging-crds").inputs.spec.syncPolicy, { preserveResourcesOnDeletion: true });
        for (const name of ["staging-operators", "staging-applications"]) {
            assert.ok(policy(runs.waves, name).syncOptions.includes("SkipDryRunOnMissingResource=true"), name);
            assert.ok(policy(runs.waves, name).syncOptions.includes("CreateNamespace=false"), name);
        }
    });

    const bad: { what: string; sync: Record<string, unknown>; message: RegExp }[] = [
        { what: "a backoff without a unit", sync: { retry: { backoff: { duration: "10" } } }, message: /groundwork:addons\.argocd\.sync\.retry\.backoff\.duration \("10"\) must be a duration in whole seconds, minutes or hours/ },
        { what: "a backoff cap below its start", sync: { retry: { backoff: { duration: "10m", maxDuration: "1m" } } }, message: /groundwork:addons\.argocd\.sync\.retry\.backoff\.maxDuration \("1m"\) must be >= backoff\.duration \(10m\)/ },
        { what: "no retries", sync: { retry: { limit: 0 } }, message: /groundwork:addons\.argocd\.sync\.retry\.limit \(0\) must be at least 1/ },
        { what: "prune as a string", sync: { prune: "yes" }, message: /groundwork:addons\.argocd\.sync\.prune \("yes"\)/ },
    ];
    for (const { what, sync, message } of bad) {
        it(`rejects ${what}`, async () => {
            await assert.rejects(runAddons("staging", stagingAddons(sync)), (error: Error) => {
                assert.match(error.message, message);
                return true;
            });
        });
    }

    it("rejects an application of an unknown kind", async () => {
        const overrides = stagingAddons() as any;
        overrides["groundwork:addons"].argocd.applications[0].kind = "controller";
        await assert.rejects(runAddons("staging", overrides), /groundwork:addons\.argocd\.applications\[0\]\.kind \("controller"\) must be one of "crds", "operator", "app"/);
    });
});
