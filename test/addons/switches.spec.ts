/**
 * Each add-on can be switched off (addons.<name>.enabled: false): it then registers nothing, and what
 * the rest of the stack needed from it comes from the existing install the stack names.
 */
import * as assert from "node:assert/strict";
import { anEdge } from "../support/builders";
import { AddonsRun, everyAddon, runAddons, types, valueOf } from "./harness";

/** everyAddon()'s add-on settings with `change` applied, and other config keys to set or (undefined) remove. */
function staging(change: (addons: any) => void, other: Record<string, unknown> = {}): Record<string, unknown> {
    return { "groundwork:addons": everyAddon("staging", change)["groundwork:addons"], ...other };
}

/** An existing controller behind the edge: the edge's records point at its address, and origin pulls are ingress-nginx's. */
const existingIngress = (addons: any) => {
    addons.ingressNginx = { enabled: false, existing: { namespace: "shared-ingress", loadBalancerAddress: "203.0.113.7" } };
};
const withoutOriginPulls = { "groundwork:edge": anEdge({ zoneOwner: false, authenticatedOriginPulls: false }) };

const cases: { addon: string; key: string; overrides: Record<string, unknown>; prefix: string; kinds: string[]; check?: (run: AddonsRun) => Promise<void> }[] = [
    {
        addon: "ingress-nginx",
        key: "ingressNginx",
        overrides: staging(existingIngress, withoutOriginPulls),
        prefix: "addons-ingress-nginx",
        kinds: [],
        check: async (run) => {
            const ingress = run.addons.ingress!;
            assert.deepEqual([await valueOf(ingress.className), await valueOf(ingress.namespace), await valueOf(ingress.loadBalancerAddress)], ["nginx", "shared-ingress", "203.0.113.7"]);
            for (const endpoint of run.ofType(types.ingress)) {
                assert.equal(endpoint.inputs.spec.ingressClassName, "nginx", endpoint.name);
                assert.equal(endpoint.inputs.metadata.annotations["nginx.ingress.kubernetes.io/auth-tls-secret"], undefined, endpoint.name);
            }
        },
    },
    {
        addon: "cert-manager",
        key: "certManager",
        overrides: staging((addons) => {
            existingIngress(addons);
            addons.monitoring.enabled = false;
            addons.certManager = { enabled: false, existing: { clusterIssuer: "corp-ca" } };
        }, withoutOriginPulls),
        prefix: "addons-cert-manager",
        kinds: [types.clusterIssuer],
        check: async (run) => {
            assert.equal(await valueOf(run.addons.clusterIssuer!), "corp-ca");
            const issuers = run.ofType(types.ingress).map((endpoint) => endpoint.inputs.metadata.annotations["cert-manager.io/cluster-issuer"]);
            assert.deepEqual(issuers, ["corp-ca", "corp-ca"], "Argo CD's and the EventListener's certificates come from the existing issuer");
        },
    },
    {
        addon: "Argo CD",
        key: "argocd",
        overrides: staging((addons) => addons.argocd = { enabled: false }, { "groundwork:argocdRepositoryCredentials": undefined }),
        prefix: "addons-argocd",
        kinds: [types.appProject, types.application],
        check: async (run) => assert.equal(run.addons.argocdUrl, undefined),
    },
    {
        addon: "Tekton",
        key: "tekton",
        overrides: staging((addons) => addons.tekton = { enabled: false }, { "groundwork:ciRegistryCredentials": undefined }),
        prefix: "addons-tekton",
        kinds: [types.tektonConfig, types.pipeline, types.task, types.triggerTemplate, types.eventListener],
        check: async (run) => assert.equal(run.addons.eventListenerUrl, undefined),
    },
    {
        addon: "monitoring",
        key: "monitoring",
        overrides: staging((addons) => addons.monitoring.enabled = false),
        prefix: "addons-monitoring",
        kinds: [],
    },
];

describe("add-ons switched off", () => {
    for (const { addon, key, overrides, prefix, kinds, check } of cases) {
        it(`registers nothing of ${addon} when it is off, and the rest still`, async () => {
            const run = await runAddons(everyAddon(), overrides);
            assert.deepEqual(run.resources.filter((resource) => resource.name.startsWith(prefix)).map((resource) => `${resource.type} ${resource.name}`), []);
            for (const kind of kinds) {
                assert.deepEqual(run.ofType(kind).map((resource) => resource.name), [], kind);
            }
            // The add-ons still on are unaffected: each registers its chart (cert-manager off takes ingress-nginx and monitoring with it).
            const addons = overrides["groundwork:addons"] as Record<string, { enabled?: boolean }>;
            const charts = run.ofType(types.chart).map((chart) => chart.name);
            for (const other of cases.filter((entry) => entry.key !== key && addons[entry.key]?.enabled !== false)) {
                assert.ok(charts.some((chart) => chart.startsWith(other.prefix)), `${other.addon} lost its chart: ${charts.join(", ")}`);
            }
            await check?.(run);
        });
    }
});
