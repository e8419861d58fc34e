import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { versions } from "../../components/versions";
import { committedStacks, readConfigFile } from "../support/program";
import { AddonResource, AddonsRun, dependsOn, deployRepository, everyAddon, hosts, mockBcryptHash, prefixed, runAddons, testSecrets, tierNames, types, valueOf } from "./harness";

const chartNames = {
    "addons-cert-manager-cert-manager": versions.charts.certManager,
    "addons-ingress-nginx-ingress-nginx": versions.charts.ingressNginx,
    "addons-argocd-argo-cd": versions.charts.argoCd,
    "addons-tekton-tekton-operator": versions.charts.tektonOperator,
    "addons-monitoring-kube-prometheus-stack": versions.charts.kubePrometheusStack,
};

describe("platform add-ons", () => {
    const runs: Record<string, AddonsRun> = {};
    before(async () => {
        runs.staging = await runAddons(everyAddon("staging"));
        // Production lists the repository credentials the other way round, as a stack may reorder them.
        const reordered = JSON.parse(testSecrets.argocdRepositoryCredentials).reverse();
        runs.production = await runAddons(everyAddon("production"), prefixed({ argocdRepositoryCredentials: JSON.stringify(reordered) }));
    });

    const chart = (run: AddonsRun, name: keyof typeof chartNames) => run.get(types.chart, name);
    const values = (run: AddonsRun, name: keyof typeof chartNames) => chart(run, name).inputs.values as Record<string, any>;

    for (const stack of ["staging", "production"]) {
        it(`registers all five add-ons with their custom resources in ${stack}`, () => {
            const run = runs[stack];
            assert.deepEqual(run.ofType(types.chart).map((c) => c.name).sort(), Object.keys(chartNames).sort());
            assert.deepEqual(run.ofType(types.clusterIssuer).map((issuer) => issuer.inputs.metadata.name).sort(),
                ["internal-ca", "letsencrypt-production", "letsencrypt-staging", "selfsigned"]);
            assert.deepEqual(run.ofType(types.appProject).map((project) => project.inputs.metadata.name).sort(), ["default", stack, `${stack}-app-of-apps`]);
            assert.deepEqual(run.ofType(types.application).map((application) => application.inputs.metadata.name), [`${stack}-applications`]);
            assert.equal(run.ofType(types.tektonConfig).length, 1);
            assert.deepEqual(run.ofType(types.pipeline).map((p) => p.inputs.metadata.name).sort(),
                tierNames.flatMap((tier) => [`${tier}-ci`, `${tier}-cleanup`, `${tier}-deploy`]).sort());
            assert.equal(run.ofType(types.eventListener).length, 1);
        });
    }

    it("pins every chart to the versions table and its upstream repository", () => {
        for (const [name, pinned] of Object.entries(chartNames)) {
            const inputs = chart(runs.staging, name as keyof typeof chartNames).inputs;
            assert.equal(inputs.version, pinned.version, name);
            if (pinned.repository.startsWith("oci://")) {
                assert.equal(inputs.chart, `${pinned.repository}/${pinned.name}`, name);
                assert.equal(inputs.repositoryOpts, undefined, name);
            } else {
                assert.equal(inputs.chart, pinned.name, name);
                assert.equal(inputs.repositoryOpts.repo, pinned.repository, name);
            }
        }
    });

    describe("chart source from stack config", () => {
        const localCharts = fs.mkdtempSync(path.join(os.tmpdir(), "groundwork-charts-"));
        for (const pinned of Object.values(versions.charts)) {
            fs.mkdirSync(path.join(localCharts, pinned.name));
            fs.writeFileSync(path.join(localCharts, pinned.name, "Chart.yaml"), `apiVersion: v2\nname: ${pinned.name}\nversion: "${pinned.version}"\n`);
        }
        const cases: { source: Record<string, unknown>; secret?: string; chart: (name: string) => string; repo?: string; username?: string }[] = [
            { source: { source: "repository", url: "https://charts.mirror.example.com" }, chart: (name) => name, repo: "https://charts.mirror.example.com" },
            { source: { source: "repository", url: "http://127.0.0.1:18879", username: "reader" }, secret: "mirror-password", chart: (name) => name, repo: "http://127.0.0.1:18879", username: "reader" },
            { source: { source: "oci", url: "oci://registry.example.com/charts/", username: "robot" }, secret: "oci-password", chart: (name) => `oci://registry.example.com/charts/${name}`, username: "robot" },
            { source: { source: "local", directory: localCharts }, chart: (name) => path.join(localCharts, name) },
        ];
        for (const { source, secret, chart: expectedChart, repo, username } of cases) {
            it(`locates every chart in the ${source.source} source${secret ? " with credentials" : ""}`, async () => {
                const { locateChart } = await import("../../components/addons/helm-addon/chart-source");
                for (const [key, pinned] of Object.entries(versions.charts)) {
                    const location = locateChart(key as keyof typeof versions.charts, { ...(source as { source: "upstream" }), password: secret });
                    const options = location.repositoryOpts as Record<string, unknown> | undefined;
                    assert.equal(location.chart, expectedChart(pinned.name), key);
                    assert.equal(location.version, pinned.version, `${key} keeps its pinned version`);
                    assert.equal(options?.repo, repo, key);
                    assert.equal(options?.username, username, key);
                    assert.equal(options?.password === undefined ? undefined : await valueOf(options.password as pulumi.Output<string>), secret, key);
                    if (secret) {
                        assert.equal(await pulumi.isSecret(options?.password as pulumi.Output<string>), true, `${key} password is secret`);
                    }
                }
            });
        }

        it("passes the stack's mirror and its secret password to every chart", async () => {
            const run = await runAddons(everyAddon(), {
                "groundwork:charts": { source: "oci", url: "oci://registry.example.com/charts", username: "robot" },
                ...prefixed({ chartRepositoryPassword: "oci-password" }),
            });
            for (const [name, pinned] of Object.entries(chartNames)) {
                const chartInputs = run.get(types.chart, name);
                assert.equal(chartInputs.inputs.chart, `oci://registry.example.com/charts/${pinned.name}`, name);
                assert.equal(chartInputs.inputs.repositoryOpts.password, "oci-password", name);
                assert.ok(chartInputs.secretInputs.some((input) => "repositoryOpts.password".startsWith(input)), `${name} password is secret`);
            }
        });
    });

    it("gives every chart values with restricted security contexts", () => {
        const restricted = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" }, runAsNonRoot: true };
        const containerContexts: Record<string, any> = {
            "cert-manager controller": values(runs.staging, "addons-cert-manager-cert-manager").containerSecurityContext,
            "cert-manager webhook": values(runs.staging, "addons-cert-manager-cert-manager").webhook.containerSecurityContext,
            "cert-manager cainjector": values(runs.staging, "addons-cert-manager-cert-manager").cainjector.containerSecurityContext,
            "argocd server": values(runs.staging, "addons-argocd-argo-cd").server.containerSecurityContext,
            "argocd repo server": values(runs.staging, "addons-argocd-argo-cd").repoServer.containerSecurityContext,
            "argocd redis-ha": values(runs.staging, "addons-argocd-argo-cd")["redis-ha"].containerSecurityContext,
            "tekton operator": values(runs.staging, "addons-tekton-tekton-operator").securityContext,
        };
        for (const [component, context] of Object.entries(containerContexts)) {
            assert.deepEqual({ ...context, readOnlyRootFilesystem: undefined }, { ...restricted, readOnlyRootFilesystem: undefined }, component);
        }
        const controller = values(runs.staging, "addons-ingress-nginx-ingress-nginx").controller;
        assert.deepEqual(controller.image, { chroot: false, runAsNonRoot: true, allowPrivilegeEscalation: false, seccompProfile: { type: "RuntimeDefault" } });
        assert.equal(controller.hostNetwork, false);
        assert.equal(controller.hostPort.enabled, false);
    });

    it("labels each add-on namespace with the strictest Pod Security level it meets", () => {
        const levels = Object.fromEntries(runs.staging.ofType(types.namespace).map((namespace) => [
            namespace.inputs.metadata.name,
            [namespace.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], namespace.inputs.metadata.labels["pod-security.kubernetes.io/enforce-version"]],
        ]));
        assert.deepEqual(levels, {
            "cert-manager": ["restricted", versions.podSecurity],
            "ingress-nginx": ["restricted", versions.podSecurity],
            "argocd": ["restricted", versions.podSecurity],
            "tekton-operator": ["restricted", versions.podSecurity],
            "ci": ["privileged", versions.podSecurity],
            "monitoring": ["restricted", versions.podSecurity],
            "monitoring-node-exporter": ["privileged", versions.podSecurity],
        });
        const tektonConfig = runs.staging.ofType(types.tektonConfig)[0].inputs;
        assert.equal(tektonConfig.spec.targetNamespaceMetadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
    });

    const haCases: { what: string; pick: (run: AddonsRun) => unknown; staging: unknown; production: unknown }[] = [
        { what: "ingress controller replicas", pick: (run) => values(run, "addons-ingress-nginx-ingress-nginx").controller.replicaCount, staging: 1, production: 2 },
        { what: "ingress anti-affinity", pick: (run) => values(run, "addons-ingress-nginx-ingress-nginx").controller.affinity !== undefined, staging: false, production: true },
        { what: "cert-manager webhook replicas", pick: (run) => values(run, "addons-cert-manager-cert-manager").webhook.replicaCount, staging: 1, production: 2 },
        { what: "cert-manager disruption budget", pick: (run) => values(run, "addons-cert-manager-cert-manager").podDisruptionBudget.enabled, staging: false, production: true },
        { what: "argocd redis-ha", pick: (run) => values(run, "addons-argocd-argo-cd")["redis-ha"].enabled, staging: false, production: true },
        { what: "argocd server replicas", pick: (run) => values(run, "addons-argocd-argo-cd").server.replicas, staging: 1, production: 2 },
        { what: "argocd server disruption budget", pick: (run) => values(run, "addons-argocd-argo-cd").server.pdb.enabled, staging: false, production: true },
        { what: "tekton operator replicas", pick: (run) => values(run, "addons-tekton-tekton-operator").operator.replicas, staging: 1, production: 2 },
    ];
    for (const { what, pick, staging, production } of haCases) {
        it(`sets ${what} per environment`, () => {
            assert.deepEqual(pick(runs.staging), staging, "staging");
            assert.deepEqual(pick(runs.production), production, "production");
        });
    }

    it("replaces the hooks Chart v4 drops", () => {
        const ingress = values(runs.staging, "addons-ingress-nginx-ingress-nginx").controller.admissionWebhooks;
        assert.deepEqual(ingress.certManager.issuerRef, { name: "internal-ca", kind: "ClusterIssuer", group: "cert-manager.io" });
        assert.equal(ingress.patch.enabled, false);
        assert.equal(values(runs.staging, "addons-cert-manager-cert-manager").startupapicheck.enabled, false);
        assert.equal(values(runs.staging, "addons-argocd-argo-cd").redisSecretInit.enabled, false);
        const redis = runs.staging.ofType(types.secret).find((secret) => secret.inputs.metadata.name === "argocd-redis");
        assert.ok(redis, "argocd-redis Secret");
        const gate = runs.staging.get(types.job, "addons-cert-manager-webhook-gate").inputs;
        assert.equal(gate.spec.template.spec.containers[0].image, versions.images.certManagerStartupApiCheck);
        assert.deepEqual(gate.spec.template.spec.containers[0].args.slice(0, 2), ["check", "api"]);
    });

    it("trusts the client address only from Cloudflare's ranges and reads CF-Connecting-IP", () => {
        const config = values(runs.staging, "addons-ingress-nginx-ingress-nginx").controller.config;
        assert.equal(config["enable-real-ip"], "true");
        assert.equal(config["forwarded-for-header"], "CF-Connecting-IP");
        assert.ok(config["proxy-real-ip-cidr"].split(",").includes("173.245.48.0/20"));
        assert.ok(!config["proxy-real-ip-cidr"].includes("0.0.0.0/0"));
        assert.equal(values(runs.staging, "addons-ingress-nginx-ingress-nginx").controller.service.externalTrafficPolicy, "Local");
    });

    describe("ordering", () => {
        const edges: { what: string; dependent: (run: AddonsRun) => AddonResource[]; dependency: (run: AddonsRun) => AddonResource }[] = [
            { what: "the webhook gate after the cert-manager chart", dependent: (run) => [run.get(types.job, "addons-cert-manager-webhook-gate")], dependency: (run) => chart(run, "addons-cert-manager-cert-manager") },
            { what: "every ClusterIssuer after the webhook gate", dependent: (run) => run.ofType(types.clusterIssuer), dependency: (run) => run.get(types.job, "addons-cert-manager-webhook-gate") },
            { what: "ingress-nginx after the cert-manager chart", dependent: (run) => [chart(run, "addons-ingress-nginx-ingress-nginx")], dependency: (run) => chart(run, "addons-cert-manager-cert-manager") },
            { what: "ingress-nginx after its webhook issuer", dependent: (run) => [chart(run, "addons-ingress-nginx-ingress-nginx")], dependency: (run) => run.get(types.clusterIssuer, "addons-cert-manager-internal-ca") },
            { what: "the AppProjects and the app-of-apps after the argo-cd chart", dependent: (run) => [...run.ofType(types.appProject), ...run.ofType(types.application)], dependency: (run) => chart(run, "addons-argocd-argo-cd") },
            { what: "TektonConfig after the operator chart", dependent: (run) => run.ofType(types.tektonConfig), dependency: (run) => chart(run, "addons-tekton-tekton-operator") },
            { what: "Tekton objects after TektonConfig", dependent: (run) => [...run.ofType(types.pipeline), ...run.ofType(types.task), ...run.ofType(types.triggerTemplate), ...run.ofType(types.eventListener)], dependency: (run) => run.ofType(types.tektonConfig)[0] },
            { what: "public endpoints after the ingress controller", dependent: (run) => run.ofType(types.ingress), dependency: (run) => chart(run, "addons-ingress-nginx-ingress-nginx") },
            { what: "public endpoints after the default issuer", dependent: (run) => run.ofType(types.ingress), dependency: (run) => run.get(types.clusterIssuer, "addons-cert-manager-letsencrypt-staging") },
        ];
        for (const { what, dependent, dependency } of edges) {
            it(`creates ${what}`, () => {
                const run = runs.staging;
                const dependents = dependent(run);
                assert.ok(dependents.length > 0, "nothing to check");
                for (const resource of dependents) {
                    assert.ok(dependsOn(resource, dependency(run)), `${resource.type} ${resource.name} does not depend on ${dependency(run).name}: ${resource.dependencies.join(", ")}`);
                }
            });
        }

        it("installs independent add-ons in parallel", () => {
            const run = runs.staging;
            const upstream = [chart(run, "addons-cert-manager-cert-manager"), chart(run, "addons-ingress-nginx-ingress-nginx"), ...run.ofType(types.clusterIssuer)];
            for (const name of ["addons-argocd-argo-cd", "addons-tekton-tekton-operator"] as const) {
                for (const other of upstream) {
                    assert.ok(!dependsOn(chart(run, name), other), `${name} waits for ${other.name}`);
                }
            }
            assert.ok(!dependsOn(chart(run, "addons-cert-manager-cert-manager"), chart(run, "addons-argocd-argo-cd")));
        });
    });

    it("exposes the ingress layer and the endpoints", async () => {
        const { addons } = runs.staging;
        assert.equal(await valueOf(addons.ingress!.className), "nginx");
        assert.equal(await valueOf(addons.ingress!.namespace), "ingress-nginx");
        assert.equal(await valueOf(addons.clusterIssuer!), "letsencrypt-staging");
        assert.equal(await valueOf(addons.argocdUrl!), `https://${hosts.argocd}`);
        assert.equal(await valueOf(addons.eventListenerUrl!), `https://${hosts.webhook}/`);
        assert.deepEqual(await valueOf(addons.ingress!.publicAnnotations), {
            "nginx.ingress.kubernetes.io/auth-tls-verify-client": "on",
            "nginx.ingress.kubernetes.io/auth-tls-secret": "ingress-nginx/cloudflare-origin-pull-ca",
            "nginx.ingress.kubernetes.io/auth-tls-verify-depth": "1",
        });
    });

    it("keeps the Argo CD admin, Redis and webhook HMAC secrets secret", async () => {
        const { addons } = runs.staging;
        for (const [what, output] of Object.entries({
            admin: addons.argocdAdminPassword!,
            redis: addons.argocd!.redisPassword,
            hmac: addons.webhookSecret!,
        })) {
            assert.equal(await pulumi.isSecret(output), true, what);
        }
        const argocdSecret = runs.staging.ofType(types.secret).find((secret) => secret.inputs.metadata.name === "argocd-secret")!;
        // The admin password is stored as the RandomPassword's bcrypt hash, which lives in state: no new salt per run.
        assert.equal(argocdSecret.inputs.stringData["admin.password"], mockBcryptHash);
        for (const name of ["argocd-secret", "argocd-redis", "github-webhook-secret"]) {
            const secret = runs.staging.ofType(types.secret).find((candidate) => candidate.inputs.metadata.name === name)!;
            assert.ok(secret.secretInputs.some((input) => input.startsWith("stringData")), `${name} holds its data as secrets`);
        }
        assert.doesNotMatch(JSON.stringify(values(runs.staging, "addons-argocd-argo-cd")), /password|secretkey/i);
    });

    it("restricts the environment's AppProject to configured repositories and tier namespaces", () => {
        const project = runs.staging.ofType(types.appProject).find((candidate) => candidate.inputs.metadata.name === "staging")!.inputs;
        assert.equal(project.metadata.name, "staging");
        assert.deepEqual(project.spec.sourceRepos, [deployRepository]);
        assert.deepEqual(project.spec.destinations.map((d: { namespace: string }) => d.namespace), [...tierNames]);
        assert.deepEqual(project.spec.clusterResourceWhitelist, []);
        const repositories = runs.staging.ofType(types.secret).filter((secret) => secret.inputs.metadata.labels?.["argocd.argoproj.io/secret-type"] === "repository");
        assert.equal(repositories.length, 2);
    });

    it("names each repository Secret by its repository's host and path, so that a credential keeps its Secret wherever it moves in the list", () => {
        const repositorySecrets = (run: AddonsRun) => run.ofType(types.secret).filter((secret) => secret.inputs.metadata.labels?.["argocd.argoproj.io/secret-type"] === "repository")
            .map((secret) => ({ name: secret.name, secretName: secret.inputs.metadata.name, url: secret.inputs.stringData.url, formerName: secret.aliasNames }))
            .sort((a, b) => a.name.localeCompare(b.name));
        const [deploy, charts] = JSON.parse(testSecrets.argocdRepositoryCredentials);
        const named = (key: string, url: string, position: number) => ({
            name: `addons-argocd-repository-${key}`, secretName: `repository-${key}`, url,
            // The Secret's former, positional name: a stack deployed before keeps the Secret's state.
            formerName: [`addons-argocd-repository-${position}`],
        });
        assert.deepEqual(repositorySecrets(runs.staging), [named("git.example.com-groundwork-platform-deploy", deploy.url, 0), named("git.example.org-acme-charts", charts.url, 1)]);
        assert.deepEqual(repositorySecrets(runs.production), [named("git.example.com-groundwork-platform-deploy", deploy.url, 1), named("git.example.org-acme-charts", charts.url, 0)]);
    });

    it("validates GitHub webhooks with the HMAC secret and filters on repository and branch", () => {
        const listener = runs.staging.ofType(types.eventListener)[0].inputs;
        const backend = listener.spec.triggers.find((trigger: { name: string }) => trigger.name === "backend-push");
        assert.deepEqual(backend.interceptors.map((interceptor: { ref: { name: string } }) => interceptor.ref.name), ["cel", "github", "cel"]);
        assert.equal(backend.interceptors[0].params[0].value, "requestURL.parseURL().path == '/'");
        assert.deepEqual(backend.interceptors[1].params[0].value, { secretName: "github-webhook-secret", secretKey: "secret" });
        assert.match(backend.interceptors[2].params[0].value, /refs\/heads\/main/);
        assert.match(backend.interceptors[2].params[0].value, /groundwork-platform\/backend\.git/);
    });

    describe("rejects bad add-on config", () => {
        const cases: { what: string; overrides: Record<string, unknown>; message: RegExp }[] = [
            { what: "an OCI mirror without URL", overrides: { "groundwork:charts": { source: "oci" } }, message: /groundwork:charts\.url is required: it must be set when charts\.source is "oci"/ },
            { what: "an http URL for an OCI mirror", overrides: { "groundwork:charts": { source: "oci", url: "https://registry.example.com" } }, message: /groundwork:charts\.url .* must start with oci:\/\// },
            { what: "a mirror URL with the upstream source", overrides: { "groundwork:charts": { source: "upstream", url: "https://charts.example.com" } }, message: /groundwork:charts\.url .* is only used when charts\.source is "repository" or "oci"/ },
            { what: "a username without password", overrides: { "groundwork:charts": { source: "repository", url: "https://charts.example.com", username: "x" } }, message: /groundwork:chartRepositoryPassword is required: it must be set when charts\.username is set/ },
            { what: "one ingress replica in production", overrides: { "groundwork:environment": "production", "groundwork:addons": { ingressNginx: { replicas: 1 } } }, message: /groundwork:addons\.ingressNginx\.replicas \(1\) must be at least 2 in production/ },
            { what: "an unknown issuer", overrides: { "groundwork:addons": { defaultIssuer: "vault" } }, message: /groundwork:addons\.defaultIssuer \("vault"\) must be one of "selfsigned"/ },
            { what: "a pipeline for an unknown tier", overrides: { "groundwork:addons": { tekton: { pipelines: [{ tier: "web", repository: "https://git.example.com/a/b.git", image: "ghcr.io/a/b", test: { image: "docker.io/library/node:24.9.0", command: "npm test" } }] } } }, message: /groundwork:addons\.tekton\.pipelines\[0\]\.tier \("web"\) names no configured tier/ },
            { what: "an application outside the tier namespaces", overrides: { "groundwork:addons": { argocd: { applications: [{ name: "x", repository: "https://git.example.com/a/b.git", path: "x", namespace: "kube-system" }] } } }, message: /applications\[0\]\.namespace \("kube-system"\) names no tier namespace/ },
            { what: "an add-on in a tier's namespace", overrides: { "groundwork:addons": { argocd: { namespace: "backend" } } }, message: /groundwork:addons\.argocd\.namespace \("backend"\) is already the namespace of tier "backend"/ },
            { what: "an unknown add-on key", overrides: { "groundwork:addons": { traefik: {} } }, message: /groundwork:addons\.traefik is not a known key/ },
            { what: "origin-pull verification without the edge", overrides: { "groundwork:edge": { enabled: false }, "groundwork:addons": { ingressNginx: { cloudflare: { verifyOriginPull: true } } } }, message: /verifyOriginPull \(true\) needs the Cloudflare edge/ },
            { what: "malformed repository credentials", overrides: prefixed({ argocdRepositoryCredentials: "{not json" }), message: /groundwork:argocdRepositoryCredentials must be a JSON list/ },
            { what: "two credentials for one repository", overrides: prefixed({ argocdRepositoryCredentials: JSON.stringify([{ url: "https://git.example.org/acme/deploy.git" }, { url: "git@git.example.org:acme/deploy.git" }]) }),
                message: /groundwork:argocdRepositoryCredentials\[1\]\.url names a repository \(host and path\) that an earlier entry already has: list each repository once/ },
            { what: "a bad trusted range", overrides: { "groundwork:addons": { ingressNginx: { cloudflare: { trustedRanges: ["10.0.0.0/33"] } } } }, message: /trustedRanges\[0\] \("10\.0\.0\.0\/33"\) must be an IPv4 or IPv6 CIDR/ },
        ];
        for (const { what, overrides, message } of cases) {
            it(`rejects ${what}`, async () => {
                await assert.rejects(runAddons(everyAddon(), overrides), (error: Error) => {
                    assert.match(error.message, message);
                    assert.doesNotMatch(error.message, new RegExp(testSecrets.cloudflareApiToken));
                    return true;
                });
            });
        }
    });

    it("keeps the committed stacks free of plaintext add-on secrets", () => {
        for (const { stack, file } of committedStacks()) {
            const config = readConfigFile(file);
            for (const key of ["chartRepositoryPassword", "ciRegistryCredentials", "argocdRepositoryCredentials"]) {
                assert.equal(config[`groundwork:${key}`], undefined, `${stack} ${key}`);
            }
        }
    });
});
