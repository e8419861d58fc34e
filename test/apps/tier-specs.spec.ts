/**
 * The app tier's objects as the pure builders of components/apps/tier-specs.ts make them, from
 * tier args alone: no Pulumi run. What the stacks register from them is test/apps/tier.spec.ts's.
 */
import * as assert from "node:assert/strict";
import type { AppTierArgs } from "../../components/apps/tier";
import {
    apiRoleArgs, apiRoleBindingArgs, appPodTemplate, cronJobPod, deploymentArgs, disruptionBudgetArgs, hpaArgs, metricsPortName, serviceAccountArgs,
    serviceArgs, settingsArgs, statefulSetArgs, storePodLabels, tierFacts, tierPod, TierPodRefs,
} from "../../components/apps/tier-specs";
import { aStore, aTierArgs } from "./tier-args";

const refs: TierPodRefs = { serviceAccountName: "web-sa", settingsName: "web-settings-x1", appSecretEnv: [] };
const noClaims = { mounts: [], podVolumes: [] };
const hpa = {
    minReplicas: 2,
    maxReplicas: 6,
    cpuUtilization: 70,
    behavior: {
        scaleUp: { stabilizationSeconds: 60, percent: 50, pods: 4, periodSeconds: 60 },
        scaleDown: { stabilizationSeconds: 300, percent: 10, pods: 2, periodSeconds: 60 },
    },
};
const template = (args: AppTierArgs): any => appPodTemplate(args, tierFacts(args), tierPod(args, tierFacts(args), refs), noClaims);
const container = (args: AppTierArgs): any => template(args).spec.containers[0];

