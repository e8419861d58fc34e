/**
 * What a person reads after an engine run: short, aligned lines. Shared by `npm run local` and
 * anything else that drives the engine.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PolicyFinding } from "./session";

const LABEL_WIDTH = 12;

export function line(label: string, text: string): string {
    return `${label.padEnd(LABEL_WIDTH)}${text}`;
}

/** Engine operations as a person says them, e.g. "3 created, 1 updated, 155 unchanged"; "no changes" when only unchanged. */
export function describeChanges(changes: Record<string, number> | undefined): string {
    const words: Record<string, string> = {
        create: "created", update: "updated", delete: "deleted", replace: "replaced", same: "unchanged",
        "create-replacement": "created as replacements", "delete-replaced": "deleted after replacement",
    };
    const entries = Object.entries(changes ?? {}).filter(([, count]) => count > 0);
    if (entries.every(([op]) => op === "same")) {
        return `no changes (${entries.reduce((sum, [, count]) => sum + count, 0)} unchanged)`;
    }
    return entries.map(([op, count]) => `${count} ${words[op] ?? op}`).join(", ");
}

/**
 * Resource counts per top-level component: each resource is counted under the ancestor that is a
 * direct child of the stack, named `<name> (<type>)`; providers count as one row. `parents` maps
 * each URN to its parent URN.
 */
export function countByComponent(urns: Iterable<string>, parents: ReadonlyMap<string, string | undefined>): [string, number][] {
    const counts = new Map<string, number>();
    for (const urn of urns) {
        if (typeOfUrn(urn) === "pulumi:pulumi:Stack") {
            continue;
        }
        let top = urn;
        for (let parent = parents.get(top); parent && typeOfUrn(parent) !== "pulumi:pulumi:Stack"; parent = parents.get(top)) {
            top = parent;
        }
        // Providers, default ones included, are one row: a person counts components, not plugin instances.
        const label = typeOfUrn(top).startsWith("pulumi:providers:") ? "providers" : `${nameOfUrn(top)} (${typeOfUrn(top).split(":").at(-1)})`;
        counts.set(label, (counts.get(label) ?? 0) + 1);
    }
    return [...counts].sort(([a], [b]) => a.localeCompare(b));
}

/** `urn:pulumi:<stack>::<project>::<parent types$>type::<name>` → the resource's own type. */
export function typeOfUrn(urn: string): string {
    const qualified = urn.split("::")[2] ?? "";
    return qualified.split("$").at(-1) ?? qualified;
}

export function nameOfUrn(urn: string): string {
    return urn.split("::").slice(3).join("::");
}

/** "0 mandatory, 2 advisory (pss-x ×2)". */
export function describeFindings(findings: readonly PolicyFinding[]): string {
    const mandatory = findings.filter((finding) => finding.level === "mandatory");
    const advisory = findings.filter((finding) => finding.level !== "mandatory");
    const byPolicy = (list: readonly PolicyFinding[]) => {
        const counts = new Map<string, number>();
        list.forEach((finding) => counts.set(finding.policy, (counts.get(finding.policy) ?? 0) + 1));
        return [...counts].map(([policy, count]) => (count > 1 ? `${policy} ×${count}` : policy)).join(", ");
    };
    const detail = (list: readonly PolicyFinding[]) => (list.length > 0 ? ` (${byPolicy(list)})` : "");
    return `${mandatory.length} mandatory${detail(mandatory)}, ${advisory.length} advisory${detail(advisory)}`;
}

export interface RenderedManifests {
    files: number;
    /** Files holding a Secret, whose values the kubernetes provider writes in plaintext. */
    secrets: string[];
}

/** The YAML files under a render directory, and which of them hold Secrets. */
export function renderedManifests(directory: string): RenderedManifests {
    const files = fs.existsSync(directory) ? (fs.readdirSync(directory, { recursive: true }) as string[]).filter((file) => /\.ya?ml$/.test(file)) : [];
    const secrets = files.filter((file) => /^kind: Secret$/m.test(fs.readFileSync(path.join(directory, file), "utf8")));
    return { files: files.length, secrets };
}
