import { CheckedLevel } from "./levels";
import { ContainerScan, PodScan, PodView } from "./pod";

/** One reason a pod template fails a control. */
export interface Finding {
    /** The container at fault, or null for a pod-level field. */
    readonly container: string | null;
    /** Full field path inside the checked document. */
    readonly path: string;
    /** What is wrong and how to fix it. */
    readonly message: string;
}

export interface Violation extends Finding {
    /** Control id: PodSecurity's check id for the standards, or an extra control's id. */
    readonly control: string;
}

export type PodCheck = (pod: PodView) => Finding[];

/** Where a check reports what fails; the evaluation attributes each finding to the reporting control. */
export interface Report {
    add(container: string | null, path: string, message: string): void;
}

/**
 * How one revision of a control inspects a pod template, split by where it reads, so that a single
 * pass over the containers serves every active control. Hooks only report: a passing pod costs no
 * findings, messages or paths. Within a control, findings keep the order pod, containers, after.
 */
export interface PodRule {
    /** False skips the control for this pod, e.g. some restricted checks on Windows pods from v1.25. */
    readonly appliesTo?: (pod: PodScan) => boolean;
    /** Reads pod-level fields, before any container. */
    readonly pod?: (pod: PodScan, report: Report) => void;
    /** Reads one container's fields; called for each container in PodSecurity's order. */
    readonly container?: (container: ContainerScan, report: Report) => void;
    /** Reads pod-level fields whose findings follow the containers' (AppArmor's annotations). */
    readonly afterContainers?: (pod: PodScan, report: Report) => void;
}

/** One revision of a check, applying from Kubernetes minor version `since` until the next revision. */
export interface VersionedCheck {
    readonly since: number;
    readonly rule: PodRule;
    /** Baseline checks this restricted check replaces while it applies. */
    readonly overrides?: readonly string[];
}

export type Severity = "low" | "medium" | "high" | "critical";

/** A Pod Security Standards control, as PodSecurity admission defines it. */
export interface PssControl {
    /** PodSecurity's check id, e.g. `hostNamespaces`. */
    readonly id: string;
    readonly level: CheckedLevel;
    /** Stable CrossGuard policy name. */
    readonly policyName: string;
    /** The standard's name for the control, e.g. "Host Namespaces". */
    readonly title: string;
    /** One sentence: what the control requires. */
    readonly description: string;
    readonly severity: Severity;
    readonly versions: readonly VersionedCheck[];
}

export function quoteList(values: readonly string[]): string {
    return values.map((value) => JSON.stringify(value)).join(", ");
}
