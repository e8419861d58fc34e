/**
 * The example stacks (examples/*.yaml) are what a new user copies: each must validate, fit its quotas
 * (test/quota.spec.ts runs every example) and keep the capabilities its system needs. Each row names
 * an example and what its system cannot do without.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { alertReceiversSecretName } from "../components/addons/monitoring/alertmanager";
import { AlertRule } from "../components/addons/monitoring/rules";
import { parseBytes, parseCpu } from "../components/platform/quantity";
import { packVerdicts } from "./policy/pack-run";
import { publicMetricsRoutes } from "./support/exposure";
import { clusterScopedKinds, kinds as types } from "./support/kinds";
import { readConfigFile, repoRoot, revealSecrets, runStack, StackRun, testSecretValue, withTestSecrets } from "./support/program";
import { comparisons, promqlErrors } from "./support/promql";

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

const mebibyte = 2 ** 20;
const gibibyte = 2 ** 30;
const named = (objects: any[], name: string): any => {
    const found = objects.find((object) => object.metadata.name === name);
    assert.ok(found, `nothing named ${name} among ${objects.map((object) => object.metadata.name).join(", ")}`);
    return found;
};
const workload = (run: StackRun, type: string, namespace: string, name: string): any => named(inputs(run, type, namespace), name);
const container = (object: any, name: string): any => object.spec.template.spec.containers.find((candidate: any) => candidate.name === name);
const appEnv = (run: StackRun, namespace: string, name: string): any[] => container(workload(run, types.deployment, namespace, name), name).env;
/** Requests and limits as [millicores, bytes], whatever units the config wrote them in. */
const quantities = (resources: any) => Object.fromEntries((["requests", "limits"] as const).map((kind) =>
    [kind, [parseCpu(resources[kind].cpu), parseBytes(resources[kind].memory)]]));
/** A store's (PostgreSQL's, Redis's) container sizing and the StorageClass of its volume. */
const storeSizing = (run: StackRun, namespace: string, name: string, containerName: string) => {
    const store = workload(run, types.statefulSet, namespace, name);
    return { ...quantities(container(store, containerName).resources), storageClass: store.spec.volumeClaimTemplates[0].spec.storageClassName };
};
/** One direction of an autoscaler's behaviour as [type, value, periodSeconds] policies. */
const behaviour = (direction: any) => ({
    window: direction.stabilizationWindowSeconds,
    policies: direction.policies.map((policy: any) => [policy.type, policy.value, policy.periodSeconds]),
    select: direction.selectPolicy,
});

/** A system's checkable values, each the registered value the program derives from the example, as capabilities. */
function seedValues(rows: { value: string; expected: unknown; actual: (run: StackRun) => unknown }[]): { name: string; check: (run: StackRun) => void }[] {
    return rows.map(({ value, expected, actual }) => ({ name: value, check: (run) => assert.deepEqual(actual(run), expected) }));
}

