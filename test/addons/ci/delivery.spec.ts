/**
 * A tier's deploy and cleanup as the pure builders of components/addons/ci/delivery.ts make them:
 * the rights of their accounts, their runs and their triggers. No Pulumi run.
 */
import * as assert from "node:assert/strict";
import { deliveryClusterRoleRules, deliveryKinds, deliveryRoleRules, deliveryTemplateSpec, deliveryTrigger } from "../../../components/addons/ci/delivery";
import { aPipeline } from "./pipeline-settings";

const guards = ["resourcequotas", "limitranges", "networkpolicies", "roles", "rolebindings", "*"];
const crds = ["widgets.example.com", "gadgets.apps.example.com"];

describe("ci: deliveries", () => {
    describe("in the tier's namespace", () => {
        const cases: { kind: "deploy" | "cleanup"; crds: string[]; verbs: string[]; custom: [string, string][] }[] = [
            { kind: "deploy", crds: [], verbs: ["get", "list", "watch", "create", "update", "patch"], custom: [] },
            { kind: "deploy", crds, verbs: ["get", "list", "watch", "create", "update", "patch"], custom: [["example.com", "widgets"], ["apps.example.com", "gadgets"]] },
            { kind: "cleanup", crds, verbs: ["get", "list", "watch", "delete", "patch"], custom: [["example.com", "widgets"], ["apps.example.com", "gadgets"]] },
        ];
        for (const { kind, crds: tierCrds, verbs, custom } of cases) {
            it(`${kind} with ${tierCrds.length} CRD(s) may ${verbs.join(", ")} the workload kinds and the CRDs' instances, never the guards`, () => {
                const rules = deliveryRoleRules(kind, aPipeline({ crds: tierCrds })) as any[];
                assert.ok(rules.every((rule) => JSON.stringify(rule.verbs) === JSON.stringify(verbs)));
                const resources = rules.flatMap((rule) => rule.resources);
                assert.deepEqual(guards.filter((guard) => resources.includes(guard)), []);
                assert.ok(resources.includes("deployments") && resources.includes("secrets"));
                assert.deepEqual(rules.slice(rules.length - custom.length).map((rule) => [rule.apiGroups[0], rule.resources[0]]), custom);
            });
        }
    });

    describe("cluster-wide", () => {
        const read = { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get", "list", "watch"] };
        const cases: { name: string; kind: "deploy" | "cleanup"; crds: string[]; expected: unknown[] }[] = [
            { name: "deploy only reads CRDs", kind: "deploy", crds, expected: [read] },
            { name: "a cleanup without CRDs only reads them", kind: "cleanup", crds: [], expected: [read] },
            {
                name: "a cleanup deletes the tier's own CRDs and counts their instances",
                kind: "cleanup",
                crds,
                expected: [
                    read,
                    { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], resourceNames: crds, verbs: ["delete"] },
                    { apiGroups: ["example.com"], resources: ["widgets"], verbs: ["get", "list"] },
                    { apiGroups: ["apps.example.com"], resources: ["gadgets"], verbs: ["get", "list"] },
                ],
            },
        ];
        for (const { name, kind, crds: tierCrds, expected } of cases) {
            it(name, () => assert.deepEqual(deliveryClusterRoleRules(kind, aPipeline({ crds: tierCrds })), expected));
        }
    });

    describe("runs and triggers", () => {
        const cases: { kind: "deploy" | "cleanup"; params: string[]; bindings: [string, string][] }[] = [
            { kind: "deploy", params: ["revision"], bindings: [["revision", "$(body.deployment.sha)"]] },
            { kind: "cleanup", params: ["revision", "force"], bindings: [["revision", "$(body.deployment.sha)"], ["force", "$(extensions.force)"]] },
        ];
        for (const { kind, params, bindings } of cases) {
            it(`${kind}: its Pipeline at the deployment's revision, as its own account, from a signed deployment event at /web/${kind}`, () => {
                const template = deliveryTemplateSpec(kind, "web", `web-${kind}`) as any;
                assert.deepEqual(template.params.map((param: any) => param.name), params);
                const run = template.resourcetemplates[0];
                assert.deepEqual(run.spec.pipelineRef, { name: `web-${kind}` });
                assert.deepEqual(run.spec.params.map((param: any) => [param.name, param.value]), params.map((name) => [name, `$(tt.params.${name})`]));
                assert.equal(run.spec.taskRunTemplate.serviceAccountName, `web-${kind}`);
                assert.equal(run.spec.taskRunTemplate.podTemplate.securityContext.runAsUser, 65532);

                const trigger = deliveryTrigger(kind, "web", "staging", `web-${kind}-webhook-secret`) as any;
                assert.equal(trigger.name, `web-${kind}`);
                assert.equal(trigger.interceptors[0].params[0].value, `requestURL.parseURL().path == '/web/${kind}'`);
                assert.deepEqual(trigger.interceptors[1].params, [
                    { name: "secretRef", value: { secretName: `web-${kind}-webhook-secret`, secretKey: "secret" } },
                    { name: "eventTypes", value: ["deployment"] },
                ]);
                assert.equal(trigger.interceptors[2].params[0].value, `body.deployment.task == '${kind}' && body.deployment.environment == 'staging'`);
                assert.deepEqual(trigger.bindings.map((binding: any) => [binding.name, binding.value]), bindings);
                assert.deepEqual(trigger.template, { ref: `web-${kind}` });
            });
        }
        it("covers deploy and cleanup", () => assert.deepEqual(deliveryKinds, ["deploy", "cleanup"]));
    });
});
