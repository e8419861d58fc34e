/** Restricted: the pod or every container sets an allowed seccomp profile (PodSecurity's check_seccompProfile_restricted). */
import { PssControl } from "../model";
import { exceptWindows, podOrContainerRequirement } from "../rules";
import { isAllowedSeccompType, seccompProfileBaseline, seccompProfileType } from "./seccomp-baseline";

const requireProfile = podOrContainerRequirement({
    field: "seccompProfile.type",
    read: (context, place) => {
        const type = seccompProfileType(context, place);
        return type === undefined ? undefined : isAllowedSeccompType(type) || JSON.stringify(type);
    },
    bad: (who, value) => `${who} sets securityContext.seccompProfile.type to ${value}; use "RuntimeDefault" or "Localhost"`,
    unset: (container) => `neither the pod nor ${container.label()} sets securityContext.seccompProfile.type; set it to "RuntimeDefault" (or "Localhost") on the pod or on the container`,
});

export const seccompProfileRestricted: PssControl = {
    id: "seccompProfile_restricted",
    level: "restricted",
    policyName: "pss-seccomp-restricted",
    title: "Seccomp",
    description: "Pods or every container must set the seccomp profile to RuntimeDefault or Localhost.",
    severity: "high",
    versions: [
        { since: 19, rule: requireProfile, overrides: [seccompProfileBaseline.id] },
        { since: 25, rule: exceptWindows(requireProfile), overrides: [seccompProfileBaseline.id] },
    ],
};