describe("app tier specs", () => {
    describe("the facts every object shares", () => {
        const cases: { name: string; args: Partial<AppTierArgs>; ports: [string, number][]; metricsPortName?: string; needsApi: boolean; highAvailability: boolean }[] = [
            { name: "no metrics, no API, staging", args: {}, ports: [["http", 3000]], needsApi: false, highAvailability: false },
            { name: "metrics on the app's port", args: { metrics: { path: "/metrics", scraperNamespace: "monitoring", requests: "r" } },
                ports: [["http", 3000]], metricsPortName: "http", needsApi: false, highAvailability: false },
            { name: "metrics on a port of their own", args: { metrics: { path: "/metrics", port: 9090, scraperNamespace: "monitoring", requests: "r" } },
                ports: [["http", 3000], ["metrics", 9090]], metricsPortName: "metrics", needsApi: false, highAvailability: false },
            { name: "metrics naming the app's port", args: { metrics: { path: "/metrics", port: 3000, scraperNamespace: "monitoring", requests: "r" } },
                ports: [["http", 3000]], metricsPortName: "http", needsApi: false, highAvailability: false },
            { name: "API access in its namespace", args: { apiAccess: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }] },
                ports: [["http", 3000]], needsApi: true, highAvailability: false },
            { name: "a ClusterRole bound elsewhere", args: { clusterApi: true }, ports: [["http", 3000]], needsApi: true, highAvailability: false },
            { name: "production", args: { environment: "production" }, ports: [["http", 3000]], needsApi: false, highAvailability: true },
        ];
        for (const { name, args: overrides, ports, metricsPortName: portName, needsApi, highAvailability } of cases) {
            it(name, () => {
                const args = aTierArgs(overrides);
                const facts = tierFacts(args);
                assert.deepEqual(container(args).ports.map((port: any) => [port.name, port.containerPort]), ports);
                assert.deepEqual((serviceArgs(args, facts, "web-ns").spec as any).ports.map((port: any) => [port.name, port.port, port.targetPort]),
                    ports.map(([portName, port]) => [portName, port, portName]));
                assert.equal(metricsPortName(args, facts), portName);
                assert.equal(serviceAccountArgs(args, facts, "web-ns").automountServiceAccountToken, needsApi);
                assert.equal(template(args).spec.automountServiceAccountToken, needsApi);
                assert.equal(facts.highAvailability, highAvailability);
            });
        }

        it("selects the tier's app pods only, and labels every object with the tier and environment", () => {
            const facts = tierFacts(aTierArgs({ environment: "production" }));
            assert.deepEqual(facts.selector, { "app.kubernetes.io/name": "web", "app.kubernetes.io/component": "app" });
            assert.equal(facts.labels["groundwork.dev/environment"], "production");
            assert.deepEqual(disruptionBudgetArgs(aTierArgs(), tierFacts(aTierArgs()), "web-ns").spec, { maxUnavailable: 1, selector: { matchLabels: facts.selector } });
        });
    });

    it("grants the configured API rules in the tier's namespace to the tier's account", () => {
        const args = aTierArgs({ apiAccess: [{ apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "get"] }] });
        const facts = tierFacts(args);
        assert.deepEqual(apiRoleArgs(args, facts, "web-ns").rules, [{ apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "get"] }]);
        const binding = apiRoleBindingArgs(args, facts, "web-ns", { roleName: "web-role", serviceAccountName: "web-sa" });
        assert.deepEqual(binding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "web-role" });
        assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "web-sa", namespace: "web-ns" }]);
    });

    it("passes the log level, port and environment as settings, which the tier's own settings override", () => {
        const args = aTierArgs({ settings: { FEATURE: "on", LOG_LEVEL: "warn" } });
        const settings = settingsArgs(args, tierFacts(args), "web-ns");
        assert.deepEqual(settings.data, { LOG_LEVEL: "warn", PORT: "3000", ENVIRONMENT: "staging", FEATURE: "on" });
        assert.equal((settings.metadata as any).name, undefined, "auto-named, so that a change rolls the pods");
    });

    describe("the pods", () => {
        it("read the stores', the referenced Secrets' and the application secrets' variables, in that order, never as literals", () => {
            const args = aTierArgs({
                database: aStore("postgres", 5432),
                redis: aStore("redis", 6379),
                secretEnv: [{ name: "API_KEY", secretName: "vendor", key: "key" }],
            });
            const pod = tierPod(args, tierFacts(args), { ...refs, appSecretEnv: [{ name: "TOKEN", valueFrom: { secretKeyRef: { name: "web-secrets-x1", key: "TOKEN" } } }] });
            const env = pod.container.env as any[];
            assert.deepEqual(env.map((variable) => [variable.name, variable.valueFrom.secretKeyRef.name, variable.valueFrom.secretKeyRef.key]), [
                ["PGHOST", "postgres-credentials", "host"], ["PGPORT", "postgres-credentials", "port"], ["PGDATABASE", "postgres-credentials", "database"],
                ["PGUSER", "postgres-credentials", "username"], ["PGPASSWORD", "postgres-credentials", "password"],
                ["REDIS_HOST", "redis-credentials", "host"], ["REDIS_PORT", "redis-credentials", "port"], ["REDIS_PASSWORD", "redis-credentials", "password"],
                ["API_KEY", "vendor", "key"],
                ["TOKEN", "web-secrets-x1", "TOKEN"],
            ]);
            assert.deepEqual(pod.container.envFrom, [{ configMapRef: { name: "web-settings-x1" } }]);
            assert.deepEqual(storePodLabels(args), { "postgres-client": "true", "redis-client": "true" });
            assert.deepEqual(template(args).metadata.labels, { ...tierFacts(args).labels, "postgres-client": "true", "redis-client": "true" });
        });

        const spreads: { environment: string; hostname: string }[] = [
            { environment: "staging", hostname: "ScheduleAnyway" },
            { environment: "production", hostname: "DoNotSchedule" },
        ];
        for (const { environment, hostname } of spreads) {
            it(`spread over nodes (${hostname}) and zones (ScheduleAnyway) in ${environment}`, () => {
                const constraints = template(aTierArgs({ environment })).spec.topologySpreadConstraints;
                assert.deepEqual(constraints.map((constraint: any) => [constraint.topologyKey, constraint.whenUnsatisfiable]),
                    [["kubernetes.io/hostname", hostname], ["topology.kubernetes.io/zone", "ScheduleAnyway"]]);
            });
        }

        it("carry Prometheus' scrape annotations only when the app serves metrics", () => {
            assert.deepEqual(template(aTierArgs()).metadata.annotations, {});
            assert.deepEqual(template(aTierArgs({ metrics: { path: "/stats", port: 9090, scraperNamespace: "monitoring", requests: "r" } })).metadata.annotations,
                { "prometheus.io/scrape": "true", "prometheus.io/port": "9090", "prometheus.io/path": "/stats" });
        });

        it("probe the configured paths on the http port and mount writable directories, claims and certificates in that order", () => {
            const args = aTierArgs({
                writablePaths: ["/tmp", "/var/cache"],
                certificateMounts: [{ volumeName: "client-tls", secretName: "web-client-tls", mountPath: "/etc/tls" }],
            });
            const claims = { mounts: [{ name: "data", mountPath: "/data" }], podVolumes: [{ name: "data", persistentVolumeClaim: { claimName: "web-data" } }] };
            const pod = appPodTemplate(args, tierFacts(args), tierPod(args, tierFacts(args), refs), claims) as any;
            const app = pod.spec.containers[0];
            assert.deepEqual([app.startupProbe, app.readinessProbe, app.livenessProbe].map((probe) => [probe.httpGet.path, probe.httpGet.port]),
                [["/startup", "http"], ["/readyz", "http"], ["/healthz", "http"]]);
            assert.deepEqual(app.volumeMounts.map((mount: any) => [mount.name, mount.mountPath, mount.readOnly ?? false]),
                [["writable-0", "/tmp", false], ["writable-1", "/var/cache", false], ["data", "/data", false], ["client-tls", "/etc/tls", true]]);
            assert.deepEqual(pod.spec.volumes.map((volume: any) => volume.name), ["writable-0", "writable-1", "data", "client-tls"]);
            assert.deepEqual(app.resources, args.resources);
            assert.equal(app.securityContext.readOnlyRootFilesystem, true);
            assert.equal(pod.spec.securityContext.runAsUser, 10001);
        });

        it("give the scheduled jobs the app's identity and writable directories, but not its ports, probes or claims", () => {
            const args = aTierArgs();
            const jobs = cronJobPod(args, tierPod(args, tierFacts(args), refs)) as any;
            assert.equal(jobs.podSpec.serviceAccountName, "web-sa");
            assert.deepEqual(jobs.podSpec.volumes, [{ name: "writable-0", emptyDir: { sizeLimit: "256Mi" } }]);
            assert.deepEqual(jobs.container.volumeMounts, [{ name: "writable-0", mountPath: "/tmp" }]);
            for (const key of ["ports", "startupProbe", "readinessProbe", "livenessProbe", "resources"]) {
                assert.equal(jobs.container[key], undefined, key);
            }
        });
    });

    describe("the workload", () => {
        const strategies: { name: string; environment: string; recreate: boolean; expected: unknown }[] = [
            { name: "rolls with a quarter unavailable outside production", environment: "staging", recreate: false,
                expected: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } } },
            { name: "rolls with none unavailable under high availability", environment: "production", recreate: false,
                expected: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } } },
            { name: "recreates when a volume cannot be shared", environment: "production", recreate: true, expected: { type: "Recreate" } },
        ];
        for (const { name, environment, recreate, expected } of strategies) {
            it(`a Deployment ${name}`, () => {
                const args = aTierArgs({ environment });
                assert.deepEqual((deploymentArgs(args, tierFacts(args), "web-ns", {}, recreate).spec as any).strategy, expected);
            });
        }

        it("a StatefulSet keeps its claims and names its headless Service", () => {
            const args = aTierArgs({ kind: "StatefulSet" });
            const claimTemplates = [{ metadata: { name: "data" } }];
            const spec = statefulSetArgs(args, tierFacts(args), "web-ns", {}, claimTemplates).spec as any;
            assert.equal(spec.serviceName, "web");
            assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
            assert.deepEqual(spec.volumeClaimTemplates, claimTemplates);
            assert.equal(spec.replicas, 2);
        });

        const autoscalers: { name: string; memoryUtilization?: number; kind: "Deployment" | "StatefulSet"; metrics: [string, number][] }[] = [
            { name: "scales a Deployment on CPU", kind: "Deployment", metrics: [["cpu", 70]] },
            { name: "scales a StatefulSet on CPU and memory", kind: "StatefulSet", memoryUtilization: 80, metrics: [["cpu", 70], ["memory", 80]] },
        ];
        for (const { name, memoryUtilization, kind, metrics } of autoscalers) {
            it(`the autoscaler ${name}`, () => {
                const args = aTierArgs({ kind });
                const spec = hpaArgs(args, { ...hpa, memoryUtilization }, tierFacts(args), "web-ns", "web").spec as any;
                assert.deepEqual(spec.scaleTargetRef, { apiVersion: "apps/v1", kind, name: "web" });
                assert.deepEqual([spec.minReplicas, spec.maxReplicas], [2, 6]);
                assert.deepEqual(spec.metrics.map((metric: any) => [metric.resource.name, metric.resource.target.averageUtilization]), metrics);
            });
        }
    });
});
