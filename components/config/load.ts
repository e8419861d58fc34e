import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import { z } from "zod";
import { checkAddons } from "../addons/checks";
import { checkTiers } from "../apps/checks";
import { tierSecretCommand } from "../apps/config";
import { checkEdge } from "../edge/checks";
import { ReportIssue } from "../fields";
import { DeepReadonly } from "../readonly";
import { checkAcrossFeatures, checkQuotas } from "./checks";
import { ResolvedPlatformConfig, resolvePlatformConfig } from "./resolve";
import { platformSchema, secretKeys } from "./schema";

export const configNamespace = "groundwork";

/** The validated stack configuration with every default resolved; frozen. */
export type PlatformConfig = DeepReadonly<ResolvedPlatformConfig>;

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
 * PlatformConfig, or throws a ConfigError listing every problem. One pipeline: the schema parses
 * each section, the environment profile and the defaults are applied, the resolved config is
 * checked, and the result is frozen.
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

    let resolved: ResolvedPlatformConfig | undefined;
    // Zod runs this after the sections parse, also when some field broke a rule that leaves its type
    // intact, so that one run reports the cross-field problems beside the field problems.
    const result = platformSchema.superRefine((parsed, ctx) => {
        const report: ReportIssue = (path, message) => ctx.addIssue({ code: "custom", path, message });
        resolved = resolvePlatformConfig(parsed);
        checkTiers(resolved.tiers, resolved.tierSecrets, report);
        checkAddons(resolved, report);
        checkEdge(resolved, report);
        checkAcrossFeatures(resolved, parsed, report);
        // The peaks need every quantity valid, so quotas are checked only when nothing else is wrong.
        if (ctx.issues.length === 0 && problems.length === 0) {
            checkQuotas(resolved, report);
        }
    }).safeParse(input);
    if (!result.success) {
        problems.push(...result.error.issues.flatMap((issue) => describeIssue(issue, input)));
    }
    if (problems.length > 0 || resolved === undefined) {
        throw new ConfigError(problems);
    }
    return deepFreeze(resolved);
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
