import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import { z } from "zod";
import { tierSecretCommand } from "../apps/config";
import { TierUnit } from "../apps/unit";
import { defaultReplicas, profileOf } from "../platform/environment";
import { quotaShortfalls } from "../platform/sizing";
import { answersHttp01 } from "./addons";
import { platformSchema, secretKeys, TierConfig } from "./schema";

export const configNamespace = "groundwork";

type ParsedPlatformConfig = z.output<typeof platformSchema>;

type DeepReadonly<T> = T extends (infer E)[] ? readonly DeepReadonly<E>[]
    : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The validated stack configuration with every default resolved; frozen. */
export type PlatformConfig = DeepReadonly<Omit<ParsedPlatformConfig, "tiers" | "protectData"> & {
    tiers: LoadedTier[];
    protectData: boolean;
}>;

type LoadedTier = Omit<TierConfig, "alerts"> & {
    /** The stack's alert settings (addons.monitoring.alerts) with the tier's own over them. */
    alerts: ParsedPlatformConfig["addons"]["monitoring"]["alerts"];
    namespace: string;
    replicas: number;
    logLevel: NonNullable<TierConfig["logLevel"]>;
    /** cert-manager proves the tier's certificate over ACME HTTP-01, with solver pods in its namespace (see answersHttp01). */
    http01Solver: boolean;
};

export type Tier = PlatformConfig["tiers"][number];

/** Every problem in the stack configuration at once; a RunError so Pulumi prints it without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(readonly problems: readonly string[]) {
        super([
            `Invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):`,
            ...problems.map((problem) => `  - ${problem}`),
            "Fix them with `pulumi config set --path <key> <value>` (add --secret for secrets) or in Pulumi.<stack>.yaml.",
            "No resource was created, changed or deleted.",
        ].join("\n"));
    }
}

/**
 * Validates raw stack config (`groundwork:<key>` → string, as Pulumi passes it) into a frozen
 * PlatformConfig, or throws a ConfigError listing every problem.
 */
export function parsePlatformConfig(raw: Readonly<Record<string, string>>, secretConfigKeys: ReadonlySet<string>): PlatformConfig {
    const input: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const [fullKey, value] of Object.entries(raw)) {
        const [namespace, key] = splitKey(fullKey);
        if (namespace !== configNamespace) {
            continue;
        }
        input[key] = decodeValue(value);
        if ((secretKeys as readonly string[]).includes(key) && !secretConfigKeys.has(fullKey)) {
            problems.push(...plaintextProblems(fullKey, input[key]));
        }
    }

    const result = platformSchema.safeParse(input);
    if (!result.success) {
        problems.push(...result.error.issues.flatMap((issue) => describeIssue(issue, input)));
    }
    if (problems.length > 0 || !result.success) {
        throw new ConfigError(problems);
    }

    const parsed = result.data;
    const profile = profileOf(parsed.environment);
    const tiers = parsed.tiers.map((tier): LoadedTier => ({
        ...tier,
        namespace: tier.namespace ?? tier.name,
        replicas: tier.replicas ?? defaultReplicas(parsed.environment, tier.hpa),
        logLevel: tier.logLevel ?? profile.logLevel,
        http01Solver: answersHttp01(parsed, tier),
        alerts: { ...parsed.addons.monitoring.alerts, ...tier.alerts },
    }));
    // After the schema, because the peak depends on http01Solver, which is decided here once.
    const { monitoring } = parsed.addons;
    const quotaProblems = tiers.flatMap((tier, i) => quotaProblemsOf(tier, i, parsed.backups, monitoring.enabled ? monitoring.namespace : undefined));
    if (quotaProblems.length > 0) {
        throw new ConfigError(quotaProblems);
    }
    return deepFreeze({
        ...parsed,
        protectData: parsed.protectData ?? profile.protectData,
        tiers,
    });
}

/** An explicit quota must hold the tier's namespace at its peak; it may add headroom. */
function quotaProblemsOf(tier: LoadedTier, i: number, backups: ParsedPlatformConfig["backups"], metricsScraperNamespace: string | undefined): string[] {
    const { quota } = tier;
    if (quota === undefined) {
        return [];
    }
    const peak = TierUnit.budget({ app: tier, database: tier.database && { ...tier.database, backups, metricsScraperNamespace } });
    return quotaShortfalls(quota, peak).map(({ field, needed }) => `${formatPath(["tiers", i, "quota", field])}${formatValue(quota[field])} is below what the namespace needs `
        + `at peak (${needed}: max replicas plus rolling-update surge, volumes, scheduled jobs, database with any exporter, backup and any ACME HTTP-01 solver); raise it or remove quota to derive it`);
}

