import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { tektonSchema } from "../../../components/addons/tekton/config";
import { CiPipelines } from "../../../components/addons/ci/pipelines";
import { ciAlertRules } from "../../../components/addons/ci/monitoring";
import { cleanupTaskSpec, deployTaskSpec } from "../../../components/addons/ci/tasks";
import { formatBytes, formatCpu } from "../../../components/platform/quantity";
import { comparisons, promqlErrors } from "../../support/promql";
import { AddonResource, AddonsRun, dependsOn, everyAddon, repositoryOf, runAddons, tierNames, types } from "../harness";

const crds = ["widgets.example.com", "gadgets.example.com"];

/** everyAddon()'s add-ons with backend's manifests using two CRDs. */
function stagingWithCrds(change: (addons: any) => void = () => undefined): Record<string, unknown> {
    return everyAddon("staging", (addons) => {
        addons.tekton.pipelines[0].deploy = { manifests: "k8s", crds };
        change(addons);
    });
}

type Step = { name: string; script: string };
const step = (spec: Record<string, unknown>, name: string) => (spec.steps as Step[]).find((candidate) => candidate.name === name)!;

/**
 * Runs a step's script with a stub kubectl on PATH that logs its arguments and answers from `answers`
 * (argument prefix → [exit status, output]); returns the exit status, stderr and the kubectl calls.
 */
