import { activeChecks, parseVersion } from "./controls";
import { JsonObject } from "./fields";
import { Level, PolicyVersion } from "./levels";
import { Finding, Violation } from "./model";
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

/** Every Pod Security Standards violation of a pod template at a level and version. */
export function checkPod(pod: PodView, options: CheckOptions): Violation[] {
    return activeChecks(options.level, versionOf(options)).flatMap(({ control, check }) =>
        check(pod).map((finding) => ({ control: control.id, ...finding })),
    );
}

/**
 * The findings of one control, or undefined when the control does not apply at that level and
 * version (a restricted-only control at baseline, a control newer than the version, or a baseline
 * control that a restricted one replaces).
 */
export function checkControl(controlId: string, pod: PodView, options: CheckOptions): Finding[] | undefined {
    const active = activeChecks(options.level, versionOf(options)).find(({ control }) => control.id === controlId);
    return active === undefined ? undefined : active.check(pod);
}

/**
 * Pod Security Standards violations of any resource by Pulumi type token and props (resource inputs
 * or a raw manifest). Resources that embed no pod template have none.
 */
export function checkWorkload(typeToken: string, props: JsonObject, options: CheckOptions): Violation[] {
    const pod = podSpecOf(typeToken, props);
    return pod === undefined ? [] : checkPod(pod, options);
}
