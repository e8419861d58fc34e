/**
 * The stack's own Tekton objects (addons.tekton.manifests) and the webhooks that start them
 * (addons.tekton.webhooks): every file and reference is checked at validation, and each problem names
 * the key, the file and the fix. The KAS example's Tekton files, with webhooks like its, are the valid base.
 */
import * as assert from "node:assert/strict";
import { CiPipelines } from "../../components/addons/ci/pipelines";
import { aStack, aTier } from "../support/builders";
import { runStack } from "../support/program";
import { assertProblem, problemsOf } from "../support/problems";
import { kinds } from "../support/kinds";

const fixture = (name: string) => `test/fixtures/tekton/${name}.yaml`;
const kasFiles = ["examples/tekton/kas/tasks.yaml", "examples/tekton/kas/pipelines.yaml", "examples/tekton/kas/bindings.yaml"];

/**
 * A production stack of one tier (kas) whose CI namespace applies the KAS example's Tekton files and
 * starts its two pipelines from webhooks with generated keys, with `change` applied to its Tekton section.
 */
function kasWith(change: (tekton: any) => void = () => undefined): Record<string, unknown> {
    const tekton = {
        ciNamespace: "atonixcorp-tekton",
        webhookHost: "kas-webhooks.example.com",
        manifests: [...kasFiles],
        webhooks: [
            {
                name: "quantum-deploy", path: "/webhook/quantum-deploy", pipeline: "quantum-module-deployment", bindings: ["quantum-deploy"],
                workspaces: { "shared-data": { size: "1Gi" }, "kubeconfig": { secret: "kubeconfig-secret" } },
            },
            {
                name: "quantum-cleanup", path: "/webhook/quantum-cleanup", pipeline: "quantum-module-cleanup", bindings: ["quantum-cleanup"],
                workspaces: { kubeconfig: { secret: "kubeconfig-secret" } },
            },
        ],
    };
    change(tekton);
    return aStack("production").withTier(aTier("kas")).withAddons({ tekton }).build();
}

