import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";

/**
 * Cloudflare keeps one entrypoint ruleset per WAF phase in a zone, and zone settings have a single
 * value, so two stacks that both manage them in one zone fail at Cloudflare (or silently overwrite
 * each other). Groundwork's rule: every zone has exactly one owner stack (`edge.zoneOwner: true`)
 * that holds the zone-wide state for all hosts in it; other stacks in the zone only add their own
 * DNS records, origin certificate and ingress secrets. This module compares the current stack with
 * the other stack files of this repository (Pulumi.<stack>.yaml next to Pulumi.yaml) so that a
 * collision is a config error at preview time, not a half-applied deployment.
 */

/** What zone-ownership checks need from one stack's config. */
export interface StackEdge {
    /** Stack name (`Pulumi.<stack>.yaml`), or "" for the config being validated when no stack is known. */
    readonly stack: string;
    /** `groundwork:environment`, which identifies the stack's own file when its name is unknown. */
    readonly environment: string;
    readonly enabled: boolean;
    readonly zoneName: string;
    readonly accountId: string;
    readonly zoneOwner: boolean;
    readonly authenticatedOriginPulls: boolean;
    readonly hosts: readonly string[];
}

/** A stack file that could not be read, so it cannot be compared. */
export interface UnreadableStack {
    readonly stack: string;
    readonly error: string;
}

export interface ZoneConflict {
    readonly path: (string | number)[];
    readonly message: string;
}

interface EdgeOwnershipFields {
    readonly enabled: boolean;
    readonly zone?: { readonly name: string; readonly accountId: string };
    readonly zoneOwner?: boolean;
    readonly authenticatedOriginPulls?: boolean;
}

/**
 * The current stack's summary, from its validated config. Its name is the engine's stack name when
 * that stack's file is among `stacks` and is for the same environment; otherwise "" (unknown), as
 * for config parsed outside a Pulumi run, where the SDK reports a placeholder or a stale name.
 */
export function currentStackEdge(
    edge: EdgeOwnershipFields, hosts: readonly string[], environment: string, stacks: readonly (StackEdge | UnreadableStack)[],
): StackEdge {
    const stack = pulumi.getStack();
    const ownFile = stacks.find((entry) => entry.stack === stack);
    const known = ownFile !== undefined && !("error" in ownFile) && ownFile.environment === environment;
    return summarize(known ? stack : "", environment, edge, hosts);
}

const stackFilePattern = /^Pulumi\.([A-Za-z0-9._-]+)\.yaml$/;

/** The directory holding Pulumi.yaml: this repository's project root. */
export function projectDirectory(start: string = __dirname): string {
    for (let directory = start; ; directory = path.dirname(directory)) {
        if (fs.existsSync(path.join(directory, "Pulumi.yaml"))) {
            return directory;
        }
        if (path.dirname(directory) === directory) {
            throw new Error(`no Pulumi.yaml above ${start}: the edge zone-ownership check needs the project's stack files`);
        }
    }
}

