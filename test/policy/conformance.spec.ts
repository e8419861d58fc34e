/**
 * Conformance with Kubernetes' own PodSecurity implementation: every fixture of the shared corpus
 * (`<level>/<version>/<pass|fail>/<fixture>.yaml`, Pods from k8s.io/pod-security-admission) must get
 * its verdict at its level and version, as a bare Pod (read with the CLI's reader) and wrapped in
 * every workload kind. PSS_CONFORMANCE_DIR points the test at another copy, e.g. the whole upstream corpus.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CheckedLevel, checkWorkload, JsonObject, LEVELS } from "../../policy/core";
import { readWorkloads } from "../../policy/manifests";
import { WORKLOAD_SHAPES } from "./helpers";

const repoRoot = path.resolve(__dirname, "../..");
const corpus = process.env.PSS_CONFORMANCE_DIR ?? path.resolve(repoRoot, "../shared/conformance/pss");
const VERDICTS = ["pass", "fail"] as const;

interface Fixture {
    readonly file: string;
    readonly level: string;
    readonly version: string;
    readonly verdict: (typeof VERDICTS)[number];
    readonly manifest: JsonObject;
}

function subdirectories(directory: string): string[] {
    return fs.readdirSync(directory).filter((entry) => fs.statSync(path.join(directory, entry)).isDirectory()).sort();
}

function loadCorpus(): Map<string, Fixture[]> {
    const byLevelVersion = new Map<string, Fixture[]>();
    for (const level of subdirectories(corpus)) {
        for (const version of subdirectories(path.join(corpus, level))) {
            const fixtures: Fixture[] = [];
            for (const verdict of VERDICTS) {
                const directory = path.join(corpus, level, version, verdict);
                if (!fs.existsSync(directory)) {
                    continue;
                }
                for (const name of fs.readdirSync(directory).filter((entry) => entry.endsWith(".yaml")).sort()) {
                    const file = path.join(directory, name);
                    const workloads = readWorkloads(file, fs.readFileSync(file, "utf8"));
                    assert.strictEqual(workloads.length, 1, `${file} must hold exactly one Pod`);
                    fixtures.push({ file, level, version, verdict, manifest: workloads[0].manifest });
                }
            }
            byLevelVersion.set(`${level}/${version}`, fixtures);
        }
    }
    return byLevelVersion;
}

describe("policy: conformance with PodSecurity's fixtures", function () {
    if (!fs.existsSync(corpus)) {
        it("finds the shared conformance corpus", function () {
            assert.fail(`the Pod Security conformance corpus is missing at ${corpus}: clone the repository with shared/ beside it (or set PSS_CONFORMANCE_DIR)`);
        });
        return;
    }
    const byLevelVersion = loadCorpus();
    const all = [...byLevelVersion.values()].flat();

    it("holds fixtures for both levels and every version it names", function () {
        assert.ok(all.length > 0, `no fixtures under ${corpus}`);
        for (const [key, fixtures] of byLevelVersion) {
            const [level] = key.split("/");
            assert.ok(LEVELS.includes(level as (typeof LEVELS)[number]), `${key}: unknown level directory`);
            assert.ok(fixtures.some((f) => f.verdict === "pass"), `${key} has no pass fixture`);
        }
    });

    for (const [key, fixtures] of byLevelVersion) {
        const [level, version] = key.split("/");
        it(`agrees on every ${key} fixture, as a bare Pod and wrapped in every workload kind`, function () {
            const mismatches: string[] = [];
            for (const fixture of fixtures) {
                for (const shape of WORKLOAD_SHAPES) {
                    const violations = checkWorkload(shape.typeToken, shape.wrap(fixture.manifest), { level: level as CheckedLevel, version });
                    if ((violations.length === 0) !== (fixture.verdict === "pass")) {
                        mismatches.push(`${fixture.file} as ${shape.kind}: ${JSON.stringify(violations)}`);
                    }
                }
            }
            assert.deepStrictEqual(mismatches, []);
        });
    }

    // CPU time rather than wall time: CI machines are shared, and waiting for a core is not the checker's cost.
    it("evaluates the whole corpus, bare and wrapped, in under 2 seconds of CPU time", function () {
        const wrapped = all.flatMap((fixture) => WORKLOAD_SHAPES.map((shape) => ({ fixture, shape, manifest: shape.wrap(fixture.manifest) })));
        const started = process.cpuUsage();
        for (const { fixture, shape, manifest } of wrapped) {
            checkWorkload(shape.typeToken, manifest, { level: fixture.level as CheckedLevel, version: fixture.version });
        }
        const used = process.cpuUsage(started);
        const seconds = (used.user + used.system) / 1e6;
        assert.ok(seconds < 2, `${wrapped.length} evaluations took ${seconds.toFixed(3)} s of CPU time`);
    });
});