const at = "groundwork:addons.tekton";
const badConfigs: { name: string; change: (tekton: any) => void; expected: string }[] = [
    { name: "a file outside the project", change: (tekton) => { tekton.manifests = ["../pipelines.yaml"]; },
        expected: `${at}.manifests[0] ("../pipelines.yaml") must be a path inside the project, relative to Pulumi.yaml, such as "deploy/tekton/pipelines.yaml"` },
    { name: "a file that does not exist", change: (tekton) => { tekton.manifests = ["deploy/tekton/missing.yaml"]; },
        expected: `${at}.manifests[0] ("deploy/tekton/missing.yaml") names no file in the project` },
    { name: "a file of another kind", change: (tekton) => { tekton.manifests = [fixture("not-tekton")]; },
        expected: `${at}.manifests[0] ("${fixture("not-tekton")}") is not a file of Tekton Pipelines, Tasks and TriggerBindings: document 1 is v1 ConfigMap; a manifests file holds tekton.dev/v1 Pipeline, tekton.dev/v1 Task, triggers.tekton.dev/v1beta1 TriggerBinding` },
    { name: "a Pipeline at v1beta1", change: (tekton) => { tekton.manifests = [fixture("beta-pipeline")]; },
        expected: `${at}.manifests[0] ("${fixture("beta-pipeline")}") is not a file of Tekton Pipelines, Tasks and TriggerBindings: document 1 is tekton.dev/v1beta1 Pipeline` },
    { name: "an object that sets its namespace", change: (tekton) => { tekton.manifests = [fixture("namespaced-task")]; },
        expected: `${at}.manifests[0] ("${fixture("namespaced-task")}") is not a file of Tekton Pipelines, Tasks and TriggerBindings: document 1 (Task elsewhere) sets metadata.namespace: remove it` },
    { name: "a step image on latest", change: (tekton) => { tekton.manifests = [fixture("unpinned-task")]; },
        expected: `${at}.manifests[0] ("${fixture("unpinned-task")}") is not a file of Tekton Pipelines, Tasks and TriggerBindings: document 1 (Task floating) spec.steps[0].image ("docker.io/library/alpine:latest") must not use the "latest" tag` },
    { name: "a name that is no DNS label", change: (tekton) => { tekton.manifests = [fixture("bad-name")]; },
        expected: `${at}.manifests[0] ("${fixture("bad-name")}") is not a file of Tekton Pipelines, Tasks and TriggerBindings: document 1 (Task) has metadata.name "Check_CRD": it must be a lower-case RFC 1123 label` },
    { name: "a TriggerBinding param without a value", change: (tekton) => { tekton.manifests = [fixture("binding-without-values")]; },
        expected: `${at}.manifests[0] ("${fixture("binding-without-values")}") is not a file of Tekton Pipelines, Tasks and TriggerBindings: document 1 (TriggerBinding loose) spec.params must list {name, value} pairs` },
    { name: "a Pipeline without tasks", change: (tekton) => { tekton.manifests = [fixture("empty-pipeline")]; },
        expected: `${at}.manifests[0] ("${fixture("empty-pipeline")}") is not a file of Tekton Pipelines, Tasks and TriggerBindings: document 1 (Pipeline nothing-to-do) spec.tasks must list at least one task` },
    { name: "a Task without steps, its params not named", change: (tekton) => { tekton.manifests = [fixture("stepless-task")]; },
        expected: `${at}.manifests[0] ("${fixture("stepless-task")}") is not a file of Tekton Pipelines, Tasks and TriggerBindings: document 1 (Task idle) spec.params must be a list of {name: ...}; document 1 (Task idle) spec.steps must list at least one step` },
    { name: "a file listed twice", change: (tekton) => { tekton.manifests = [...kasFiles, kasFiles[2]]; },
        expected: `${at}.manifests[3] ("examples/tekton/kas/bindings.yaml") defines TriggerBinding quantum-deploy, which examples/tekton/kas/bindings.yaml defines too` },
    { name: "a Task named like one of Groundwork's", change: (tekton) => { tekton.manifests = [...kasFiles, fixture("own-task-name")]; },
        expected: `${at}.manifests[3] ("test/fixtures/tekton/own-task-name.yaml") defines Task git-clone, which Groundwork's own CI pipelines use: rename it` },
    { name: "a Pipeline running a Task no file defines", change: (tekton) => { tekton.manifests = [...kasFiles, fixture("missing-task")]; },
        expected: `${at}.manifests[3] ("test/fixtures/tekton/missing-task.yaml") Pipeline orphan, task one: taskRef no-such-task names no Task in manifests` },
    { name: "a Pipeline passing a param its Task does not declare", change: (tekton) => { tekton.manifests = [...kasFiles, fixture("wrong-params")]; },
        expected: `${at}.manifests[3] ("test/fixtures/tekton/wrong-params.yaml") Pipeline mismatched, task wait: passes param crd, which Task check-crd-readiness does not declare (it declares crd-name, timeout)` },
    { name: "a Pipeline leaving a required Task param unset", change: (tekton) => { tekton.manifests = [...kasFiles, fixture("wrong-params")]; },
        expected: `${at}.manifests[3] ("test/fixtures/tekton/wrong-params.yaml") Pipeline mismatched, task wait: passes no value for param crd-name of Task check-crd-readiness, which has no default` },
    { name: "a Pipeline task binding a workspace the Pipeline lacks", change: (tekton) => { tekton.manifests = [...kasFiles, fixture("wrong-params")]; },
        expected: `${at}.manifests[3] ("test/fixtures/tekton/wrong-params.yaml") Pipeline mismatched, task wait: binds workspace scratch, which the Pipeline does not declare` },
    { name: "a Task referring to a param it does not declare", change: (tekton) => { tekton.manifests = [...kasFiles, fixture("undeclared-param")]; },
        expected: `${at}.manifests[3] ("test/fixtures/tekton/undeclared-param.yaml") Task typo refers to $(params.crd_name), which it does not declare in spec.params: declare it or correct the name` },
    { name: "a webhook naming no Pipeline", change: (tekton) => { tekton.webhooks[0].pipeline = "quantum-deployment"; },
        expected: `${at}.webhooks[0].pipeline ("quantum-deployment") names no Pipeline in manifests (found: quantum-module-deployment, quantum-module-cleanup)` },
    { name: "a webhook naming no TriggerBinding", change: (tekton) => { tekton.webhooks[0].bindings = ["quantum-deploy-binding"]; },
        expected: `${at}.webhooks[0].bindings[0] ("quantum-deploy-binding") names no TriggerBinding in manifests` },
    { name: "a binding of params the Pipeline does not declare", change: (tekton) => { tekton.webhooks[1].bindings = ["quantum-deploy"]; },
        expected: `${at}.webhooks[1].bindings[0] ("quantum-deploy") binds module-version, which Pipeline quantum-module-cleanup does not declare` },
    { name: "a required Pipeline param no binding binds", change: (tekton) => {
        tekton.manifests = [...kasFiles, fixture("partial-binding")];
        tekton.webhooks[1].bindings = ["partial-cleanup"];
    }, expected: `${at}.webhooks[1].bindings (["partial-cleanup"]) bind no value for param crd-name of Pipeline quantum-module-cleanup, which has no default: add it to a TriggerBinding` },
    { name: "a required workspace left unbound", change: (tekton) => { delete tekton.webhooks[0].workspaces.kubeconfig; },
        expected: `${at}.webhooks[0].workspaces ({"shared-data":{"size":"1Gi"}}) bind nothing to workspace kubeconfig of Pipeline quantum-module-deployment: add kubeconfig: {size: 1Gi} or {secret: <name>}` },
    { name: "a workspace the Pipeline does not have", change: (tekton) => { tekton.webhooks[1].workspaces.scratch = { size: "1Gi" }; },
        expected: `${at}.webhooks[1].workspaces.scratch ({"size":"1Gi"}) is not a workspace of Pipeline quantum-module-cleanup (it declares kubeconfig)` },
    { name: "a workspace both sized and from a Secret", change: (tekton) => { tekton.webhooks[0].workspaces["shared-data"] = { size: "1Gi", secret: "data" }; },
        expected: `${at}.webhooks[0].workspaces.shared-data ({"size":"1Gi","secret":"data"}) must set exactly one of size (a volume per run) or secret (a Secret in the CI namespace)` },
    { name: "a workspace of an unparseable size", change: (tekton) => { tekton.webhooks[0].workspaces["shared-data"] = { size: "1GB" }; },
        expected: `${at}.webhooks[0].workspaces.shared-data.size ("1GB") must be a storage size` },
    { name: "two webhooks on one path", change: (tekton) => { tekton.webhooks[1].path = "/webhook/quantum-deploy"; },
        expected: `${at}.webhooks[1].path ("/webhook/quantum-deploy") is already the path of webhook quantum-deploy` },
    { name: "a webhook on the CI push path", change: (tekton) => { tekton.webhooks[0].path = "/"; },
        expected: `${at}.webhooks[0].path ("/") is a path of Groundwork's own CI webhooks` },
    { name: "two webhooks with one name", change: (tekton) => { tekton.webhooks[1].name = "quantum-deploy"; },
        expected: `${at}.webhooks[1].name ("quantum-deploy") is already the name of another webhook` },
    { name: "a webhook named like one of Groundwork's CI triggers", change: (tekton) => { tekton.webhooks[0].name = "github"; },
        expected: `${at}.webhooks[0].name ("github") is the name of one of Groundwork's own CI triggers (github, <tier>-ci, -push, -deploy, -cleanup): choose another` },
    { name: "a webhook named like a tier's delivery trigger", change: (tekton) => {
        tekton.pipelines = [{ tier: "kas", repository: "https://git.example.com/atonixcorp/kas.git", image: "ghcr.io/atonixcorp/kas", test: { image: "docker.io/library/alpine:3.22", command: "true" } }];
        tekton.webhooks[0].name = "kas-deploy";
    }, expected: `${at}.webhooks[0].name ("kas-deploy") is the name of one of Groundwork's own CI triggers` },
    { name: "an HMAC key of no tier", change: (tekton) => { tekton.webhooks[0].hmacKey = { tier: "kas-server", secret: "webhook-secret" }; },
        expected: `${at}.webhooks[0].hmacKey.tier ("kas-server") names no configured tier (known: kas)` },
    { name: "an HMAC key the tier does not hold", change: (tekton) => { tekton.webhooks[0].hmacKey = { tier: "kas", secret: "webhook-secret" }; },
        expected: `${at}.webhooks[0].hmacKey.secret ("webhook-secret") is not among the secrets of tier "kas": add it to that tier's secrets, which hold its value` },
    { name: "a webhook without bindings", change: (tekton) => { tekton.webhooks[0].bindings = []; },
        expected: `${at}.webhooks[0].bindings ([]) must list at least one TriggerBinding from manifests` },
    { name: "a relative webhook path", change: (tekton) => { tekton.webhooks[0].path = "webhook/quantum-deploy"; },
        expected: `${at}.webhooks[0].path ("webhook/quantum-deploy") must be an absolute URL path` },
];

