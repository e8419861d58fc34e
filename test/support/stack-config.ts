import { RawConfig, declaredTierSecrets } from "../../scripts/engine/stack-config";

export { asEngineConfig, committedStacks, readConfigFile, readStackConfig } from "../../scripts/engine/stack-config";
export type { RawConfig } from "../../scripts/engine/stack-config";

/**
 * The config plus a value for each application secret its tiers declare, as `pulumi config set
 * --secret` would store it (stack files never hold secrets), and the keys to pass as secret.
 */
export function withTestSecrets(config: RawConfig): { config: RawConfig; secretKeys: string[] } {
    const values: Record<string, Record<string, string>> = {};
    for (const [tier, name] of declaredTierSecrets(config)) {
        values[tier] = { ...values[tier], [name]: testSecretValue(tier, name) };
    }
    if (Object.keys(values).length === 0 || "groundwork:tierSecrets" in config) {
        return { config, secretKeys: "groundwork:tierSecrets" in config ? ["groundwork:tierSecrets"] : [] };
    }
    return { config: { ...config, "groundwork:tierSecrets": values }, secretKeys: ["groundwork:tierSecrets"] };
}

/** The value withTestSecrets gives an application secret; tests search for it where it must not appear. */
export function testSecretValue(tier: string, name: string): string {
    return `test-secret-${tier}-${name}`;
}

/** Stack config with `overrides` applied (a value of `undefined` deletes the key). */
export function withOverrides(config: RawConfig, overrides: RawConfig = {}): RawConfig {
    const merged = { ...config };
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) {
            delete merged[key];
        } else {
            merged[key] = value;
        }
    }
    return merged;
}

