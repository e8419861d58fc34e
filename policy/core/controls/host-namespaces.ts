/** Baseline: no sharing of the node's namespaces (PodSecurity's check_hostNamespaces). */
import { booleanAt } from "../fields";
import { PssControl } from "../model";

/** Each field with its path suffix and the namespace it shares. */
const HOST_NAMESPACE_FIELDS: readonly (readonly [string, string, string])[] = [
    ["hostNetwork", ".hostNetwork", "network"],
    ["hostPID", ".hostPID", "process"],
    ["hostIPC", ".hostIPC", "IPC"],
];

export const hostNamespaces: PssControl = {
    id: "hostNamespaces",
    level: "baseline",
    policyName: "pss-host-namespaces",
    title: "Host Namespaces",
    description: "Pods must not share the node's network, PID or IPC namespaces.",
    severity: "critical",
    versions: [{
        since: 0,
        rule: {
            pod: (pod, report) => {
                for (const [field, suffix, namespace] of HOST_NAMESPACE_FIELDS) {
                    if (booleanAt(pod.spec[field], pod, suffix) === true) {
                        report.add(null, pod.path() + suffix, `pod sets ${field}=true and shares the node's ${namespace} namespace; remove it or set it to false`);
                    }
                }
            },
        },
    }],
};
