import * as assert from "node:assert/strict";
import { appTierBudget, AppTierSizing } from "../../components/apps/budget";
import { anEdge, aStack, aTier, Environment, RawConfig } from "../support/builders";
import { runStack, StackRun } from "../support/program";

/**
 * A NetworkPolicy peer as `namespace/name.component` (the pods' app labels; `*` for any pod), or a
 * CIDR; peers without a namespace are in the tier's own.
 */
function peer(value: any, ownNamespace: string): string {
    if (value.ipBlock) {
        return value.ipBlock.cidr;
    }
    const namespace = value.namespaceSelector?.matchLabels["kubernetes.io/metadata.name"] ?? ownNamespace;
    const labels = value.podSelector?.matchLabels;
    return `${namespace}/${labels ? `${labels["app.kubernetes.io/name"]}.${labels["app.kubernetes.io/component"]}` : "*"}`;
}

const deployment = "kubernetes:apps/v1:Deployment";

const apiHost = "api.example.com";

/**
 * Three tiers behind the edge: a public API with its metrics on a port of their own (production
 * raises its request limits), an autoscaled engine it calls, and an executor both call that reaches
 * the Kubernetes API; each with a database and Redis.
 */
function platform(environment: Environment): RawConfig {
    const limits = environment === "production" ? { requestsPerSecond: 100, connections: 50 } : {};
    return aStack(environment)
        .withTier(
            aTier("backend").with({ port: 3000, logLevel: "debug", public: { hosts: [apiHost], ...limits } }).withMetrics().autoscaled(2, 4).withDatabase().withRedis(),
            aTier("ai-engine").with({ port: 8000 }).calledBy("backend").withMetrics({ path: "/metrics" }).autoscaled(1, 3).withDatabase().withRedis(),
            aTier("executor").calledBy("backend", "ai-engine").withDatabase().withRedis().with({
                egress: [{ cidr: "0.0.0.0/0", ports: [443, 6443] }],
                apiAccess: [{ apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "get", "list", "watch", "delete"] }],
            }),
        )
        .withRedis()
        .withEdge(anEdge())
        .build();
}
const tiersOf = (environment: Environment) => platform(environment)["groundwork:tiers"] as any[];
const networkPolicy = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

