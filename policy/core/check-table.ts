/**
 * The check table: every Pod Security Standards control (one per file under ./controls, like
 * PodSecurity's check_*.go), and which revisions run at each level and version.
 */
import { allowPrivilegeEscalation } from "./controls/allow-privilege-escalation";
import { appArmorProfile } from "./controls/apparmor-profile";
import { capabilitiesBaseline } from "./controls/capabilities-baseline";
import { capabilitiesRestricted } from "./controls/capabilities-restricted";
import { hostNamespaces } from "./controls/host-namespaces";
import { hostPathVolumes } from "./controls/host-path-volumes";
import { hostPorts } from "./controls/host-ports";
import { hostProbesAndHostLifecycle } from "./controls/host-probes-and-lifecycle";
import { privileged } from "./controls/privileged";
import { procMount } from "./controls/proc-mount";
import { procMountRestricted } from "./controls/proc-mount-restricted";
import { restrictedVolumes } from "./controls/restricted-volumes";
import { runAsNonRoot } from "./controls/run-as-non-root";
import { runAsUser } from "./controls/run-as-user";
import { seccompProfileBaseline } from "./controls/seccomp-baseline";
import { seccompProfileRestricted } from "./controls/seccomp-restricted";
import { seLinuxOptions } from "./controls/selinux-options";
import { sysctls } from "./controls/sysctls";
import { windowsHostProcess } from "./controls/windows-host-process";
import { Level, LEVEL_RANK, PolicyVersion, resolveVersion } from "./levels";
import { PodCheck, PssControl, VersionedCheck } from "./model";
import { compilePlan, Plan, PlannedRule, runPlan } from "./plan";

/** Every Pod Security Standards control, baseline first, in PodSecurity's order of checks. */
export const PSS_CONTROLS: readonly PssControl[] = [
    windowsHostProcess,
    hostNamespaces,
    privileged,
    capabilitiesBaseline,
    hostPathVolumes,
    hostPorts,
    appArmorProfile,
    seLinuxOptions,
    procMount,
    seccompProfileBaseline,
    sysctls,
    hostProbesAndHostLifecycle,
    restrictedVolumes,
    allowPrivilegeEscalation,
    runAsNonRoot,
    runAsUser,
    seccompProfileRestricted,
    capabilitiesRestricted,
    procMountRestricted,
];

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
    /** This control alone on a pod template. */
    readonly check: PodCheck;
}

/** What runs at one level and version: all active controls in one plan, and each on its own. */
export interface LevelPlan {
    readonly all: Plan;
    readonly active: readonly ActiveCheck[];
    readonly byId: ReadonlyMap<string, ActiveCheck>;
}

function revisionAt(control: PssControl, minor: number): VersionedCheck | undefined {
    const applicable = control.versions.filter((revision) => revision.since <= minor);
    return applicable[applicable.length - 1];
}

/**
 * At baseline the baseline checks; at restricted the restricted checks plus every baseline check
 * that no applicable restricted revision overrides.
 */
function compileLevel(level: Level, minor: number): LevelPlan {
    const levels: readonly string[] = level === "restricted" ? ["baseline", "restricted"] : level === "baseline" ? ["baseline"] : [];
    const candidates = PSS_CONTROLS.filter((control) => levels.includes(control.level)).flatMap((control) => {
        const revision = revisionAt(control, minor);
        return revision === undefined ? [] : [{ control, revision }];
    });
    const overridden = new Set(candidates.flatMap(({ revision }) => revision.overrides ?? []));
    const planned: PlannedRule[] = candidates
        .filter(({ control }) => !overridden.has(control.id))
        .map(({ control, revision }) => ({ control, rule: revision.rule }));
    const active = planned.map((entry): ActiveCheck => {
        const alone = compilePlan([entry]);
        return { control: entry.control, check: (pod) => runPlan(alone, pod, false) };
    });
    return { all: compilePlan(planned), active, byId: new Map(active.map((check) => [check.control.id, check])) };
}

/** Compiled plans by level rank, then by minor version. */
const levelPlans: (LevelPlan | undefined)[][] = [[], [], []];

export function planAt(level: Level, version: PolicyVersion): LevelPlan {
    const byMinor = levelPlans[LEVEL_RANK[level]];
    let plan = byMinor[version.minor];
    if (plan === undefined) {
        plan = compileLevel(level, version.minor);
        byMinor[version.minor] = plan;
    }
    return plan;
}

/** The checks PodSecurity runs for a level and version, in table order. */
export function activeChecks(level: Level, version: PolicyVersion): readonly ActiveCheck[] {
    return planAt(level, version).active;
}

export function controlById(id: string): PssControl | undefined {
    return PSS_CONTROLS.find((control) => control.id === id);
}
