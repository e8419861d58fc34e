/** Baseline: only the safe, namespaced sysctls of each version (PodSecurity's check_sysctls). */
import { listAt, objectAt, pathAt, stringAt } from "../fields";
import { PodRule, PssControl } from "../model";

const SYSCTLS = ".securityContext.sysctls";

const SAFE_1_0 = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
];
const SAFE_1_27 = [...SAFE_1_0, "net.ipv4.ip_local_reserved_ports"];
const SAFE_1_29 = [
    ...SAFE_1_27,
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
const SAFE_1_32 = [...SAFE_1_29, "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];
const SAFE_1_37 = [...SAFE_1_32, "net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"];

function allowing(safe: readonly string[]): PodRule {
    const allowed: ReadonlySet<string> = new Set(safe);
    const safeList = safe.join(", ");
    return {
        pod: (pod, report) => {
            const context = pod.securityContext();
            const sysctls = context === undefined ? undefined : listAt(context.sysctls, pod, SYSCTLS);
            if (sysctls === undefined) {
                return;
            }
            for (let index = 0; index < sysctls.length; index++) {
                const sysctl = objectAt(sysctls[index], pod, SYSCTLS, index);
                const name = (sysctl === undefined ? undefined : stringAt(sysctl.name, pod, SYSCTLS, index, ".name")) ?? "";
                if (!allowed.has(name)) {
                    report.add(null, pathAt(pod, SYSCTLS, index, ".name"), `sysctl ${JSON.stringify(name)} is not in the safe set at this version; remove it (safe: ${safeList})`);
                }
            }
        },
    };
}

export const sysctls: PssControl = {
    id: "sysctls",
    level: "baseline",
    policyName: "pss-sysctls",
    title: "Sysctls",
    description: "Pods may only set sysctls from the safe, namespaced set.",
    severity: "high",
    versions: [
        { since: 0, rule: allowing(SAFE_1_0) },
        { since: 27, rule: allowing(SAFE_1_27) },
        { since: 29, rule: allowing(SAFE_1_29) },
        { since: 32, rule: allowing(SAFE_1_32) },
        { since: 37, rule: allowing(SAFE_1_37) },
    ],
};
