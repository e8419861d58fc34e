/**
 * The baseline controls of the Pod Security Standards, with the same fields, allowed values and
 * version boundaries as the checks of Kubernetes' PodSecurity admission (k8s.io/pod-security-admission).
 */
import {
    childBoolean,
    childInteger,
    childList,
    childObject,
    childString,
    hasChild,
    JsonObject,
    optionalObject,
    optionalString,
} from "./fields";
import { Finding, PssControl, quoteList } from "./model";
import {
    annotationsWithPrefix,
    annotationValue,
    containerLabel,
    containersOf,
    isUserNamespacePod,
    PodView,
    podSecurityContext,
    podSecurityContextPath,
} from "./pod";

/** The pod-level and every container-level security context, with the container (null for the pod) and path. */
export function securityContextSetters(pod: PodView): readonly SecurityContextSetter[] {
    let setters = setterCache.get(pod);
    if (setters === undefined) {
        setters = [
            { container: null, context: podSecurityContext(pod), path: podSecurityContextPath(pod) },
            ...containersOf(pod).map((c) => ({ container: c.name, context: c.securityContext, path: c.securityContextPath })),
        ];
        setterCache.set(pod, setters);
    }
    return setters;
}

interface SecurityContextSetter {
    readonly container: string | null;
    readonly context: JsonObject | undefined;
    readonly path: string;
}

const setterCache = new WeakMap<PodView, readonly SecurityContextSetter[]>();

/** How messages name the setter of a security context. */
export function setterLabel(container: string | null): string {
    return container === null ? "pod" : containerLabel(container);
}

function windowsHostProcess(pod: PodView): Finding[] {
    return securityContextSetters(pod).flatMap(({ container, context, path }) => {
        const options = childObject(context, "windowsOptions", path);
        if (childBoolean(options, "hostProcess", `${path}.windowsOptions`) !== true) {
            return [];
        }
        return [{
            container,
            path: `${path}.windowsOptions.hostProcess`,
            message: `${setterLabel(container)} sets securityContext.windowsOptions.hostProcess=true; remove it or set it to false (HostProcess containers run with full access to the Windows node)`,
        }];
    });
}

function hostNamespaces(pod: PodView): Finding[] {
    const fields: [string, string][] = [["hostNetwork", "network"], ["hostPID", "process"], ["hostIPC", "IPC"]];
    return fields
        .filter(([field]) => childBoolean(pod.spec, field, pod.specPath) === true)
        .map(([field, namespace]) => ({
            container: null,
            path: `${pod.specPath}.${field}`,
            message: `pod sets ${field}=true and shares the node's ${namespace} namespace; remove it or set it to false`,
        }));
}

function privileged(pod: PodView): Finding[] {
    return containersOf(pod)
        .filter((c) => childBoolean(c.securityContext, "privileged", c.securityContextPath) === true)
        .map((c) => ({
            container: c.name,
            path: `${c.securityContextPath}.privileged`,
            message: `${containerLabel(c.name)} sets securityContext.privileged=true; remove it or set it to false`,
        }));
}

const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
]);

/** The capability names a container adds, in order. */
export function addedCapabilities(securityContext: JsonObject | undefined, securityContextPath: string): { path: string; names: string[] } {
    const capabilitiesPath = `${securityContextPath}.capabilities`;
    const capabilities = childObject(securityContext, "capabilities", securityContextPath);
    const added = childList(capabilities, "add", capabilitiesPath);
    return {
        path: `${capabilitiesPath}.add`,
        names: added.map((value, index) => optionalString(value, `${capabilitiesPath}.add[${index}]`) ?? ""),
    };
}

function capabilitiesBaseline(pod: PodView): Finding[] {
    return containersOf(pod).flatMap((c) => {
        const added = addedCapabilities(c.securityContext, c.securityContextPath);
        const forbidden = added.names.filter((name) => !BASELINE_CAPABILITIES.has(name));
        if (forbidden.length === 0) {
            return [];
        }
        return [{
            container: c.name,
            path: added.path,
            message: `${containerLabel(c.name)} adds ${quoteList(forbidden)} beyond the default capability set; remove ${forbidden.length === 1 ? "it" : "them"} from securityContext.capabilities.add`,
        }];
    });
}

/** A pod's volumes with their names and paths. */
export function volumesOf(pod: PodView): { name: string; path: string; volume: JsonObject }[] {
    return childList(pod.spec, "volumes", pod.specPath).map((value, index) => {
        const path = `${pod.specPath}.volumes[${index}]`;
        const volume = optionalObject(value, path) ?? {};
        return { name: childString(volume, "name", path) ?? "", path, volume };
    });
}