/** Every stack file of the project, summarized. */
export function readStackFiles(directory: string = projectDirectory()): (StackEdge | UnreadableStack)[] {
    return fs.readdirSync(directory)
        .map((file) => stackFilePattern.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort()
        .map((stack) => readStackFile(directory, stack));
}

/** Parsed stack files by path, kept while the file is unchanged: validation runs once per config parse. */
const stackFileCache = new Map<string, { version: string; summary: StackEdge | UnreadableStack }>();

function readStackFile(directory: string, stack: string): StackEdge | UnreadableStack {
    const file = path.join(directory, stackFile(stack));
    const stat = fs.statSync(file);
    const version = `${stat.mtimeMs}:${stat.size}`;
    const cached = stackFileCache.get(file);
    if (cached?.version === version) {
        return cached.summary;
    }
    let summary: StackEdge | UnreadableStack;
    try {
        const document = YAML.parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
        summary = summarizeStackFile(stack, document?.config ?? {});
    } catch (error) {
        summary = { stack, error: error instanceof Error ? error.message : String(error) };
    }
    stackFileCache.set(file, { version, summary });
    return summary;
}

/** A stack file's summary, read leniently: a malformed section is that stack's own validation problem. */
export function summarizeStackFile(stack: string, config: Record<string, unknown>): StackEdge {
    const edge = asRecord(config["groundwork:edge"]);
    const zone = asRecord(edge.zone);
    const hosts = (Array.isArray(config["groundwork:tiers"]) ? config["groundwork:tiers"] : [])
        .flatMap((tier) => asRecord(asRecord(tier).public).hosts)
        .filter((host): host is string => typeof host === "string");
    return summarize(stack, String(config["groundwork:environment"]), {
        enabled: edge.enabled === true && typeof zone.name === "string",
        zone: { name: String(zone.name), accountId: String(zone.accountId) },
        zoneOwner: edge.zoneOwner === true,
        authenticatedOriginPulls: edge.authenticatedOriginPulls !== false,
    }, hosts);
}

function summarize(stack: string, environment: string, edge: EdgeOwnershipFields, hosts: readonly string[]): StackEdge {
    return {
        stack,
        environment,
        enabled: edge.enabled && edge.zone !== undefined,
        zoneName: edge.zone?.name ?? "",
        accountId: edge.zone?.accountId ?? "",
        zoneOwner: edge.zoneOwner ?? false,
        authenticatedOriginPulls: edge.authenticatedOriginPulls ?? true,
        hosts: [...new Set(hosts)].sort(),
    };
}

/**
 * Problems between the current stack and the other stack files: two owners of one zone, one host in
 * two stacks, or a stack verifying origin-pull certificates that its zone's owner does not turn on.
 * The current stack's own file is skipped: by name, or when the name is unknown (see
 * currentStackEdge), every file of the same environment.
 */
export function zoneConflicts(current: StackEdge, stacks: readonly (StackEdge | UnreadableStack)[]): ZoneConflict[] {
    if (!current.enabled) {
        return [];
    }
    const isOwnFile = (entry: StackEdge | UnreadableStack) => current.stack !== ""
        ? entry.stack === current.stack
        : !("error" in entry) && entry.environment === current.environment;
    const conflicts: ZoneConflict[] = [];
    for (const other of stacks.filter((entry) => !isOwnFile(entry))) {
        if ("error" in other) {
            conflicts.push({ path: ["edge"], message: `cannot be compared with ${stackFile(other.stack)} for zone ownership: it is not valid YAML (${other.error}); fix that file` });
            continue;
        }
        const sameZone = other.enabled && other.zoneName === current.zoneName && other.accountId === current.accountId;
        if (!sameZone) {
            continue;
        }
        const where = `stack "${other.stack}" (${stackFile(other.stack)})`;
        if (current.zoneOwner && other.zoneOwner) {
            conflicts.push({
                path: ["edge", "zoneOwner"],
                message: `is true, but ${where} also owns zone ${current.zoneName}: Cloudflare allows one entrypoint ruleset per phase in a zone and one value per zone setting, `
                    + "so a second owner fails or overwrites the first. Set edge.zoneOwner to false in one of the two files and keep the zone's rules in the owner's, or give each stack its own zone",
            });
        }
        const shared = current.hosts.filter((host) => other.hosts.includes(host));
        if (shared.length > 0) {
            conflicts.push({
                path: ["edge", "zone", "name"],
                message: `is shared with ${where}, which also publishes ${shared.join(", ")}: a DNS record belongs to one stack, so remove the host from one of them`,
            });
        }
        const [owner, member] = current.zoneOwner ? [current, other] : [other, current];
        if (owner.zoneOwner && !member.zoneOwner && member.authenticatedOriginPulls && !owner.authenticatedOriginPulls) {
            conflicts.push({
                path: ["edge", "authenticatedOriginPulls"],
                message: owner === current
                    ? `is false, but ${where} shares the zone and makes its ingress require Cloudflare's origin-pull certificate, which Cloudflare presents only when the zone owner turns authenticated origin pulls on: set this to true`
                    : `is true, but the zone owner ${where} turns authenticated origin pulls off, so Cloudflare would present no client certificate and this ingress would refuse every request: turn it on there or set this to false`,
            });
        }
    }
    return conflicts;
}

function stackFile(stack: string): string {
    return `Pulumi.${stack}.yaml`;
}

function asRecord(value: unknown): Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value as Record<string, unknown> : {};
}
