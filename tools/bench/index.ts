/**
 * `npm run bench`: what Groundwork costs beside its floors, on the real engine. Each figure is the
 * median of --runs runs (min and max beside it); the rounds interleave the previews so that a noisy
 * moment on a shared machine spreads over all of them instead of skewing one.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { defineCommand, runAsMain, UsageError } from "../cli/command-line";
import { ensureToolchain } from "../toolchain";
import { REPO_ROOT, TRANSPILE_LOADER } from "../cli/paths";
import { benchConfig, readStackConfig, validate, withTiers } from "./configs";
import { CPU_ROLES, cpuOverFloor, ProcessRole, runMeasured, Spread, spread } from "./measure";
import { PreviewJob, PreviewResult } from "./preview";
import { loadCorpus, measureCore, measureReference } from "./pss";
import { verdictLine } from "./targets";

const SECTIONS = ["program", "pack", "tiers", "pss", "validation"] as const;
type Section = (typeof SECTIONS)[number];
const BENCH_DIR = path.join(REPO_ROOT, ".bench");
const DEFAULT_CORPUS = path.resolve(REPO_ROOT, "..", "shared", "conformance", "pss");
const PSS_MIN_MS = 1_000;
const TIER_COUNTS = [1, 10, 50] as const;
/** Stands in for the Cloudflare token the production stack keeps as a secret: validation only checks that it is set. */
const VALIDATION_TOKEN = "bench-validation-token";

interface Options {
    runs: number;
    sections: Section[];
    corpus: string;
    profile: boolean;
}

export const benchCommand = defineCommand({
    name: "npm run bench",
    usage: `usage: npm run bench [-- --runs N] [--only <section,...>] [--corpus <dir>] [--profile]

Measures Groundwork on the real engine against its floors and prints a table; the results go to
.bench/bench-<time>.json. Run it under \`flock /tmp/groundwork-engine.lock\` on a shared machine.
  program      staging preview (render mode) vs a baseline of as many plain ConfigMaps
  pack         the same preview with and without the policy pack
  tiers        synthetic configs of ${TIER_COUNTS.join(", ")} tiers: cost per resource
  pss          policy/core vs Kubernetes' own PodSecurity checks (the toolchain's pss-reference)
  validation   loading and validating the production config, and 50 tiers
  --runs N           runs per figure (default 5; figures are medians)
  --only <list>      only these sections, comma-separated (default: all)
  --corpus <dir>     the Pod Security fixture corpus (default: ../shared/conformance/pss)
  --profile          also write CPU profiles of every Node process and Pulumi traces under .bench/profile/
  --help             this text`,
    options: { runs: { type: "string" }, only: { type: "string" }, corpus: { type: "string" }, profile: { type: "boolean" } },
    interpret({ runs = "5", only, corpus = DEFAULT_CORPUS, profile = false }, positionals): Options {
        if (positionals.length > 0) {
            throw new UsageError(`unexpected argument ${positionals[0]}`);
        }
        if (!/^[1-9]\d*$/.test(runs)) {
            throw new UsageError(`--runs ${runs}: must be a whole number of 1 or more`);
        }
        const sections = only === undefined ? [...SECTIONS] : only.split(",").map((name) => name.trim());
        const unknown = sections.filter((name) => !(SECTIONS as readonly string[]).includes(name));
        if (unknown.length > 0) {
            throw new UsageError(`--only ${only}: unknown section ${unknown.join(", ")} (sections: ${SECTIONS.join(", ")})`);
        }
        if (sections.includes("pss") && !fs.existsSync(corpus)) {
            throw new UsageError(`--corpus ${corpus}: no such directory (the Pod Security fixtures, <level>/<version>/<pass|fail>/*.yaml)`);
        }
        return { runs: Number(runs), sections: sections as Section[], corpus: path.resolve(corpus), profile };
    },
});

type Scenario = Omit<PreviewJob, "result" | "tracing" | "inputSizes"> & { id: string; label: string };

interface PreviewFigure {
    label: string;
    resources: number;
    previewMs: Spread;
    /** CPU time of the preview across the processes of the run (see PreviewResult.cpuMs). */
    cpuMs: Spread;
    /** Preview time per registered resource. */
    perResourceMs: Spread;
    /** Peak resident memory of the Node process plus the CLI. */
    memoryMiB: Spread;
    /** The same, per role, medians: the analyzer and providers run beside them. */
    memoryByRoleMiB: Record<ProcessRole, number>;
    /** CPU time of the whole child run (start-up included) per role, medians, for attributing the cost. */
    cpuByRoleMs: Record<ProcessRole, number>;
    processWallMs: Spread;
}

