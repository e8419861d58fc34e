/**
 * Which workloads the API server reports ready: the count `npm run local -- --cluster` ends with
 * and the engine tests assert, measured rather than assumed from a successful update.
 */
import { ApiClient } from "./control-plane";
import { KubeObject } from "./emulation";

export interface Workload {
    kind: "Deployment" | "StatefulSet" | "DaemonSet";
    namespace: string;
    name: string;
    ready: boolean;
}

const COLLECTIONS = [
    { kind: "Deployment", collection: "/apis/apps/v1/deployments" },
    { kind: "StatefulSet", collection: "/apis/apps/v1/statefulsets" },
    { kind: "DaemonSet", collection: "/apis/apps/v1/daemonsets" },
] as const;

type WorkloadStatus = {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    desiredNumberScheduled?: number;
    numberReady?: number;
    updatedNumberScheduled?: number;
};

/** Ready: the controller has seen the current spec, and every wanted replica is updated and ready. */
function isReady(kind: Workload["kind"], object: KubeObject): boolean {
    const status = (object.status ?? {}) as WorkloadStatus;
    if (status.observedGeneration !== object.metadata.generation) {
        return false;
    }
    if (kind === "DaemonSet") {
        const wanted = status.desiredNumberScheduled ?? 0;
        return status.numberReady === wanted && status.updatedNumberScheduled === wanted;
    }
    const wanted = (object.spec?.replicas as number | undefined) ?? 1;
    return (status.readyReplicas ?? 0) >= wanted && (status.updatedReplicas ?? 0) >= wanted && (status.replicas ?? 0) === wanted;
}

export async function workloads(api: ApiClient): Promise<Workload[]> {
    const all = await Promise.all(COLLECTIONS.map(async ({ kind, collection }) => ((await api.list(collection)) ?? []).map((object) => ({
        kind,
        namespace: object.metadata.namespace ?? "",
        name: object.metadata.name,
        ready: isReady(kind, object),
    }))));
    return all.flat().sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}
