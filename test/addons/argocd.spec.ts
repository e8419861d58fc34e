import * as assert from "node:assert/strict";
import { syncWaves } from "../../components/addons/argocd";
import { versions } from "../../components/versions";
import { AddonsRun, deployRepository, everyAddon, prefixed, runAddons, types } from "./harness";

/** everyAddon()'s add-ons with applications of every kind and the given sync settings. */
function stagingAddons(sync?: Record<string, unknown>, kinds: string[] = ["crds", "operator", "app"]): Record<string, unknown> {
    return everyAddon("staging", (addons) => {
        addons.argocd.applications = kinds.map((kind) => ({ name: `${kind}-x`, repository: deployRepository, path: `staging/${kind}`, namespace: "backend", kind }));
        if (sync) {
            addons.argocd.sync = sync;
        }
    });
}

/** The parent Application and its children as the argocd-apps chart receives them (it renders one Application per entry). */
const appOfApps = (run: AddonsRun) => run.ofType(types.application).find((application) => application.inputs.metadata.name === "staging-applications")!;
const children = (run: AddonsRun): Record<string, any> => appOfApps(run).inputs.spec.source.helm.valuesObject.applications;

describe("argocd: projects, sync waves and automated sync", () => {
    const runs: Record<string, AddonsRun> = {};
    before(async () => {
        runs.waves = await runAddons(stagingAddons());
        runs.manual = await runAddons(stagingAddons({ prune: false, selfHeal: false, retry: { limit: 3, backoff: { duration: "30s", factor: 3, maxDuration: "10m" } } }));
        runs.appsOnly = await runAddons(stagingAddons(undefined, ["app"]));
    });

    it("gives each kind a project admitting only the cluster-scoped kinds it needs, named one by one", () => {
        const { default: builtIn, ...projects } = Object.fromEntries(runs.waves.ofType(types.appProject).map((project) => [project.inputs.metadata.name, project.inputs.spec]));
        assert.deepEqual(Object.keys(projects).sort(), ["staging", "staging-app-of-apps", "staging-crds", "staging-operators"]);
        // Argo CD's own `default` project admits no repository, destination or kind.
        assert.deepEqual([builtIn.sourceRepos, builtIn.destinations, builtIn.clusterResourceWhitelist, builtIn.namespaceResourceWhitelist], [[], [], [], []]);
        const kinds = (project: string) => projects[project].clusterResourceWhitelist.map((entry: { group: string; kind: string }) => `${entry.group}/${entry.kind}`).sort();
        assert.deepEqual(kinds("staging"), []);
        assert.deepEqual(kinds("staging-crds"), ["apiextensions.k8s.io/CustomResourceDefinition"]);
        assert.deepEqual(kinds("staging-operators"), [
            "admissionregistration.k8s.io/MutatingWebhookConfiguration",
            "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
            "apiextensions.k8s.io/CustomResourceDefinition",
            "rbac.authorization.k8s.io/ClusterRole",
            "rbac.authorization.k8s.io/ClusterRoleBinding",
        ]);
        for (const spec of Object.values(projects) as any[]) {
            assert.ok(spec.clusterResourceWhitelist.every((entry: { group: string; kind: string }) => entry.group !== "*" && entry.kind !== "*"), JSON.stringify(spec.clusterResourceWhitelist));
        }
        for (const name of ["staging", "staging-crds", "staging-operators"]) {
            assert.deepEqual(projects[name].namespaceResourceBlacklist.map((entry: { kind: string }) => entry.kind), ["ResourceQuota", "LimitRange", "NetworkPolicy"], name);
        }
        // The parent may only place Applications in Argo CD's namespace, from the chart repository that renders them.
        assert.deepEqual(projects["staging-app-of-apps"].namespaceResourceWhitelist, [{ group: "argoproj.io", kind: "Application" }]);
        assert.deepEqual(projects["staging-app-of-apps"].destinations, [{ server: "https://kubernetes.default.svc", namespace: "argocd" }]);
        assert.deepEqual(projects["staging-app-of-apps"].sourceRepos, [versions.argoCdRenderedCharts.argocdApps.repository]);
        assert.deepEqual(runs.appsOnly.ofType(types.appProject).map((project) => project.inputs.metadata.name).sort(), ["default", "staging", "staging-app-of-apps"]);
    });

    it("orders CRDs, operators, apps where Argo CD reads it: sync waves on the app-of-apps' children, and their health in argocd-cm", () => {
        // No ApplicationSet: Argo CD ignores sync waves on the Applications one generates.
        assert.deepEqual(runs.waves.ofType(types.applicationSet), []);
        const parent = appOfApps(runs.waves);
        const { argocdApps } = versions.argoCdRenderedCharts;
        assert.deepEqual({ repoURL: parent.inputs.spec.source.repoURL, chart: parent.inputs.spec.source.chart, targetRevision: parent.inputs.spec.source.targetRevision },
            { repoURL: argocdApps.repository, chart: argocdApps.name, targetRevision: argocdApps.version });
        assert.equal(parent.inputs.spec.project, "staging-app-of-apps");
        assert.deepEqual(parent.inputs.spec.syncPolicy.automated, { prune: true, selfHeal: true });

        const apps = children(runs.waves);
        const wave = (name: string) => Number(apps[name].additionalAnnotations["argocd.argoproj.io/sync-wave"]);
        assert.ok(wave("crds-x") < wave("operator-x") && wave("operator-x") < wave("app-x"), `waves ${wave("crds-x")}, ${wave("operator-x")}, ${wave("app-x")}`);
        assert.deepEqual([wave("crds-x"), wave("operator-x"), wave("app-x")], [syncWaves.crds, syncWaves.operator, syncWaves.app]);
        assert.deepEqual(Object.fromEntries(Object.entries(apps).map(([name, app]) => [name, [app.project, app.namespace, app.destination.namespace]])), {
            "crds-x": ["staging-crds", "argocd", "backend"],
            "operator-x": ["staging-operators", "argocd", "backend"],
            "app-x": ["staging", "argocd", "backend"],
        });
        assert.deepEqual(apps["app-x"].source, { repoURL: deployRepository, path: "staging/app", targetRevision: "HEAD" });
        // Removing an application deletes what it deployed, but never CRDs.
        assert.equal(apps["crds-x"].finalizers, undefined);
        assert.deepEqual(apps["app-x"].finalizers, ["resources-finalizer.argocd.argoproj.io"]);

        // Without a health assessment for Applications, each wave would count as done as soon as its children exist.
        const health: string = runs.waves.get(types.chart, "addons-argocd-argo-cd").inputs.values.configs.cm["resource.customizations.health.argoproj.io_Application"];
        assert.match(health, /obj\.status\.health\.status/);
        assert.match(health, /return health/);
    });

    it("syncs automatically with the stack's prune and self-heal, never prunes CRDs, and retries with backoff", () => {
        const policy = (run: AddonsRun, name: string) => children(run)[name].syncPolicy;
        assert.deepEqual(policy(runs.waves, "app-x").automated, { prune: true, selfHeal: true });
        assert.deepEqual(policy(runs.waves, "app-x").retry, { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "5m" } });
        assert.deepEqual(policy(runs.manual, "app-x").automated, { prune: false, selfHeal: false });
        assert.deepEqual(policy(runs.manual, "operator-x").retry, { limit: 3, backoff: { duration: "30s", factor: 3, maxDuration: "10m" } });
        assert.deepEqual(appOfApps(runs.manual).inputs.spec.syncPolicy.automated, { prune: false, selfHeal: false });
        assert.deepEqual(policy(runs.waves, "crds-x").automated, { prune: false, selfHeal: true });
        assert.ok(policy(runs.waves, "crds-x").syncOptions.includes("ServerSideApply=true"));
        for (const name of ["operator-x", "app-x"]) {
            assert.ok(policy(runs.waves, name).syncOptions.includes("SkipDryRunOnMissingResource=true"), name);
            assert.ok(policy(runs.waves, name).syncOptions.includes("CreateNamespace=false"), name);
        }
    });

    it("declares a chart mirror to Argo CD, with its login, so that it can render the app-of-apps", async () => {
        const run = await runAddons({
            ...stagingAddons(),
            "groundwork:charts": { source: "oci", url: "oci://registry.example.com/charts/", username: "robot" },
            ...prefixed({ chartRepositoryPassword: "oci-password" }),
        });
        assert.equal(appOfApps(run).inputs.spec.source.repoURL, "registry.example.com/charts");
        const mirror = run.ofType(types.secret).find((secret) => secret.inputs.metadata.name === "repository-chart-mirror")!;
        assert.equal(mirror.inputs.metadata.labels["argocd.argoproj.io/secret-type"], "repository");
        assert.deepEqual(mirror.inputs.stringData, { type: "helm", name: "chart-mirror", url: "registry.example.com/charts", enableOCI: "true", username: "robot", password: "oci-password" });
        assert.ok(mirror.secretInputs.includes("stringData"), "the mirror's login is secret");
    });

    const bad: { what: string; sync: Record<string, unknown>; message: RegExp }[] = [
        { what: "a backoff without a unit", sync: { retry: { backoff: { duration: "10" } } }, message: /groundwork:addons\.argocd\.sync\.retry\.backoff\.duration \("10"\) must be a duration in whole seconds, minutes or hours/ },
        { what: "a backoff cap below its start", sync: { retry: { backoff: { duration: "10m", maxDuration: "1m" } } }, message: /groundwork:addons\.argocd\.sync\.retry\.backoff\.maxDuration \("1m"\) must be >= backoff\.duration \(10m\)/ },
        { what: "no retries", sync: { retry: { limit: 0 } }, message: /groundwork:addons\.argocd\.sync\.retry\.limit \(0\) must be at least 1/ },
        { what: "prune as a string", sync: { prune: "yes" }, message: /groundwork:addons\.argocd\.sync\.prune \("yes"\)/ },
    ];
    for (const { what, sync, message } of bad) {
        it(`rejects ${what}`, async () => {
            await assert.rejects(runAddons(stagingAddons(sync)), (error: Error) => {
                assert.match(error.message, message);
                return true;
            });
        });
    }

    it("rejects applications when Argo CD could not fetch the app-of-apps chart", async () => {
        await assert.rejects(runAddons({ ...stagingAddons(), "groundwork:charts": { source: "local", directory: "/srv/charts" } }),
            /groundwork:addons\.argocd\.applications \(.*\) are the children of an app-of-apps that Argo CD's repo server renders from the chart argocd-apps 2\.0\.5, which it cannot read from a local chart directory/);
    });

    it("rejects an application of an unknown kind", async () => {
        const overrides = stagingAddons() as any;
        overrides["groundwork:addons"].argocd.applications[0].kind = "controller";
        await assert.rejects(runAddons(overrides), /groundwork:addons\.argocd\.applications\[0\]\.kind \("controller"\) must be one of "crds", "operator", "app"/);
    });
});
