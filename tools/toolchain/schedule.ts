import * as os from "node:os";
import { ToolName } from "./recipes";

/**
 * Which compile runs next on a cold machine, and how many run at once.
 *
 * Two compiles run side by side: a lone `go build` leaves a core idle while it links, runs a
 * generator or loads its package graph. But the Go build cache does not share a compile still in
 * flight, so two builds running together must not need the same packages: the standard library is
 * compiled ahead of each build, one at a time (`ToolBuild.compileStandardLibrary`), and two builds
 * sharing more than `MAX_SHARED_FRACTION` of their other packages at the same versions (the control
 * plane's four binaries, pss-reference and kwok; the CLI and the random provider) never overlap.
 * The longest build starts first, so that the shorter ones fill the other lane around it.
 */

/**
 * Each tool's cold build on two cores, in seconds, as measured alone (README, "Usage"): only the
 * order matters, the longest first. The control plane's binaries share most of their packages, so
 * after kube-apiserver the others compile little of their own.
 */
export const COLD_BUILD_SECONDS: Readonly<Record<ToolName, number>> = {
    kubernetes: 1260,
    "kube-apiserver": 600,
    pulumi: 540,
    random: 240,
    "kube-controller-manager": 180,
    kwok: 120,
    etcd: 60,
    "kube-scheduler": 60,
    "netpol-judge": 60,
    "pss-reference": 60,
    actionlint: 30,
};

/** Two builds sharing more than this fraction of the smaller one's non-standard packages run one after the other. */
export const MAX_SHARED_FRACTION = 0.1;

export interface CompileJob {
    tool: ToolName;
    /** Non-standard packages as `<import path>@<module version>` (`BuildPackages.modules`). */
    packages: ReadonlySet<string>;
}

/** Compiles at once: two on two or more cores. */
export function compileLanes(cores = os.availableParallelism()): number {
    return Math.max(1, Math.min(2, cores));
}

/** go's -p for a build starting beside `running` others: the cores the others leave, at least one. */
export function buildParallelism(running: number, cores = os.availableParallelism()): number {
    return Math.max(1, cores - running);
}

export function sharedPackages(a: CompileJob, b: CompileJob): number {
    const [smaller, larger] = a.packages.size <= b.packages.size ? [a.packages, b.packages] : [b.packages, a.packages];
    let shared = 0;
    for (const pkg of smaller) {
        if (larger.has(pkg)) {
            shared += 1;
        }
    }
    return shared;
}

/** Whether two builds may compile side by side without compiling much of the same code twice. */
export function mayOverlap(a: CompileJob, b: CompileJob): boolean {
    const smaller = Math.min(a.packages.size, b.packages.size);
    return sharedPackages(a, b) <= MAX_SHARED_FRACTION * smaller;
}

/**
 * The job to start now: the longest waiting one (by measured cold time) that may overlap every
 * running job, or undefined when a lane is busy and none may.
 */
export function nextJob<T extends CompileJob>(waiting: readonly T[], running: readonly CompileJob[], lanes: number): T | undefined {
    if (running.length >= lanes) {
        return undefined;
    }
    return [...waiting]
        .sort((a, b) => COLD_BUILD_SECONDS[b.tool] - COLD_BUILD_SECONDS[a.tool])
        .find((job) => running.every((other) => mayOverlap(job, other)));
}

/**
 * Runs compile jobs on `lanes` lanes, starting each when `nextJob` picks it, with go's -p set by
 * how many others are running at that moment.
 */
export class CompileScheduler {
    private readonly waiting: { job: CompileJob; start: () => void }[] = [];
    private readonly running: CompileJob[] = [];

    constructor(
        private readonly lanes = compileLanes(),
        private readonly cores = os.availableParallelism(),
    ) {}

    run<T>(job: CompileJob, task: (parallelism: number) => Promise<T>): Promise<T> {
        return new Promise<T>((resolve, reject) => {
            const start = () => {
                const parallelism = buildParallelism(this.running.length, this.cores);
                this.running.push(job);
                Promise.resolve()
                    .then(() => task(parallelism))
                    .then(resolve, reject)
                    .finally(() => {
                        this.running.splice(this.running.indexOf(job), 1);
                        this.startWhatMay();
                    });
            };
            this.waiting.push({ job, start });
            this.startWhatMay();
        });
    }

    private startWhatMay(): void {
        for (let next = this.pick(); next; next = this.pick()) {
            next.start();
        }
    }

    private pick(): { job: CompileJob; start: () => void } | undefined {
        const job = nextJob(this.waiting.map((entry) => entry.job), this.running, this.lanes);
        const index = this.waiting.findIndex((entry) => entry.job === job);
        return index < 0 ? undefined : this.waiting.splice(index, 1)[0];
    }
}

/**
 * The standard library packages compiled so far by this run: each build compiles those it needs
 * that no build before it did, one build at a time (see the top of this file).
 */
export class StandardLibraryStage {
    private readonly compiled = new Set<string>();
    private readonly oneAtATime = serialQueue();

    /** Runs `compile` for the packages of `packages` not compiled yet, if any. */
    ensure(packages: readonly string[], compile: (missing: string[]) => Promise<void>): Promise<void> {
        return this.oneAtATime(async () => {
            const missing = packages.filter((pkg) => !this.compiled.has(pkg));
            if (missing.length > 0) {
                await compile(missing);
                missing.forEach((pkg) => this.compiled.add(pkg));
            }
        });
    }
}

/** Runs tasks strictly one after another. */
function serialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
    let last: Promise<unknown> = Promise.resolve();
    return <T>(task: () => Promise<T>) => {
        const run = last.then(task);
        last = run.catch(() => undefined);
        return run;
    };
}
