import * as assert from "node:assert/strict";
import { escalationReasonAnnotation } from "../../components/apps/cluster-access";
import { aStack, aTier } from "../support/builders";
import { runStack, StackRun } from "../support/program";
import { assertProblem, problemsOf } from "../support/problems";

const crdFile = "test/fixtures/crds/brokers.yaml";
const brokerRules = [{ apiGroups: ["atb.example.com"], resources: ["brokers", "brokers/status", "links"], verbs: ["get", "list", "watch", "update", "patch"] }];

/** A local stack of an app tier with namespaced API access (tiers[0]) and an operator tier (tiers[1]) with `clusterAccess`, changed by `change`. */
function withOperator(change: (access: any, config: any) => void = () => undefined): Record<string, unknown> {
    const access = { rules: structuredClone(brokerRules), crds: [{ file: crdFile }] };
    const apiServer = [{ cidr: "10.0.0.1/32", ports: [443] }];
    const config = aStack("local")
        .withTier(
            aTier("backend").with({ egress: apiServer, apiAccess: [{ apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "get"] }] }),
            aTier("operator").with({ image: "ghcr.io/atb/operator:2.3.1", egress: apiServer }),
        )
        .build() as any;
    config["groundwork:tiers"][1].clusterAccess = access;
    change(access, config);
    return config;
}

const at = "groundwork:tiers[1].clusterAccess";

/** Whether `dependent` waits for `dependency` (dependencies are recorded as the mock monitor names them). */
function waitsFor(dependent: { dependencies: string[] }, dependency: { type: string; name: string }): boolean {
    return dependent.dependencies.some((urn) => urn.endsWith(`::${dependency.type}::${dependency.name}`) || urn.endsWith(`$${dependency.type}::${dependency.name}`));
}
const escalationFix = "list exactly what the operator needs, or set clusterAccess.allowPrivilegeEscalation.reason to say why it must have this";

