import { asRecord, StackFile, stackFileName, StackProblem } from "./stack-files";

/**
 * Cloudflare keeps one entrypoint ruleset per WAF phase in a zone, and zone settings have a single
 * value, so two stacks that both manage them in one zone fail at Cloudflare (or silently overwrite
 * each other). Groundwork's rule: every zone has exactly one owner stack (`edge.zoneOwner: true`)
 * that holds the zone-wide state for all hosts in it; other stacks in the zone only add their own
 * DNS records, origin certificate and ingress secrets. Only the stack files together show a
 * collision, so it is found here, before a change is merged, rather than by any one stack's `pulumi up`.
 */

/** What zone-ownership checks need from one stack file. */
export interface StackEdge {
    readonly stack: string;
    readonly enabled: boolean;
    readonly zoneName: string;
    readonly accountId: string;
    readonly zoneOwner: boolean;
    readonly authenticatedOriginPulls: boolean;
    readonly hosts: readonly string[];
}

/** A stack file's edge, read leniently: a malformed section is that stack's own validation problem. */
export function summarizeStackFile({ stack, config }: Pick<StackFile, "stack" | "config">): StackEdge {
    const edge = asRecord(config["groundwork:edge"]);
    const zone = asRecord(edge.zone);
    const hosts = (Array.isArray(config["groundwork:tiers"]) ? config["groundwork:tiers"] : [])
        .flatMap((tier) => asRecord(asRecord(tier).public).hosts)
        .filter((host): host is string => typeof host === "string");
    return {
        stack,
        enabled: edge.enabled === true && typeof zone.name === "string",
        zoneName: String(zone.name ?? ""),
        accountId: String(zone.accountId ?? ""),
        zoneOwner: edge.zoneOwner === true,
        authenticatedOriginPulls: edge.authenticatedOriginPulls !== false,
        hosts: [...new Set(hosts)].sort(),
    };
}

/**
 * Problems of `current` against the other stacks: two owners of one zone, one host in two stacks,
 * or a stack verifying origin-pull certificates that its zone's owner does not turn on.
 */
export function zoneConflicts(current: StackEdge, stacks: readonly StackEdge[]): StackProblem[] {
    if (!current.enabled) {
        return [];
    }
    const conflicts: StackProblem[] = [];
    for (const other of stacks) {
        const sameZone = other.stack !== current.stack && other.enabled && other.zoneName === current.zoneName && other.accountId === current.accountId;
        if (!sameZone) {
            continue;
        }
        const where = `stack "${other.stack}" (${stackFileName(other.stack)})`;
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
