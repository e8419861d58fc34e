/** Restricted: containers forbid privilege escalation (PodSecurity's check_allowPrivilegeEscalation). */
import { booleanAt } from "../fields";
import { PodRule, PssControl } from "../model";
import { exceptWindows } from "../rules";

const ALLOW_PRIVILEGE_ESCALATION = ".securityContext.allowPrivilegeEscalation";

const requireFalse: PodRule = {
    container: (container, report) => {
        const context = container.securityContext;
        const value = context === undefined ? undefined : booleanAt(context.allowPrivilegeEscalation, container, ALLOW_PRIVILEGE_ESCALATION);
        if (value !== false) {
            report.add(
                container.name,
                container.path() + ALLOW_PRIVILEGE_ESCALATION,
                `${container.label()} ${value === true ? "sets securityContext.allowPrivilegeEscalation=true" : "does not set securityContext.allowPrivilegeEscalation"}; set it to false`,
            );
        }
    },
};

export const allowPrivilegeEscalation: PssControl = {
    id: "allowPrivilegeEscalation",
    level: "restricted",
    policyName: "pss-privilege-escalation",
    title: "Privilege Escalation",
    description: "Containers must set securityContext.allowPrivilegeEscalation=false.",
    severity: "high",
    versions: [
        { since: 8, rule: requireFalse },
        { since: 25, rule: exceptWindows(requireFalse) },
    ],
};