const badConfigs: { name: string; change: (access: any, config: any) => void; expected: string }[] = [
    { name: "a wildcard verb", change: (access) => { access.rules[0].verbs = ["*"]; },
        expected: `${at}.rules[0].verbs[0] ("*") grants every verb, escalate, bind and impersonate included cluster-wide: ${escalationFix}` },
    { name: "a wildcard resource", change: (access) => { access.rules[0].resources = ["brokers", "*"]; },
        expected: `${at}.rules[0].resources[1] ("*") grants every resource cluster-wide` },
    { name: "a wildcard API group", change: (access) => { access.rules[0].apiGroups = ["*"]; },
        expected: `${at}.rules[0].apiGroups[0] ("*") grants every API group cluster-wide` },
    ...["escalate", "bind", "impersonate"].map((verb) => ({
        name: `the ${verb} verb`, change: (access: any) => { access.rules.push({ apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: [verb] }); },
        expected: `${at}.rules[1].verbs[0] ("${verb}") grants more than the rules list cluster-wide: ${escalationFix}`,
    })),
    { name: "an escalation reason too short to review", change: (access) => { access.rules[0].verbs = ["*"]; access.allowPrivilegeEscalation = { reason: "needed" }; },
        expected: `${at}.allowPrivilegeEscalation.reason ("needed") must say why the operator needs it (at least 20 characters)` },
    { name: "an escalation reason nothing needs", change: (access) => { access.allowPrivilegeEscalation = { reason: "the operator creates RBAC for its brokers" }; },
        expected: `${at}.allowPrivilegeEscalation ({"reason":"the operator creates RBAC for its brokers"}) is set, but no rule uses "*", escalate, bind or impersonate: remove it` },
    { name: "an unknown verb", change: (access) => { access.rules[0].verbs = ["own"]; },
        expected: `${at}.rules[0].verbs[0] ("own") must be one of "get", "list", "watch"` },
    { name: "a resource in capitals", change: (access) => { access.rules[0].resources = ["Brokers"]; },
        expected: `${at}.rules[0].resources[0] ("Brokers") must be a lower-case plural resource such as "brokers" or "brokers/status"` },
    { name: "no rule", change: (access) => { access.rules = []; }, expected: `${at}.rules ([]) must list at least one rule` },
    { name: "a CRD file that does not exist", change: (access) => { access.crds = [{ file: "deploy/crds/missing.yaml" }]; },
        expected: `${at}.crds[0].file ("deploy/crds/missing.yaml") names no file in the project` },
    { name: "a CRD file outside the project", change: (access) => { access.crds = [{ file: "../elsewhere/brokers.yaml" }]; },
        expected: `${at}.crds[0].file ("../elsewhere/brokers.yaml") must be a path inside the project, relative to Pulumi.yaml` },
    { name: "an absolute CRD path", change: (access) => { access.crds = [{ file: "/etc/brokers.yaml" }]; },
        expected: `${at}.crds[0].file ("/etc/brokers.yaml") must be a path inside the project` },
    { name: "a file that holds no CRD", change: (access) => { access.crds = [{ file: "test/fixtures/crds/not-a-crd.yaml" }]; },
        expected: `${at}.crds[0].file ("test/fixtures/crds/not-a-crd.yaml") is not a file of CustomResourceDefinitions: document 1 is v1 ConfigMap, not apiextensions.k8s.io/v1 CustomResourceDefinition` },
    { name: "a CRD the API server would refuse for its name", change: (access) => { access.crds = [{ file: "test/fixtures/crds/misnamed.yaml" }]; },
        expected: `${at}.crds[0].file ("test/fixtures/crds/misnamed.yaml") is not a file of CustomResourceDefinitions: `
            + "document 1 is named \"broker.atb.example.com\"; the API server requires \"brokers.atb.example.com\" (<plural>.<group>)" },
    { name: "a CRD file that is not YAML", change: (access) => { access.crds = [{ file: "test/fixtures/crds/broken.yaml" }]; },
        expected: `${at}.crds[0].file ("test/fixtures/crds/broken.yaml") is not valid YAML` },
    { name: "a CRD source with both a file and a chart", change: (access) => { access.crds = [{ file: crdFile, chart: { repository: "https://charts.example.com", name: "atb-crds", version: "1.0.0" } }]; },
        expected: `${at}.crds[0] ({"file":"${crdFile}","chart":{"repos...) must set exactly one of file` },
    { name: "a CRD source with neither", change: (access) => { access.crds = [{}]; }, expected: `${at}.crds[0] ({}) must set exactly one of file (a CRD file in the project) or chart` },
    { name: "a CRD chart version range", change: (access) => { access.crds = [{ chart: { repository: "https://charts.example.com", name: "atb-crds", version: "^1.2.0" } }]; },
        expected: `${at}.crds[0].chart.version ("^1.2.0") must be an exact chart version such as "1.4.2"` },
    { name: "a CRD chart over plain HTTP", change: (access) => { access.crds = [{ chart: { repository: "http://charts.example.com", name: "atb-crds", version: "1.2.0" } }]; },
        expected: `${at}.crds[0].chart.repository ("http://charts.example.com") must be an https:// Helm repository or an oci:// registry URL` },
    { name: "cluster access without egress to the API server", change: (_access, config) => { config["groundwork:tiers"][1].egress = []; },
        expected: "groundwork:tiers[1].clusterAccess ({\"rules\":[{\"apiGroups\":[\"atb.example.com\"],\"resources\":[\"...) needs egress to the Kubernetes API server" },
    { name: "two tiers creating one CRD", change: (_access, config) => {
        const second = structuredClone(config["groundwork:tiers"][1]);
        config["groundwork:tiers"].push({ ...second, name: "operator-b" });
    }, expected: "groundwork:tiers[2].clusterAccess.crds[0].file (\"test/fixtures/crds/brokers.yaml\") defines CRD brokers.atb.example.com, which tier \"operator\" already creates" },
];

