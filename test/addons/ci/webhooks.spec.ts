/**
 * The stack's own webhooks' runs and triggers as the pure builders of components/addons/ci/webhooks.ts
 * make them. Which objects a stack's manifests files register is test/addons/repository-tekton.spec.ts's.
 */
import * as assert from "node:assert/strict";
import { webhookTemplateSpec, webhookTrigger } from "../../../components/addons/ci/webhooks";
import type { RepositoryWebhook } from "../../../components/addons/tekton/repository-config";

const webhook = (workspaces: RepositoryWebhook["workspaces"]): RepositoryWebhook => ({
    name: "quantum-deploy",
    path: "/webhook/quantum-deploy",
    pipeline: "quantum",
    bindings: ["quantum-deploy", "common"],
    workspaces,
});

describe("ci: the stack's own webhooks", () => {
    const cases: { name: string; workspaces: RepositoryWebhook["workspaces"]; expected: unknown[] }[] = [
        { name: "no workspaces", workspaces: {}, expected: [] },
        { name: "a Secret the owner created", workspaces: { kubeconfig: { secret: "deploy-kubeconfig" } }, expected: [{ name: "kubeconfig", secret: { secretName: "deploy-kubeconfig" } }] },
        {
            name: "a fresh claim per run",
            workspaces: { scratch: { size: "1Gi" } },
            expected: [{ name: "scratch", volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } } }],
        },
    ];
    for (const { name, workspaces, expected } of cases) {
        it(`start their Pipeline with the bound params and ${name}, as the account without API rights`, () => {
            const spec = webhookTemplateSpec(webhook(workspaces), "quantum", ["image", "revision"], "webhook-runs") as any;
            assert.deepEqual(spec.params, [{ name: "image" }, { name: "revision" }]);
            const run = spec.resourcetemplates[0];
            assert.deepEqual(run.metadata, { generateName: "quantum-", labels: { "groundwork.dev/webhook": "quantum-deploy" } });
            assert.deepEqual(run.spec.params, [{ name: "image", value: "$(tt.params.image)" }, { name: "revision", value: "$(tt.params.revision)" }]);
            assert.deepEqual(run.spec.workspaces, expected);
            assert.equal(run.spec.taskRunTemplate.serviceAccountName, "webhook-runs");
            assert.equal(run.spec.taskRunTemplate.podTemplate.securityContext.runAsNonRoot, true);
        });
    }

    it("route by path, then verify the key of their own for any event type, then bind", () => {
        const trigger = webhookTrigger(webhook({}), "quantum-deploy-webhook-secret") as any;
        assert.equal(trigger.interceptors[0].params[0].value, "requestURL.parseURL().path == '/webhook/quantum-deploy'");
        assert.deepEqual(trigger.interceptors[1].params, [{ name: "secretRef", value: { secretName: "quantum-deploy-webhook-secret", secretKey: "secret" } }]);
        assert.deepEqual(trigger.bindings, [{ ref: "quantum-deploy", kind: "TriggerBinding" }, { ref: "common", kind: "TriggerBinding" }]);
        assert.deepEqual(trigger.template, { ref: "quantum-deploy" });
    });
});
