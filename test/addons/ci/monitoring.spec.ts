/**
 * What Prometheus scrapes and alerts on in CI, as components/addons/ci/monitoring.ts builds it. The
 * stack-level check that the rules are registered after the monitoring CRDs is in ./pipelines.spec.ts.
 */
import * as assert from "node:assert/strict";
import { ciAlertRules, ciAlertsArgs, pipelinesControllerPod, serviceMonitorArgs } from "../../../components/addons/ci/monitoring";
import { comparisons, promqlErrors } from "../../support/promql";

const labels = { "app.kubernetes.io/name": "tekton" };

describe("ci: monitoring", () => {
    it("scrapes the http-metrics port of the watched namespace's selected Services, from the CI namespace", () => {
        const monitor = serviceMonitorArgs("tekton-pipelines-controller", { namespace: "ci", labels }, { namespace: "tekton-pipelines", selector: pipelinesControllerPod }) as any;
        assert.deepEqual(monitor.metadata, { name: "tekton-pipelines-controller", namespace: "ci", labels });
        assert.deepEqual(monitor.spec, {
            selector: { matchLabels: { "app.kubernetes.io/name": "controller", "app.kubernetes.io/part-of": "tekton-pipelines" } },
            namespaceSelector: { matchNames: ["tekton-pipelines"] },
            endpoints: [{ port: "http-metrics", interval: "30s" }],
        });
    });

    const namespaces = ["ci", "builds"];
    for (const namespace of namespaces) {
        it(`alerts on failed runs and rejected webhooks in ${namespace}, with valid PromQL`, () => {
            const rules = ciAlertRules(namespace);
            assert.deepEqual(rules.map((rule) => [rule.alert, rule.labels.severity]), [["PipelineRunFailed", "warning"], ["WebhookAuthenticationFailures", "critical"]]);
            for (const rule of rules) {
                assert.deepEqual(promqlErrors(rule.expr), [], rule.alert);
                assert.deepEqual(comparisons(rule.expr).map((comparison) => [comparison.operator, comparison.threshold]), [[">", 0]]);
                assert.ok(rule.expr.includes(`namespace="${namespace}"`), rule.expr);
            }
            const alerts = ciAlertsArgs(namespace, namespace, labels) as any;
            assert.equal(alerts.metadata.name, "ci");
            assert.deepEqual(alerts.spec.groups, [{ name: "ci.rules", rules }]);
        });
    }
});
