import { alertReceiverSecretKeys } from "../../components/addons/monitoring/alertmanager";
import { AlertReceiver } from "../../components/addons/monitoring/config";
import { declaredTierSecrets, RawConfig, routedReceivers } from "../../tools/engine/stack-config";

export { asEngineConfig, committedStacks, readConfigFile, readStackConfig } from "../../tools/engine/stack-config";
export type { RawConfig } from "../../tools/engine/stack-config";

/**
 * The config plus a value for each application secret its tiers declare and for each alert receiver
 * its routes name, as `pulumi config set --secret` would store them (stack files never hold secrets),
 * and the keys to pass as secret.
 */
export function withTestSecrets(config: RawConfig): { config: RawConfig; secretKeys: string[] } {
    const values: Record<string, Record<string, string>> = {};
    for (const [tier, name] of declaredTierSecrets(config)) {
        values[tier] = { ...values[tier], [name]: testSecretValue(tier, name) };
    }
    const added: RawConfig = Object.keys(values).length === 0 || "groundwork:tierSecrets" in config ? {} : { "groundwork:tierSecrets": values };
    for (const { receiver, key } of routedReceivers(config)) {
        if (!(key in config)) {
            added[key] = testReceiverCredentials[receiver];
        }
    }
    const withSecrets = { ...config, ...added };
    const secretKeys = ["groundwork:tierSecrets", ...Object.values(alertReceiverSecretKeys).map((key) => `groundwork:${key}`)].filter((key) => key in withSecrets);
    return { config: withSecrets, secretKeys };
}

/** The credentials withTestSecrets gives the alert receivers; tests search for them where they must not appear. */
export const testReceiverCredentials: Readonly<Record<AlertReceiver, string>> = {
    pagerDuty: "testpagerdutyroutingkey00000000a",
    slack: "https://hooks.slack.invalid/services/TTEST/BTEST/test-slack-webhook-secret",
};

/** The value withTestSecrets gives an application secret; tests search for it where it must not appear. */
export function testSecretValue(tier: string, name: string): string {
    return `test-secret-${tier}-${name}`;
}

/** The Cloudflare token a stack with the edge on needs. Stack files never hold it (it is an encrypted secret). */
export const cloudflareTokenKey = "groundwork:cloudflareApiToken";

/** The config with a test Cloudflare token, stored as a secret, when the edge is on and the config holds none. */
export function withCloudflareToken(config: RawConfig, secretKeys: readonly string[] = []): { config: RawConfig; secretKeys: string[] } {
    const edgeOn = (config["groundwork:edge"] as { enabled?: boolean } | undefined)?.enabled === true;
    if (!edgeOn || cloudflareTokenKey in config) {
        return { config, secretKeys: [...secretKeys] };
    }
    return { config: { ...config, [cloudflareTokenKey]: "test-cloudflare-token" }, secretKeys: [...secretKeys, cloudflareTokenKey] };
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

