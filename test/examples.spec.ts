/**
 * The example stacks (examples/*.yaml) are what a new user copies: each must validate, fit its quotas
 * (test/quota.spec.ts runs every example) and keep the capabilities its system needs. Each row names
 * an example and what its system cannot do without.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { readConfigFile, repoRoot, revealSecrets, runStack, StackRun, testSecretValue, withTestSecrets } from "./support/program";
import { kinds as types } from "./support/kinds";
import { promqlErrors } from "./support/promql";

const inputs = (run: StackRun, type: string, namespace: string): any[] =>
    run.ofType(type).map((resource) => resource.inputs as any).filter((object) => object.metadata?.namespace === namespace);
/** The pod spec of the tier's own workload (named like its namespace in these examples), not its database's. */
const podSpecOf = (run: StackRun, namespace: string): any => {
    const workload = [...inputs(run, types.deployment, namespace), ...inputs(run, types.statefulSet, namespace)].find((object) => object.metadata.name === namespace);
    return workload.spec.template.spec;
};
const envOf = (run: StackRun, namespace: string): any[] => podSpecOf(run, namespace).containers[0].env;
/** A Tekton object of the CI namespace by kind and name. */
const tekton = (run: StackRun, type: string, name: string): any => {
    const found = run.ofType(type).map((resource) => resource.inputs as any).find((object) => object.metadata.name === name);
    assert.ok(found, `no ${type} ${name}`);
    return found;
};

