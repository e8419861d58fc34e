/**
 * Metrics are for Prometheus only: no public Ingress of any stack file or example may route to a
 * port and path a tier serves its metrics on. Validation refuses such a tier (tiers[].metrics.path);
 * this reads what the program registers, as an ingress controller would route it.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { publicMetricsRoutes } from "./support/exposure";
import { kinds } from "./support/kinds";
import { committedStacks, readConfigFile, RecordedResource, repoRoot, runStack, StackRun, withTestSecrets } from "./support/program";

describe("metrics are never public", function () {
    this.timeout(120000);
    const runs = new Map<string, StackRun>();
    before(async () => {
        for (const { stack, file } of committedStacks()) {
            const { config, secretKeys } = withTestSecrets(readConfigFile(file));
            runs.set(path.relative(repoRoot, file), await runStack(stack, { config, secretKeys }));
        }
    });

    it("no Ingress of a stack file or example reaches a scraped metrics path", () => {
        assert.ok(runs.size >= 3);
        for (const [file, run] of runs) {
            assert.deepEqual(publicMetricsRoutes(run.resources), [], file);
        }
    });

    // Production with its public Ingress pointed at the metrics port, or with the metrics moved onto the served port.
    const inputsOf = (resources: RecordedResource[], type: string, name: string): any => resources.find((resource) => resource.type === type && resource.name === name)!.inputs;
    const exposures: { name: string; expose: (resources: RecordedResource[]) => void; expected: string }[] = [
        { name: "an Ingress routed to the metrics port", expected: "backend/backend: api.groundwork.example.com/ reaches /metrics on port 9090", expose: (resources) => {
            inputsOf(resources, kinds.ingress, "backend-ingress").spec.rules[0].http.paths[0].backend.service.port = { name: "metrics" };
        } },
        { name: "metrics served on the public port", expected: "backend/backend: api.groundwork.example.com/ reaches /metrics on port 3000", expose: (resources) => {
            const template = inputsOf(resources, kinds.deployment, "backend-deployment").spec.template;
            template.metadata.annotations["prometheus.io/port"] = String(template.spec.containers[0].ports.find((port: any) => port.name === "http").containerPort);
        } },
    ];
    for (const { name, expose, expected } of exposures) {
        it(`finds ${name}`, () => {
            const resources = structuredClone(runs.get("Pulumi.production.yaml")!.resources);
            expose(resources);
            assert.deepEqual(publicMetricsRoutes(resources), [expected]);
        });
    }
});
