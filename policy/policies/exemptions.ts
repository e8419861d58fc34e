import { ResourceValidationPolicy } from "@pulumi/policy";
import { SETTINGS_SCHEMA } from "../config";
import { checkControl, EXTRA_CONTROLS, PSS_CONTROLS } from "../core";
import { describeWorkload, runControl, workloadTarget } from "./workload";

export const EXEMPTIONS_POLICY_NAME = "pss-exemptions";

const CONTROLS = [
    ...PSS_CONTROLS.map((control) => ({
        id: control.id,
        policyName: control.policyName,
        run: (pod: Parameters<typeof checkControl>[1], target: ReturnType<typeof workloadTarget>) =>
            checkControl(control.id, pod, { level: target.level, version: target.settings.version }),
    })),
    ...EXTRA_CONTROLS.map((control) => ({
        id: control.id,
        policyName: control.policyName,
        run: (pod: Parameters<typeof checkControl>[1], target: ReturnType<typeof workloadTarget>) => control.check(pod, target.settings),
    })),
];

/**
 * Shows every exemption in use, with its reason: an exempted finding is not reported by its control's
 * policy, so this advisory policy is where the output records what was waived and why. It needs the
 * same `exemptions` settings as the policies it reports for.
 */
export const EXEMPTIONS_POLICY: ResourceValidationPolicy = {
    name: EXEMPTIONS_POLICY_NAME,
    description: "Lists the Pod Security Standards and hardening findings waived by an exemption, with the exemption's reason.",
    enforcementLevel: "advisory",
    severity: "low",
    tags: ["kubernetes", "pod-security-standards", "exemptions"],
    configSchema: SETTINGS_SCHEMA,
    validateResource: (args, report) => {
        const target = workloadTarget(args, EXEMPTIONS_POLICY_NAME);
        const workload = describeWorkload(target);
        for (const control of CONTROLS) {
            // Controls that cannot be verified are reported by their own policies.
            for (const exempted of runControl(control.id, control.run, target).exempted) {
                report(`${workload}: ${control.policyName} (${control.id}) is exempted because: ${exempted.reason}. Waived finding: ${exempted.message} [${exempted.path}]`);
            }
        }
    },
};
