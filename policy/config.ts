/**
 * The pack's settings: one schema shared by every policy of the pack (Pulumi delivers
 * `--policy-pack-config` per policy, so each policy validates and reads the same settings object).
 */
import type { PolicyConfigSchema } from "@pulumi/policy";
import {
    DEFAULT_EXTRA_SETTINGS,
    EXTRA_CONTROLS,
    Exemption,
    ExtraSettings,
    isVersionLabel,
    Level,
    LEVEL_RANK,
    LEVELS,
    PROBE_KINDS,
    ProbeKind,
    PSS_CONTROLS,
    VERSION_PATTERN,
} from "./core";

/** What a policy does when a field it must read is unknown during preview. */
export const UNKNOWN_VALUE_HANDLING = ["deny", "advisory"] as const;
export type UnknownValueHandling = (typeof UNKNOWN_VALUE_HANDLING)[number];

export interface PackSettings extends ExtraSettings {
    /** Level for namespaces that `namespaceLevels` does not list. */
    readonly defaultLevel: Level;
    /** Level per namespace: the same level the program writes into the namespace's PSA labels. */
    readonly namespaceLevels: Readonly<Record<string, Level>>;
    /** Pod Security Standards version: `latest` or `v1.N`. */
    readonly version: string;
    /**
     * `deny`: an unknown security field is a violation at the policy's enforcement level (fail closed).
     * `advisory`: leave it to the Pulumi engine, which reports the policy as not run, as advisory.
     */
    readonly unknownValues: UnknownValueHandling;
    /** Honour `pss-exempt.groundwork.dev/<control>` annotations on workloads. */
    readonly allowAnnotationExemptions: boolean;
    readonly exemptions: readonly Exemption[];
}

export const DEFAULT_SETTINGS: PackSettings = {
    defaultLevel: "restricted",
    namespaceLevels: {},
    version: "latest",
    unknownValues: "deny",
    allowAnnotationExemptions: false,
    exemptions: [],
    ...DEFAULT_EXTRA_SETTINGS,
};

/** Every control id an exemption may name. */
export const CONTROL_IDS: readonly string[] = [...PSS_CONTROLS.map((c) => c.id), ...EXTRA_CONTROLS.map((c) => c.id)];

const EXEMPTION_SELECTORS = ["namespaces", "names", "images"] as const;

const nonEmptyStrings = (description: string) => ({
    type: "array" as const,
    items: { type: "string" as const, minLength: 1 },
    minItems: 1,
    description,
});

/** JSON Schema of the settings, which the Pulumi CLI validates `--policy-pack-config` against. */
export const SETTINGS_SCHEMA: PolicyConfigSchema = {
    properties: {
        defaultLevel: {
            type: "string",
            enum: [...LEVELS],
            default: DEFAULT_SETTINGS.defaultLevel,
            description: "Pod Security Standards level for namespaces not listed in namespaceLevels.",
        },
        namespaceLevels: {
            type: "object",
            additionalProperties: { type: "string", enum: [...LEVELS] },
            default: DEFAULT_SETTINGS.namespaceLevels,
            description: "Level per namespace, matching the namespace's pod-security.kubernetes.io/enforce label.",
        },
        version: {
            type: "string",
            pattern: VERSION_PATTERN,
            default: DEFAULT_SETTINGS.version,
            description: "Pod Security Standards version: latest or v1.N.",
        },
        unknownValues: {
            type: "string",
            enum: [...UNKNOWN_VALUE_HANDLING],
            default: DEFAULT_SETTINGS.unknownValues,
            description: "deny: a field unknown during preview is a violation; advisory: the engine reports the policy as not run.",
        },
        allowAnnotationExemptions: {
            type: "boolean",
            default: DEFAULT_SETTINGS.allowAnnotationExemptions,
            description: "Honour pss-exempt.groundwork.dev/<control> annotations (the value is the reason) on workloads.",
        },
        exemptions: {
            type: "array",
            default: [],
            description: "Controls waived for workloads selected by namespace, name or image; each needs a reason.",
            items: {
                type: "object",
                additionalProperties: false,
                required: ["controls", "reason"],
                properties: {
                    controls: { ...nonEmptyStrings("Control ids the exemption waives."), items: { type: "string", enum: [...CONTROL_IDS] } },
                    namespaces: nonEmptyStrings("Namespaces the exemption applies in."),
                    names: nonEmptyStrings("Glob patterns on the workload's metadata.name."),
                    images: nonEmptyStrings("Glob patterns on container images."),
                    reason: { type: "string", minLength: 1, description: "Why the exemption is needed; shown in the output." },
                },
            },
        },
        requests: { ...nonEmptyStrings("Resources every container must request."), minItems: 0, default: [...DEFAULT_SETTINGS.requests] },
        limits: { ...nonEmptyStrings("Resources every container must limit."), minItems: 0, default: [...DEFAULT_SETTINGS.limits] },
        requireDigest: {
            type: "boolean",
            default: DEFAULT_SETTINGS.requireDigest,
            description: "Require images pinned by digest, not only by a tag other than latest.",
        },
        probes: {
            type: "array",
            items: { type: "string", enum: [...PROBE_KINDS] },
            default: [...DEFAULT_SETTINGS.probes],
            description: "Probes every long-running container must define.",
        },
    },
};