const examples: { file: string; stack: string; capabilities: { name: string; check: (run: StackRun) => void | Promise<void> }[] }[] = [
    {
        file: "agentguard.yaml",
        stack: "production",
        // Every checkable value of the AgentGuard seed (../shared/seeds/003_*), as the program registers it.
        capabilities: seedValues([
            { value: "API requests 1 CPU / 2Gi, limits 2 CPU / 4Gi", expected: { requests: [1000, 2 * gibibyte], limits: [2000, 4 * gibibyte] },
                actual: (run) => quantities(container(workload(run, types.deployment, "agentguard", "agentguard-api"), "agentguard-api").resources) },
            { value: "HPA 3-20 replicas at CPU 70 % and memory 80 %", expected: { replicas: [3, 20], targets: { cpu: 70, memory: 80 } },
                actual: (run) => {
                    const { spec } = named(inputs(run, types.hpa, "agentguard"), "agentguard-api");
                    return { replicas: [spec.minReplicas, spec.maxReplicas], targets: Object.fromEntries(spec.metrics.map((metric: any) => [metric.resource.name, metric.resource.target.averageUtilization])) };
                } },
            { value: "scale up by at most 50 % or 4 pods a minute, after 60 s", expected: { window: 60, policies: [["Percent", 50, 60], ["Pods", 4, 60]], select: "Max" },
                actual: (run) => behaviour(named(inputs(run, types.hpa, "agentguard"), "agentguard-api").spec.behavior.scaleUp) },
            { value: "scale down by at most 10 % or 2 pods a minute, after 300 s", expected: { window: 300, policies: [["Percent", 10, 60], ["Pods", 2, 60]], select: "Max" },
                actual: (run) => behaviour(named(inputs(run, types.hpa, "agentguard"), "agentguard-api").spec.behavior.scaleDown) },
            { value: "PostgreSQL requests 500m / 1Gi, limits 1 CPU / 2Gi, on fast-ssd", expected: { requests: [500, gibibyte], limits: [1000, 2 * gibibyte], storageClass: "fast-ssd" },
                actual: (run) => storeSizing(run, "agentguard", "agentguard-api-postgres", "postgres") },
            { value: "Redis requests 200m / 512Mi, limits 500m / 1Gi, on fast-ssd", expected: { requests: [200, 512 * mebibyte], limits: [500, gibibyte], storageClass: "fast-ssd" },
                actual: (run) => storeSizing(run, "agentguard-redis", "redis", "redis") },
            { value: "the API reads every secret the seed names from a Secret", expected: ["CLAUDE_API_KEY", "ENCRYPTION_KEY", "JWT_SECRET_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD", "SLACK_WEBHOOK_URL", "SMTP_PASSWORD", "WEBHOOK_SECRET"],
                actual: (run) => appEnv(run, "agentguard", "agentguard-api").filter((variable) => variable.valueFrom?.secretKeyRef).map((variable) => variable.name)
                    .filter((name) => !["PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "REDIS_HOST", "REDIS_PORT"].includes(name)).sort() },
            { value: "POSTGRES_PASSWORD is the password the database was created with", expected: { name: "agentguard-api-postgres-credentials", key: "password" },
                actual: (run) => {
                    const credentials = run.get(types.secret, "agentguard-api-postgres-credentials").inputs as any;
                    const reference = appEnv(run, "agentguard", "agentguard-api").find((variable) => variable.name === "POSTGRES_PASSWORD").valueFrom.secretKeyRef;
                    assert.equal(reference.name, credentials.metadata.name);
                    return reference;
                } },
            { value: "egress to the Claude API on 443 only, by its published CIDR", expected: [{ cidr: "160.79.104.0/23", ports: [443] }],
                actual: (run) => named(inputs(run, types.networkPolicy, "agentguard"), "agentguard-api-traffic").spec.egress
                    .filter((rule: any) => rule.to.some((peer: any) => peer.ipBlock))
                    .map((rule: any) => ({ cidr: rule.to[0].ipBlock.cidr, ports: rule.ports.map((port: any) => port.port) })) },
            { value: "alerts: > 10 % 5xx for 5 min, PostgreSQL down for 2 min, > 90 % memory for 5 min (critical); p95 > 1 s for 5 min (warning)",
                expected: {
                    TierHighErrorRate: [">", 0.1, "5m", "critical"],
                    TierDatabaseDown: ["==", 0, "2m", "critical"],
                    TierHighMemory: [">", 0.9, "5m", "critical"],
                    TierHighLatency: [">", 1, "5m", "warning"],
                },
                actual: (run) => {
                    const rules = named(inputs(run, types.prometheusRule, "agentguard"), "agentguard-api").spec.groups[0].rules as AlertRule[];
                    return Object.fromEntries(["TierHighErrorRate", "TierDatabaseDown", "TierHighMemory", "TierHighLatency"].map((alert) => {
                        const rule = rules.find((candidate) => candidate.alert === alert)!;
                        const [comparison] = comparisons(rule.expr);
                        return [alert, [comparison.operator, comparison.threshold, rule.for, rule.labels.severity]];
                    }));
                } },
            { value: "a warning on unusual hallucination detection patterns (the seed's High Hallucination Rate)", expected: [["AgentGuardHighHallucinationRate", "warning", true]],
                actual: (run) => (named(inputs(run, types.prometheusRule, "agentguard"), "agentguard-api").spec.groups[0].rules as AlertRule[])
                    .filter((rule) => rule.expr.includes("hallucination_detections_total"))
                    .map((rule) => [rule.alert, rule.labels.severity, promqlErrors(rule.expr).length === 0]) },
            { value: "critical and warning alerts reach Slack, from the webhook in a mounted Secret", expected: { routes: { critical: ["slack"], warning: ["slack"] }, secrets: [alertReceiversSecretName] },
                actual: (run) => {
                    const { alertmanager } = (run.get(types.chart, "addons-monitoring-kube-prometheus-stack").inputs as any).values;
                    const receivers = new Map((alertmanager.config.receivers as any[]).map((receiver) => [receiver.name, receiver]));
                    const routes = Object.fromEntries((alertmanager.config.route.routes as any[]).map((route) => [route.matchers[0].match(/"(.+)"/)[1],
                        [...(receivers.get(route.receiver).pagerduty_configs ? ["pagerDuty"] : []), ...(receivers.get(route.receiver).slack_configs ? ["slack"] : [])]]));
                    return { routes, secrets: alertmanager.alertmanagerSpec.secrets };
                } },
            { value: "/metrics on its own port, scraped by Prometheus, never routed by the public Ingress", expected: { scraped: ["metrics", "/metrics"], servicePort: 9090, admitted: ["monitoring"], ingressPorts: ["http"], publicRoutes: [] },
                actual: (run) => {
                    const [monitor] = inputs(run, types.serviceMonitor, "agentguard");
                    const service = named(inputs(run, types.service, "agentguard"), "agentguard-api");
                    const policy = named(inputs(run, types.networkPolicy, "agentguard"), "agentguard-api-traffic");
                    const ingress = named(inputs(run, types.ingress, "agentguard"), "agentguard-api");
                    return {
                        scraped: [monitor.spec.endpoints[0].port, monitor.spec.endpoints[0].path],
                        servicePort: service.spec.ports.find((port: any) => port.name === "metrics").port,
                        admitted: policy.spec.ingress.filter((rule: any) => rule.ports.some((port: any) => port.port === 9090))
                            .flatMap((rule: any) => rule.from.map((peer: any) => peer.namespaceSelector.matchLabels["kubernetes.io/metadata.name"])),
                        ingressPorts: [...new Set(ingress.spec.rules.flatMap((rule: any) => rule.http.paths.map((path: any) => path.backend.service.port.name)))],
                        publicRoutes: publicMetricsRoutes(run.resources),
                    };
                } },
            { value: "liveness, readiness and startup probes on /health", expected: ["/health", "/health", "/health"],
                actual: (run) => {
                    const app = container(workload(run, types.deployment, "agentguard", "agentguard-api"), "agentguard-api");
                    return [app.livenessProbe.httpGet.path, app.readinessProbe.httpGet.path, app.startupProbe.httpGet.path];
                } },
            { value: "non-root as UID 1000, read-only root filesystem", expected: [1000, true],
                actual: (run) => {
                    const pod = workload(run, types.deployment, "agentguard", "agentguard-api").spec.template.spec;
                    return [pod.securityContext.runAsUser, pod.containers[0].securityContext.readOnlyRootFilesystem];
                } },
            { value: "served at watcher.mothership-ai.com and api.agentguard.mothership-ai.com", expected: ["api.agentguard.mothership-ai.com", "watcher.mothership-ai.com"],
                actual: (run) => named(inputs(run, types.ingress, "agentguard"), "agentguard-api").spec.rules.map((rule: any) => rule.host).sort() },
            { value: "NGINX runs 2 replicas", expected: 2,
                actual: (run) => (run.get(types.chart, "addons-ingress-nginx-ingress-nginx").inputs as any).values.controller.replicaCount },
            { value: "MLflow is a StatefulSet with its artifacts on a volume per replica, on probes at /health", expected: { kind: "StatefulSet", claim: ["50Gi", "standard"], probe: "/health" },
                actual: (run) => {
                    const mlflow = workload(run, types.statefulSet, "agentguard-mlflow", "mlflow");
                    const [claim] = mlflow.spec.volumeClaimTemplates;
                    return { kind: "StatefulSet", claim: [claim.spec.resources.requests.storage, claim.spec.storageClassName], probe: container(mlflow, "mlflow").readinessProbe.httpGet.path };
                } },
            { value: "the API calls MLflow: the API's egress reaches MLflow's pods on its port, and MLflow admits the API's",
                expected: { egress: [{ namespace: "agentguard-mlflow", tier: "mlflow", port: 5000 }], ingress: [{ namespace: "agentguard", tier: "agentguard-api", port: 5000 }] },
                actual: (run) => {
                    const tierPeers = (rules: any[], side: "to" | "from") => rules.filter((rule) => rule[side]?.some((peer: any) => peer.podSelector?.matchLabels?.["app.kubernetes.io/component"] === "app"))
                        .flatMap((rule) => rule[side].map((peer: any) => ({
                            namespace: peer.namespaceSelector.matchLabels["kubernetes.io/metadata.name"], tier: peer.podSelector.matchLabels["app.kubernetes.io/name"], port: rule.ports[0].port,
                        })));
                    return {
                        egress: tierPeers(named(inputs(run, types.networkPolicy, "agentguard"), "agentguard-api-traffic").spec.egress, "to"),
                        ingress: tierPeers(named(inputs(run, types.networkPolicy, "agentguard-mlflow"), "mlflow-traffic").spec.ingress, "from"),
                    };
                } },
        ]).concat({ name: "every workload passes the policy pack, with only the platform's documented waiver", check: async (run) => {
            assert.deepEqual(await packVerdicts(run), { findings: [], waivers: ["addons-cert-manager-webhook-gate: automountServiceAccountToken"] });
        } }),
    },
    {
        file: "circle-core-development.yaml",
        stack: "development",
        capabilities: [
            { name: "the integration's image and the development environment: one replica, debug logs, nothing protected", check: (run) => {
                const [core] = inputs(run, types.deployment, "circle-core");
                assert.equal(core.spec.template.spec.containers[0].image, "your-registry/circle-core:0.2.0");
                assert.equal(core.spec.replicas, 1);
                const settings = inputs(run, types.configMap, "circle-core").find((map) => map.data?.LOG_LEVEL !== undefined);
                assert.equal(settings.data.LOG_LEVEL, "debug");
                assert.deepEqual(run.resources.filter((resource) => resource.protect).map((resource) => resource.name), []);
            } },
            { name: "settings from a ConfigMap, an uploads claim mounted, an Ingress of the shared controller with the shared issuer", check: (run) => {
                const settings = inputs(run, types.configMap, "circle-core").find((map) => map.data?.LOG_LEVEL !== undefined);
                assert.equal(settings.data.UPLOAD_DIR, "/var/lib/circle/uploads");
                const mounts = podSpecOf(run, "circle-core").containers[0].volumeMounts.map((mount: any) => mount.mountPath);
                assert.ok(mounts.includes("/var/lib/circle/uploads"), `uploads not mounted: ${mounts.join(", ")}`);
                assert.ok(inputs(run, types.claim, "circle-core").some((claim) => claim.spec.resources.requests.storage === "5Gi"), "no uploads claim");
                const [ingress] = inputs(run, types.ingress, "circle-core");
                assert.deepEqual(ingress.spec.rules.map((rule: any) => rule.host), ["core.dev.circle.example.com"]);
                assert.equal(ingress.spec.ingressClassName, "nginx");
                assert.equal(ingress.metadata.annotations["cert-manager.io/cluster-issuer"], "letsencrypt");
                const admitted = inputs(run, types.networkPolicy, "circle-core").flatMap((policy) => policy.spec.ingress ?? [])
                    .flatMap((rule: any) => rule.from ?? []).map((peer: any) => peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"]);
                assert.ok(admitted.includes("ingress-nginx"), `the shared controller's namespace is not admitted: ${admitted.join(", ")}`);
            } },
            { name: "the app and its database land on the tainted development pool", check: (run) => {
                const database = inputs(run, types.statefulSet, "circle-core").find((set) => set.metadata.name !== "circle-core");
                for (const spec of [podSpecOf(run, "circle-core"), database.spec.template.spec]) {
                    assert.deepEqual(spec.nodeSelector, { pool: "development" });
                    assert.deepEqual(spec.tolerations, [{ key: "dedicated", operator: "Equal", value: "development", effect: "NoSchedule" }]);
                }
            } },
            { name: "namespace-level rights only: no add-on, and nothing cluster-scoped but the tier's Namespace", check: (run) => {
                assert.deepEqual(run.resources.filter((resource) => /^addons-./.test(resource.name)).map((resource) => `${resource.type} ${resource.name}`), []);
                const outsideTheTier = run.resources
                    .filter((resource) => resource.custom && resource.type.startsWith("kubernetes:"))
                    .filter((resource) => {
                        const metadata = (resource.inputs as any).metadata;
                        const tierNamespace = resource.type === types.namespace && metadata?.name === "circle-core";
                        return !tierNamespace && metadata?.namespace !== "circle-core";
                    })
                    .map((resource) => `${resource.type} ${resource.name}`);
                assert.deepEqual(outsideTheTier, [], "objects that are cluster-scoped or outside the tier's namespace");
                for (const kind of clusterScopedKinds) {
                    assert.deepEqual(run.ofType(kind).map((resource) => resource.name), [], kind);
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
                const service = named(inputs(run, types.service, "kas"), "kas");
                assert.deepEqual(service.spec.ports.map((port: any) => [port.name, port.port]), [["http", 8080], ["metrics", 9090]]);
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