describe("operator tiers: clusterAccess", function () {
    this.timeout(60000);

    describe("validation", () => {
        it("accepts an operator tier with narrow rules and a CRD file", () => {
            assert.deepEqual(problemsOf(withOperator()), []);
        });

        it("accepts wildcards and escalating verbs when the stack says why", () => {
            assert.deepEqual(problemsOf(withOperator((access) => {
                access.rules.push({ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: ["*"] });
                access.allowPrivilegeEscalation = { reason: "each Broker gets a Role the operator writes and binds" };
            })), []);
        });

        for (const { name, change, expected } of badConfigs) {
            it(`rejects ${name}`, () => {
                const problems = problemsOf(withOperator(change));
                assertProblem(problems, expected);
            });
        }

        it("reports every escalation at once", () => {
            const problems = problemsOf(withOperator((access) => {
                access.rules[0].verbs = ["*", "impersonate"];
                access.rules[0].apiGroups = ["*"];
            }));
            assert.equal(problems.filter((problem) => problem.includes("cluster-wide")).length, 3, problems.join("\n"));
        });
    });

    describe("under mocks", () => {
        let run: StackRun;
        before(async () => {
            run = await runStack("local", { config: withOperator() });
        });

        it("creates every CRD of the file as written, labelled as the tier's", () => {
            const crds = run.ofType("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition");
            assert.deepEqual(crds.map((crd) => (crd.inputs as any).metadata.name).sort(), ["brokers.atb.example.com", "links.atb.example.com"]);
            const brokers = crds.find((crd) => (crd.inputs as any).metadata.name === "brokers.atb.example.com")!.inputs as any;
            assert.equal(brokers.spec.group, "atb.example.com");
            assert.deepEqual(brokers.spec.versions[0].subresources, { status: {} });
            assert.equal(brokers.metadata.labels["app.kubernetes.io/name"], "operator");
        });

        it("binds a ClusterRole with exactly the configured rules to the tier's ServiceAccount", () => {
            const role = run.get("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "operator-cluster-access-role").inputs as any;
            assert.deepEqual(role.rules, brokerRules);
            assert.equal(role.metadata.name, "groundwork-operator-operator");
            assert.equal(role.metadata.annotations?.[escalationReasonAnnotation], undefined);
            const binding = run.get("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "operator-cluster-access-binding").inputs as any;
            assert.deepEqual(binding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "groundwork-operator-operator" });
            const account = run.get("kubernetes:core/v1:ServiceAccount", "operator-sa").inputs as any;
            assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: account.metadata.name, namespace: account.metadata.namespace }]);
            assert.equal(account.automountServiceAccountToken, true);
            const pod = (run.get("kubernetes:apps/v1:Deployment", "operator-deployment").inputs as any).spec.template.spec;
            assert.equal(pod.automountServiceAccountToken, true);
        });

        it("starts the tier only after its CRDs and binding exist", () => {
            const deployment = run.get("kubernetes:apps/v1:Deployment", "operator-deployment");
            const needed = [
                ...run.ofType("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"),
                run.get("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "operator-cluster-access-binding"),
            ];
            for (const resource of needed) {
                assert.ok(waitsFor(deployment, resource), `the Deployment must wait for ${resource.urn}`);
            }
        });

        it("lets the CRDs go with the stack where data is not protected", () => {
            assert.deepEqual(run.ofType("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition").map((crd) => crd.retainOnDelete), [false, false]);
        });

        it("grants nothing cluster-wide to the tiers without clusterAccess", () => {
            const roles = run.ofType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").filter((role) => role.parentUrn.includes("groundwork:apps:"));
            assert.deepEqual(roles.map((role) => role.name), ["operator-cluster-access-role"]);
        });
    });

    it("keeps the CRDs in the cluster when the tier goes, where data is protected: deleting a CRD deletes its objects", async () => {
        const run = await runStack("local", { config: { ...withOperator(), "groundwork:protectData": true } });
        const crds = run.ofType("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition");
        assert.deepEqual(crds.map((crd) => crd.retainOnDelete), [true, true]);
    });

    it("records the reason on the ClusterRole and installs chart CRDs at their pinned version", async () => {
        const reason = "each Broker gets a Role the operator writes and binds";
        const run = await runStack("local", {
            config: withOperator((access) => {
                access.rules.push({ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: ["get", "create", "bind", "escalate"] });
                access.allowPrivilegeEscalation = { reason };
                access.crds = [{ chart: { repository: "oci://registry.example.com/charts", name: "atb-crds", version: "2.3.1" } }];
            }),
        });
        const role = run.get("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "operator-cluster-access-role").inputs as any;
        assert.equal(role.metadata.annotations[escalationReasonAnnotation], reason);
        assert.deepEqual(role.rules[1].verbs, ["get", "create", "bind", "escalate"]);
        const chart = run.get("kubernetes:helm.sh/v4:Chart", "operator-cluster-access-atb-crds");
        assert.deepEqual([(chart.inputs as any).chart, (chart.inputs as any).version], ["oci://registry.example.com/charts/atb-crds", "2.3.1"]);
        assert.ok(waitsFor(run.get("kubernetes:apps/v1:Deployment", "operator-deployment"), chart), "the Deployment must wait for the CRD chart");
    });
});
