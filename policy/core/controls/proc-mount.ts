/** Baseline: the default masked /proc mount (PodSecurity's check_procMount). */
import { stringAt } from "../fields";
import { PodRule, PssControl } from "../model";
import { exceptUserNamespaces } from "../rules";

const PROC_MOUNT = ".securityContext.procMount";

/** Unmasked /proc mounts in any pod; the restricted procMount check applies this from v1.35. */
export const unmaskedProcMount: PodRule = {
    container: (container, report) => {
        const context = container.securityContext;
        const procMount = context === undefined ? undefined : stringAt(context.procMount, container, PROC_MOUNT);
        if (procMount !== undefined && procMount !== "Default") {
            report.add(
                container.name,
                container.path() + PROC_MOUNT,
                `${container.label()} sets securityContext.procMount to ${JSON.stringify(procMount)}; remove it or set it to "Default"`,
            );
        }
    },
};

export const procMount: PssControl = {
    id: "procMount",
    level: "baseline",
    policyName: "pss-proc-mount",
    title: "/proc Mount Type",
    description: "Containers must keep the default masked /proc mount (from v1.35 any value is allowed in a user-namespaced pod).",
    severity: "high",
    versions: [
        { since: 0, rule: unmaskedProcMount },
        { since: 35, rule: exceptUserNamespaces(unmaskedProcMount) },
    ],
};