describe("app tiers", function () {
    this.timeout(60000);
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.staging = await runStack("staging", { config: platform("staging") });
        runs.production = await runStack("production", { config: platform("production") });
    });

    for (const stack of ["staging", "production"] as const) {
        describe(`${stack}`, () => {
            const tierNames = ["backend", "ai-engine", "executor"];

            it("runs every tier's pods under the restricted profile with a read-only root", () => {
                for (const name of tierNames) {
                    const pod = (runs[stack].get(deployment, `${name}-deployment`).inputs as any).spec.template.spec;
                    assert.deepEqual(pod.securityContext.seccompProfile, { type: "RuntimeDefault" }, name);
                    assert.equal(pod.securityContext.runAsNonRoot, true, name);
                    assert.ok(pod.securityContext.runAsUser > 0, name);
                    const container = pod.containers[0];
                    assert.deepEqual(container.securityContext, {
                        allowPrivilegeEscalation: false,
                        readOnlyRootFilesystem: true,
                        runAsNonRoot: true,
                        capabilities: { drop: ["ALL"] },
                        seccompProfile: { type: "RuntimeDefault" },
                    }, name);
                    assert.deepEqual(container.volumeMounts, [{ name: "writable-0", mountPath: "/tmp" }], name);
                    assert.ok(pod.volumes[0].emptyDir, name);
                }
            });

            it("gives every container three HTTP probes and the configured requests and limits", () => {
                const tiers = tiersOf(stack);
                for (const tier of tiers) {
                    const container = (runs[stack].get(deployment, `${tier.name}-deployment`).inputs as any).spec.template.spec.containers[0];
                    assert.equal(container.livenessProbe.httpGet.path, "/healthz");
                    assert.equal(container.readinessProbe.httpGet.path, "/readyz");
                    assert.equal(container.startupProbe.httpGet.path, "/healthz");
                    assert.deepEqual(container.resources, tier.resources, tier.name);
                    assert.equal(container.image, tier.image);
                }
            });

            it("passes settings through a ConfigMap and every credential through secretKeyRef", () => {
                const container = (runs[stack].get(deployment, "backend-deployment").inputs as any).spec.template.spec.containers[0];
                assert.ok(container.envFrom[0].configMapRef.name);
                const env = container.env as any[];
                assert.deepEqual(env.map((variable) => variable.name),
                    ["PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD"]);
                for (const variable of env) {
                    assert.equal(variable.value, undefined, `${variable.name} must not carry a literal value`);
                    assert.ok(variable.valueFrom.secretKeyRef.name, variable.name);
                }
                for (const tier of tiersOf(stack)) {
                    const settings = runs[stack].get("kubernetes:core/v1:ConfigMap", `${tier.name}-settings`).inputs as any;
                    assert.equal(settings.data.LOG_LEVEL, tier.logLevel ?? "info", tier.name);
                }
            });

            it("mounts an API token only for the executor, which gets a least-privilege Role", () => {
                for (const name of tierNames) {
                    const account = runs[stack].get("kubernetes:core/v1:ServiceAccount", `${name}-sa`).inputs as any;
                    assert.equal(account.automountServiceAccountToken, name === "executor", name);
                }
                const roles = runs[stack].ofType("kubernetes:rbac.authorization.k8s.io/v1:Role").filter((role) => role.parent.includes("groundwork:apps:AppTier"));
                assert.deepEqual(roles.map((role) => role.name), ["executor-role"]);
                const rules = (roles[0].inputs as any).rules;
                assert.deepEqual(rules[0], { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "get", "list", "watch", "delete"] });
                assert.ok(rules.every((rule: any) => !rule.verbs.includes("*") && !rule.resources.includes("*")));
                const binding = runs[stack].get("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "executor-rolebinding").inputs as any;
                assert.equal(binding.roleRef.kind, "Role");
                assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "executor", namespace: "executor" }]);
            });

            it("waits for the tier's database Secret and Service before starting it", () => {
                for (const name of tierNames) {
                    const dependencies = runs[stack].get(deployment, `${name}-deployment`).dependencies;
                    for (const needed of [`Secret::${name}-postgres-credentials`, `Service::${name}-postgres-service`, `Secret::redis-credentials-${name}`]) {
                        assert.ok(dependencies.some((urn) => urn.endsWith(needed)), `${name} must depend on ${needed}`);
                    }
                }
            });

            it("admits exactly each tier's declared callers, and lets it reach only its stores, the tiers that name it as caller and its declared egress", () => {
                const tiers = tiersOf(stack);
                for (const tier of tiers) {
                    const spec = (runs[stack].get(networkPolicy, `${tier.name}-traffic`).inputs as any).spec;
                    assert.deepEqual(spec.policyTypes, ["Ingress", "Egress"], tier.name);
                    assert.deepEqual(spec.podSelector.matchLabels, (runs[stack].get(deployment, `${tier.name}-deployment`).inputs as any).spec.selector.matchLabels, tier.name);
                    const admitted = (spec.ingress as any[]).flatMap((rule) => rule.from.flatMap((from: any) => rule.ports.map((port: any) => `${peer(from, tier.name)}:${port.port}`)));
                    const declared = [
                        ...(tier.callers ?? []).map((caller: string) => `${caller}/${caller}.app:${tier.port}`),
                        ...(tier.public ? [`ingress-nginx/*:${tier.port}`] : []),
                        ...(tier.metrics ? [`monitoring/*:${tier.metrics.port ?? tier.port}`] : []),
                    ];
                    assert.deepEqual(admitted.sort(), declared.sort(), `${tier.name} ingress`);
                    const reached = (spec.egress as any[]).flatMap((rule) => rule.to.flatMap((to: any) => rule.ports.map((port: any) => `${peer(to, tier.name)}:${port.port}`)));
                    const allowed = [
                        ...(tier.database ? [`${tier.name}/${tier.name}-postgres.postgres:5432`] : []),
                        ...(tier.redis ? ["redis/redis.redis:6379"] : []),
                        ...(tier.egress ?? []).flatMap((rule: any) => rule.ports.map((port: number) => `${rule.cidr}:${port}`)),
                        ...tiers.filter((callee) => (callee.callers ?? []).includes(tier.name)).map((callee) => `${callee.name}/${callee.name}.app:${callee.port}`),
                    ];
                    assert.deepEqual(reached.sort(), allowed.sort(), `${tier.name} egress`);
                }
            });

            it("exposes only the public tier through an Ingress with TLS, limits and security headers", () => {
                const ingresses = runs[stack].ofType("kubernetes:networking.k8s.io/v1:Ingress").filter((ingress) => ingress.parent.includes("groundwork:apps:AppTier"));
                assert.deepEqual(ingresses.map((ingress) => ingress.name), ["backend-ingress"]);
                const ingress = ingresses[0].inputs as any;
                const publicTier = tiersOf(stack).find((tier) => tier.name === "backend");
                const [host] = publicTier.public.hosts as string[];
                assert.equal(ingress.spec.ingressClassName, "nginx");
                // The edge is on in both stacks: TLS is Cloudflare's origin certificate, not cert-manager's.
                assert.deepEqual(ingress.spec.tls, [{ hosts: [host], secretName: "cloudflare-origin-tls" }]);
                assert.equal(ingress.spec.rules[0].host, host);
                const annotations = ingress.metadata.annotations;
                assert.equal(annotations["cert-manager.io/cluster-issuer"], undefined);
                assert.equal(annotations["nginx.ingress.kubernetes.io/limit-rps"], String(publicTier.public.requestsPerSecond ?? 50));
                assert.equal(annotations["nginx.ingress.kubernetes.io/limit-connections"], String(publicTier.public.connections ?? 20));
                assert.equal(annotations["nginx.ingress.kubernetes.io/custom-headers"], "backend/backend-security-headers");
                const headers = (runs[stack].get("kubernetes:core/v1:ConfigMap", "backend-security-headers").inputs as any).data;
                assert.deepEqual(Object.keys(headers).sort(),
                    ["Content-Security-Policy", "Referrer-Policy", "Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options"]);
                assert.equal(headers["X-Frame-Options"], "SAMEORIGIN");
                assert.equal(headers["X-Content-Type-Options"], "nosniff");
                assert.ok(headers["Referrer-Policy"].length > 0);
                // The CSP must allow framing by the same origin too, or it would override X-Frame-Options in every current browser.
                assert.match(headers["Content-Security-Policy"], /(^|;\s*)frame-ancestors 'self'(;|$)/);
                assert.ok(!Object.keys(headers).some((name) => name.toLowerCase() === "x-xss-protection"), "X-XSS-Protection is deprecated and must not be sent");
            });

            it("annotates exactly the tiers with metrics for Prometheus scraping, at their metrics port and path", () => {
                for (const tier of tiersOf(stack)) {
                    const annotations = (runs[stack].get(deployment, `${tier.name}-deployment`).inputs as any).spec.template.metadata.annotations;
                    const expected = tier.metrics
                        ? { "prometheus.io/scrape": "true", "prometheus.io/port": String(tier.metrics.port ?? tier.port), "prometheus.io/path": tier.metrics.path }
                        : {};
                    assert.deepEqual(annotations, expected, tier.name);
                }
            });

            it("gives every tier a disruption budget and spreads its pods across nodes and zones", () => {
                for (const name of tierNames) {
                    const budget = runs[stack].get("kubernetes:policy/v1:PodDisruptionBudget", `${name}-pdb`).inputs as any;
                    assert.equal(budget.spec.maxUnavailable, 1);
                    const spread = (runs[stack].get(deployment, `${name}-deployment`).inputs as any).spec.template.spec.topologySpreadConstraints;
                    assert.deepEqual(spread.map((constraint: any) => constraint.topologyKey), ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]);
                }
            });
        });
    }

    it("lets cert-manager issue the tier certificate from the default issuer when the edge is off", async () => {
        const addons = { defaultIssuer: "letsencrypt-staging", certManager: { acmeEmail: "platform@example.com" } };
        const run = await runStack("local", { config: aStack("local").withTier(aTier("backend").public(apiHost)).withAddons(addons).build() });
        const ingress = run.get("kubernetes:networking.k8s.io/v1:Ingress", "backend-ingress").inputs as any;
        assert.equal(ingress.spec.tls[0].secretName, "backend-tls");
        assert.equal(ingress.metadata.annotations["cert-manager.io/cluster-issuer"], addons.defaultIssuer);
    });

    describe("ACME HTTP-01 solver", () => {
        const edgeOff = (addons: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ "groundwork:edge": { enabled: false }, "groundwork:addons": addons, ...extra });
        const cases: { name: string; overrides: Record<string, unknown>; secretKeys?: string[]; solver: boolean }[] = [
            { name: "the edge supplies origin certificates", overrides: {}, solver: false },
            { name: "edge off, Let's Encrypt over HTTP-01", overrides: edgeOff({ defaultIssuer: "letsencrypt-staging", certManager: { acmeEmail: "platform@example.com" } }), solver: true },
            { name: "edge off, a self-signed issuer", overrides: edgeOff({ defaultIssuer: "selfsigned" }), solver: false },
            {
                name: "edge off, every host inside a DNS-01 zone",
                overrides: edgeOff(
                    { defaultIssuer: "letsencrypt-staging", certManager: { acmeEmail: "platform@example.com", dns01Zones: ["example.com"] } },
                    { "groundwork:cloudflareApiToken": "test-cloudflare-token" },
                ),
                secretKeys: ["groundwork:cloudflareApiToken"],
                solver: false,
            },
        ];
        const quotaPods = (run: StackRun) => Number((run.get("kubernetes:core/v1:ResourceQuota", "backend-quota").inputs as any).spec.hard.pods);

        for (const { name, overrides, secretKeys, solver } of cases) {
            it(`${solver ? "admits the controller to" : "opens nothing for"} the solver pod and budgets ${solver ? "one" : "no"} pod for it: ${name}`, async () => {
                const run = await runStack("staging", { config: platform("staging"), overrides, secretKeys });
                const policy = run.ofType(networkPolicy).find((resource) => resource.name === "backend-acme-solver");
                assert.equal(policy !== undefined, solver);
                assert.equal(quotaPods(run), quotaPods(runs.staging) + (solver ? 1 : 0));
                if (policy) {
                    const spec = (policy.inputs as any).spec;
                    assert.deepEqual(spec.podSelector.matchLabels, { "acme.cert-manager.io/http01-solver": "true" });
                    assert.deepEqual(spec.policyTypes, ["Ingress"]);
                    assert.deepEqual(spec.ingress, [{
                        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }],
                        ports: [{ protocol: "TCP", port: 8089 }],
                    }]);
                    // Only the public tier serves an Ingress, so only its namespace gets a solver.
                    assert.deepEqual(run.ofType(networkPolicy).filter((resource) => resource.name.endsWith("-acme-solver")).map((resource) => resource.name), ["backend-acme-solver"]);
                }
            });
        }
    });

    describe("budget", () => {
        const resources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
        const hosts = ["api.example.com", "www.example.com"];
        // Pods at peak: the most replicas, plus a quarter of them rounded up for the rolling update, plus a solver pod per host,
        // plus the scheduled jobs' pods.
        const volume = (accessMode: "ReadWriteOnce" | "ReadWriteMany") => ({ name: "data", mountPath: "/data", size: "10Gi", accessMode });
        const cases: { name: string; sizing: AppTierSizing; pods: number; requestsCpu: number; claims?: number }[] = [
            { name: "one replica surges by one", sizing: { replicas: 1, resources }, pods: 2, requestsCpu: 200 },
            { name: "four replicas surge by one", sizing: { replicas: 4, resources }, pods: 5, requestsCpu: 500 },
            { name: "five replicas surge by two", sizing: { replicas: 5, resources }, pods: 7, requestsCpu: 700 },
            { name: "the autoscaler's maximum counts, not the replicas", sizing: { replicas: 3, hpa: { maxReplicas: 10 }, resources }, pods: 13, requestsCpu: 1300 },
            { name: "hosts without HTTP-01 run no solver", sizing: { replicas: 1, resources, public: { hosts } }, pods: 2, requestsCpu: 200 },
            { name: "each host proven over HTTP-01 runs a solver", sizing: { replicas: 1, resources, public: { hosts }, http01Solver: true }, pods: 4, requestsCpu: 220 },
            { name: "a StatefulSet replaces pods one by one: no surge, a claim per replica and volume",
                sizing: { replicas: 3, resources, kind: "StatefulSet", volumes: [volume("ReadWriteOnce")] }, pods: 3, requestsCpu: 300, claims: 3 },
            { name: "a Deployment with a ReadWriteOnce volume recreates: no surge, one claim",
                sizing: { replicas: 1, resources, volumes: [volume("ReadWriteOnce")] }, pods: 1, requestsCpu: 100, claims: 1 },
            { name: "a Deployment with a ReadWriteMany volume surges and shares one claim",
                sizing: { replicas: 4, resources, volumes: [volume("ReadWriteMany")] }, pods: 5, requestsCpu: 500, claims: 1 },
            { name: "a job that forbids overlap runs one pod, sized like the tier by default",
                sizing: { replicas: 1, resources, cronJobs: [{ concurrencyPolicy: "Forbid" }] }, pods: 3, requestsCpu: 300 },
            { name: "a job that replaces a late run may have two pods, at its own size",
                sizing: { replicas: 1, resources, cronJobs: [{ concurrencyPolicy: "Replace", resources: { requests: { cpu: "4", memory: "8Gi" }, limits: { cpu: "4", memory: "8Gi" } } }] },
                pods: 4, requestsCpu: 8200 },
        ];
        for (const { name, sizing, pods, requestsCpu, claims = 0 } of cases) {
            it(name, () => {
                const budget = appTierBudget(sizing);
                assert.deepEqual([budget.pods, budget.requestsCpu, budget.persistentVolumeClaims], [pods, requestsCpu, claims]);
            });
        }
    });

    it("limits a public tier's clients to the requests per second and connections it sets, else to 50 and 20", () => {
        const limits = (run: StackRun) => {
            const annotations = (run.get("kubernetes:networking.k8s.io/v1:Ingress", "backend-ingress").inputs as any).metadata.annotations;
            return [annotations["nginx.ingress.kubernetes.io/limit-rps"], annotations["nginx.ingress.kubernetes.io/limit-connections"]];
        };
        const { requestsPerSecond, connections } = tiersOf("production")[0].public;
        assert.deepEqual(limits(runs.production), [String(requestsPerSecond), String(connections)]);
        assert.deepEqual(limits(runs.staging), ["50", "20"]);
    });

    it("rolls out without losing capacity in production only", () => {
        const strategy = (stack: string) => (runs[stack].get(deployment, "backend-deployment").inputs as any).spec.strategy.rollingUpdate;
        assert.equal(strategy("production").maxUnavailable, 0);
        assert.equal(strategy("staging").maxUnavailable, "25%");
    });

    it("takes the autoscaler's rates from hpa.behavior, each unset field at its default", async () => {
        const behavior = { scaleUp: { stabilizationSeconds: 0, pods: 6 }, scaleDown: { stabilizationSeconds: 900, percent: 20, periodSeconds: 120 } };
        const config = aStack("staging").withTier(aTier("backend").with({ hpa: { minReplicas: 1, maxReplicas: 4, cpuUtilization: 70, behavior } })).build();
        const run = await runStack("staging", { config });
        assert.deepEqual((run.get("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "backend-hpa").inputs as any).spec.behavior, {
            scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Percent", value: 50, periodSeconds: 60 }, { type: "Pods", value: 6, periodSeconds: 60 }] },
            scaleDown: { stabilizationWindowSeconds: 900, selectPolicy: "Max", policies: [{ type: "Percent", value: 20, periodSeconds: 120 }, { type: "Pods", value: 2, periodSeconds: 120 }] },
        });
    });

    it("autoscales exactly the tiers that declare bounds, starting within them, with the configured target and rate limits", () => {
        for (const stack of ["staging", "production"] as const) {
            const tiers = tiersOf(stack);
            assert.deepEqual(runs[stack].ofType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").map((hpa) => hpa.name).sort(),
                tiers.filter((tier) => tier.hpa).map((tier) => `${tier.name}-hpa`).sort(), stack);
        }
        const hpa = (name: string) => (runs.production.get("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", `${name}-hpa`).inputs as any).spec;
        const autoscaled = tiersOf("production").filter((tier) => tier.hpa);
        assert.ok(autoscaled.length > 0, "production autoscales some tier");
        for (const { name, hpa: bounds } of autoscaled) {
            const replicas = (runs.production.get(deployment, `${name}-deployment`).inputs as any).spec.replicas;
            const spec = hpa(name);
            assert.deepEqual([spec.minReplicas, spec.maxReplicas], [bounds.minReplicas, bounds.maxReplicas], name);
            assert.ok(spec.minReplicas <= replicas && replicas <= spec.maxReplicas, `${name}: ${replicas} replicas outside its bounds`);
            assert.deepEqual(spec.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name });
            assert.deepEqual(spec.metrics, [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: bounds.cpuUtilization } } }]);
            assert.deepEqual(spec.behavior.scaleUp, {
                stabilizationWindowSeconds: 60,
                selectPolicy: "Max",
                policies: [{ type: "Percent", value: 50, periodSeconds: 60 }, { type: "Pods", value: 4, periodSeconds: 60 }],
            });
            assert.deepEqual(spec.behavior.scaleDown, {
                stabilizationWindowSeconds: 300,
                selectPolicy: "Max",
                policies: [{ type: "Percent", value: 10, periodSeconds: 60 }, { type: "Pods", value: 2, periodSeconds: 60 }],
            });
        }
    });
});
