/** Baseline: no unconfined AppArmor profile, by field or annotation (PodSecurity's check_appArmorProfile). */
import { objectAt, pathAt, stringAt } from "../fields";
import { PssControl, Report } from "../model";
import { ownerLabel, PodScan } from "../pod";
import { eachSecurityContext } from "../rules";

const PROFILE = ".securityContext.appArmorProfile";
const PROFILE_TYPE = ".securityContext.appArmorProfile.type";
const ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";
const ALLOWED_TYPES: ReadonlySet<string> = new Set(["RuntimeDefault", "Localhost"]);

const fields = eachSecurityContext((context, owner, place, report) => {
    const profile = objectAt(context.appArmorProfile, place, PROFILE);
    if (profile === undefined) {
        return;
    }
    const type = stringAt(profile.type, place, PROFILE_TYPE) ?? "";
    if (!ALLOWED_TYPES.has(type)) {
        report.add(
            owner,
            pathAt(place, PROFILE_TYPE),
            `${ownerLabel(owner)} sets securityContext.appArmorProfile.type to ${JSON.stringify(type)}; use "RuntimeDefault" or "Localhost", or remove appArmorProfile`,
        );
    }
});

/** The per-container annotations that predate the field, in key order, after the fields' findings. */
function annotations(pod: PodScan, report: Report): void {
    const annotations = pod.annotations();
    if (annotations === undefined) {
        return;
    }
    let keys: string[] | undefined;
    for (const key of Object.keys(annotations)) {
        if (key.startsWith(ANNOTATION_PREFIX)) {
            (keys ??= []).push(key);
        }
    }
    if (keys === undefined) {
        return;
    }
    for (const key of keys.sort()) {
        const value = pod.annotation(key) ?? "";
        if (!(value === "" || value === "runtime/default" || value.startsWith("localhost/"))) {
            report.add(
                key.slice(ANNOTATION_PREFIX.length),
                pod.annotationPath(key),
                `annotation ${key}=${JSON.stringify(value)} sets a forbidden AppArmor profile; use "runtime/default" or "localhost/<profile>", or remove the annotation`,
            );
        }
    }
}

export const appArmorProfile: PssControl = {
    id: "appArmorProfile",
    level: "baseline",
    policyName: "pss-apparmor",
    title: "AppArmor",
    description: "Pods and containers must not override the default AppArmor profile with an unconfined one.",
    severity: "high",
    versions: [{ since: 0, rule: { ...fields, afterContainers: annotations } }],
};
