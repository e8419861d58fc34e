/**
 * Pods per second of the policy pack's pure checker (policy/core) and of Kubernetes' own
 * PodSecurity checks (the toolchain's `pss-reference`, k8s.io/pod-security-admission) over the same
 * fixture corpus. Both decode the fixtures before timing, each into its native form (JSON objects
 * here, typed Go structs there), and both check every fixture's verdict before they are timed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CheckedLevel, checkWorkload, JsonObject } from "../../policy/core";
import { readWorkloads } from "../../policy/manifests";
import { runCommand, tail } from "../toolchain/process";

export interface PssRun {
    pods: number;
    podsPerSecond: number;
    /** Evaluations per second of CPU time (every thread, the collector's too): what a busy machine skews least. */
    podsPerCpuSecond: number;
    mismatches: string[];
}

interface Fixture {
    file: string;
    level: CheckedLevel;
    version: string;
    pass: boolean;
    typeToken: string;
    manifest: JsonObject;
}

/** `<level>/<version>/<pass|fail>/<fixture>.yaml` under `corpus`. */
export function loadCorpus(corpus: string): Fixture[] {
    const fixtures: Fixture[] = [];
    const directories = (directory: string) => fs.readdirSync(directory, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
    for (const level of directories(corpus)) {
        for (const version of directories(path.join(corpus, level))) {
            for (const verdict of directories(path.join(corpus, level, version))) {
                const directory = path.join(corpus, level, version, verdict);
                for (const name of fs.readdirSync(directory).filter((entry) => entry.endsWith(".yaml")).sort()) {
                    const file = path.join(directory, name);
                    for (const workload of readWorkloads(file, fs.readFileSync(file, "utf8"))) {
                        fixtures.push({ file, level: level as CheckedLevel, version, pass: verdict === "pass", typeToken: workload.typeToken, manifest: workload.manifest });
                    }
                }
            }
        }
    }
    if (fixtures.length === 0) {
        throw new Error(`no fixtures under ${corpus}`);
    }
    return fixtures;
}

const allowed = (fixture: Fixture) => checkWorkload(fixture.typeToken, fixture.manifest, { level: fixture.level, version: fixture.version }).length === 0;

/** Our checker over the corpus, repeated for at least `minMs`. */
export function measureCore(fixtures: readonly Fixture[], minMs: number): PssRun {
    const mismatches = fixtures.filter((fixture) => allowed(fixture) !== fixture.pass).map((fixture) => fixture.file);
    let evaluations = 0;
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    let elapsedMs = 0;
    while (elapsedMs < minMs) {
        for (const fixture of fixtures) {
            allowed(fixture);
        }
        evaluations += fixtures.length;
        elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    }
    const used = process.cpuUsage(cpu);
    return { pods: fixtures.length, podsPerSecond: evaluations / (elapsedMs / 1000), podsPerCpuSecond: evaluations / ((used.user + used.system) / 1e6), mismatches };
}

/** The Go reference over the corpus, in its own process. */
export async function measureReference(binary: string, corpus: string, minMs: number): Promise<PssRun> {
    const result = await runCommand(binary, ["--corpus", corpus, "--min-duration", `${minMs}ms`]);
    if (result.code !== 0) {
        throw new Error(`${path.basename(binary)} failed:\n${tail(result.stderr)}`);
    }
    return JSON.parse(result.stdout) as PssRun;
}