function runScript(script: string, env: Record<string, string>, answers: [string, number, string][]): { status: number; stderr: string; calls: string[] } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "groundwork-ci-"));
    try {
        const log = path.join(dir, "calls");
        const cases = answers.map(([prefix, status, output]) => `  "${prefix}"*) printf '%s' '${output}'; exit ${status} ;;`).join("\n");
        fs.writeFileSync(path.join(dir, "kubectl"), `#!/bin/sh\necho "$*" >> "${log}"\ncase "$*" in\n${cases}\nesac\nexit 0\n`, { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "step.sh"), script, { mode: 0o755 });
        const result = spawnSync("sh", [path.join(dir, "step.sh")], { env: { PATH: `${dir}:/usr/bin:/bin`, ...env }, encoding: "utf8" });
        const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
        return { status: result.status ?? -1, stderr: result.stderr, calls };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("ci: deploy and cleanup pipelines", () => {
    describe("the deploy task", () => {
        const verify = step(deployTaskSpec(), "verify-crds").script;

        it("runs its steps in order: clone, verify CRDs, apply, wait for the rollout", () => {
            assert.deepEqual((deployTaskSpec().steps as Step[]).map((s) => s.name), ["clone", "verify-crds", "apply", "wait-for-rollout"]);
            assert.match(step(deployTaskSpec(), "wait-for-rollout").script, /kubectl rollout status --namespace "\$NAMESPACE" "deployment\/\$DEPLOYMENT" --timeout="\$TIMEOUT"/);
        });

        it("passes when every CRD is Established and NamesAccepted", () => {
            const run = runScript(verify, { CRDS: crds.join(" ") }, []);
            assert.equal(run.status, 0, run.stderr);
            assert.deepEqual(run.calls, crds.flatMap((crd) => ["Established", "NamesAccepted"].map((condition) => `wait --for=condition=${condition} --timeout=120s crd/${crd}`)));
        });

        it("stops before applying when a CRD's names are not accepted", () => {
            const run = runScript(verify, { CRDS: crds.join(" ") }, [["wait --for=condition=NamesAccepted --timeout=120s crd/gadgets", 1, ""]]);
            assert.equal(run.status, 1);
            assert.match(run.stderr, /CRD gadgets\.example\.com is not NamesAccepted: deploy stopped before applying anything/);
        });
    });

    describe("the cleanup task", () => {
        const removeCrds = step(cleanupTaskSpec(), "remove-crds").script;
        const deleteManifests = step(cleanupTaskSpec(), "delete-manifests").script;
        const twoWidgets = "default/a\nother/b\n";

        it("refuses to remove a CRD that still has instances, naming it and the way out", () => {
            const run = runScript(removeCrds, { CRDS: "widgets.example.com", FORCE: "false" }, [["get widgets.example.com --all-namespaces", 0, twoWidgets]]);
            assert.equal(run.status, 1);
            assert.match(run.stderr, /CRD widgets\.example\.com still has 2 instance\(s\): not removed \(rerun with force=true/);
            assert.ok(!run.calls.some((call) => call.startsWith("delete")), run.calls.join("\n"));
        });

        it("removes a CRD with instances when forced, and one without instances always", () => {
            const forced = runScript(removeCrds, { CRDS: "widgets.example.com", FORCE: "true" }, [["get widgets.example.com --all-namespaces", 0, twoWidgets]]);
            assert.equal(forced.status, 0, forced.stderr);
            assert.ok(forced.calls.includes("delete crd/widgets.example.com --wait --timeout=120s"));
            const empty = runScript(removeCrds, { CRDS: "gadgets.example.com", FORCE: "false" }, [["get gadgets.example.com --all-namespaces", 0, ""]]);
            assert.equal(empty.status, 0, empty.stderr);
            assert.ok(empty.calls.includes("delete crd/gadgets.example.com --wait --timeout=120s"));
        });

        it("lists objects held by finalizers and fails, or clears their finalizers when forced", () => {
            const answers: [string, number, string][] = [["delete --namespace", 1, ""], ["get --namespace backend --recursive", 0, "widget.example.com/a"]];
            const env = { NAMESPACE: "backend", MANIFESTS: "k8s" };
            const refused = runScript(deleteManifests, { ...env, FORCE: "false" }, answers);
            assert.equal(refused.status, 1);
            assert.match(refused.stderr, /held by finalizers \(rerun with force=true to clear them\)/);
            assert.ok(!refused.calls.some((call) => call.startsWith("patch")));
            const forced = runScript(deleteManifests, { ...env, FORCE: "true" }, answers);
            assert.equal(forced.status, 0, forced.stderr);
            assert.ok(forced.calls.includes("patch --namespace backend widget.example.com/a --type=merge -p {\"metadata\":{\"finalizers\":null}}"), forced.calls.join("\n"));
        });
    });

    describe("in a staging stack with every add-on", () => {
        let run: AddonsRun;
        before(async () => {
            run = await runAddons(stagingWithCrds());
        });
        const pipelineNamed = (name: string) => run.ofType(types.pipeline).find((pipeline) => pipeline.inputs.metadata.name === name)!;

        it("gives every tier a deploy and a cleanup pipeline with the tier's repository, namespace and CRDs", () => {
            for (const tier of tierNames) {
                for (const kind of ["deploy", "cleanup"]) {
                    const params = Object.fromEntries(pipelineNamed(`${tier}-${kind}`).inputs.spec.tasks[0].params.map((p: { name: string; value: string }) => [p.name, p.value]));
                    assert.equal(params.namespace, tier);
                    assert.equal(params.url, repositoryOf(tier));
                    assert.equal(params.crds, tier === "backend" ? crds.join(" ") : "");
                    assert.equal(params.manifests, tier === "backend" ? "k8s" : "deploy");
                }
            }
            assert.equal(pipelineNamed("backend-cleanup").inputs.spec.params.find((p: { name: string }) => p.name === "force").default, "false");
        });

        it("verifies each trigger's HMAC with a secret of its own from @pulumi/random, after routing by path", () => {
            const listener = run.ofType(types.eventListener)[0].inputs;
            const secretNames = new Set<string>();
            for (const tier of tierNames) {
                for (const kind of ["deploy", "cleanup"]) {
                    const trigger = listener.spec.triggers.find((t: { name: string }) => t.name === `${tier}-${kind}`);
                    assert.equal(trigger.interceptors[0].params[0].value, `requestURL.parseURL().path == '/${tier}/${kind}'`);
                    assert.equal(trigger.interceptors[1].ref.name, "github");
                    assert.deepEqual(trigger.interceptors[1].params[1].value, ["deployment"]);
                    assert.match(trigger.interceptors[2].params[0].value, new RegExp(`body\\.deployment\\.task == '${kind}' && body\\.deployment\\.environment == 'staging'`));
                    const secretName = trigger.interceptors[1].params[0].value.secretName;
                    secretNames.add(secretName);
                    const secret = run.ofType(types.secret).find((candidate) => candidate.inputs.metadata.name === secretName)!;
                    assert.equal(secret.inputs.stringData.secret, `mock-password-addons-tekton-${tier}-${kind}-hmac`);
                    assert.ok(secret.secretInputs.some((input) => input.startsWith("stringData")), `${secretName} reaches the engine as a secret`);
                }
            }
            assert.equal(secretNames.size, 6);
            const paths = listener.spec.triggers.map((t: { interceptors: { params: { value: unknown }[] }[] }) => t.interceptors[0].params[0].value);
            assert.equal(paths.filter((p: string) => p === "requestURL.parseURL().path == '/'").length, 3, "CI pushes stay on /");
        });

        it("lets deploy and cleanup touch the tier's namespace but not its guards, and delete only the tier's own CRDs", () => {
            const roles = run.ofType("kubernetes:rbac.authorization.k8s.io/v1:Role").filter((role) => role.name.startsWith("addons-tekton-backend-"));
            assert.deepEqual(roles.map((role) => role.inputs.metadata.namespace), ["backend", "backend"]);
            for (const role of roles) {
                const resources = role.inputs.rules.flatMap((rule: { resources: string[] }) => rule.resources);
                for (const guard of ["resourcequotas", "limitranges", "networkpolicies", "roles", "rolebindings"]) {
                    assert.ok(!resources.includes(guard) && !resources.includes("*"), `${role.name} may not touch ${guard}`);
                }
                assert.ok(resources.includes("widgets") && resources.includes("gadgets"), `${role.name}: the tier's custom resources`);
            }
            const clusterRole = (name: string) => run.get("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", name).inputs.rules;
            const deletes = (rules: { resources: string[]; verbs: string[]; resourceNames?: string[] }[]) => rules.filter((rule) => rule.verbs.includes("delete"));
            assert.deepEqual(deletes(clusterRole("addons-tekton-backend-deploy")), []);
            assert.deepEqual(deletes(clusterRole("addons-tekton-backend-cleanup")), [{ apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], resourceNames: crds, verbs: ["delete"] }]);
            assert.deepEqual(deletes(clusterRole("addons-tekton-executor-cleanup")), []);
        });

        it("guards the CI namespace: privileged for the image build, with a quota sized from the settings and default-deny", () => {
            const namespace = run.ofType(types.namespace).find((ns) => ns.inputs.metadata.name === "ci")!;
            assert.equal(namespace.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "privileged");
            const quota = run.get("kubernetes:core/v1:ResourceQuota", "addons-tekton-ci-namespace-quota").inputs;
            const budget = CiPipelines.budget(tektonSchema.parse((stagingWithCrds()["groundwork:addons"] as any).tekton), false);
            assert.equal(quota.metadata.namespace, "ci");
            assert.equal(quota.spec.hard.pods, String(budget.pods));
            assert.equal(quota.spec.hard["limits.cpu"], formatCpu(budget.limitsCpu));
            assert.equal(quota.spec.hard["requests.storage"], formatBytes(budget.storage));
            // One listener and its surge pod, and per concurrent run (2) the build pod and the affinity assistant.
            assert.equal(budget.pods, 2 + 2 * 2);
            // Three pipelines keep 5 runs' 2Gi workspaces, plus the two running.
            assert.equal(budget.persistentVolumeClaims, 3 * 5 + 2);
            assert.deepEqual(run.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "addons-tekton-ci-namespace-default-deny").inputs.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
            const listenerIngress = run.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "addons-tekton-listener-ingress").inputs.spec;
            const sources = listenerIngress.ingress.map((rule: any) => [rule.from[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"], rule.ports[0].port]);
            assert.deepEqual(sources, [["ingress-nginx", 8080], ["monitoring", 9000]]);
        });

        it("alerts on failed PipelineRuns and rejected webhooks once the monitoring CRDs exist", () => {
            const rule = run.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule").find((candidate) => candidate.inputs.metadata.namespace === "ci") as AddonResource;
            const monitoringChart = run.get(types.chart, "addons-monitoring-kube-prometheus-stack");
            assert.ok(dependsOn(rule, monitoringChart));
            const alerts = rule.inputs.spec.groups[0].rules;
            assert.deepEqual(alerts.map((alert: { alert: string }) => alert.alert), ["PipelineRunFailed", "WebhookAuthenticationFailures"]);
            for (const alert of alerts) {
                assert.deepEqual(promqlErrors(alert.expr), [], alert.alert);
                assert.deepEqual(comparisons(alert.expr).map((c) => [c.operator, c.threshold]), [[">", 0]]);
            }
            assert.match(alerts[0].expr, /tekton_pipelines_controller_pipelinerun_total\{namespace="ci",status="failed"\}/);
            assert.deepEqual(ciAlertRules("ci"), alerts);
        });

        it("creates no monitoring objects for CI when monitoring is off", async () => {
            const off = await runAddons(stagingWithCrds((addons) => { addons.monitoring.enabled = false; }));
            assert.deepEqual(off.resources.filter((resource) => resource.type.includes("monitoring.coreos.com")).map((resource) => resource.name), []);
            const listenerIngress = off.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "addons-tekton-listener-ingress").inputs.spec;
            assert.equal(listenerIngress.ingress.length, 1);
        });
    });

    describe("rejects bad pipeline config", () => {
        const cases: { what: string; change: (addons: any) => void; message: RegExp }[] = [
            { what: "a CRD without its group", change: (a) => { a.tekton.pipelines[0].deploy.crds = ["widgets"]; }, message: /groundwork:addons\.tekton\.pipelines\[0\]\.deploy\.crds\[0\] \("widgets"\) must be a CRD name <plural>\.<group>/ },
            { what: "manifests outside the repository", change: (a) => { a.tekton.pipelines[0].deploy.manifests = "../secrets"; }, message: /groundwork:addons\.tekton\.pipelines\[0\]\.deploy\.manifests \("\.\.\/secrets"\) must be a directory inside the repository/ },
            { what: "a rollout timeout without unit", change: (a) => { a.tekton.pipelines[0].deploy.rolloutTimeout = "300"; }, message: /deploy\.rolloutTimeout \("300"\) must be a duration in whole seconds or minutes/ },
            { what: "no concurrent runs", change: (a) => { a.tekton.concurrentRuns = 0; }, message: /groundwork:addons\.tekton\.concurrentRuns \(0\) must be at least 1/ },
            { what: "too many kept runs", change: (a) => { a.tekton.keepRuns = 100; }, message: /groundwork:addons\.tekton\.keepRuns \(100\) must be at most 50/ },
        ];
        for (const { what, change, message } of cases) {
            it(`rejects ${what}`, async () => {
                await assert.rejects(runAddons(stagingWithCrds(change)), (error: Error) => {
                    assert.match(error.message, message);
                    return true;
                });
            });
        }
    });
});