/**
 * A secret key stored in plaintext, with the command that stores it as a secret. Application
 * secrets are set one value at a time, so each gets its own command; the value is never shown.
 */
function plaintextProblems(fullKey: string, value: unknown): string[] {
    const leaves = fullKey === `${configNamespace}:tierSecrets` && value !== null && typeof value === "object"
        ? Object.entries(value as Record<string, unknown>).flatMap(([tier, values]) =>
            values !== null && typeof values === "object" ? Object.keys(values).map((name) => [tier, name] as const) : [])
        : [];
    if (leaves.length > 0) {
        return leaves.map(([tier, name]) => `${fullKey}.${tier}.${name} is stored in plaintext but must be a secret: run \`${tierSecretCommand(tier, name)}\``);
    }
    return [`${fullKey} is stored in plaintext but must be a secret: run \`pulumi config set --secret ${fullKey} <value>\``];
}

/** Reads the stack configuration the engine (or the test mocks) passed to this program. */
export function loadPlatformConfig(): PlatformConfig {
    const raw = pulumi.runtime.allConfig();
    const isSecret = (runtimeConfig as unknown as { isConfigSecret(key: string): boolean }).isConfigSecret;
    return parsePlatformConfig(raw, new Set(Object.keys(raw).filter((key) => isSecret(key))));
}

function splitKey(fullKey: string): [string, string] {
    const colon = fullKey.indexOf(":");
    return colon < 0 ? ["", fullKey] : [fullKey.slice(0, colon), fullKey.slice(colon + 1)];
}

/** Structured values arrive as JSON text; plain strings (even "42") stay strings. */
function decodeValue(value: string): unknown {
    try {
        const decoded: unknown = JSON.parse(value);
        return typeof decoded === "object" || typeof decoded === "boolean" ? decoded : value;
    } catch {
        return value;
    }
}

function describeIssue(issue: z.core.$ZodIssue, input: Record<string, unknown>): string[] {
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => `${formatPath([...issue.path, key])} is not a known key: remove it or check its spelling`);
    }
    const value = valueAt(input, issue.path);
    const where = formatPath(issue.path);
    const shown = (secretKeys as readonly string[]).includes(String(issue.path[0])) ? "" : formatValue(value);
    return [`${where}${shown} ${messageOf(issue, value)}`];
}

function messageOf(issue: z.core.$ZodIssue, value: unknown): string {
    const isDefault = issue.message.startsWith("Invalid input") || issue.message.startsWith("Invalid option")
        || issue.message.startsWith("Too small") || issue.message.startsWith("Too big");
    if (value === undefined) {
        return isDefault ? "is required" : `is required: it ${issue.message}`;
    }
    if (!isDefault) {
        return issue.message;
    }
    switch (issue.code) {
        case "invalid_type":
            return `must be ${issue.expected === "array" ? "a list" : issue.expected === "object" ? "a map" : `a ${issue.expected}`}`;
        case "invalid_value":
            return `must be one of ${issue.values.map((allowed) => JSON.stringify(allowed)).join(", ")}`;
        case "too_small":
            return issue.origin === "array" ? `must list at least ${issue.minimum} item(s)` : `must be at least ${issue.minimum}`;
        case "too_big":
            return issue.origin === "array" ? `must list at most ${issue.maximum} item(s)` : `must be at most ${issue.maximum}`;
        default:
            return issue.message;
    }
}

function formatPath(path: readonly PropertyKey[]): string {
    return path.reduce<string>((text, segment, i) => {
        if (typeof segment === "number") {
            return `${text}[${segment}]`;
        }
        return i === 0 ? `${configNamespace}:${String(segment)}` : `${text}.${String(segment)}`;
    }, "");
}

function formatValue(value: unknown): string {
    if (value === undefined) {
        return "";
    }
    const text = JSON.stringify(value);
    return ` (${text.length > 60 ? `${text.slice(0, 57)}...` : text})`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    let node: unknown = root;
    for (const segment of path) {
        if (node === null || typeof node !== "object") {
            return undefined;
        }
        node = (node as Record<PropertyKey, unknown>)[segment];
    }
    return node;
}

function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const child of Object.values(value)) {
            deepFreeze(child);
        }
    }
    return value;
}