const examples: { file: string; stack: string; capabilities: { name: string; check: (run: StackRun) => void }[] }[] = [
    {
        file: "agentguard.yaml",
        stack: "production",
        capabilities: [
            { name: "the API autoscales 3 to 20, up at once and down after ten quiet minutes", check: (run) => {
                const [hpa] = inputs(run, types.hpa, "api");
                assert.deepEqual([hpa.spec.minReplicas, hpa.spec.maxReplicas], [3, 20]);
                assert.equal(hpa.spec.behavior.scaleUp.stabilizationWindowSeconds, 0);
                assert.equal(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds, 600);
            } },
            { name: "MLflow is a StatefulSet with an artifact volume per replica and its own PostgreSQL", check: (run) => {
                const [mlflow] = inputs(run, types.statefulSet, "mlflow").filter((set) => set.metadata.name === "mlflow");
                assert.ok(mlflow, "no mlflow StatefulSet");
                assert.ok(inputs(run, types.claim, "mlflow").some((claim) => claim.metadata.name.startsWith("artifacts-mlflow-")), "no artifact claim");
                assert.ok(envOf(run, "mlflow").some((variable) => variable.name === "PGHOST"), "MLflow reads no database");
            } },
            { name: "the API reads its application secrets from a Secret, and Redis", check: (run) => {
                const fromSecrets = envOf(run, "api").filter((variable) => variable.valueFrom?.secretKeyRef).map((variable) => variable.name);
                for (const name of ["OPENAI_API_KEY", "JWT_SIGNING_KEY", "REDIS_PASSWORD", "PGPASSWORD"]) {
                    assert.ok(fromSecrets.includes(name), `${name} is not read from a Secret`);
                }
            } },
        ],
    },
    {
        file: "circle-core-development.yaml",
        stack: "development",
        capabilities: [
            { name: "the development environment: one replica, debug logs, nothing protected", check: (run) => {
                const [core] = inputs(run, types.deployment, "core");
                assert.equal(core.spec.replicas, 1);
                const settings = inputs(run, types.configMap, "core").find((map) => map.data?.LOG_LEVEL !== undefined);
                assert.equal(settings.data.LOG_LEVEL, "debug");
                assert.deepEqual(run.resources.filter((resource) => resource.protect).map((resource) => resource.name), []);
            } },
            { name: "settings from a ConfigMap, an uploads claim mounted, an Ingress", check: (run) => {
                const settings = inputs(run, types.configMap, "core").find((map) => map.data?.LOG_LEVEL !== undefined);
                assert.equal(settings.data.FEATURE_FLAGS, "ledger-v2,fast-sync");
                const mounts = podSpecOf(run, "core").containers[0].volumeMounts.map((mount: any) => mount.mountPath);
                assert.ok(mounts.includes("/var/lib/circle/uploads"), `uploads not mounted: ${mounts.join(", ")}`);
                assert.ok(inputs(run, types.claim, "core").some((claim) => claim.spec.resources.requests.storage === "5Gi"), "no uploads claim");
                assert.deepEqual(inputs(run, types.ingress, "core").flatMap((ingress) => ingress.spec.rules.map((rule: any) => rule.host)), ["core.dev.circle.example.com"]);
            } },
            { name: "the app and its database land on the tainted development pool", check: (run) => {
                const database = inputs(run, types.statefulSet, "core").find((set) => set.metadata.name !== "core");
                for (const spec of [podSpecOf(run, "core"), database.spec.template.spec]) {
                    assert.deepEqual(spec.nodeSelector, { pool: "development" });
                    assert.deepEqual(spec.tolerations, [{ key: "dedicated", operator: "Equal", value: "development", effect: "NoSchedule" }]);
                }
            } },
        ],
    },
    {
        file: "atb-operator.yaml",
        stack: "production",
        capabilities: [
            { name: "the AgentTask CRD: atb.siemens.com v1alpha1, its spec, actions, status phases and printer columns", check: (run) => {
                const crds = run.ofType(types.crd).map((crd) => crd.inputs as any);
                assert.deepEqual(crds.map((crd) => crd.metadata.name), ["agenttasks.atb.siemens.com"]);
                const [crd] = crds;
                assert.deepEqual([crd.spec.group, crd.spec.names.kind, crd.spec.names.plural, crd.spec.scope], ["atb.siemens.com", "AgentTask", "agenttasks", "Namespaced"]);
                const [version] = crd.spec.versions;
                assert.equal(version.name, "v1alpha1");
                const { spec, status } = version.schema.openAPIV3Schema.properties;
                assert.deepEqual(Object.keys(spec.properties).sort(), ["action", "agentId", "payload", "poaToken", "target"]);
                assert.deepEqual(spec.properties.action.enum, ["scale", "restart", "update-config", "deploy", "rollback", "patch"]);
                assert.deepEqual(Object.keys(spec.properties.target.properties).sort(), ["kind", "name", "namespace"]);
                assert.deepEqual(Object.keys(status.properties).sort(), ["atbResult", "message", "phase", "requestId"]);
                assert.deepEqual(status.properties.phase.enum, ["Pending", "Processing", "Executing", "Completed", "Denied", "Failed"]);
                assert.deepEqual(version.additionalPrinterColumns.map((column: any) => column.name.toUpperCase()), ["ACTION", "TARGET", "PHASE", "RISK", "AGE"]);
                assert.deepEqual(version.subresources, { status: {} });
            } },
            { name: "the operator waits for its CRD", check: (run) => {
                const operator = run.ofType(types.deployment).find((resource) => (resource.inputs as any).metadata.namespace === "atb-operator")!;
                const waitsFor = (name: string) => operator.dependencies.some((urn) => urn.endsWith(`${types.crd.slice("kubernetes:".length)}::${name}`));
                assert.ok(run.ofType(types.crd).every((crd) => waitsFor(crd.name)), "the operator does not wait for its CRD");
            } },
            { name: "a ClusterRole on agenttasks, their status and the six actions' targets, bound to its ServiceAccount", check: (run) => {
                const [role] = run.ofType(types.clusterRole).map((resource) => resource.inputs as any).filter((role) => role.rules.some((rule: any) => rule.apiGroups.includes("atb.siemens.com")));
                assert.ok(role, "no ClusterRole for atb.siemens.com");
                const grants = (resource: string, group: string) => role.rules.filter((rule: any) => rule.apiGroups.includes(group) && rule.resources.includes(resource)).flatMap((rule: any) => rule.verbs);
                const expected: [string, string, string[]][] = [
                    ["agenttasks", "atb.siemens.com", ["get", "list", "watch", "update", "patch"]],
                    ["agenttasks/status", "atb.siemens.com", ["get", "update", "patch"]],
                    ["deployments/scale", "apps", ["get", "update", "patch"]],
                    ["statefulsets/scale", "apps", ["get", "update", "patch"]],
                    ["deployments", "apps", ["get", "list", "watch", "update", "patch"]],
                    ["statefulsets", "apps", ["get", "list", "watch", "update", "patch"]],
                    ["replicasets", "apps", ["get", "list", "watch"]],
                    ["controllerrevisions", "apps", ["get", "list", "watch"]],
                    ["configmaps", "", ["get", "update", "patch"]],
                    ["secrets", "", ["get", "update", "patch"]],
                ];
                for (const [resource, group, verbs] of expected) {
                    assert.deepEqual(grants(resource, group), verbs, `${resource}.${group}`);
                }
                assert.ok(role.rules.every((rule: any) => !rule.verbs.includes("delete") && !rule.verbs.includes("create") || rule.resources.every((resource: string) => ["events", "leases"].includes(resource))),
                    "the operator may create or delete only events and leases");
                const [binding] = run.ofType(types.clusterRoleBinding).map((resource) => resource.inputs as any).filter((binding) => binding.roleRef.name === role.metadata.name);
                assert.deepEqual(binding.subjects.map((subject: any) => [subject.name, subject.namespace]), [["atb-operator", "atb-operator"]]);
            } },
            { name: "the broker URL as a setting, and egress to the broker", check: (run) => {
                const settings = inputs(run, types.configMap, "atb-operator").find((map) => map.data?.ATB_BROKER_URL !== undefined);
                assert.equal(settings?.data.ATB_BROKER_URL, "https://broker.atb.example.com:8443");
                assert.equal(settings.data.ATB_INSECURE, undefined);
                const [policy] = inputs(run, types.networkPolicy, "atb-operator").filter((candidate) => candidate.metadata.name === "atb-operator-traffic");
                assert.ok(policy.spec.egress.some((rule: any) => rule.to[0].ipBlock?.cidr === "203.0.113.10/32" && rule.ports.some((port: any) => port.port === 8443)), "no egress to the broker");
            } },
            { name: "the mTLS client Secret atb-operator-tls, signed by the broker's CA from the Secret the owner supplies, mounted read-only", check: (run) => {
                const [certificate] = inputs(run, types.certificate, "atb-operator");
                assert.equal(certificate.spec.secretName, "atb-operator-tls");
                assert.deepEqual(certificate.spec.issuerRef, { group: "cert-manager.io", kind: "Issuer", name: "atb-broker-ca" });
                assert.ok(certificate.spec.usages.includes("client auth"));
                const [issuer] = inputs(run, types.issuer, "atb-operator");
                assert.deepEqual([issuer.metadata.name, issuer.spec], ["atb-broker-ca", { ca: { secretName: "atb-broker-ca" } }]);
                const pod = podSpecOf(run, "atb-operator");
                const volume = pod.volumes.find((candidate: any) => candidate.secret?.secretName === "atb-operator-tls");
                const mount = pod.containers[0].volumeMounts.find((volumeMount: any) => volumeMount.name === volume?.name);
                assert.deepEqual([mount?.mountPath, mount?.readOnly], ["/etc/atb/tls", true]);
            } },
            { name: "in the namespace atb-operator, its pods labelled app.kubernetes.io/name=atb-operator, non-root with a read-only root filesystem", check: (run) => {
                const [deployment] = inputs(run, types.deployment, "atb-operator");
                assert.equal(deployment.spec.template.metadata.labels["app.kubernetes.io/name"], "atb-operator");
                const pod = podSpecOf(run, "atb-operator");
                assert.equal(pod.securityContext.runAsNonRoot, true);
                assert.equal(pod.containers[0].securityContext.readOnlyRootFilesystem, true);
            } },
        ],
    },
    {
        file: "kas.yaml",
        stack: "production",
        capabilities: [
            { name: "the KAS service (app.kubernetes.io/name=kas) with a ClusterRole on Argo CD applications, Tekton runs and CRDs, bound to its ServiceAccount", check: (run) => {
                const [service] = inputs(run, types.service, "kas");
                assert.deepEqual(service.spec.ports.map((port: any) => port.port), [8080]);
                assert.equal(service.spec.selector["app.kubernetes.io/name"], "kas");
                const [role] = run.ofType(types.clusterRole).map((resource) => resource.inputs as any).filter((candidate) => candidate.metadata.name === "groundwork-kas-kas");
                assert.deepEqual(role.rules.map((rule: any) => [rule.apiGroups.join(), rule.resources.join(), rule.verbs.join()]), [
                    ["argoproj.io", "applications,applicationsets", "get,list,watch,create,update,patch"],
                    ["tekton.dev", "pipelineruns", "get,list,watch,create"],
                    ["tekton.dev", "pipelines,taskruns", "get,list,watch"],
                    ["apiextensions.k8s.io", "customresourcedefinitions", "get,list,watch"],
                    ["", "events", "create,patch"],
                ]);
                const [binding] = run.ofType(types.clusterRoleBinding).map((resource) => resource.inputs as any).filter((candidate) => candidate.roleRef.name === role.metadata.name);
                assert.deepEqual(binding.subjects.map((subject: any) => [subject.name, subject.namespace]), [["kas", "kas"]]);
            } },
            { name: "the keys of kas-secrets, read from a Secret", check: (run) => {
                const fromSecrets = envOf(run, "kas").filter((variable) => variable.valueFrom?.secretKeyRef);
                assert.deepEqual(fromSecrets.map((variable) => variable.valueFrom.secretKeyRef.key), ["argocd-token", "tekton-token", "webhook-secret", "tls-cert", "tls-key", "ca-cert"]);
                // Auto-named from this resource name (kas-secrets-<suffix>), so that a changed value rolls the pods.
                const secret = run.get(types.secret, "kas-secrets").inputs as any;
                assert.deepEqual(Object.keys(revealSecrets(secret.stringData) as object).sort(), ["argocd-token", "ca-cert", "tekton-token", "tls-cert", "tls-key", "webhook-secret"]);
            } },
            { name: "the quantum-module-deployment pipeline: its params and workspaces, shared-data 1Gi and the kubeconfig Secret per run", check: (run) => {
                const pipeline = tekton(run, types.pipeline, "quantum-module-deployment");
                assert.deepEqual(pipeline.spec.params.map((param: any) => param.name),
                    ["module-name", "module-version", "environment", "namespace", "crd-name", "repo-url", "revision", "crd-timeout"]);
                assert.deepEqual(pipeline.spec.workspaces.map((workspace: any) => workspace.name), ["shared-data", "kubeconfig"]);
                const [pipelineRun] = tekton(run, types.triggerTemplate, "quantum-deploy").spec.resourcetemplates;
                assert.equal(pipelineRun.spec.pipelineRef.name, "quantum-module-deployment");
                assert.deepEqual(pipelineRun.spec.workspaces, [
                    { name: "shared-data", volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } } },
                    { name: "kubeconfig", secret: { secretName: "kubeconfig-secret" } },
                ]);
            } },
            { name: "webhooks at /webhook/quantum-deploy and /webhook/quantum-cleanup, HMAC-verified, binding KAS' JSON", check: (run) => {
                const listener = tekton(run, types.eventListener, "github");
                const trigger = (name: string) => listener.spec.triggers.find((candidate: any) => candidate.name === name);
                for (const [name, path] of [["quantum-deploy", "/webhook/quantum-deploy"], ["quantum-cleanup", "/webhook/quantum-cleanup"]]) {
                    const [route, signature] = trigger(name).interceptors;
                    assert.equal(route.params[0].value, `requestURL.parseURL().path == '${path}'`);
                    assert.equal(signature.ref.name, "github");
                    assert.deepEqual(signature.params.map((param: any) => param.name), ["secretRef"], "KAS sends no X-GitHub-Event: no event type is required");
                    assert.deepEqual(trigger(name).bindings, [{ ref: name, kind: "TriggerBinding" }]);
                }
                const binding = (name: string) => Object.fromEntries(tekton(run, types.triggerBinding, name).spec.params.map((param: any) => [param.name, param.value]));
                assert.deepEqual(binding("quantum-deploy"), {
                    "module-name": "$(body.module.name)", "module-version": "$(body.module.version)", "environment": "$(body.environment)", "namespace": "$(body.namespace)",
                    "crd-name": "$(body.crd.name)", "repo-url": "$(body.source.repo_url)", "revision": "$(body.source.revision)",
                });
                assert.equal(binding("quantum-cleanup")["force-cleanup"], "$(body.force_cleanup)");
                // Both verify with the key KAS signs with: kas-secrets' webhook-secret.
                for (const name of ["quantum-deploy", "quantum-cleanup"]) {
                    const secretName = trigger(name).interceptors[1].params[0].value.secretName;
                    const secret = run.ofType(types.secret).map((resource) => resource.inputs as any).find((candidate) => candidate.metadata.name === secretName);
                    assert.equal((revealSecrets(secret.stringData) as any).secret, testSecretValue("kas", "webhook-secret"), name);
                }
                assert.deepEqual(tekton(run, types.pipeline, "quantum-module-cleanup").spec.params.find((param: any) => param.name === "force-cleanup").default, "false");
            } },
            { name: "CRD readiness before the module, and each module's health endpoint checked after deploy", check: (run) => {
                const tasks = tekton(run, types.pipeline, "quantum-module-deployment").spec.tasks;
                const after = (task: string) => tasks.find((candidate: any) => candidate.name === task).runAfter;
                assert.deepEqual([after("check-crd-readiness"), after("deploy-module"), after("health-check")], [["apply-crds"], ["check-crd-readiness"], ["deploy-module"]]);
                const readiness = tekton(run, types.task, "check-crd-readiness").spec.steps[0].script;
                assert.ok(["Established", "NamesAccepted"].every((condition) => readiness.includes(condition)), readiness);
                const health = tekton(run, types.task, "quantum-module-health").spec.steps[0].script;
                for (const [module, endpoint] of [["pennylane", "/health"], ["qiskit", "/quantum/status"], ["pyquil", "/api/v1/health"], ["qutip", "/status"]]) {
                    assert.ok(health.includes(`${module}) endpoint=${endpoint} ;;`), `no health check of ${module} at ${endpoint}`);
                }
            } },
            { name: "alerts for authentication failures, deployment failures, CRD readiness timeouts and the request rate", check: (run) => {
                const [rules] = inputs(run, types.prometheusRule, "kas");
                const own = rules.spec.groups[0].rules.filter((rule: any) => rule.alert.startsWith("Kas"));
                assert.deepEqual(own.map((rule: any) => [rule.alert, rule.labels.severity]), [
                    ["KasWebhookAuthenticationFailures", "critical"], ["KasQuantumDeploymentFailed", "critical"], ["KasCrdReadinessTimeout", "warning"], ["KasHighRequestRate", "warning"],
                ]);
                for (const rule of own) {
                    assert.deepEqual(promqlErrors(rule.expr), [], rule.alert);
                }
            } },
        ],
    },
];

describe("example stacks", function () {
    this.timeout(120000);
    for (const example of examples) {
        describe(example.file, () => {
            let run: StackRun;
            before(async () => {
                const { config, secretKeys } = withTestSecrets(readConfigFile(path.join(repoRoot, "examples", example.file)));
                run = await runStack(example.stack, { config, secretKeys });
            });
            for (const capability of example.capabilities) {
                it(capability.name, () => capability.check(run));
            }
        });
    }
});
