/**
 * What one measured run costs: wall time of a child process and the peak resident memory of each
 * process in its tree, sampled from /proc (the kernel's own high-water mark per process, VmHWM),
 * plus the medians the bench reports.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";

/** Which part of an engine run a process is, from its command line. */
export type ProcessRole = "node" | "cli" | "analyzer" | "provider" | "stand-in" | "other";

export interface TreeRun {
    code: number;
    wallMs: number;
    /** Peak resident memory per role, in MiB: the sum over the role's processes of each one's own peak. */
    peakMiB: Record<ProcessRole, number>;
    /** CPU time per role, in ms, as last sampled (up to one sampling interval short per process). */
    cpuMs: Record<ProcessRole, number>;
    stdout: string;
    stderr: string;
}

const SAMPLE_MS = 100;

function readProc(pid: number, file: string): string | undefined {
    try {
        return fs.readFileSync(`/proc/${pid}/${file}`, "utf8");
    } catch {
        return undefined;
    }
}

/** Parent of every process on the machine. */
function parents(): Map<number, number> {
    const result = new Map<number, number>();
    for (const entry of fs.readdirSync("/proc")) {
        const pid = Number(entry);
        const stat = Number.isInteger(pid) ? readProc(pid, "stat") : undefined;
        // The command name (field 2) may hold spaces and parentheses: fields resume after the last ")".
        const ppid = stat === undefined ? NaN : Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        if (Number.isInteger(ppid)) {
            result.set(pid, ppid);
        }
    }
    return result;
}

function descendants(root: number): number[] {
    const byParent = new Map<number, number[]>();
    for (const [pid, ppid] of parents()) {
        byParent.set(ppid, [...(byParent.get(ppid) ?? []), pid]);
    }
    const found: number[] = [];
    for (let queue = [root]; queue.length > 0;) {
        const pid = queue.pop() as number;
        found.push(pid);
        queue = queue.concat(byParent.get(pid) ?? []);
    }
    return found;
}

function roleOf(pid: number, root: number): ProcessRole {
    const command = (readProc(pid, "cmdline") ?? "").split("\0");
    const program = command[0]?.split("/").pop() ?? "";
    if (pid === root) {
        return "node";
    }
    if (program === "pulumi") {
        return "cli";
    }
    // The CLI starts the analyzer in the pack's directory; a JavaScript pack runs there as plain `node index.js`.
    if (command.some((arg) => arg.includes("run-policy-pack") || arg.includes("pulumi-analyzer-")) || fs.existsSync(`/proc/${pid}/cwd/PulumiPolicy.yaml`)) {
        return "analyzer";
    }
    if (command.some((arg) => arg.includes("stand-ins"))) {
        return "stand-in";
    }
    if (command.some((arg) => arg.includes("pulumi-resource-"))) {
        return "provider";
    }
    return "other";
}

/** Runs `command` and samples its process tree until it exits. */
export function runMeasured(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<TreeRun> {
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
        const peaks = new Map<number, { role: ProcessRole; kib: number; ticks: number }>();
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        const sample = () => {
            if (child.pid === undefined) {
                return;
            }
            for (const pid of descendants(child.pid)) {
                const kib = Number(/VmHWM:\s+(\d+) kB/.exec(readProc(pid, "status") ?? "")?.[1]);
                const stat = readProc(pid, "stat");
                if (!Number.isFinite(kib) || stat === undefined) {
                    continue;
                }
                // utime and stime, fields 14 and 15 of proc(5), in clock ticks of 10 ms.
                const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
                const ticks = Number(fields[11]) + Number(fields[12]);
                const known = peaks.get(pid);
                // Read at every sample: a plugin's launcher script execs node, keeping its pid under a new command line.
                peaks.set(pid, { role: roleOf(pid, child.pid), kib: Math.max(known?.kib ?? 0, kib), ticks: Math.max(known?.ticks ?? 0, ticks) });
            }
        };
        const timer = setInterval(sample, SAMPLE_MS);
        child.on("error", (error) => {
            clearInterval(timer);
            reject(error);
        });
        child.on("close", (code) => {
            clearInterval(timer);
            const peakMiB: Record<ProcessRole, number> = { node: 0, cli: 0, analyzer: 0, provider: 0, "stand-in": 0, other: 0 };
            const cpuMs: Record<ProcessRole, number> = { ...peakMiB };
            for (const { role, kib, ticks } of peaks.values()) {
                peakMiB[role] += kib / 1024;
                cpuMs[role] += ticks * 10;
            }
            resolve({ code: code ?? 1, wallMs: Number(process.hrtime.bigint() - started) / 1e6, peakMiB, cpuMs, stdout, stderr });
        });
    });
}

export interface Spread {
    median: number;
    min: number;
    max: number;
    runs: number[];
}

export function spread(values: readonly number[]): Spread {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: [...values] };
}

/** The roles a preview's CPU time is attributed to, in the order the bench prints them. */
export const CPU_ROLES: readonly ProcessRole[] = ["node", "cli", "analyzer", "provider", "stand-in", "other"];

/**
 * Where a preview's extra CPU time over its floor goes: the difference per role, largest first, leaving
 * out roles that differ by less than `noiseMs` (one sampling interval of ten 10 ms ticks by default).
 */
export function cpuOverFloor(figure: Record<ProcessRole, number>, floor: Record<ProcessRole, number>, noiseMs = SAMPLE_MS): { role: ProcessRole; extraMs: number }[] {
    return CPU_ROLES.map((role) => ({ role, extraMs: figure[role] - floor[role] }))
        .filter(({ extraMs }) => Math.abs(extraMs) >= noiseMs)
        .sort((a, b) => b.extraMs - a.extraMs);
}
