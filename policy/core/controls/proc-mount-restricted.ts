/** Restricted: the default masked /proc mount even in a user-namespaced pod (PodSecurity's check_procMount, restricted from v1.35). */
import { PssControl } from "../model";
import { procMount, unmaskedProcMount } from "./proc-mount";

export const procMountRestricted: PssControl = {
    id: "procMount_restricted",
    level: "restricted",
    policyName: "pss-proc-mount-restricted",
    title: "/proc Mount Type",
    description: "Containers must keep the default masked /proc mount, even in a user-namespaced pod.",
    severity: "high",
    versions: [{ since: 35, rule: unmaskedProcMount, overrides: [procMount.id] }],
};
