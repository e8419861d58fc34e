/** Restricted: only the allowed volume types (PodSecurity's check_restrictedVolumes). */
import { hasChild, JsonObject, pathAt } from "../fields";
import { PssControl, Report } from "../model";
import { PodScan } from "../pod";
import { scanVolumes } from "../rules";
import { hostPathVolumes } from "./host-path-volumes";

const ALLOWED_SOURCES = [
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret",
];
/** Volume sources PodSecurity names in its message, in its order; any other source is reported as "unknown". */
const NAMED_RESTRICTED_SOURCES = [
    "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd",
    "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk",
    "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos",
];
const ALLOWED_LIST = ALLOWED_SOURCES.join(", ");

/**
 * A volume without any source is an emptyDir: the API server defaults it so. A source this table does
 * not know (a newer Kubernetes' volume type) is restricted, as PodSecurity reports it as "unknown".
 */
function restrictedVolume(volume: JsonObject, name: string, index: number, pod: PodScan, report: Report): void {
    for (const source of ALLOWED_SOURCES) {
        if (hasChild(volume, source)) {
            return;
        }
    }
    const sources = Object.keys(volume).filter((key) => key !== "name" && hasChild(volume, key));
    if (sources.length === 0) {
        return;
    }
    const named = NAMED_RESTRICTED_SOURCES.find((candidate) => hasChild(volume, candidate));
    report.add(
        null,
        pathAt(pod, ".volumes", index, `.${named ?? sources[0]}`),
        `volume ${JSON.stringify(name)} uses ${named === undefined ? `the unknown volume source ${JSON.stringify(sources[0])}` : `the ${named} volume type`}; restricted pods may only use ${ALLOWED_LIST} volumes`,
    );
}

export const restrictedVolumes: PssControl = {
    id: "restrictedVolumes",
    level: "restricted",
    policyName: "pss-volume-types",
    title: "Volume Types",
    description: "Pods may only use configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes.",
    severity: "high",
    versions: [{ since: 0, rule: { pod: (pod, report) => scanVolumes(pod, report, restrictedVolume) }, overrides: [hostPathVolumes.id] }],
};
