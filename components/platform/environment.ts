/**
 * The environments a stack can be, and what each one decides when the stack file does not: the one
 * table every component and check reads instead of comparing names.
 */

export const environments = ["local", "development", "staging", "production"] as const;
export type Environment = (typeof environments)[number];

export const logLevels = ["trace", "debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof logLevels)[number];

export interface EnvironmentProfile {
    /** Replicas of a tier that sets none and does not autoscale. */
    readonly replicas: number;
    /** Log level of a tier that sets none. */
    readonly logLevel: LogLevel;
    /** Whether database and tier volumes are protected from deletion unless groundwork:protectData says otherwise. */
    readonly protectData: boolean;
    /**
     * Several add-on replicas with disruption budgets and anti-affinity, rollouts that never lose a
     * replica, tier pods kept on separate nodes, and database drains that wait for an operator.
     */
    readonly highAvailability: boolean;
}

export const environmentProfiles: Readonly<Record<Environment, EnvironmentProfile>> = {
    local: { replicas: 1, logLevel: "debug", protectData: false, highAvailability: false },
    // A shared cluster for day-to-day work: as small and talkative as local, and nothing kept when it is torn down.
    development: { replicas: 1, logLevel: "debug", protectData: false, highAvailability: false },
    staging: { replicas: 1, logLevel: "info", protectData: false, highAvailability: false },
    production: { replicas: 2, logLevel: "info", protectData: true, highAvailability: true },
};

/** The profile of a validated environment name (components receive it as a string). */
export function profileOf(environment: string): EnvironmentProfile {
    const profile = (environmentProfiles as Readonly<Record<string, EnvironmentProfile | undefined>>)[environment];
    if (profile === undefined) {
        throw new Error(`unknown environment "${environment}": use one of ${environments.join(", ")}`);
    }
    return profile;
}

/** A tier's replicas when the stack file sets none: the autoscaler's minimum, or the environment's. */
export function defaultReplicas(environment: string, hpa?: { minReplicas: number }): number {
    return hpa?.minReplicas ?? profileOf(environment).replicas;
}

/** Replicas of an add-on part that keeps serving while one replica is replaced or its node drains. */
export const highAvailabilityReplicas = 2;

/** The configured replica count, else enough for high availability when the environment wants it, else one. */
export function replicasFor(highAvailability: boolean, configured?: number): number {
    return configured ?? (highAvailability ? highAvailabilityReplicas : 1);
}
