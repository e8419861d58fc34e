/**
 * Runs a set of control revisions over a pod template in one pass: the pod-level hooks, then every
 * container once with each container hook, then the hooks that follow the containers. Findings are
 * ordered as if each control had run on its own, one after the other.
 */
import { Finding, PodRule, PssControl, Report, Violation } from "./model";
import { ContainerScan, PodScan, PodView, scanContainers } from "./pod";

export interface PlannedRule {
    readonly control: PssControl;
    readonly rule: PodRule;
}

/** Control revisions in evaluation order, indexed by the hook they define. */
export interface Plan {
    readonly controls: readonly PssControl[];
    readonly rules: readonly PodRule[];
    readonly gated: readonly number[];
    readonly podSteps: readonly number[];
    readonly containerSteps: readonly number[];
    readonly afterSteps: readonly number[];
    /** Which rules skip the pod being evaluated (1) or apply (0); reused across evaluations. */
    readonly skipped: Uint8Array;
}

export function compilePlan(planned: readonly PlannedRule[]): Plan {
    const indexesWith = (hook: keyof PodRule) => planned.flatMap(({ rule }, index) => (rule[hook] === undefined ? [] : [index]));
    return {
        controls: planned.map(({ control }) => control),
        rules: planned.map(({ rule }) => rule),
        gated: indexesWith("appliesTo"),
        podSteps: indexesWith("pod"),
        containerSteps: indexesWith("container"),
        afterSteps: indexesWith("afterContainers"),
        skipped: new Uint8Array(planned.length),
    };
}

/**
 * The state of one evaluation. A single instance serves every evaluation (they are synchronous and
 * never nest), so a passing pod allocates neither scans nor closures; each run resets what it uses.
 */
class Evaluation implements Report {
    private readonly pod = new PodScan();
    private readonly container = new ContainerScan(this.pod);
    private plan!: Plan;
    private withControl = false;
    /** The rule now running: its index in the plan orders its findings among the others'. */
    private current = 0;
    private found: Finding[] | undefined;
    /** The plan index of each finding in `found`. */
    private readonly foundRanks: number[] = [];
    private readonly visitContainer = (container: ContainerScan): void => {
        const { rules, containerSteps, skipped } = this.plan;
        for (let step = 0; step < containerSteps.length; step++) {
            const index = containerSteps[step];
            if (skipped[index] === 0) {
                this.current = index;
                rules[index].container!(container, this);
            }
        }
    };

    run(plan: Plan, view: PodView, withControl: boolean): Finding[] {
        this.plan = plan;
        this.withControl = withControl;
        this.found = undefined;
        const pod = this.pod.reset(view);
        const { rules, skipped } = plan;
        for (let step = 0; step < plan.gated.length; step++) {
            const index = plan.gated[step];
            skipped[index] = rules[index].appliesTo!(pod) ? 0 : 1;
        }
        for (let step = 0; step < plan.podSteps.length; step++) {
            const index = plan.podSteps[step];
            if (skipped[index] === 0) {
                this.current = index;
                rules[index].pod!(pod, this);
            }
        }
        if (plan.containerSteps.length > 0) {
            scanContainers(this.container, this.visitContainer);
        }
        for (let step = 0; step < plan.afterSteps.length; step++) {
            const index = plan.afterSteps[step];
            if (skipped[index] === 0) {
                this.current = index;
                rules[index].afterContainers!(pod, this);
            }
        }
        const found = this.found ?? [];
        this.found = undefined;
        return found;
    }

    add(container: string | null, path: string, message: string): void {
        const finding: Finding | Violation = this.withControl
            ? { control: this.plan.controls[this.current].id, container, path, message }
            : { container, path, message };
        if (this.found === undefined) {
            this.found = [finding];
            this.foundRanks.length = 0;
            this.foundRanks.push(this.current);
            return;
        }
        // Stable insertion after every finding of this or an earlier control.
        let at = this.found.length;
        while (at > 0 && this.foundRanks[at - 1] > this.current) {
            at--;
        }
        this.found.splice(at, 0, finding);
        this.foundRanks.splice(at, 0, this.current);
    }
}

const evaluation = new Evaluation();

/** The findings of a plan's rules on a pod, as violations naming their control or as bare findings. */
export function runPlan(plan: Plan, pod: PodView, withControl: true): Violation[];
export function runPlan(plan: Plan, pod: PodView, withControl: false): Finding[];
export function runPlan(plan: Plan, pod: PodView, withControl: boolean): Finding[] {
    return evaluation.run(plan, pod, withControl);
}
