import { ResourceValidationPolicy } from "@pulumi/policy";
import { SETTINGS_SCHEMA } from "../config";
import { EXTRA_CONTROLS, ExtraControl } from "../core";
import { reportOutcome, runControl, workloadTarget } from "./workload";

/**
 * One advisory policy per hardening control beyond the standards. They apply at every level; set a
 * policy's enforcementLevel to make it mandatory or to disable it.
 */
export function extraPolicy(control: ExtraControl): ResourceValidationPolicy {
    return {
        name: control.policyName,
        description: `Hardening beyond the Pod Security Standards, ${control.title}: ${control.description}`,
        enforcementLevel: "advisory",
        severity: control.severity,
        tags: ["kubernetes", "hardening"],
        configSchema: SETTINGS_SCHEMA,
        validateResource: (args, report) => {
            const target = workloadTarget(args, control.policyName);
            const outcome = runControl(control.id, (pod) => control.check(pod, target.settings), target);
            reportOutcome(outcome, target, control.title, report);
        },
    };
}

export const EXTRA_POLICIES: readonly ResourceValidationPolicy[] = EXTRA_CONTROLS.map(extraPolicy);
