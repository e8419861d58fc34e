import { RawConfig } from "../../scripts/engine/stack-config";

export { readStackConfig } from "../../scripts/engine/stack-config";
export type { RawConfig } from "../../scripts/engine/stack-config";

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

