/**
 * The restricted controls of the Pod Security Standards. Several replace a baseline check while they
 * apply (`overrides`), exactly as PodSecurity admission registers them.
 */
import {
    CHECK_CAPABILITIES_BASELINE,
    CHECK_HOST_PATH_VOLUMES,
    CHECK_PROC_MOUNT,
    CHECK_SECCOMP_BASELINE,
    addedCapabilities,
    isAllowedSeccompType,
    procMountUnconditional,
    seccompProfileType,
    securityContextSetters,
    setterLabel,
    volumesOf,
} from "./baseline";
import { childBoolean, childInteger, childList, childObject, hasChild, optionalString } from "./fields";
import { Finding, PodCheck, PssControl, quoteList } from "./model";
import { containerLabel, containersOf, isUserNamespacePod, isWindowsPod, PodView, podSecurityContext, podSecurityContextPath } from "./pod";

/** From v1.25 the pod OS field exempts Windows pods: the API rejects these Linux-only fields there. */
function exceptWindows(check: PodCheck): PodCheck {
    return (pod) => (isWindowsPod(pod) ? [] : check(pod));
}

/** From v1.35 a pod in a user namespace (`hostUsers: false`) may run as root inside it. */
function exceptUserNamespaces(check: PodCheck): PodCheck {
    return (pod) => (isUserNamespacePod(pod) ? [] : check(pod));
}

const ALLOWED_VOLUME_SOURCES = [
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret",
];
/** Volume sources PodSecurity names in its message, in its order; any other source is reported as "unknown". */
const NAMED_RESTRICTED_SOURCES = [
    "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd",
    "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk",
    "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos",
];

/**
 * A volume without any source is an emptyDir: the API server defaults it so. A source this table does
 * not know (a newer Kubernetes' volume type) is restricted, as PodSecurity reports it as "unknown".
 */
function restrictedVolumes(pod: PodView): Finding[] {
    return volumesOf(pod).flatMap(({ name, path, volume }) => {
        const sources = Object.keys(volume).filter((key) => key !== "name" && hasChild(volume, key));
        if (sources.length === 0 || ALLOWED_VOLUME_SOURCES.some((source) => hasChild(volume, source))) {
            return [];
        }
        const source = NAMED_RESTRICTED_SOURCES.find((candidate) => hasChild(volume, candidate));
        return [{
            container: null,
            path: `${path}.${source ?? sources[0]}`,
            message: `volume ${JSON.stringify(name)} uses ${source === undefined ? `the unknown volume source ${JSON.stringify(sources[0])}` : `the ${source} volume type`}; restricted pods may only use ${ALLOWED_VOLUME_SOURCES.join(", ")} volumes`,
        }];
    });
}

function allowPrivilegeEscalation(pod: PodView): Finding[] {
    return containersOf(pod).flatMap((c) => {
        const value = childBoolean(c.securityContext, "allowPrivilegeEscalation", c.securityContextPath);
        if (value === false) {
            return [];
        }
        return [{
            container: c.name,
            path: `${c.securityContextPath}.allowPrivilegeEscalation`,
            message: `${containerLabel(c.name)} ${value === true ? "sets securityContext.allowPrivilegeEscalation=true" : "does not set securityContext.allowPrivilegeEscalation"}; set it to false`,
        }];
    });
}

/** A restricted field's value at one level: good, unset, or a bad value (as shown to the user). */
type RequirementState = "good" | "unset" | { readonly bad: string };

/**
 * A restricted field the pod may set once for all containers, or each container may set: the value at
 * one level is good, bad, or unset. Explicitly bad values fail wherever they are; an unset container
 * value fails unless the pod-level value is good.
 */
function podOrContainerRequirement(
    pod: PodView,
    read: (context: ReturnType<typeof podSecurityContext>, path: string) => RequirementState,
    field: string,
    explain: { bad: (who: string, value: string) => string; unset: (container: string) => string },
): Finding[] {
    const podContextPath = podSecurityContextPath(pod);
    const podValue = read(podSecurityContext(pod), podContextPath);
    const findings: Finding[] = [];
    if (typeof podValue === "object") {
        findings.push({ container: null, path: `${podContextPath}.${field}`, message: explain.bad("pod", podValue.bad) });
    }
    for (const c of containersOf(pod)) {
        const containerValue = read(c.securityContext, c.securityContextPath);
        if (typeof containerValue === "object") {
            findings.push({ container: c.name, path: `${c.securityContextPath}.${field}`, message: explain.bad(containerLabel(c.name), containerValue.bad) });
        } else if (containerValue === "unset" && podValue !== "good") {
            findings.push({ container: c.name, path: `${c.securityContextPath}.${field}`, message: explain.unset(c.name) });
        }
    }
    return findings;
}

function runAsNonRoot(pod: PodView): Finding[] {
    return podOrContainerRequirement(
        pod,
        (context, path) => {
            const value = childBoolean(context, "runAsNonRoot", path);
            return value === undefined ? "unset" : value ? "good" : { bad: "false" };
        },
        "runAsNonRoot",
        {
            bad: (who) => `${who} sets securityContext.runAsNonRoot=false; set it to true`,
            unset: (name) => `neither the pod nor ${containerLabel(name)} sets securityContext.runAsNonRoot=true; set it on the pod (spec.securityContext) or on the container`,
        },
    );
}

