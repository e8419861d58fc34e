import * as assert from "node:assert/strict";
import { ToolName } from "../../../tools/toolchain/recipes";
import {
    CompileJob,
    CompileScheduler,
    COLD_BUILD_SECONDS,
    StandardLibraryStage,
    buildParallelism,
    compileLanes,
    mayOverlap,
    nextJob,
} from "../../../tools/toolchain/schedule";

/** A job whose packages are `<prefix>0@v1` … `<prefix><count-1>@v1`. */
function job(tool: ToolName, prefix: string, count: number, extra: readonly string[] = []): CompileJob {
    return { tool, packages: new Set([...Array.from({ length: count }, (_, index) => `${prefix}${index}@v1`), ...extra]) };
}

const shared = (count: number) => Array.from({ length: count }, (_, index) => `shared${index}@v1`);

describe("toolchain schedule: which compiles may run side by side", () => {
    const cases: { name: string; a: CompileJob; b: CompileJob; overlap: boolean }[] = [
        { name: "nothing shared", a: job("kubernetes", "k", 100), b: job("pulumi", "p", 100), overlap: true },
        { name: "10% of the smaller shared", a: job("kubernetes", "k", 90, shared(10)), b: job("pulumi", "p", 900, shared(10)), overlap: true },
        { name: "11% of the smaller shared", a: job("kubernetes", "k", 89, shared(11)), b: job("pulumi", "p", 900, shared(11)), overlap: false },
        { name: "the same package at another version is not shared", a: job("random", "x", 10), b: { tool: "pulumi", packages: new Set(["x0@v2", "x1@v2"]) }, overlap: true },
        { name: "one build inside the other (pss-reference in the API server's graph)", a: job("pss-reference", "s", 0, shared(70)), b: job("kube-apiserver", "a", 2000, shared(70)), overlap: false },
    ];
    for (const { name, a, b, overlap } of cases) {
        it(`${name}: ${overlap ? "together" : "one after the other"}`, () => {
            assert.equal(mayOverlap(a, b), overlap);
            assert.equal(mayOverlap(b, a), overlap);
        });
    }
});

describe("toolchain schedule: the next compile", () => {
    const kubernetes = job("kubernetes", "k", 100);
    const pulumi = job("pulumi", "p", 100, shared(50));
    const random = job("random", "r", 100, shared(50));
    const kwok = job("kwok", "w", 100);
    const actionlint = job("actionlint", "l", 10);
    const cases: { name: string; waiting: CompileJob[]; running: CompileJob[]; next: ToolName | undefined }[] = [
        { name: "the longest measured first", waiting: [actionlint, kwok, kubernetes], running: [], next: "kubernetes" },
        { name: "the longest that shares little with the running one", waiting: [random, kwok], running: [pulumi], next: "kwok" },
        { name: "none while every lane is busy", waiting: [actionlint], running: [kubernetes, kwok], next: undefined },
        { name: "none when every waiting one shares too much with the running one", waiting: [random], running: [pulumi], next: undefined },
        { name: "anything once nothing runs", waiting: [random], running: [], next: "random" },
    ];
    for (const { name, waiting, running, next } of cases) {
        it(name, () => assert.equal(nextJob(waiting, running, 2)?.tool, next));
    }

    it("has a measured time for every tool, the kubernetes provider longest", () => {
        const longest = Object.entries(COLD_BUILD_SECONDS).sort(([, a], [, b]) => b - a)[0][0];
        assert.equal(longest, "kubernetes");
    });

    const lanes: [number, number][] = [[1, 1], [2, 2], [8, 2]];
    for (const [cores, expected] of lanes) {
        it(`runs ${expected} compile(s) at once on ${cores} core(s)`, () => assert.equal(compileLanes(cores), expected));
    }

    const parallelism: [number, number, number][] = [[0, 2, 2], [1, 2, 1], [1, 1, 1], [1, 8, 7]];
    for (const [running, cores, expected] of parallelism) {
        it(`gives a build starting beside ${running} other(s) on ${cores} cores -p=${expected}`, () => assert.equal(buildParallelism(running, cores), expected));
    }
});

describe("toolchain schedule: the scheduler", () => {
    /** A task that records its start and -p, and ends when `finish(tool)` is called. */
    function recorder() {
        const events: string[] = [];
        const finishers = new Map<ToolName, () => void>();
        const task = (tool: ToolName) => (parallelism: number) =>
            new Promise<ToolName>((resolve) => {
                events.push(`start ${tool} -p=${parallelism}`);
                finishers.set(tool, () => {
                    events.push(`end ${tool}`);
                    resolve(tool);
                });
            });
        const finish = async (tool: ToolName) => {
            finishers.get(tool)?.();
            await new Promise((resolve) => setImmediate(resolve));
        };
        return { events, task, finish };
    }
    const settle = () => new Promise((resolve) => setImmediate(resolve));

    it("starts two that share little, holds back one that shares much until its peer ends", async () => {
        const scheduler = new CompileScheduler(2, 2);
        const { events, task, finish } = recorder();
        const pulumi = job("pulumi", "p", 100, shared(50));
        const random = job("random", "r", 100, shared(50));
        const kubernetes = job("kubernetes", "k", 100);
        const runs = [scheduler.run(pulumi, task("pulumi")), scheduler.run(random, task("random")), scheduler.run(kubernetes, task("kubernetes"))];
        await settle();
        assert.deepEqual(events, ["start pulumi -p=2", "start kubernetes -p=1"]);
        await finish("pulumi");
        assert.deepEqual(events.slice(2), ["end pulumi", "start random -p=1"]);
        await finish("kubernetes");
        await finish("random");
        assert.deepEqual(await Promise.all(runs), ["pulumi", "random", "kubernetes"]);
    });

    it("frees the lane of a failed compile", async () => {
        const scheduler = new CompileScheduler(1, 2);
        const failed = scheduler.run(job("kwok", "w", 1), () => Promise.reject(new Error("compile error")));
        const next = scheduler.run(job("actionlint", "l", 1), async () => "built");
        await assert.rejects(failed, /compile error/);
        assert.equal(await next, "built");
    });

    it("compiles each standard library package once, one build at a time", async () => {
        const stage = new StandardLibraryStage();
        const compiled: string[][] = [];
        let running = 0;
        const compile = async (packages: string[]) => {
            running += 1;
            assert.equal(running, 1, "two standard library compiles at once");
            await settle();
            compiled.push(packages);
            running -= 1;
        };
        await Promise.all([stage.ensure(["runtime", "fmt", "net"], compile), stage.ensure(["runtime", "fmt", "os/user"], compile), stage.ensure(["fmt"], compile)]);
        assert.deepEqual(compiled, [["runtime", "fmt", "net"], ["os/user"]]);
    });

    it("compiles again what a failed standard library compile left out", async () => {
        const stage = new StandardLibraryStage();
        await assert.rejects(stage.ensure(["runtime"], () => Promise.reject(new Error("killed"))), /killed/);
        const compiled: string[][] = [];
        await stage.ensure(["runtime"], async (packages) => void compiled.push(packages));
        assert.deepEqual(compiled, [["runtime"]]);
    });
});
