/** Pod Security Standards levels and policy versions, with PodSecurity admission's parsing rules. */

export const LEVELS = ["privileged", "baseline", "restricted"] as const;
export type Level = (typeof LEVELS)[number];

/** The levels a check can belong to; privileged has none. */
export type CheckedLevel = Exclude<Level, "privileged">;

export const LEVEL_RANK: Readonly<Record<Level, number>> = { privileged: 0, baseline: 1, restricted: 2 };

export function isLevel(value: unknown): value is Level {
    return typeof value === "string" && (LEVELS as readonly string[]).includes(value);
}

/**
 * A policy version as written by the user (`latest` or `v1.N`) together with the Kubernetes minor
 * version whose checks apply. Like PodSecurity, versions newer than the newest check version, and
 * `latest`, evaluate the newest checks.
 */
export interface PolicyVersion {
    readonly label: string;
    readonly minor: number;
}

export const VERSION_PATTERN = "^(latest|v1\\.(0|[1-9][0-9]*))$";
const versionRegExp = new RegExp(VERSION_PATTERN);

export function isVersionLabel(value: unknown): value is string {
    return typeof value === "string" && versionRegExp.test(value);
}

/** Resolves a version label against the newest minor version any check defines. */
export function resolveVersion(label: string, newestMinor: number): PolicyVersion {
    const match = versionRegExp.exec(label);
    if (match === null) {
        throw new Error(`version ${JSON.stringify(label)} is invalid: use "latest" or "v1.N" (for example "v1.30")`);
    }
    const minor = match[2] === undefined ? newestMinor : Math.min(Number(match[2]), newestMinor);
    return { label, minor };
}