function hostPathVolumes(pod: PodView): Finding[] {
    return volumesOf(pod)
        .filter(({ volume }) => hasChild(volume, "hostPath"))
        .map(({ name, path }) => ({
            container: null,
            path: `${path}.hostPath`,
            message: `volume ${JSON.stringify(name)} mounts a hostPath; use a persistentVolumeClaim, emptyDir, configMap, secret or projected volume instead`,
        }));
}

function hostPorts(pod: PodView): Finding[] {
    return containersOf(pod).flatMap((c) =>
        childList(c.object, "ports", c.path).flatMap((value, index) => {
            const portPath = `${c.path}.ports[${index}]`;
            const hostPort = childInteger(optionalObject(value, portPath), "hostPort", portPath) ?? 0;
            if (hostPort === 0) {
                return [];
            }
            return [{
                container: c.name,
                path: `${portPath}.hostPort`,
                message: `${containerLabel(c.name)} binds hostPort ${hostPort}; remove hostPort and expose the port through a Service`,
            }];
        }),
    );
}

const APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";
const ALLOWED_APPARMOR_TYPES: ReadonlySet<string> = new Set(["RuntimeDefault", "Localhost"]);

function appArmorProfile(pod: PodView): Finding[] {
    const fieldFindings = securityContextSetters(pod).flatMap(({ container, context, path }) => {
        const profile = childObject(context, "appArmorProfile", path);
        if (profile === undefined) {
            return [];
        }
        const type = childString(profile, "type", `${path}.appArmorProfile`) ?? "";
        if (ALLOWED_APPARMOR_TYPES.has(type)) {
            return [];
        }
        return [{
            container,
            path: `${path}.appArmorProfile.type`,
            message: `${setterLabel(container)} sets securityContext.appArmorProfile.type to ${JSON.stringify(type)}; use "RuntimeDefault" or "Localhost", or remove appArmorProfile`,
        }];
    });
    const annotationFindings = annotationsWithPrefix(pod, APPARMOR_ANNOTATION_PREFIX)
        .filter(({ value }) => !(value === "" || value === "runtime/default" || value.startsWith("localhost/")))
        .map(({ key, value, path }) => ({
            container: key.slice(APPARMOR_ANNOTATION_PREFIX.length),
            path,
            message: `annotation ${key}=${JSON.stringify(value)} sets a forbidden AppArmor profile; use "runtime/default" or "localhost/<profile>", or remove the annotation`,
        }));
    return [...fieldFindings, ...annotationFindings];
}

const SELINUX_TYPES_1_0 = ["container_t", "container_init_t", "container_kvm_t"];
const SELINUX_TYPES_1_31 = [...SELINUX_TYPES_1_0, "container_engine_t"];

function seLinuxOptions(allowedTypes: readonly string[]): (pod: PodView) => Finding[] {
    const allowed = new Set(["", ...allowedTypes]);
    return (pod) =>
        securityContextSetters(pod).flatMap(({ container, context, path }) => {
            const optionsPath = `${path}.seLinuxOptions`;
            const options = childObject(context, "seLinuxOptions", path);
            if (options === undefined) {
                return [];
            }
            const findings: Finding[] = [];
            const type = childString(options, "type", optionsPath) ?? "";
            if (!allowed.has(type)) {
                findings.push({
                    container,
                    path: `${optionsPath}.type`,
                    message: `${setterLabel(container)} sets securityContext.seLinuxOptions.type to ${JSON.stringify(type)}; use one of ${quoteList(allowedTypes)} or leave it empty`,
                });
            }
            for (const field of ["user", "role"]) {
                if ((childString(options, field, optionsPath) ?? "") !== "") {
                    findings.push({
                        container,
                        path: `${optionsPath}.${field}`,
                        message: `${setterLabel(container)} sets securityContext.seLinuxOptions.${field}; remove it (custom SELinux ${field}s are forbidden)`,
                    });
                }
            }
            return findings;
        });
}

/** Unmasked /proc mounts, reused by the restricted procMount check. */
export function procMountUnconditional(pod: PodView): Finding[] {
    return containersOf(pod).flatMap((c) => {
        const procMount = childString(c.securityContext, "procMount", c.securityContextPath);
        if (procMount === undefined || procMount === "Default") {
            return [];
        }
        return [{
            container: c.name,
            path: `${c.securityContextPath}.procMount`,
            message: `${containerLabel(c.name)} sets securityContext.procMount to ${JSON.stringify(procMount)}; remove it or set it to "Default"`,
        }];
    });
}

function procMountOutsideUserNamespaces(pod: PodView): Finding[] {
    return isUserNamespacePod(pod) ? [] : procMountUnconditional(pod);
}

const SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/";

function seccompAnnotations(pod: PodView): Finding[] {
    const allowedValue = (value: string): boolean =>
        value === "runtime/default" || value === "docker/default" || value.startsWith("localhost/");
    const candidates = [
        { container: null, annotation: annotationValue(pod, SECCOMP_POD_ANNOTATION) },
        ...containersOf(pod).map((c) => ({
            container: c.name,
            annotation: annotationValue(pod, SECCOMP_CONTAINER_ANNOTATION_PREFIX + c.name),
        })),
    ];
    return candidates.flatMap(({ container, annotation }) => {
        if (annotation === undefined || allowedValue(annotation.value)) {
            return [];
        }
        return [{
            container,
            path: annotation.path,
            message: `annotation ${annotation.key}=${JSON.stringify(annotation.value)} sets a forbidden seccomp profile; use "runtime/default" or "localhost/<profile>", or remove the annotation`,
        }];
    });
}

/** The seccomp profile type set at one level, or undefined when that level sets no profile. */
export function seccompProfileType(context: JsonObject | undefined, path: string): string | undefined {
    const profile = childObject(context, "seccompProfile", path);
    return profile === undefined ? undefined : childString(profile, "type", `${path}.seccompProfile`) ?? "";
}

export function isAllowedSeccompType(type: string): boolean {
    return type === "RuntimeDefault" || type === "Localhost";
}

function seccompProfileFields(pod: PodView): Finding[] {
    return securityContextSetters(pod).flatMap(({ container, context, path }) => {
        const type = seccompProfileType(context, path);
        if (type === undefined || isAllowedSeccompType(type)) {
            return [];
        }
        return [{
            container,
            path: `${path}.seccompProfile.type`,
            message: `${setterLabel(container)} sets securityContext.seccompProfile.type to ${JSON.stringify(type)}; use "RuntimeDefault" or "Localhost"`,
        }];
    });
}

