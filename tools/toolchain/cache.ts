import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Recipe, TOOLCHAIN_DIR, recipeFiles } from "./recipes";

/**
 * The toolchain cache lives outside the clone, so every clone on a machine shares one build:
 * `${XDG_CACHE_HOME:-$HOME/.cache}/groundwork/toolchain`. An entry is named after the tool, its
 * version and a hash of its recipe; a changed recipe therefore builds a new entry instead of
 * trusting an old binary.
 */
export function cacheRoot(): string {
    const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
    return path.join(base, "groundwork", "toolchain");
}

export function recipeHash(recipe: Recipe): string {
    const hash = createHash("sha256").update(JSON.stringify(recipe));
    for (const file of recipeFiles(recipe)) {
        hash.update(path.relative(TOOLCHAIN_DIR, file)).update("\0").update(fs.readFileSync(file)).update("\0");
    }
    return hash.digest("hex").slice(0, 12);
}

export function entryDir(root: string, recipe: Recipe): string {
    return path.join(root, `${recipe.tool}-${recipe.version}-${recipeHash(recipe)}`);
}

/** The built executable of a complete entry, or undefined. Entries appear only whole (see `publishEntry`). */
export function cachedBinary(root: string, recipe: Recipe): string | undefined {
    const binary = path.join(entryDir(root, recipe), recipe.binary);
    return isExecutableFile(binary) ? binary : undefined;
}

export function isExecutableFile(file: string): boolean {
    try {
        const stat = fs.statSync(file);
        fs.accessSync(file, fs.constants.X_OK);
        return stat.isFile() && stat.size > 0;
    } catch {
        return false;
    }
}

const TEMP_PREFIX = ".tmp-";

/** A private scratch directory under the cache root, named after the process that owns it. */
export function makeTempDir(root: string, tool: string): string {
    const dir = path.join(root, `${TEMP_PREFIX}${tool}-${process.pid}-${randomBytes(4).toString("hex")}`);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
}

/**
 * Moves a finished entry into place with one rename, so a reader sees either no entry or a whole
 * one. When another process published the same entry first, its copy is kept and ours dropped.
 */
export function publishEntry(stagedEntry: string, finalEntry: string): void {
    try {
        fs.renameSync(stagedEntry, finalEntry);
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== "EEXIST" && code !== "ENOTEMPTY") {
            throw error;
        }
    }
}

/** Deletes a tree even where files copied out of the Go module cache are read-only. */
export function removeTree(dir: string): void {
    if (!fs.existsSync(dir)) {
        return;
    }
    makeWritable(dir);
    fs.rmSync(dir, { recursive: true, force: true });
}

export function makeWritable(dir: string): void {
    fs.chmodSync(dir, 0o755);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const child = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            makeWritable(child);
        } else if (entry.isFile()) {
            fs.chmodSync(child, fs.statSync(child).mode | 0o200);
        }
    }
}

/** Removes scratch directories left by interrupted runs whose process is gone. */
export function removeAbandonedTempDirs(root: string): void {
    for (const name of fs.readdirSync(root)) {
        const owner = name.startsWith(TEMP_PREFIX) ? Number(/-(\d+)-[0-9a-f]+$/.exec(name)?.[1]) : NaN;
        if (Number.isInteger(owner) && !isProcessAlive(owner)) {
            removeTree(path.join(root, name));
        }
    }
}

function isProcessAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}
