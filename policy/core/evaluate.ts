import { parseVersion, planAt } from "./check-table";
import { JsonObject } from "./fields";
import { Level, PolicyVersion } from "./levels";
import { Finding, Violation } from "./model";
import { runPlan } from "./plan";
import { PodView } from "./pod";
import { podSpecOf } from "./workloads";

export interface CheckOptions {
    readonly level: Level;
    /** `latest` (the default) or `v1.N`. */
    readonly version?: string;
}

function versionOf(options: CheckOptions): PolicyVersion {
    return parseVersion(options.version ?? "latest");
}

/** Every Pod Security Standards violation of a pod template at a level and version, control by control. */
export function checkPod(pod: PodView, options: CheckOptions): Violation[] {
    return runPlan(planAt(options.level, versionOf(options)).all, pod, true);
}

/**
 * The findings of one control, or undefined when the control does not apply at that level and
 * version (a restricted-only control at baseline, a control newer than the version, or a baseline
 * control that a restricted one replaces). Only that control's fields are read.
 */
export function checkControl(controlId: string, pod: PodView, options: CheckOptions): Finding[] | undefined {
    return planAt(options.level, versionOf(options)).byId.get(controlId)?.check(pod);
}

/**
 * Pod Security Standards violations of any resource by Pulumi type token and props (resource inputs
 * or a raw manifest). Resources that embed no pod template have none.
 */
export function checkWorkload(typeToken: string, props: JsonObject, options: CheckOptions): Violation[] {
    const pod = podSpecOf(typeToken, props);
    return pod === undefined ? [] : checkPod(pod, options);
}
