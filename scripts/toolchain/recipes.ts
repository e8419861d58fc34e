import * as fs from "node:fs";
import * as path from "node:path";
import { versions } from "../../components/versions";

/**
 * How each toolchain binary is built from the Go module proxy. The versions come from
 * components/versions.ts; the wrapper modules under ./modules pin every dependency (their
 * go.mod/go.sum are lockfiles) and are checked against that table so the two cannot drift.
 */

export const TOOLCHAIN_DIR = __dirname;
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

export type ProviderName = keyof typeof versions.toolchain.plugins;
export const PROVIDER_NAMES = Object.keys(versions.toolchain.plugins) as ProviderName[];

export type ToolName = "pulumi" | "pulumi-language-nodejs" | ProviderName | "actionlint";

/** Files the caller's own code copies into a module before building (modules the proxy's zip cannot carry). */
export interface Overlay {
    /** Directory holding the files, relative to scripts/toolchain (or absolute). */
    from: string;
    /** Directory inside the module that receives them. */
    to: string;
}

interface RecipeBase {
    tool: ToolName;
    version: string;
    /** File name of the executable, as the Pulumi CLI looks it up. */
    binary: string;
    /** Linker `-X` assignments: version commands, plugin handshakes and bridged providers need the release version. */
    versionVariables: Record<string, string>;
    buildTags: readonly string[];
}

/** A binary built from a package of a dependency of one of our wrapper modules. */
export interface WrapperRecipe extends RecipeBase {
    kind: "wrapper";
    /** Wrapper module directory, relative to scripts/toolchain (or absolute). */
    moduleDir: string;
    /** The package to build; the wrapper declares it as a `tool`. */
    mainPackage: string;
    /** Requirements the wrapper's go.mod must state, derived from the versions table. */
    requires: Record<string, string>;
}

/** A module fetched by commit and copied out of the module cache to be built as the main module. */
export interface CopiedModule {
    module: string;
    commit: string;
    /** Directory name inside the build tree; provider go.mod files `replace` siblings by these names. */
    dir: string;
    overlays: readonly Overlay[];
}

/**
 * A provider plugin. Its main package embeds `schema-embed.json`, a file generated from the
 * committed schema and ignored by git, so the module cannot be built from the cache directly:
 * it is copied, its generator run, and built in place.
 */
export interface ProviderRecipe extends RecipeBase {
    kind: "provider";
    provider: ProviderName;
    /** The provider module; built where it lands. */
    main: CopiedModule;
    /** Modules its go.mod replaces with relative paths. */
    siblings: readonly CopiedModule[];
    /** `go mod edit` flags undoing replaces that point into the upstream repository, outside the module. */
    goModEdits: readonly string[];
    /** Main package directory, relative to the provider module. */
    command: string;
}

export type Recipe = WrapperRecipe | ProviderRecipe;

const toolchain = versions.toolchain;

function providerModule(provider: ProviderName, major: string, overlays: readonly Overlay[] = []): CopiedModule {
    return {
        module: `github.com/pulumi/pulumi-${provider}/provider/${major}`,
        commit: toolchain.commits[provider],
        dir: "provider",
        overlays,
    };
}

function providerRecipe(
    provider: ProviderName,
    main: CopiedModule,
    options: { siblings?: readonly CopiedModule[]; goModEdits?: readonly string[] } = {},
): ProviderRecipe {
    const version = toolchain.plugins[provider];
    return {
        kind: "provider",
        tool: provider,
        provider,
        version,
        binary: `pulumi-resource-${provider}`,
        versionVariables: { [`${main.module}/pkg/version.Version`]: version },
        buildTags: [],
        main,
        siblings: options.siblings ?? [],
        goModEdits: options.goModEdits ?? [],
        command: `./cmd/pulumi-resource-${provider}`,
    };
}

/** The CLI and the language host: same release, same version variable and tags, each in its own wrapper module. */
function pulumiRecipe(
    tool: "pulumi" | "pulumi-language-nodejs",
    moduleDir: string,
    mainPackage: string,
    extraRequires: Record<string, string> = {},
): WrapperRecipe {
    return {
        kind: "wrapper",
        tool,
        version: toolchain.pulumi,
        binary: tool,
        moduleDir,
        mainPackage,
        requires: {
            "github.com/pulumi/pulumi/pkg/v3": `v${toolchain.pulumi}`,
            "github.com/pulumi/pulumi/sdk/v3": `v${toolchain.pulumi}`,
            ...extraRequires,
        },
        versionVariables: { "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version": `v${toolchain.pulumi}` },
        // The official release flags (the CLI's goreleaser configuration).
        buildTags: ["osusergo", "grpcnotrace"],
    };
}

