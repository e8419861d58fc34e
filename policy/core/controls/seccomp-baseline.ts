/** Baseline: no unconfined seccomp profile, by annotation before v1.19 and by field after (PodSecurity's check_seccompProfile_baseline). */
import { JsonObject, objectAt, pathAt, Place, stringAt } from "../fields";
import { PodRule, PssControl, Report } from "../model";
import { ContainerScan, ownerLabel } from "../pod";
import { eachSecurityContext } from "../rules";

const PROFILE = ".securityContext.seccompProfile";
export const SECCOMP_PROFILE_TYPE = ".securityContext.seccompProfile.type";
const POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/";

/** The seccomp profile type a security context (at `place` + `.securityContext`) sets, or undefined when it sets no profile. */
export function seccompProfileType(context: JsonObject | undefined, place: Place): string | undefined {
    const profile = context === undefined ? undefined : objectAt(context.seccompProfile, place, PROFILE);
    return profile === undefined ? undefined : stringAt(profile.type, place, SECCOMP_PROFILE_TYPE) ?? "";
}

export function isAllowedSeccompType(type: string): boolean {
    return type === "RuntimeDefault" || type === "Localhost";
}

function isAllowedAnnotation(value: string): boolean {
    return value === "runtime/default" || value === "docker/default" || value.startsWith("localhost/");
}

function reportAnnotation(report: Report, owner: string | null, key: string, value: string, path: string): void {
    report.add(owner, path, `annotation ${key}=${JSON.stringify(value)} sets a forbidden seccomp profile; use "runtime/default" or "localhost/<profile>", or remove the annotation`);
}

const annotations: PodRule = {
    pod: (pod, report) => {
        const value = pod.annotation(POD_ANNOTATION);
        if (value !== undefined && !isAllowedAnnotation(value)) {
            reportAnnotation(report, null, POD_ANNOTATION, value, pod.annotationPath(POD_ANNOTATION));
        }
    },
    container: (container: ContainerScan, report) => {
        if (container.pod.annotations() === undefined) {
            return;
        }
        const key = CONTAINER_ANNOTATION_PREFIX + container.name;
        const value = container.pod.annotation(key);
        if (value !== undefined && !isAllowedAnnotation(value)) {
            reportAnnotation(report, container.name, key, value, container.pod.annotationPath(key));
        }
    },
};

const fields = eachSecurityContext((context, owner, place, report) => {
    const type = seccompProfileType(context, place);
    if (type !== undefined && !isAllowedSeccompType(type)) {
        report.add(owner, pathAt(place, SECCOMP_PROFILE_TYPE), `${ownerLabel(owner)} sets securityContext.seccompProfile.type to ${JSON.stringify(type)}; use "RuntimeDefault" or "Localhost"`);
    }
});

export const seccompProfileBaseline: PssControl = {
    id: "seccompProfile_baseline",
    level: "baseline",
    policyName: "pss-seccomp-baseline",
    title: "Seccomp",
    description: "Pods and containers must not set the seccomp profile to Unconfined.",
    severity: "high",
    versions: [
        { since: 0, rule: annotations },
        { since: 19, rule: fields },
    ],
};
