/**
 * What every policy of the pack shares: finding the workload behind a resource, choosing its level,
 * running a control with fail-closed handling of preview unknowns, and applying exemptions.
 */
import { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { levelForNamespace, PackSettings, parseSettings } from "../config";
import {
    annotationExemptionReason,
    containerImages,
    findExemption,
    Finding,
    JsonObject,
    Level,
    ManifestError,
    PodView,
    podSpecOf,
    Violation,
    WorkloadIdentity,
    workloadKindOf,
} from "../core";
import { isUnknownValueError } from "./unknown";

/** A resource that embeds a pod template, as one policy sees it. */
export interface WorkloadTarget {
    readonly settings: PackSettings;
    readonly kind: string;
    readonly identity: WorkloadIdentity;
    readonly level: Level;
    /** The template, or the reason it could not be read. */
    readonly pod: PodView | Unreadable;
    readonly props: JsonObject;
}

export interface Unreadable {
    readonly unreadable: string;
    readonly unknown: boolean;
}

export function isUnreadable(value: PodView | Unreadable): value is Unreadable {
    return "unreadable" in value;
}

/** Reads a value, or returns undefined when it is unknown during preview. */
function readKnown<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch (error) {
        if (isUnknownValueError(error)) {
            return undefined;
        }
        throw error;
    }
}

function metadataString(props: JsonObject, key: string): string | undefined {
    const metadata = props.metadata;
    if (typeof metadata !== "object" || metadata === null) {
        return undefined;
    }
    const value = (metadata as JsonObject)[key];
    return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * The namespace a resource lands in: its own, else the provider's default namespace, else `default`.
 * Undefined when it is unknown during preview.
 */
function namespaceOf(args: ResourceValidationArgs): string | undefined {
    const own = readKnown(() => ({ value: metadataString(args.props, "namespace") }));
    if (own === undefined) {
        return undefined;
    }
    if (own.value !== undefined) {
        return own.value;
    }
    const provider = readKnown(() => ({ value: args.provider?.props.namespace as unknown }));
    if (provider === undefined) {
        return undefined;
    }
    return typeof provider.value === "string" && provider.value !== "" ? provider.value : "default";
}

/** Turns the errors a control can raise into a reason the template cannot be verified. */
function asUnreadable(error: unknown, settings: PackSettings): Unreadable {
    if (error instanceof ManifestError) {
        return { unreadable: `invalid manifest: ${error.message}`, unknown: false };
    }
    if (isUnknownValueError(error) && settings.unknownValues === "deny") {
        return { unreadable: `${error.message}; the value cannot be verified, so it is denied (set unknownValues to "advisory" to let the engine report it instead)`, unknown: true };
    }
    throw error;
}

/**
 * The workload behind a resource. Resources without a pod template are not applicable to any policy
 * of the pack, which `notApplicable` reports to the engine.
 */
export function workloadTarget(args: ResourceValidationArgs, policyName: string): WorkloadTarget {
    const kind = workloadKindOf(args.type);
    if (kind === undefined) {
        return args.notApplicable(`${args.type} embeds no pod template`);
    }
    const settings = parseSettings(args.getConfig<JsonObject>(), `policy "${policyName}" config`);
    const namespace = namespaceOf(args);
    const name = readKnown(() => metadataString(args.props, "name") ?? args.name);
    let pod: PodView | Unreadable;
    try {
        pod = podSpecOf(args.type, args.props) as PodView;
    } catch (error) {
        pod = asUnreadable(error, settings);
    }
    const images = isUnreadable(pod)
        ? new Map<string, string | undefined>()
        : readKnown(() => containerImages(pod as PodView, (error) => isUnknownValueError(error))) ?? new Map();
    return {
        settings,
        kind,
        identity: { namespace, name, images },
        level: levelForNamespace(settings, namespace),
        pod,
        props: args.props,
    };
}

export function describeWorkload(target: WorkloadTarget): string {
    const namespace = target.identity.namespace ?? "<namespace unknown during preview>";
    return `${target.kind} ${namespace}/${target.identity.name ?? "<name unknown during preview>"}`;
}

function describeLevel(target: WorkloadTarget): string {
    const version = target.settings.version;
    return target.identity.namespace === undefined
        ? `level ${target.level} (the strictest configured level, as the namespace is unknown during preview), version ${version}`
        : `level ${target.level}, version ${version}`;
}

export type ControlRun = (pod: PodView, target: WorkloadTarget) => Finding[] | undefined;

export interface ControlOutcome {
    readonly violations: readonly Violation[];
    readonly exempted: readonly (Violation & { reason: string })[];
    /** Why the control could not be verified, when it could not. */
    readonly unreadable?: Unreadable;
}

/** Runs one control on a workload and splits its violations into active and exempted ones. */
export function runControl(controlId: string, run: ControlRun, target: WorkloadTarget): ControlOutcome {
    if (isUnreadable(target.pod)) {
        return { violations: [], exempted: [], unreadable: target.pod };
    }
    let findings: Finding[] | undefined;
    try {
        findings = run(target.pod, target);
    } catch (error) {
        return { violations: [], exempted: [], unreadable: asUnreadable(error, target.settings) };
    }
    const violations: Violation[] = [];
    const exempted: (Violation & { reason: string })[] = [];
    for (const finding of findings ?? []) {
        const violation = { control: controlId, ...finding };
        const reason = exemptionReason(violation, target);
        if (reason === undefined) {
            violations.push(violation);
        } else {
            exempted.push({ ...violation, reason });
        }
    }
    return { violations, exempted };
}

function exemptionReason(violation: Violation, target: WorkloadTarget): string | undefined {
    if (target.settings.allowAnnotationExemptions) {
        // An annotation that is unknown during preview or not a string exempts nothing.
        let annotated: string | undefined;
        try {
            annotated = annotationExemptionReason(target.props, violation.control);
        } catch (error) {
            if (!(isUnknownValueError(error) || error instanceof ManifestError)) {
                throw error;
            }
        }
        if (annotated !== undefined) {
            return `${annotated} (exempted by the workload's own annotation)`;
        }
    }
    return findExemption(target.settings.exemptions, violation, target.identity)?.reason;
}

/** Reports a control's outcome on a workload as CrossGuard violations, one per finding. */
export function reportOutcome(outcome: ControlOutcome, target: WorkloadTarget, title: string, report: ReportViolation): void {
    const workload = describeWorkload(target);
    if (outcome.unreadable !== undefined) {
        report(`${workload}: cannot verify ${title}: ${outcome.unreadable.unreadable}`);
        return;
    }
    for (const violation of outcome.violations) {
        report(`${workload}: ${violation.message} [${violation.path}] (${describeLevel(target)})`);
    }
}