function runAsUser(pod: PodView): Finding[] {
    return securityContextSetters(pod)
        .filter(({ context, path }) => childInteger(context, "runAsUser", path) === 0)
        .map(({ container, path }) => ({
            container,
            path: `${path}.runAsUser`,
            message: `${setterLabel(container)} sets securityContext.runAsUser=0 (root); use a non-zero user id or remove runAsUser`,
        }));
}

function seccompProfileRestricted(pod: PodView): Finding[] {
    return podOrContainerRequirement(
        pod,
        (context, path) => {
            const type = seccompProfileType(context, path);
            return type === undefined ? "unset" : isAllowedSeccompType(type) ? "good" : { bad: JSON.stringify(type) };
        },
        "seccompProfile.type",
        {
            bad: (who, value) => `${who} sets securityContext.seccompProfile.type to ${value}; use "RuntimeDefault" or "Localhost"`,
            unset: (name) => `neither the pod nor ${containerLabel(name)} sets securityContext.seccompProfile.type; set it to "RuntimeDefault" (or "Localhost") on the pod or on the container`,
        },
    );
}

function capabilitiesRestricted(pod: PodView): Finding[] {
    return containersOf(pod).flatMap((c) => {
        const findings: Finding[] = [];
        const capabilitiesPath = `${c.securityContextPath}.capabilities`;
        const capabilities = childObject(c.securityContext, "capabilities", c.securityContextPath);
        const dropped = childList(capabilities, "drop", capabilitiesPath).map(
            (value, index) => optionalString(value, `${capabilitiesPath}.drop[${index}]`) ?? "",
        );
        if (!dropped.includes("ALL")) {
            const caseHint = dropped.some((name) => name.toUpperCase() === "ALL")
                ? ` (capability names are case-sensitive: ${JSON.stringify(dropped.find((name) => name.toUpperCase() === "ALL"))} is not "ALL")`
                : "";
            findings.push({
                container: c.name,
                path: `${capabilitiesPath}.drop`,
                message: `${containerLabel(c.name)} does not drop ALL capabilities${caseHint}; set securityContext.capabilities.drop=["ALL"]`,
            });
        }
        const added = addedCapabilities(c.securityContext, c.securityContextPath);
        const forbidden = added.names.filter((name) => name !== "NET_BIND_SERVICE");
        if (forbidden.length > 0) {
            findings.push({
                container: c.name,
                path: added.path,
                message: `${containerLabel(c.name)} adds ${quoteList(forbidden)}; restricted containers may only add "NET_BIND_SERVICE"`,
            });
        }
        return findings;
    });
}

export const RESTRICTED_CONTROLS: readonly PssControl[] = [
    {
        id: "restrictedVolumes",
        level: "restricted",
        policyName: "pss-volume-types",
        title: "Volume Types",
        description: "Pods may only use configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes.",
        severity: "high",
        versions: [{ since: 0, check: restrictedVolumes, overrides: [CHECK_HOST_PATH_VOLUMES] }],
    },
    {
        id: "allowPrivilegeEscalation",
        level: "restricted",
        policyName: "pss-privilege-escalation",
        title: "Privilege Escalation",
        description: "Containers must set securityContext.allowPrivilegeEscalation=false.",
        severity: "high",
        versions: [
            { since: 8, check: allowPrivilegeEscalation },
            { since: 25, check: exceptWindows(allowPrivilegeEscalation) },
        ],
    },
    {
        id: "runAsNonRoot",
        level: "restricted",
        policyName: "pss-run-as-non-root",
        title: "Running as Non-root",
        description: "Containers must run as non-root: runAsNonRoot=true on the pod or on every container.",
        severity: "high",
        versions: [
            { since: 0, check: runAsNonRoot },
            { since: 35, check: exceptUserNamespaces(runAsNonRoot) },
        ],
    },
    {
        id: "runAsUser",
        level: "restricted",
        policyName: "pss-run-as-user",
        title: "Running as Non-root user",
        description: "Pods and containers must not set runAsUser to 0.",
        severity: "high",
        versions: [
            { since: 23, check: runAsUser },
            { since: 35, check: exceptUserNamespaces(runAsUser) },
        ],
    },
    {
        id: "seccompProfile_restricted",
        level: "restricted",
        policyName: "pss-seccomp-restricted",
        title: "Seccomp",
        description: "Pods or every container must set the seccomp profile to RuntimeDefault or Localhost.",
        severity: "high",
        versions: [
            { since: 19, check: seccompProfileRestricted, overrides: [CHECK_SECCOMP_BASELINE] },
            { since: 25, check: exceptWindows(seccompProfileRestricted), overrides: [CHECK_SECCOMP_BASELINE] },
        ],
    },
    {
        id: "capabilities_restricted",
        level: "restricted",
        policyName: "pss-capabilities-restricted",
        title: "Capabilities",
        description: "Containers must drop ALL capabilities and may only add NET_BIND_SERVICE.",
        severity: "high",
        versions: [
            { since: 22, check: capabilitiesRestricted, overrides: [CHECK_CAPABILITIES_BASELINE] },
            { since: 25, check: exceptWindows(capabilitiesRestricted), overrides: [CHECK_CAPABILITIES_BASELINE] },
        ],
    },
    {
        id: "procMount_restricted",
        level: "restricted",
        policyName: "pss-proc-mount-restricted",
        title: "/proc Mount Type",
        description: "Containers must keep the default masked /proc mount, even in a user-namespaced pod.",
        severity: "high",
        versions: [{ since: 35, check: procMountUnconditional, overrides: [CHECK_PROC_MOUNT] }],
    },
];
