import * as fs from "node:fs";
import * as path from "node:path";
import { cachedBinary, entryDir, makeTempDir, makeWritable, publishEntry, removeTree } from "./cache";
import { CommandResult, runCommand, tail } from "./process";
import { ProviderRecipe, Recipe, TOOLCHAIN_DIR, ToolchainError, WrapperRecipe } from "./recipes";

/** A module the Go module proxy does not serve (or cannot be reached for): the tool is reported, not failed. */
export class UnavailableError extends Error {}

/** A build that started and broke: a recipe or environment problem that someone has to fix. */
export class BuildError extends Error {}

export interface GoToolchain {
    version: string;
    env: NodeJS.ProcessEnv;
}

/** Finds `go` and fixes the build environment: static binaries, go.mod edits allowed in our copies only. */
export async function findGo(): Promise<GoToolchain> {
    let result: CommandResult;
    try {
        result = await runCommand("go", ["env", "GOVERSION"]);
    } catch {
        throw new ToolchainError("`go` is not on PATH: install Go 1.25 or newer to build it, then run `npm run toolchain` again");
    }
    if (result.code !== 0) {
        throw new ToolchainError(`\`go env GOVERSION\` failed:\n${tail(result.stderr)}`);
    }
    return {
        version: result.stdout.trim(),
        env: {
            ...process.env,
            CGO_ENABLED: "0",
            // Builds run on copies in the cache, so go may complete their go.sum; -buildvcs: no repository there.
            // -trimpath here rather than on `go build` alone: the `go run` a generator directive starts inherits
            // GOFLAGS, so the kubernetes provider's generator compiles its 629 dependencies with the action IDs
            // of the provider's own build, and the build reuses them instead of compiling them again.
            GOFLAGS: "-mod=mod -buildvcs=false -trimpath",
            GOWORK: "off",
        },
    };
}

const UNREACHABLE = /no such host|connection refused|i\/o timeout|network is unreachable|TLS handshake timeout/;
const NOT_SERVED = /403 Forbidden|404 Not Found|410 Gone|unknown revision|invalid version/;

