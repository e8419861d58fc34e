import { spawn } from "node:child_process";
import * as fs from "node:fs";

export interface CommandResult {
    code: number;
    stdout: string;
    stderr: string;
}

export interface CommandOptions {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    /** Appends the command line and everything it prints to this file: build logs stay out of the terminal. */
    logFile?: string;
    timeoutMs?: number;
    /** Written to the command's stdin, which is then closed (at once, without input). */
    input?: string;
}

/** Runs a command to completion without a shell; never rejects for a non-zero exit, only when it cannot start. */
export function runCommand(command: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
        const log = options.logFile ? fs.createWriteStream(options.logFile, { flags: "a" }) : undefined;
        log?.write(`\n$ ${[command, ...args].join(" ")}   (in ${options.cwd ?? process.cwd()})\n`);
        const child = spawn(command, args, {
            cwd: options.cwd,
            env: options.env ?? process.env,
            stdio: ["pipe", "pipe", "pipe"],
            timeout: options.timeoutMs,
        });
        // A command that exits before reading all of its input reports why itself; the broken pipe adds nothing.
        child.stdin.on("error", () => undefined);
        child.stdin.end(options.input);
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => {
            stdout.push(chunk);
            log?.write(chunk);
        });
        child.stderr.on("data", (chunk: Buffer) => {
            stderr.push(chunk);
            log?.write(chunk);
        });
        child.on("error", (error) => {
            log?.end();
            reject(error);
        });
        child.on("close", (code, signal) => {
            const result = {
                code: code ?? (signal ? 128 : 1),
                stdout: Buffer.concat(stdout).toString("utf8"),
                stderr: Buffer.concat(stderr).toString("utf8"),
            };
            if (log) {
                log.end(`[exit ${code ?? signal}]\n`, () => resolve(result));
            } else {
                resolve(result);
            }
        });
    });
}

/** The last lines of a command's output: enough to act on without opening the log. */
export function tail(text: string, lines = 12): string {
    return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** Quotes a value for a POSIX shell: generated scripts and `--env` exports. */
export function shellQuote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}