const SAFE_SYSCTLS_1_0 = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
];
const SAFE_SYSCTLS_1_27 = [...SAFE_SYSCTLS_1_0, "net.ipv4.ip_local_reserved_ports"];
const SAFE_SYSCTLS_1_29 = [
    ...SAFE_SYSCTLS_1_27,
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
const SAFE_SYSCTLS_1_32 = [...SAFE_SYSCTLS_1_29, "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];
const SAFE_SYSCTLS_1_37 = [...SAFE_SYSCTLS_1_32, "net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"];

function sysctls(safe: readonly string[]): (pod: PodView) => Finding[] {
    const allowed = new Set(safe);
    return (pod) => {
        const contextPath = podSecurityContextPath(pod);
        return childList(podSecurityContext(pod), "sysctls", contextPath).flatMap((value, index) => {
            const path = `${contextPath}.sysctls[${index}]`;
            const name = childString(optionalObject(value, path), "name", path) ?? "";
            if (allowed.has(name)) {
                return [];
            }
            return [{
                container: null,
                path: `${path}.name`,
                message: `sysctl ${JSON.stringify(name)} is not in the safe set at this version; remove it (safe: ${safe.join(", ")})`,
            }];
        });
    };
}

const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"];
const LIFECYCLE_HANDLERS = ["postStart", "preStop"];

function hostProbesAndHostLifecycle(pod: PodView): Finding[] {
    const findings: Finding[] = [];
    for (const c of containersOf(pod)) {
        const lifecycle = childObject(c.object, "lifecycle", c.path);
        const handlers: [string, JsonObject | undefined, string][] = [
            ...PROBES.map((probe): [string, JsonObject | undefined, string] => [probe, childObject(c.object, probe, c.path), c.path]),
            ...LIFECYCLE_HANDLERS.map((hook): [string, JsonObject | undefined, string] => [
                `lifecycle.${hook}`,
                childObject(lifecycle, hook, `${c.path}.lifecycle`),
                c.path,
            ]),
        ];
        for (const [what, handler, containerPath] of handlers) {
            if (handler === undefined) {
                continue;
            }
            const handlerPath = `${containerPath}.${what}`;
            for (const action of ["httpGet", "tcpSocket"]) {
                const host = childString(childObject(handler, action, handlerPath), "host", `${handlerPath}.${action}`) ?? "";
                if (host !== "") {
                    findings.push({
                        container: c.name,
                        path: `${handlerPath}.${action}.host`,
                        message: `${containerLabel(c.name)} ${what}.${action} targets host ${JSON.stringify(host)}; remove host so the kubelet connects to the pod itself`,
                    });
                }
            }
        }
    }
    return findings;
}

export const CHECK_HOST_PATH_VOLUMES = "hostPathVolumes";
export const CHECK_CAPABILITIES_BASELINE = "capabilities_baseline";
export const CHECK_SECCOMP_BASELINE = "seccompProfile_baseline";
export const CHECK_PROC_MOUNT = "procMount";

export const BASELINE_CONTROLS: readonly PssControl[] = [
    {
        id: "windowsHostProcess",
        level: "baseline",
        policyName: "pss-host-process",
        title: "HostProcess",
        description: "Windows pods and containers must not run as HostProcess containers.",
        severity: "critical",
        versions: [{ since: 0, check: windowsHostProcess }],
    },
    {
        id: "hostNamespaces",
        level: "baseline",
        policyName: "pss-host-namespaces",
        title: "Host Namespaces",
        description: "Pods must not share the node's network, PID or IPC namespaces.",
        severity: "critical",
        versions: [{ since: 0, check: hostNamespaces }],
    },
    {
        id: "privileged",
        level: "baseline",
        policyName: "pss-privileged",
        title: "Privileged Containers",
        description: "Containers must not run privileged.",
        severity: "critical",
        versions: [{ since: 0, check: privileged }],
    },
    {
        id: CHECK_CAPABILITIES_BASELINE,
        level: "baseline",
        policyName: "pss-capabilities-baseline",
        title: "Capabilities",
        description: "Containers may only add capabilities from the default set (NET_RAW and the rest are forbidden).",
        severity: "high",
        versions: [{ since: 0, check: capabilitiesBaseline }],
    },
    {
        id: CHECK_HOST_PATH_VOLUMES,
        level: "baseline",
        policyName: "pss-host-path-volumes",
        title: "HostPath Volumes",
        description: "Pods must not mount hostPath volumes.",
        severity: "critical",
        versions: [{ since: 0, check: hostPathVolumes }],
    },
    {
        id: "hostPorts",
        level: "baseline",
        policyName: "pss-host-ports",
        title: "Host Ports",
        description: "Containers must not bind host ports.",
        severity: "high",
        versions: [{ since: 0, check: hostPorts }],
    },
    {
        id: "appArmorProfile",
        level: "baseline",
        policyName: "pss-apparmor",
        title: "AppArmor",
        description: "Pods and containers must not override the default AppArmor profile with an unconfined one.",
        severity: "high",
        versions: [{ since: 0, check: appArmorProfile }],
    },
    {
        id: "seLinuxOptions",
        level: "baseline",
        policyName: "pss-selinux",
        title: "SELinux",
        description: "Pods and containers may only use the container SELinux types and must not set a custom SELinux user or role.",
        severity: "high",
        versions: [
            { since: 0, check: seLinuxOptions(SELINUX_TYPES_1_0) },
            { since: 31, check: seLinuxOptions(SELINUX_TYPES_1_31) },
        ],
    },
    {
        id: CHECK_PROC_MOUNT,
        level: "baseline",
        policyName: "pss-proc-mount",
        title: "/proc Mount Type",
        description: "Containers must keep the default masked /proc mount (from v1.35 any value is allowed in a user-namespaced pod).",
        severity: "high",
        versions: [
            { since: 0, check: procMountUnconditional },
            { since: 35, check: procMountOutsideUserNamespaces },
        ],
    },
    {
        id: CHECK_SECCOMP_BASELINE,
        level: "baseline",
        policyName: "pss-seccomp-baseline",
        title: "Seccomp",
        description: "Pods and containers must not set the seccomp profile to Unconfined.",
        severity: "high",
        versions: [
            { since: 0, check: seccompAnnotations },
            { since: 19, check: seccompProfileFields },
        ],
    },
    {
        id: "sysctls",
        level: "baseline",
        policyName: "pss-sysctls",
        title: "Sysctls",
        description: "Pods may only set sysctls from the safe, namespaced set.",
        severity: "high",
        versions: [
            { since: 0, check: sysctls(SAFE_SYSCTLS_1_0) },
            { since: 27, check: sysctls(SAFE_SYSCTLS_1_27) },
            { since: 29, check: sysctls(SAFE_SYSCTLS_1_29) },
            { since: 32, check: sysctls(SAFE_SYSCTLS_1_32) },
            { since: 37, check: sysctls(SAFE_SYSCTLS_1_37) },
        ],
    },
    {
        id: "hostProbesAndHostLifecycle",
        level: "baseline",
        policyName: "pss-host-probes",
        title: "Host Probes / Lifecycle Hooks",
        description: "Probes and lifecycle hooks must not target a host other than the pod itself.",
        severity: "medium",
        versions: [{ since: 34, check: hostProbesAndHostLifecycle }],
    },
];
