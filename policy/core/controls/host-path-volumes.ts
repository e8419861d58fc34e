/** Baseline: no hostPath volumes (PodSecurity's check_hostPathVolumes). */
import { hasChild, JsonObject, pathAt } from "../fields";
import { PssControl, Report } from "../model";
import { PodScan } from "../pod";
import { scanVolumes } from "../rules";

function hostPathVolume(volume: JsonObject, name: string, index: number, pod: PodScan, report: Report): void {
    if (hasChild(volume, "hostPath")) {
        report.add(
            null,
            pathAt(pod, ".volumes", index, ".hostPath"),
            `volume ${JSON.stringify(name)} mounts a hostPath; use a persistentVolumeClaim, emptyDir, configMap, secret or projected volume instead`,
        );
    }
}

export const hostPathVolumes: PssControl = {
    id: "hostPathVolumes",
    level: "baseline",
    policyName: "pss-host-path-volumes",
    title: "HostPath Volumes",
    description: "Pods must not mount hostPath volumes.",
    severity: "critical",
    versions: [{ since: 0, rule: { pod: (pod, report) => scanVolumes(pod, report, hostPathVolume) } }],
};