interface Sample {
    result: PreviewResult;
    wallMs: number;
    peakMiB: Record<ProcessRole, number>;
    cpuMs: Record<ProcessRole, number>;
}

function scenarios(sections: readonly Section[]): Scenario[] {
    const list: Scenario[] = [];
    if (sections.includes("program") || sections.includes("pack")) {
        list.push({ id: "program", label: "staging preview", program: "groundwork", policy: false });
    }
    if (sections.includes("program")) {
        list.push({ id: "baseline", label: "baseline (ConfigMaps)", program: "baseline", policy: false });
    }
    if (sections.includes("pack")) {
        list.push({ id: "pack", label: "staging preview + pack", program: "groundwork", policy: true });
    }
    if (sections.includes("tiers")) {
        list.push(...TIER_COUNTS.map((tiers): Scenario => ({ id: `tiers-${tiers}`, label: `${tiers} tier${tiers === 1 ? "" : "s"}`, program: "groundwork", tiers, policy: false })));
    }
    return list;
}

async function runPreview(scenario: Scenario, run: number, inputSizes: number[] | undefined, options: Options, scratch: string): Promise<Sample> {
    const profileDir = path.join(BENCH_DIR, "profile", `${scenario.id}-${run}`);
    const job: PreviewJob = {
        program: scenario.program,
        tiers: scenario.tiers,
        policy: scenario.policy,
        inputSizes,
        result: path.join(scratch, `${scenario.id}-${run}.json`),
        ...(options.profile ? { tracing: `file:${path.join(profileDir, "pulumi.trace")}` } : {}),
    };
    const jobFile = path.join(scratch, `${scenario.id}-${run}.job.json`);
    fs.writeFileSync(jobFile, JSON.stringify(job));
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (options.profile) {
        fs.mkdirSync(profileDir, { recursive: true });
        // Every Node process of the run (program, policy analyzer, stand-in providers) writes its own profile.
        env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ""} --cpu-prof --cpu-prof-dir=${profileDir} -r ${path.join(__dirname, "exit-on-signal.mjs")}`.trim();
    }
    const child = await runMeasured(process.execPath, ["-r", TRANSPILE_LOADER, path.join(__dirname, "preview.ts"), jobFile], { cwd: REPO_ROOT, env });
    if (child.code !== 0) {
        throw new Error(`${scenario.label} (run ${run}) failed:\n${child.stderr.trim().split("\n").slice(-20).join("\n")}`);
    }
    const result = JSON.parse(fs.readFileSync(job.result, "utf8")) as PreviewResult;
    if (result.mandatoryFindings > 0) {
        throw new Error(`${scenario.label}: the policy pack reported ${result.mandatoryFindings} mandatory violations; the bench measures a passing preview`);
    }
    return { result, wallMs: child.wallMs, peakMiB: child.peakMiB, cpuMs: child.cpuMs };
}

async function measurePreviews(options: Options, progress: (text: string) => void): Promise<Map<string, PreviewFigure>> {
    const list = scenarios(options.sections);
    const samples = new Map<string, Sample[]>(list.map((scenario) => [scenario.id, []]));
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "groundwork-bench-"));
    try {
        for (let run = 1; run <= options.runs; run++) {
            for (const scenario of list) {
                // The baseline mirrors the resources and input sizes of Groundwork's own first preview.
                const inputSizes = scenario.program === "baseline" ? samples.get("program")?.[0].result.inputSizes : undefined;
                progress(`run ${run}/${options.runs}  ${scenario.label}`);
                samples.get(scenario.id)?.push(await runPreview(scenario, run, inputSizes, options, scratch));
            }
        }
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
    const figures = new Map<string, PreviewFigure>();
    for (const scenario of list) {
        const runs = samples.get(scenario.id) ?? [];
        const roles = Object.keys(runs[0].peakMiB) as ProcessRole[];
        figures.set(scenario.id, {
            label: scenario.label,
            resources: runs[0].result.resources,
            previewMs: spread(runs.map((run) => run.result.previewMs)),
            cpuMs: spread(runs.map((run) => run.result.cpuMs)),
            perResourceMs: spread(runs.map((run) => run.result.previewMs / run.result.resources)),
            memoryMiB: spread(runs.map((run) => run.peakMiB.node + run.peakMiB.cli)),
            memoryByRoleMiB: Object.fromEntries(roles.map((role) => [role, spread(runs.map((run) => run.peakMiB[role])).median])) as Record<ProcessRole, number>,
            cpuByRoleMs: Object.fromEntries(roles.map((role) => [role, spread(runs.map((run) => run.cpuMs[role])).median])) as Record<ProcessRole, number>,
            processWallMs: spread(runs.map((run) => run.wallMs)),
        });
    }
    return figures;
}

interface PssFigure {
    pods: number;
    core: Spread;
    reference: Spread;
    /** Pods per CPU second. */
    coreCpu: Spread;
    referenceCpu: Spread;
    mismatches: { core: string[]; reference: string[] };
}

async function measurePss(options: Options, progress: (text: string) => void): Promise<PssFigure> {
    const toolchain = await ensureToolchain({ tools: ["pss-reference"], report: progress });
    const binary = toolchain.tools.find((tool) => tool.tool === "pss-reference")?.binary;
    if (!binary) {
        throw new Error("the toolchain's pss-reference is not available (see the line above): install Go and run again, or leave out --only pss");
    }
    const fixtures = loadCorpus(options.corpus);
    const core = [];
    const reference = [];
    for (let run = 1; run <= options.runs; run++) {
        progress(`run ${run}/${options.runs}  pss over ${fixtures.length} pods`);
        core.push(measureCore(fixtures, PSS_MIN_MS));
        reference.push(await measureReference(binary, options.corpus, PSS_MIN_MS));
    }
    return {
        pods: fixtures.length,
        core: spread(core.map((run) => run.podsPerSecond)),
        reference: spread(reference.map((run) => run.podsPerSecond)),
        coreCpu: spread(core.map((run) => run.podsPerCpuSecond)),
        referenceCpu: spread(reference.map((run) => run.podsPerCpuSecond)),
        mismatches: { core: core[0].mismatches, reference: reference[0].mismatches },
    };
}

interface Timed {
    wall: Spread;
    cpu: Spread;
}

/** Loading (read and parse the YAML) and validating a config, timed per run: wall time and this process's CPU time. */
function measureValidation(options: Options): { production: Timed; tiers50: Timed } {
    const time = (work: () => void) => {
        const cpu = process.cpuUsage();
        const started = process.hrtime.bigint();
        work();
        const used = process.cpuUsage(cpu);
        return { wall: Number(process.hrtime.bigint() - started) / 1e6, cpu: (used.user + used.system) / 1000 };
    };
    const production: { wall: number; cpu: number }[] = [];
    const tiers50: { wall: number; cpu: number }[] = [];
    for (let run = 1; run <= options.runs; run++) {
        production.push(time(() => validate({ ...readStackConfig("production"), "groundwork:cloudflareApiToken": VALIDATION_TOKEN })));
        tiers50.push(time(() => validate(withTiers(benchConfig("out/bench", "http://127.0.0.1:1"), 50))));
    }
    const timed = (runs: { wall: number; cpu: number }[]): Timed => ({ wall: spread(runs.map((run) => run.wall)), cpu: spread(runs.map((run) => run.cpu)) });
    return { production: timed(production), tiers50: timed(tiers50) };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function row(cells: readonly string[], widths: readonly number[]): string {
    return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ").trimEnd();
}

function table(rows: readonly string[][]): string[] {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((cells) => (cells[i] ?? "").length)));
    return rows.map((cells) => row(cells, widths));
}

/** Floors the extra CPU of a preview is attributed against: each figure's own floor, as the ratios compare them. */
const FLOORS: readonly { figure: string; floor: string }[] = [
    { figure: "program", floor: "baseline" },
    { figure: "pack", floor: "program" },
];

/**
 * CPU time per process of each preview (medians, start-up included), then what each figure costs over its
 * floor per process: the line that says whose cost a ratio is (the program, the CLI, the policy analyzer,
 * the providers or the stand-ins), to read with the profiles of --profile.
 */
function cpuByProcess(previews: ReadonlyMap<string, PreviewFigure>): string[] {
    const rows: string[][] = [["cpu by process", ...CPU_ROLES]];
    for (const figure of previews.values()) {
        rows.push([figure.label, ...CPU_ROLES.map((role) => seconds(figure.cpuByRoleMs[role]))]);
    }
    const lines = table(rows);
    for (const { figure, floor } of FLOORS) {
        const measured = previews.get(figure);
        const base = previews.get(floor);
        if (measured && base) {
            const extra = cpuOverFloor(measured.cpuByRoleMs, base.cpuByRoleMs)
                .map(({ role, extraMs }) => `${role} ${extraMs >= 0 ? "+" : "-"}${seconds(Math.abs(extraMs))}`);
            lines.push(`${measured.label} over ${base.label}: ${extra.length > 0 ? extra.join(", ") : "no process differs"}`);
        }
    }
    return lines;
}

async function main(options: Options): Promise<number> {
    const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);
    const startedAt = new Date();
    const loadBefore = os.loadavg();
    const previews = await measurePreviews(options, progress);
    const pss = options.sections.includes("pss") ? await measurePss(options, progress) : undefined;
    const validation = options.sections.includes("validation") ? measureValidation(options) : undefined;
    const loadAfter = os.loadavg();

    const rows: string[][] = [["figure", "resources", "median", "min", "max", "cpu", "memory", "per resource"]];
    for (const figure of previews.values()) {
        rows.push([figure.label, String(figure.resources), seconds(figure.previewMs.median), seconds(figure.previewMs.min), seconds(figure.previewMs.max),
            seconds(figure.cpuMs.median), `${Math.round(figure.memoryMiB.median)} MiB`, `${figure.perResourceMs.median.toFixed(1)} ms`]);
    }
    if (pss) {
        const rate = (value: number) => `${Math.round(value / 1000)}k/s`;
        rows.push([`pss policy/core`, String(pss.pods), rate(pss.core.median), rate(pss.core.min), rate(pss.core.max), rate(pss.coreCpu.median), "", ""]);
        rows.push([`pss reference (Go)`, String(pss.pods), rate(pss.reference.median), rate(pss.reference.min), rate(pss.reference.max), rate(pss.referenceCpu.median), "", ""]);
    }
    if (validation) {
        const ms = (value: number) => `${value.toFixed(1)} ms`;
        for (const [label, { wall, cpu }] of [["validate production", validation.production], ["validate 50 tiers", validation.tiers50]] as const) {
            rows.push([label, "", ms(wall.median), ms(wall.min), ms(wall.max), ms(cpu.median), "", ""]);
        }
    }
    const median = (id: string) => previews.get(id)?.previewMs.median;
    const cpu = (id: string) => previews.get(id)?.cpuMs.median;
    const perResource = (id: string) => previews.get(id)?.perResourceMs.median;
    const divide = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a / b);
    const ratios = {
        programOverBaseline: divide(median("program"), median("baseline")),
        packOverPlain: divide(median("pack"), median("program")),
        tiers50OverTiers10PerResource: divide(perResource("tiers-50"), perResource("tiers-10")),
        pssCoreOverReference: pss && pss.core.median / pss.reference.median,
        cpu: {
            programOverBaseline: divide(cpu("program"), cpu("baseline")),
            packOverPlain: divide(cpu("pack"), cpu("program")),
            pssCoreOverReference: pss && pss.coreCpu.median / pss.referenceCpu.median,
        },
    };

    const lines = table(rows);
    process.stdout.write(`${lines.join("\n")}\n`);
    process.stdout.write(`${cpuByProcess(previews).join("\n")}\n`);
    process.stdout.write(`runs ${options.runs} · load average ${loadBefore.map((load) => load.toFixed(2)).join(" ")} before, ${loadAfter.map((load) => load.toFixed(2)).join(" ")} after · ${os.cpus().length} cores\n`);
    if (pss && (pss.mismatches.core.length > 0 || pss.mismatches.reference.length > 0)) {
        process.stdout.write(`pss verdicts wrong: policy/core ${pss.mismatches.core.length}, reference ${pss.mismatches.reference.length} (listed in the JSON)\n`);
    }
    fs.mkdirSync(BENCH_DIR, { recursive: true });
    const file = path.join(BENCH_DIR, `bench-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
    fs.writeFileSync(file, `${JSON.stringify({
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        runs: options.runs,
        machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: os.totalmem() / 2 ** 30, loadAverage: { before: loadBefore, after: loadAfter } },
        previews: Object.fromEntries(previews),
        pss,
        validation,
        ratios,
    }, null, 2)}\n`);
    process.stdout.write(`results     ${path.relative(REPO_ROOT, file)}\n`);
    process.stdout.write(`${verdictLine(ratios)}\n`);
    return 0;
}

if (require.main === module) {
    void runAsMain(benchCommand, (options) => main(options).catch((error: unknown) => {
        process.stderr.write(`npm run bench: ${error instanceof Error ? error.message : String(error)}\n`);
        return 1;
    }));
}
