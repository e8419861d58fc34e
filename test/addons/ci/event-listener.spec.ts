/**
 * The CI namespace's EventListener and what surrounds it, as the pure builders of
 * components/addons/ci/event-listener.ts make them: no Pulumi run.
 */
import * as assert from "node:assert/strict";
import {
    ciEgressPolicyArgs, ciPushTrigger, ciTriggerTemplateSpec, eventListenerClusterRoleArgs, eventListenerSpec, listenerIngressPolicyArgs, pushFilter,
    tektonObjectArgs, webhookPath,
} from "../../../components/addons/ci/event-listener";
import { aPipeline } from "./pipeline-settings";

const labels = { "app.kubernetes.io/name": "tekton" };

describe("ci: the EventListener", () => {
    describe("starts a tier's CI only for a push to its branch of its repository", () => {
        const cases: { name: string; repository: string; branch?: string; expected: string }[] = [
            {
                name: "an HTTPS URL ending in .git, on the default branch",
                repository: "https://git.example.com/acme/web.git",
                expected: "body.ref == 'refs/heads/main' && (body.repository.clone_url == 'https://git.example.com/acme/web.git' || body.repository.ssh_url == 'https://git.example.com/acme/web.git' || body.repository.html_url == 'https://git.example.com/acme/web')",
            },
            {
                name: "a URL without .git, on a branch of its own",
                repository: "https://git.example.com/acme/web",
                branch: "release/v2",
                expected: "body.ref == 'refs/heads/release/v2' && (body.repository.clone_url == 'https://git.example.com/acme/web.git' || body.repository.ssh_url == 'https://git.example.com/acme/web.git' || body.repository.html_url == 'https://git.example.com/acme/web')",
            },
            {
                name: "quotes and backslashes escaped for CEL",
                repository: "https://git.example.com/a'b\\c.git",
                expected: "body.ref == 'refs/heads/main' && (body.repository.clone_url == 'https://git.example.com/a\\'b\\\\c.git' || body.repository.ssh_url == 'https://git.example.com/a\\'b\\\\c.git' || body.repository.html_url == 'https://git.example.com/a\\'b\\\\c')",
            },
        ];
        for (const { name, repository, branch, expected } of cases) {
            it(name, () => assert.equal(pushFilter(aPipeline({ repository, branch })), expected));
        }
    });

    it("routes CI pushes at / and verifies them with the CI secret before filtering", () => {
        const trigger = ciPushTrigger(aPipeline(), "github-webhook-secret") as any;
        assert.equal(trigger.name, "web-push");
        assert.deepEqual(trigger.interceptors.map((interceptor: any) => interceptor.ref.name), ["cel", "github", "cel"]);
        assert.equal(trigger.interceptors[0].params[0].value, "requestURL.parseURL().path == '/'");
        assert.deepEqual(trigger.interceptors[1].params, [
            { name: "secretRef", value: { secretName: "github-webhook-secret", secretKey: "secret" } },
            { name: "eventTypes", value: ["push"] },
        ]);
        assert.equal(trigger.interceptors[2].params[0].value, pushFilter(aPipeline()));
        assert.deepEqual(trigger.template, { ref: "web-ci" });
    });

    const paths: { tier?: string; kind?: "deploy" | "cleanup"; expected: string }[] = [
        { expected: "/" },
        { tier: "web", kind: "deploy", expected: "/web/deploy" },
        { tier: "web", kind: "cleanup", expected: "/web/cleanup" },
    ];
    for (const { tier, kind, expected } of paths) {
        it(`serves ${tier ?? "CI pushes"}${kind ? ` ${kind}` : ""} at ${expected}`, () => assert.equal(webhookPath(tier, kind), expected));
    }

    describe("starts a CI run", () => {
        const cases: { name: string; registrySecret?: string; workspaces: string[] }[] = [
            { name: "on a fresh workspace claim, pushing with ambient credentials", workspaces: ["source"] },
            { name: "with the registry credentials when the stack has them", registrySecret: "registry-credentials", workspaces: ["source", "dockerconfig"] },
        ];
        for (const { name, registrySecret, workspaces } of cases) {
            it(name, () => {
                const run = (ciTriggerTemplateSpec(aPipeline(), { runnerAccount: "pipeline-runner", registrySecret }) as any).resourcetemplates[0];
                assert.equal(run.metadata.generateName, "web-ci-");
                assert.deepEqual(run.spec.pipelineRef, { name: "web-ci" });
                assert.equal(run.spec.taskRunTemplate.serviceAccountName, "pipeline-runner");
                assert.deepEqual(run.spec.workspaces.map((workspace: any) => workspace.name), workspaces);
                assert.equal(run.spec.workspaces[0].volumeClaimTemplate.spec.resources.requests.storage, "2Gi");
                if (registrySecret) {
                    assert.deepEqual(run.spec.workspaces[1].secret, { secretName: registrySecret });
                }
            });
        }
    });

    describe("is reached only by", () => {
        const cases: { name: string; sources: { ingressNamespace?: string; prometheusNamespace?: string }; expected?: [string, number][] }[] = [
            { name: "no one without a public host or monitoring (no policy)", sources: {} },
            { name: "the ingress controller at its port", sources: { ingressNamespace: "ingress-nginx" }, expected: [["ingress-nginx", 8080]] },
            { name: "Prometheus at its metrics port", sources: { prometheusNamespace: "monitoring" }, expected: [["monitoring", 9000]] },
            { name: "both", sources: { ingressNamespace: "ingress-nginx", prometheusNamespace: "monitoring" }, expected: [["ingress-nginx", 8080], ["monitoring", 9000]] },
        ];
        for (const { name, sources, expected } of cases) {
            it(name, () => {
                const policy = listenerIngressPolicyArgs("ci", labels, sources) as any;
                if (expected === undefined) {
                    assert.equal(policy, undefined);
                    return;
                }
                assert.equal(policy.metadata.name, "el-github-ingress");
                assert.deepEqual(policy.spec.podSelector, { matchLabels: { eventlistener: "github" } });
                assert.deepEqual(policy.spec.ingress.map((rule: any) => [rule.from[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"], rule.ports[0].port]), expected);
            });
        }
    });

    it("lets every CI pod reach HTTPS, SSH and the API server only", () => {
        const spec = ciEgressPolicyArgs("ci", labels).spec as any;
        assert.deepEqual(spec.podSelector, {});
        assert.deepEqual(spec.egress.flatMap((rule: any) => rule.ports.map((port: any) => port.port)), [443, 22, 6443]);
    });

    it("reads cluster bindings and interceptors, per environment, and nothing else cluster-wide", () => {
        const role = eventListenerClusterRoleArgs("staging", labels) as any;
        assert.equal(role.metadata.name, "event-listener-staging-interceptors");
        assert.deepEqual(role.rules.flatMap((rule: any) => rule.verbs), ["get", "list", "watch"]);
    });

    const replicas: { highAvailability: boolean; expected: number }[] = [{ highAvailability: false, expected: 1 }, { highAvailability: true, expected: 2 }];
    for (const { highAvailability, expected } of replicas) {
        it(`runs ${expected} restricted replica(s) ${highAvailability ? "with" : "without"} high availability`, () => {
            const spec = eventListenerSpec("event-listener", [{ name: "a" }, { name: "b" }], highAvailability) as any;
            assert.equal(spec.resources.kubernetesResource.replicas, expected);
            assert.equal(spec.serviceAccountName, "event-listener");
            assert.deepEqual(spec.triggers.map((trigger: any) => trigger.name), ["a", "b"]);
            const pod = spec.resources.kubernetesResource.spec.template.spec;
            assert.equal(pod.securityContext.runAsNonRoot, true);
            assert.equal(pod.containers[0].securityContext.allowPrivilegeEscalation, false);
        });
    }

    const apiVersions: { kind: "Task" | "Pipeline" | "TriggerTemplate" | "EventListener"; apiVersion: string }[] = [
        { kind: "Task", apiVersion: "tekton.dev/v1" },
        { kind: "Pipeline", apiVersion: "tekton.dev/v1" },
        { kind: "TriggerTemplate", apiVersion: "triggers.tekton.dev/v1beta1" },
        { kind: "EventListener", apiVersion: "triggers.tekton.dev/v1beta1" },
    ];
    for (const { kind, apiVersion } of apiVersions) {
        it(`applies a ${kind} as ${apiVersion}`, () => {
            assert.deepEqual(tektonObjectArgs(kind, { name: "x", namespace: "ci", labels }, { a: 1 }), { apiVersion, kind, metadata: { name: "x", namespace: "ci", labels }, spec: { a: 1 } });
        });
    }
});
