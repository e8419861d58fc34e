/**
 * Expands one settings file into the `--policy-pack-config` JSON the Pulumi CLI expects. Pulumi hands
 * each policy only its own config, so pack-wide settings (namespace levels, version, exemptions) must
 * be repeated under every policy name; generating that file keeps them identical everywhere.
 *
 * Input: `{ "all"?: <level>, "settings"?: {...}, "policies"?: { "<policy name>": <level> } }`.
 * Its command line is tools/pss/pack-config.ts: `npm run --silent pss:pack-config -- SETTINGS.json > pack-config.json`.
 */
import { parseSettings } from "./config";
import { PACK_ARGS } from "./policies";

export const ENFORCEMENT_LEVELS = ["advisory", "mandatory", "remediate", "disabled"] as const;

const POLICY_NAMES: readonly string[] = PACK_ARGS.policies.map((policy) => policy.name);

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function enforcementLevel(value: unknown, key: string, source: string): string {
    if (typeof value !== "string" || !(ENFORCEMENT_LEVELS as readonly string[]).includes(value)) {
        throw new Error(`${source}: ${key} is ${JSON.stringify(value)}; use one of ${ENFORCEMENT_LEVELS.join(", ")}`);
    }
    return value;
}

/** The per-policy config for a settings document; `source` names the file in errors. */
export function expandPackConfig(input: unknown, source: string): Record<string, unknown> {
    if (!isRecord(input)) {
        throw new Error(`${source}: expected an object with "settings", and optionally "all" and "policies"`);
    }
    for (const key of Object.keys(input)) {
        if (!["all", "settings", "policies"].includes(key)) {
            throw new Error(`${source}: ${key} is not a key of the settings file; use all, settings or policies`);
        }
    }
    const settingsSource = `${source} settings`;
    const settings = input.settings ?? {};
    parseSettings(settings, settingsSource);
    const levels = input.policies ?? {};
    if (!isRecord(levels)) {
        throw new Error(`${source}: policies must map policy names to enforcement levels`);
    }
    for (const [name, level] of Object.entries(levels)) {
        if (!POLICY_NAMES.includes(name)) {
            throw new Error(`${source}: policies.${name} is not a policy of the pack; use one of ${POLICY_NAMES.join(", ")}`);
        }
        enforcementLevel(level, `policies.${name}`, source);
    }
    const config: Record<string, unknown> = {};
    if (input.all !== undefined) {
        config.all = enforcementLevel(input.all, "all", source);
    }
    for (const name of POLICY_NAMES) {
        config[name] = levels[name] === undefined ? { ...settings } : { enforcementLevel: levels[name], ...settings };
    }
    return config;
}
