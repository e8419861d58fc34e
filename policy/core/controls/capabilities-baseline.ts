/** Baseline: only the default capabilities may be added (PodSecurity's check_capabilities_baseline). */
import { JsonObject, listAt, objectAt, Place, stringAt } from "../fields";
import { PssControl, quoteList } from "../model";

export const CAPABILITIES = ".securityContext.capabilities";
export const ADDED_CAPABILITIES = ".securityContext.capabilities.add";

const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
]);

/** The capabilities object of a container's security context, which sits at `place` + `.securityContext`. */
export function capabilitiesOf(context: JsonObject | undefined, place: Place): JsonObject | undefined {
    return context === undefined ? undefined : objectAt(context.capabilities, place, CAPABILITIES);
}

/**
 * The added capabilities outside `allowed`, in order, or undefined when there are none. Every entry
 * is type-checked, so a mistyped one fails the read even when nothing is forbidden.
 */
export function addedBeyond(capabilities: JsonObject | undefined, place: Place, allowed: (name: string) => boolean): string[] | undefined {
    const added = capabilities === undefined ? undefined : listAt(capabilities.add, place, ADDED_CAPABILITIES);
    if (added === undefined) {
        return undefined;
    }
    let forbidden: string[] | undefined;
    for (let index = 0; index < added.length; index++) {
        const name = stringAt(added[index], place, ADDED_CAPABILITIES, index) ?? "";
        if (!allowed(name)) {
            (forbidden ??= []).push(name);
        }
    }
    return forbidden;
}

const isBaselineCapability = (name: string) => BASELINE_CAPABILITIES.has(name);

export const capabilitiesBaseline: PssControl = {
    id: "capabilities_baseline",
    level: "baseline",
    policyName: "pss-capabilities-baseline",
    title: "Capabilities",
    description: "Containers may only add capabilities from the default set (NET_RAW and the rest are forbidden).",
    severity: "high",
    versions: [{
        since: 0,
        rule: {
            container: (container, report) => {
                const forbidden = addedBeyond(capabilitiesOf(container.securityContext, container), container, isBaselineCapability);
                if (forbidden !== undefined) {
                    report.add(
                        container.name,
                        container.path() + ADDED_CAPABILITIES,
                        `${container.label()} adds ${quoteList(forbidden)} beyond the default capability set; remove ${forbidden.length === 1 ? "it" : "them"} from securityContext.capabilities.add`,
                    );
                }
            },
        },
    }],
};