/** A settings value that does not fit the schema; the message names the key, the value and the fix. */
export class SettingsError extends Error {
    constructor(source: string, key: string, problem: string) {
        super(`${source}: ${key} ${problem}`);
        this.name = "SettingsError";
    }
}

type Raw = Record<string, unknown>;

function isRecord(value: unknown): value is Raw {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
    return JSON.stringify(value) ?? String(value);
}

class Reader {
    constructor(private readonly source: string) {}

    fail(key: string, problem: string): never {
        throw new SettingsError(this.source, key, problem);
    }

    rejectUnknownKeys(value: Raw, allowed: readonly string[], where: string): void {
        for (const key of Object.keys(value)) {
            if (!allowed.includes(key)) {
                this.fail(`${where}${key}`, `is not a setting; use one of ${allowed.join(", ")}`);
            }
        }
    }

    oneOf<T extends string>(value: unknown, allowed: readonly T[], key: string): T {
        if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
            this.fail(key, `is ${show(value)}; use one of ${allowed.join(", ")}`);
        }
        return value as T;
    }

    boolean(value: unknown, key: string): boolean {
        if (typeof value !== "boolean") {
            this.fail(key, `is ${show(value)}; use true or false`);
        }
        return value;
    }

    strings(value: unknown, key: string, options: { allowEmpty: boolean }): string[] {
        if (!Array.isArray(value) || (!options.allowEmpty && value.length === 0)) {
            this.fail(key, `is ${show(value)}; use a ${options.allowEmpty ? "" : "non-empty "}list of strings`);
        }
        return value.map((item, index) => {
            if (typeof item !== "string" || item === "") {
                this.fail(`${key}[${index}]`, `is ${show(item)}; use a non-empty string`);
            }
            return item;
        });
    }
}

function parseExemption(reader: Reader, value: unknown, key: string): Exemption {
    if (!isRecord(value)) {
        return reader.fail(key, `is ${show(value)}; use an object with controls, reason and at least one of namespaces, names, images`);
    }
    reader.rejectUnknownKeys(value, ["controls", ...EXEMPTION_SELECTORS, "reason"], `${key}.`);
    const controls = reader.strings(value.controls, `${key}.controls`, { allowEmpty: false });
    controls.forEach((control, index) => {
        if (!CONTROL_IDS.includes(control)) {
            reader.fail(`${key}.controls[${index}]`, `is ${show(control)}, not a control id; use one of ${CONTROL_IDS.join(", ")}`);
        }
    });
    if (typeof value.reason !== "string" || value.reason.trim() === "") {
        reader.fail(`${key}.reason`, `is ${show(value.reason)}; every exemption needs a reason saying why it is safe`);
    }
    const selectors: Partial<Record<(typeof EXEMPTION_SELECTORS)[number], string[]>> = {};
    for (const selector of EXEMPTION_SELECTORS) {
        if (value[selector] !== undefined) {
            selectors[selector] = reader.strings(value[selector], `${key}.${selector}`, { allowEmpty: false });
        }
    }
    if (Object.keys(selectors).length === 0) {
        reader.fail(key, "selects no workload; add namespaces, names or images (to turn a control off everywhere, set its policy's enforcementLevel to \"disabled\")");
    }
    return { controls, reason: value.reason.trim(), ...selectors };
}

