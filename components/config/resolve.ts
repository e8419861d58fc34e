import { answersHttp01 } from "../addons/cert-manager/config";
import { TierConfig } from "../apps/config";
import { defaultReplicas, profileOf } from "../platform/environment";
import { ParsedPlatformConfig } from "./schema";

/**
 * The stack configuration with the environment profile and the defaults that depend on other keys
 * applied: what every check after the schema and every component reads.
 */
export type ResolvedTier = Omit<TierConfig, "alerts"> & {
    /** The stack's alert settings (addons.monitoring.alerts) with the tier's own over them. */
    alerts: ParsedPlatformConfig["addons"]["monitoring"]["alerts"];
    namespace: string;
    replicas: number;
    logLevel: NonNullable<TierConfig["logLevel"]>;
    /** cert-manager proves the tier's certificate over ACME HTTP-01, with solver pods in its namespace (see answersHttp01). */
    http01Solver: boolean;
};

export type ResolvedPlatformConfig = Omit<ParsedPlatformConfig, "tiers" | "protectData"> & {
    tiers: ResolvedTier[];
    protectData: boolean;
};

export function resolvePlatformConfig(parsed: ParsedPlatformConfig): ResolvedPlatformConfig {
    const profile = profileOf(parsed.environment);
    return {
        ...parsed,
        protectData: parsed.protectData ?? profile.protectData,
        tiers: parsed.tiers.map((tier): ResolvedTier => ({
            ...tier,
            namespace: tier.namespace ?? tier.name,
            replicas: tier.replicas ?? defaultReplicas(parsed.environment, tier.hpa),
            logLevel: tier.logLevel ?? profile.logLevel,
            http01Solver: answersHttp01(parsed, tier),
            alerts: { ...parsed.addons.monitoring.alerts, ...tier.alerts },
        })),
    };
}
