import { ResourceValidationPolicy } from "@pulumi/policy";
import { SETTINGS_SCHEMA } from "../config";
import { checkControl, PSS_CONTROLS, PssControl } from "../core";
import { reportOutcome, runControl, workloadTarget } from "./workload";

/**
 * One mandatory policy per Pod Security Standards control. A control only reports at the levels and
 * versions where PodSecurity runs it, so e.g. the baseline capabilities policy stays quiet in a
 * restricted namespace from v1.22, where the restricted capabilities policy replaces it.
 */
export function pssPolicy(control: PssControl): ResourceValidationPolicy {
    return {
        name: control.policyName,
        description: `Pod Security Standards, ${control.level} level, ${control.title}: ${control.description}`,
        enforcementLevel: "mandatory",
        severity: control.severity,
        tags: ["kubernetes", "pod-security-standards", control.level],
        configSchema: SETTINGS_SCHEMA,
        validateResource: (args, report) => {
            const target = workloadTarget(args, control.policyName);
            const outcome = runControl(
                control.id,
                (pod) => checkControl(control.id, pod, { level: target.level, version: target.settings.version }),
                target,
            );
            reportOutcome(outcome, target, control.title, report);
        },
    };
}

export const PSS_POLICIES: readonly ResourceValidationPolicy[] = PSS_CONTROLS.map(pssPolicy);
