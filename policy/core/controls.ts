import { BASELINE_CONTROLS } from "./baseline";
import { Level, PolicyVersion, resolveVersion } from "./levels";
import { PodCheck, PssControl } from "./model";
import { RESTRICTED_CONTROLS } from "./restricted";

/** Every Pod Security Standards control, baseline first. */
export const PSS_CONTROLS: readonly PssControl[] = [...BASELINE_CONTROLS, ...RESTRICTED_CONTROLS];

/** The newest minor version any check revision starts at: what `latest` evaluates. */
export const NEWEST_MINOR = Math.max(...PSS_CONTROLS.flatMap((control) => control.versions.map((v) => v.since)));

const versionCache = new Map<string, PolicyVersion>();

export function parseVersion(label: string): PolicyVersion {
    let version = versionCache.get(label);
    if (version === undefined) {
        version = resolveVersion(label, NEWEST_MINOR);
        versionCache.set(label, version);
    }
    return version;
}

export interface ActiveCheck {
    readonly control: PssControl;
    readonly check: PodCheck;
}

function revisionAt(control: PssControl, minor: number) {
    const applicable = control.versions.filter((revision) => revision.since <= minor);
    return applicable[applicable.length - 1];
}

const activeCache = new Map<string, readonly ActiveCheck[]>();

/**
 * The checks PodSecurity runs for a level and version: at baseline the baseline checks; at restricted
 * the restricted checks plus every baseline check that no applicable restricted revision overrides.
 */
export function activeChecks(level: Level, version: PolicyVersion): readonly ActiveCheck[] {
    const key = `${level}@${version.minor}`;
    const cached = activeCache.get(key);
    if (cached !== undefined) {
        return cached;
    }
    const levels = level === "restricted" ? ["baseline", "restricted"] : level === "baseline" ? ["baseline"] : [];
    const candidates = PSS_CONTROLS.filter((control) => levels.includes(control.level)).flatMap((control) => {
        const revision = revisionAt(control, version.minor);
        return revision === undefined ? [] : [{ control, revision }];
    });
    const overridden = new Set(candidates.flatMap(({ revision }) => revision.overrides ?? []));
    const active = candidates
        .filter(({ control }) => !overridden.has(control.id))
        .map(({ control, revision }) => ({ control, check: revision.check }));
    activeCache.set(key, active);
    return active;
}

export function controlById(id: string): PssControl | undefined {
    return PSS_CONTROLS.find((control) => control.id === id);
}
