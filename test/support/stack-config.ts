import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";

const repoRoot = path.resolve(__dirname, "..", "..");

export type RawConfig = Record<string, unknown>;

/** The `groundwork:*` config of a stack file, as objects (not the strings Pulumi passes). */
export function readStackConfig(stack: string): RawConfig {
    const file = path.join(repoRoot, `Pulumi.${stack}.yaml`);
    const document = YAML.parse(fs.readFileSync(file, "utf8")) as { config?: RawConfig };
    return { ...(document.config ?? {}) };
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