describe("repository Tekton manifests and webhooks", function () {
    this.timeout(120000);

    it("accepts the KAS example's files and webhooks on them", () => {
        assert.deepEqual(problemsOf(kasWith()), []);
    });

    for (const { name, change, expected } of badConfigs) {
        it(`rejects ${name}`, () => {
            assertProblem(problemsOf(kasWith(change)), expected);
        });
    }

    it("counts each kept and running webhook run's sized workspaces in the CI quota", () => {
        const settings = { concurrentRuns: 2, keepRuns: 5, pipelines: [] };
        const webhook = { name: "w", path: "/w", pipeline: "p", bindings: ["b"], workspaces: { data: { size: "1Gi" }, kubeconfig: { secret: "kubeconfig" } } };
        const without = CiPipelines.budget({ ...settings, webhooks: [] }, false);
        const withWebhook = CiPipelines.budget({ ...settings, webhooks: [webhook] }, false);
        assert.equal(withWebhook.persistentVolumeClaims - without.persistentVolumeClaims, 7);
        assert.equal(withWebhook.storage - without.storage, 7 * 2 ** 30);
    });

    describe("under mocks", () => {
        it("applies the files' objects in the CI namespace, each Pipeline after the Tasks, and runs webhook pipelines as an account without rights", async () => {
            const run = await runStack("production", { config: kasWith() });
            const objects = [kinds.pipeline, kinds.task, kinds.triggerBinding].flatMap((type) => run.ofType(type).map((resource) => resource.inputs as any));
            assert.ok(objects.every((object) => object.metadata.namespace === "atonixcorp-tekton" && object.metadata.labels["app.kubernetes.io/name"] === "tekton"));
            const pipeline = run.ofType(kinds.pipeline).find((resource) => (resource.inputs as any).metadata.name === "quantum-module-deployment")!;
            const taskResources = run.ofType(kinds.task).filter((resource) => ["quantum-git-clone", "check-crd-readiness"].includes((resource.inputs as any).metadata.name));
            assert.ok(taskResources.every((task) => pipeline.dependencies.some((urn) => urn.endsWith(`::${task.name}`))), "the Pipeline does not wait for its Tasks");
            const account = run.ofType(kinds.serviceAccount).map((resource) => resource.inputs as any).find((candidate) => candidate.metadata.name === "webhook-runs");
            assert.equal(account?.automountServiceAccountToken, false);
            const bindings = [...run.ofType(kinds.roleBinding), ...run.ofType(kinds.clusterRoleBinding)].map((resource) => resource.inputs as any);
            assert.deepEqual(bindings.filter((binding) => binding.subjects.some((subject: any) => subject.name === "webhook-runs")), []);
        });
    });
});