/**
 * Validates a policy's settings and fills in defaults. `source` names where they came from, e.g.
 * `policy "pss-host-ports" config`.
 */
export function parseSettings(raw: unknown, source: string): PackSettings {
    const reader: Reader = new Reader(source);
    if (!isRecord(raw)) {
        return reader.fail("(settings)", `is ${show(raw)}; use an object`);
    }
    reader.rejectUnknownKeys(raw, Object.keys(SETTINGS_SCHEMA.properties), "");
    const settings: { -readonly [K in keyof PackSettings]: PackSettings[K] } = { ...DEFAULT_SETTINGS };
    if (raw.defaultLevel !== undefined) {
        settings.defaultLevel = reader.oneOf(raw.defaultLevel, LEVELS, "defaultLevel");
    }
    if (raw.namespaceLevels !== undefined) {
        if (!isRecord(raw.namespaceLevels)) {
            reader.fail("namespaceLevels", `is ${show(raw.namespaceLevels)}; use an object mapping namespace names to levels`);
        }
        const levels: Record<string, Level> = {};
        for (const [namespace, level] of Object.entries(raw.namespaceLevels)) {
            levels[namespace] = reader.oneOf(level, LEVELS, `namespaceLevels[${show(namespace)}]`);
        }
        settings.namespaceLevels = levels;
    }
    if (raw.version !== undefined) {
        if (!isVersionLabel(raw.version)) {
            reader.fail("version", `is ${show(raw.version)}; use "latest" or "v1.N" (for example "v1.30")`);
        }
        settings.version = raw.version;
    }
    if (raw.unknownValues !== undefined) {
        settings.unknownValues = reader.oneOf(raw.unknownValues, UNKNOWN_VALUE_HANDLING, "unknownValues");
    }
    if (raw.allowAnnotationExemptions !== undefined) {
        settings.allowAnnotationExemptions = reader.boolean(raw.allowAnnotationExemptions, "allowAnnotationExemptions");
    }
    if (raw.exemptions !== undefined) {
        if (!Array.isArray(raw.exemptions)) {
            reader.fail("exemptions", `is ${show(raw.exemptions)}; use a list of exemptions`);
        }
        settings.exemptions = raw.exemptions.map((value, index) => parseExemption(reader, value, `exemptions[${index}]`));
    }
    if (raw.requests !== undefined) {
        settings.requests = reader.strings(raw.requests, "requests", { allowEmpty: true });
    }
    if (raw.limits !== undefined) {
        settings.limits = reader.strings(raw.limits, "limits", { allowEmpty: true });
    }
    if (raw.requireDigest !== undefined) {
        settings.requireDigest = reader.boolean(raw.requireDigest, "requireDigest");
    }
    if (raw.probes !== undefined) {
        const probes = reader.strings(raw.probes, "probes", { allowEmpty: true });
        settings.probes = probes.map((probe, index) => reader.oneOf<ProbeKind>(probe, PROBE_KINDS, `probes[${index}]`));
    }
    return settings;
}

/**
 * The level that applies to a namespace. When the namespace is unknown during preview the strictest
 * configured level applies, so that an unknown namespace can never weaken the check.
 */
export function levelForNamespace(settings: PackSettings, namespace: string | undefined): Level {
    if (namespace !== undefined) {
        return settings.namespaceLevels[namespace] ?? settings.defaultLevel;
    }
    return [settings.defaultLevel, ...Object.values(settings.namespaceLevels)].reduce((strictest, level) =>
        LEVEL_RANK[level] > LEVEL_RANK[strictest] ? level : strictest,
    );
}

