/**
 * Stand-ins for the controllers a live cluster runs but the loopback control plane does not: the
 * fixture charts' images run nothing (kwok's pods are status only) and there is no cloud. Each row
 * writes the status its real controller would write, so that Pulumi's normal await logic (never
 * skipAwait) sees what it sees in a real cluster:
 * - a LoadBalancer Service gets an address, as a cloud's load-balancer controller gives it;
 * - an Ingress gets the controller's address, as ingress-nginx writes it;
 * - a TektonConfig becomes Ready, as the Tekton operator marks it once Pipelines and Triggers run.
 *
 * kwok covers the kubelet's and the volume provisioner's side (tools/toolchain/recipes.ts and
 * tools/cluster/stages/). A kind whose CRD the program itself installs cannot be a kwok stage:
 * kwok resolves its stages' kinds once, at start, before the chart has created the CRD. To emulate
 * another controller, add a row to EMULATED.
 */

/** The address the emulated load balancers and ingress controller report. */
export const EMULATED_ADDRESS = "127.0.0.1";

export type KubeObject = {
    metadata: { name: string; namespace?: string; generation?: number; uid?: string };
    spec?: Record<string, unknown>;
    status?: Record<string, unknown>;
};

export interface EmulatedController {
    /** Whom the row stands in for, for the logs. */
    controller: string;
    /** API group/version path and plural, e.g. `/apis/networking.k8s.io/v1` and `ingresses`. */
    groupVersion: string;
    plural: string;
    /** The status the controller would write now, or undefined when the object's status is already that. */
    status(object: KubeObject): Record<string, unknown> | undefined;
}

const loadBalancer = { loadBalancer: { ingress: [{ ip: EMULATED_ADDRESS }] } };
const hasAddress = (object: KubeObject) => ((object.status?.loadBalancer as { ingress?: unknown[] } | undefined)?.ingress ?? []).length > 0;

/** Ready for the object's current generation: a changed spec is reconciled again, as the operator does. */
function readyCondition(object: KubeObject, reason: string): Record<string, unknown> | undefined {
    const conditions = (object.status?.conditions ?? []) as { type: string; status: string }[];
    const ready = conditions.some((condition) => condition.type === "Ready" && condition.status === "True");
    if (ready && object.status?.observedGeneration === object.metadata.generation) {
        return undefined;
    }
    return {
        observedGeneration: object.metadata.generation,
        conditions: [{ type: "Ready", status: "True", reason, message: "emulated by Groundwork's loopback control plane (tools/cluster/emulation.ts)", lastTransitionTime: new Date().toISOString() }],
    };
}

export const EMULATED: readonly EmulatedController[] = [
    {
        controller: "cloud load balancer",
        groupVersion: "/api/v1",
        plural: "services",
        status: (service) => (service.spec?.type === "LoadBalancer" && !hasAddress(service) ? loadBalancer : undefined),
    },
    {
        controller: "ingress controller",
        groupVersion: "/apis/networking.k8s.io/v1",
        plural: "ingresses",
        status: (ingress) => (hasAddress(ingress) ? undefined : loadBalancer),
    },
    {
        controller: "Tekton operator",
        groupVersion: "/apis/operator.tekton.dev/v1alpha1",
        plural: "tektonconfigs",
        status: (config) => readyCondition(config, "InstallSucceeded"),
    },
];

/** What the emulation needs from the API server. */
export interface EmulationApi {
    /** The collection's items; undefined while its kind is not served (its CRD not yet created). */
    list(collection: string): Promise<KubeObject[] | undefined>;
    /** A JSON merge patch. */
    patch(objectPath: string, body: Record<string, unknown>): Promise<void>;
}

const POLL_MS = 1_000;

/** Runs the rows until `stop()`; a row whose round fails (e.g. its CRD just created and not yet served) is logged and tried again on the next. */
export function startEmulation(api: EmulationApi, log: (line: string) => void): { stop(): Promise<void> } {
    let stopped = false;
    const reconcile = async (row: EmulatedController) => {
        for (const object of (await api.list(`${row.groupVersion}/${row.plural}`)) ?? []) {
            const status = row.status(object);
            if (status === undefined) {
                continue;
            }
            const { name, namespace } = object.metadata;
            const scope = namespace === undefined ? "" : `/namespaces/${namespace}`;
            await api.patch(`${row.groupVersion}${scope}/${row.plural}/${name}/status`, { status });
            log(`${row.controller}: ${row.plural} ${namespace === undefined ? "" : `${namespace}/`}${name} → ${JSON.stringify(status)}`);
        }
    };
    const round = () => Promise.all(EMULATED.map((row) => reconcile(row).catch((error: unknown) => log(`${row.controller}: ${error instanceof Error ? error.message : String(error)}`))));
    const loop = (async () => {
        while (!stopped) {
            await round();
            await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
    })();
    return {
        async stop() {
            stopped = true;
            await loop;
        },
    };
}