export const recipes: readonly Recipe[] = [
    pulumiRecipe("pulumi", "modules/pulumi", "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"),
    // The language host module is untagged: pinned by the pseudo-version of the commit that pins sdk/v3 at the release.
    pulumiRecipe("pulumi-language-nodejs", "modules/language-nodejs", "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3", {
        "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3": `@${toolchain.commits.languageNodejs}`,
    }),
    // Upstream builds the kubernetes provider against the sdk directory of the same commit, which the sdk tag of the release holds.
    providerRecipe("kubernetes", providerModule("kubernetes", "v4"), {
        goModEdits: [
            "-dropreplace=github.com/pulumi/pulumi-kubernetes/sdk/v4",
            `-require=github.com/pulumi/pulumi-kubernetes/sdk/v4@v${toolchain.plugins.kubernetes}`,
        ],
    }),
    // random and tls reach the Terraform provider through a nested `shim` module, which the module zip leaves out.
    providerRecipe("random", providerModule("random", "v4", [{ from: "shims/random", to: "shim" }])),
    providerRecipe("tls", providerModule("tls", "v5", [{ from: "shims/tls", to: "shim" }])),
    // cloudflare replaces the Terraform provider with an `upstream` checkout that a patch extends with a shim package.
    providerRecipe("cloudflare", providerModule("cloudflare", "v6"), {
        siblings: [
            {
                module: "github.com/cloudflare/terraform-provider-cloudflare",
                commit: toolchain.commits.cloudflareUpstream,
                dir: "upstream",
                overlays: [{ from: "shims/cloudflare", to: "shim" }],
            },
        ],
        goModEdits: [
            "-dropreplace=github.com/pulumi/pulumi-cloudflare/sdk/v6",
            `-require=github.com/pulumi/pulumi-cloudflare/sdk/v6@v${toolchain.plugins.cloudflare}`,
            "-dropreplace=github.com/cloudflare/terraform-provider-cloudflare/shim",
        ],
    }),
    {
        kind: "wrapper",
        tool: "actionlint",
        version: toolchain.actionlint,
        binary: "actionlint",
        moduleDir: "modules/actionlint",
        mainPackage: "github.com/rhysd/actionlint/cmd/actionlint",
        requires: { "github.com/rhysd/actionlint": `v${toolchain.actionlint}` },
        versionVariables: { "github.com/rhysd/actionlint.version": toolchain.actionlint },
        buildTags: [],
    },
];

export class ToolchainError extends Error {}

export function recipeFor(tool: ToolName): Recipe {
    const recipe = recipes.find((candidate) => candidate.tool === tool);
    if (!recipe) {
        throw new ToolchainError(`unknown tool "${tool}"; known tools: ${recipes.map((r) => r.tool).join(", ")}`);
    }
    return recipe;
}

/** Every file a recipe reads from the repository: a change to any of them changes the cache key. */
export function recipeFiles(recipe: Recipe): string[] {
    const dirs =
        recipe.kind === "wrapper"
            ? [recipe.moduleDir]
            : [recipe.main, ...recipe.siblings].flatMap((module) => module.overlays.map((overlay) => overlay.from));
    return dirs.flatMap((dir) => listFiles(path.resolve(TOOLCHAIN_DIR, dir))).sort();
}

function listFiles(dir: string): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((entry) => (entry.isDirectory() ? listFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
}

/**
 * Reads the `require` lines of a wrapper go.mod and fails when one disagrees with the versions
 * table. A requirement given as `@<commit>` must be a pseudo-version of that commit.
 */
export function checkWrapperRequirements(recipe: WrapperRecipe): void {
    const goModPath = path.resolve(TOOLCHAIN_DIR, recipe.moduleDir, "go.mod");
    const required = new Map<string, string>();
    for (const match of fs.readFileSync(goModPath, "utf8").matchAll(/^\s*(?:require\s+)?(\S+)\s+(v\S+)/gm)) {
        required.set(match[1], match[2]);
    }
    for (const [module, expected] of Object.entries(recipe.requires)) {
        const actual = required.get(module);
        const matches = expected.startsWith("@")
            ? actual !== undefined && actual.endsWith(`-${expected.slice(1, 13)}`)
            : actual === expected;
        if (!matches) {
            const wanted = expected.startsWith("@") ? `a pseudo-version of commit ${expected.slice(1)}` : expected;
            throw new ToolchainError(
                `${path.relative(REPO_ROOT, goModPath)} requires ${module} ${actual ?? "(nothing)"}, but components/versions.ts ` +
                    `asks for ${wanted}. Update the wrapper with \`go get -tool ${recipe.mainPackage}\` after ` +
                    `\`go get ${module}@${expected.replace(/^@/, "")}\` in ${path.relative(REPO_ROOT, path.dirname(goModPath))}, then \`go mod tidy\`.`,
            );
        }
    }
}