/** Explains a failed download in one line, or returns undefined when the failure is not about availability. */
export function unavailabilityReason(output: string): string | undefined {
    const lines = output.split("\n");
    const line = lines.find((candidate) => UNREACHABLE.test(candidate) || NOT_SERVED.test(candidate));
    if (!line) {
        return undefined;
    }
    // The first module@version that is not a file path (compile errors name the importing file first).
    const moduleVersion = [...line.matchAll(/[\w.~/-]+@[\w.+-]+/g)].map((match) => match[0]).find((text) => !text.startsWith("/")) ?? "a required module";
    if (UNREACHABLE.test(line)) {
        return `the Go module proxy cannot be reached while fetching ${moduleVersion}`;
    }
    if (line.includes("/sumdb/")) {
        return `the checksum database has no entry for ${moduleVersion}`;
    }
    // `go mod download -json` nests the message in a JSON string, hence the stop at a quote.
    const response = lines.map((candidate) => /server response: ([^"\n]*)/.exec(candidate)?.[1]).find(Boolean);
    return `the Go module proxy does not serve ${moduleVersion}${response ? ` ("${response.trim()}")` : ""}`;
}

/**
 * What a build compiles, from `go list -deps`: the standard library packages, and every other
 * package as `<import path>@<module version>`, so that two builds share an entry only where they
 * share the package at the same version.
 */
export interface BuildPackages {
    standard: readonly string[];
    modules: ReadonlySet<string>;
}

/**
 * One tool's build in a private scratch directory. `prepare` does the network work and lists
 * what the build compiles; `compileStandardLibrary` and `compile` do all the compiling (generator
 * included), so the caller can download the next tool while compiling another, and decide which
 * compiles may run side by side (tools/toolchain/schedule.ts).
 */
export class ToolBuild {
    private readonly scratch: string;
    private readonly sources: string;
    private readonly staged: string;
    /** Set by `prepare`. */
    packages: BuildPackages = { standard: [], modules: new Set() };

    constructor(
        readonly recipe: Recipe,
        private readonly root: string,
        private readonly go: GoToolchain,
        readonly logFile: string,
    ) {
        this.scratch = makeTempDir(root, recipe.tool);
        this.sources = path.join(this.scratch, "src");
        this.staged = path.join(this.scratch, "entry");
        fs.mkdirSync(this.staged, { recursive: true });
        fs.writeFileSync(logFile, `${recipe.tool} ${recipe.version} with ${go.version}\n`);
    }

    async prepare(): Promise<void> {
        const recipe = this.recipe;
        if (recipe.kind === "wrapper") {
            fs.cpSync(path.resolve(TOOLCHAIN_DIR, recipe.moduleDir), this.sources, { recursive: true });
        } else {
            await this.layOutProvider(recipe);
        }
        // Fetches exactly the modules the build compiles. Unlike `go mod download`, it needs no version
        // metadata (.info) for modules go.mod already pins, which some module proxy mirrors do not keep.
        // A provider's embedded schema is generated only in `compile`, so its package errors are tolerated
        // here (-e); a module that cannot be fetched then fails the generator or the build instead.
        const tolerateErrors = recipe.kind === "provider" ? ["-e"] : [];
        const listed = await this.runGo(
            [
                "list",
                "-deps",
                ...tolerateErrors,
                `-tags=${recipe.buildTags.join(",")}`,
                "-f={{if .Standard}}std {{.ImportPath}}{{else}}{{.ImportPath}}@{{with .Module}}{{.Version}}{{end}}{{end}}",
                this.target(),
            ],
            this.sources,
        );
        const lines = listed.stdout.split("\n").filter(Boolean);
        this.packages = {
            standard: lines.filter((line) => line.startsWith("std ")).map((line) => line.slice("std ".length)),
            modules: new Set(lines.filter((line) => !line.startsWith("std "))),
        };
    }

    /**
     * Compiles standard library packages ahead of the build. Their action IDs do not depend on the
     * module or the build tags, so every tool shares them; compiled here, one build at a time, they
     * are never compiled twice by two builds running side by side (the Go cache does not share a
     * compile still in flight).
     */
    async compileStandardLibrary(packages: readonly string[], parallelism: number): Promise<void> {
        await this.runGo(["build", `-p=${parallelism}`, ...packages], this.sources);
    }

    /**
     * Builds the binary and publishes the cache entry; returns the path of the binary. `parallelism`
     * is go's -p: the packages compiled at once, each compile also using every core for its backend.
     */
    async compile(parallelism: number): Promise<string> {
        const recipe = this.recipe;
        if (recipe.kind === "provider") {
            // The provider's own generator writes the embedded schema-embed.json from the committed schema, stamped with the version.
            await this.runGo(["generate", recipe.command], this.sources, { VERSION: recipe.version });
        }
        const ldflags = ["-s", "-w", ...Object.entries(recipe.versionVariables).map(([name, value]) => `-X=${name}=${value}`)];
        await this.runGo(
            [
                "build",
                `-p=${parallelism}`,
                `-tags=${recipe.buildTags.join(",")}`,
                `-ldflags=${ldflags.join(" ")}`,
                "-o",
                path.join(this.staged, recipe.binary),
                this.target(),
            ],
            this.sources,
        );
        if (recipe.kind === "wrapper" && recipe.moduleFiles) {
            await this.copyModuleFiles(recipe.moduleFiles);
        }
        fs.writeFileSync(
            path.join(this.staged, "build.json"),
            `${JSON.stringify({ tool: recipe.tool, version: recipe.version, go: this.go.version, builtAt: new Date().toISOString() }, null, 2)}\n`,
        );
        const entry = entryDir(this.root, recipe);
        if (!cachedBinary(this.root, recipe)) {
            // Only a whole entry can block the rename; one without its binary was damaged outside this script.
            removeTree(entry);
        }
        publishEntry(this.staged, entry);
        return path.join(entry, recipe.binary);
    }

    dispose(): void {
        removeTree(this.scratch);
    }

    private target(): string {
        return this.recipe.kind === "wrapper" ? this.recipe.mainPackage : this.recipe.command;
    }

    /** The module's directory in the (read-only) module cache, downloaded when missing. */
    private async downloadModule(module: string, version: string, cwd: string): Promise<string> {
        const result = await this.runGo(["mod", "download", "-json", `${module}@${version}`], cwd);
        const download = JSON.parse(result.stdout) as { Dir?: string };
        if (!download.Dir) {
            throw new BuildError(`\`go mod download\` reported no directory for ${module}@${version}`);
        }
        return download.Dir;
    }

    /** Copies run-time files a tool needs (kwok's stages) from its module into the entry being built. */
    private async copyModuleFiles(moduleFiles: NonNullable<WrapperRecipe["moduleFiles"]>): Promise<void> {
        const moduleDir = await this.downloadModule(moduleFiles.module, moduleFiles.version, this.sources);
        const into = path.join(this.staged, moduleFiles.into);
        fs.mkdirSync(into, { recursive: true });
        for (const file of moduleFiles.files) {
            fs.copyFileSync(path.join(moduleDir, file), path.join(into, path.basename(file)));
        }
    }

    /** Copies the provider module out of the read-only module cache, so that its generator can write into it. */
    private async layOutProvider(recipe: ProviderRecipe): Promise<void> {
        fs.cpSync(await this.downloadModule(recipe.module, recipe.moduleVersion, this.scratch), this.sources, { recursive: true });
        makeWritable(this.sources);
        if (recipe.goModEdits.length > 0) {
            await this.runGo(["mod", "edit", ...recipe.goModEdits], this.sources);
        }
    }

    private async runGo(args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
        const result = await runCommand("go", args, { cwd, env: { ...this.go.env, ...extraEnv }, logFile: this.logFile });
        if (result.code === 0) {
            return result;
        }
        // `go mod download -json` reports per-module errors on stdout.
        const output = `${result.stdout}\n${result.stderr}`;
        const reason = unavailabilityReason(output);
        if (reason) {
            throw new UnavailableError(reason);
        }
        throw new BuildError(`\`go ${args[0]}\` failed (log: ${this.logFile}):\n${tail(result.stderr || result.stdout)}`);
    }
}
