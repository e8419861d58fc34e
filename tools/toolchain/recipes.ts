import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../cli/paths";
import { toolchainVersions } from "./versions";

/**
 * How each toolchain binary is built from the Go module proxy. The versions come from
 * ./versions.ts; the wrapper modules under ./modules pin every dependency (their go.mod/go.sum
 * are lockfiles) and are checked against that table so the two cannot drift.
 */

export const TOOLCHAIN_DIR = __dirname;

export type ToolName = "pulumi" | "kubernetes" | "random" | ControlPlaneTool | "kwok" | "actionlint" | "pss-reference" | "netpol-judge";
export type ControlPlaneTool = "etcd" | "kube-apiserver" | "kube-controller-manager" | "kube-scheduler";
export const CONTROL_PLANE_TOOLS: readonly ControlPlaneTool[] = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"];

interface RecipeBase {
    tool: ToolName;
    version: string;
    /** File name of the executable, as the Pulumi CLI looks it up. */
    binary: string;
    /** Linker `-X` assignments: version commands, plugin handshakes and providers need the release version. */
    versionVariables: Record<string, string>;
    buildTags: readonly string[];
    /** What a provider plugin is built from, when summaries should say more than "real". */
    origin?: string;
}

/** A binary built from a package of a dependency of one of our wrapper modules. */
export interface WrapperRecipe extends RecipeBase {
    kind: "wrapper";
    /** Wrapper module directory, relative to tools/toolchain (or absolute). */
    moduleDir: string;
    /** The package to build; the wrapper declares it as a `tool`. */
    mainPackage: string;
    /** Requirements the wrapper's go.mod must state, derived from the versions table. */
    requires: Record<string, string>;
    /** Files of a dependency module the tool needs at run time, copied into its cache entry under `into`. */
    moduleFiles?: { module: string; version: string; files: readonly string[]; into: string };
}

/**
 * A provider plugin. Its main package embeds `schema-embed.json`, a file generated from the
 * committed schema and ignored by git, so the module cannot be built from the module cache
 * directly: it is copied out (fetched by the pseudo-version of its release commit, as provider
 * modules carry no Go tags), its generator run, and built in place as the main module.
 */
export interface ProviderRecipe extends RecipeBase {
    kind: "provider";
    module: string;
    moduleVersion: string;
    /** `go mod edit` flags undoing replaces that point into the upstream repository, outside the module. */
    goModEdits: readonly string[];
    /** Main package directory, relative to the provider module. */
    command: string;
}

export type Recipe = WrapperRecipe | ProviderRecipe;

const kubernetes = toolchainVersions.kubernetes;
const random = toolchainVersions.random;
const controlPlane = toolchainVersions.controlPlane;
const [kubernetesMajor, kubernetesMinor] = controlPlane.kubernetes.split(".");

/**
 * One binary of the control plane. The provider refuses an API server without a version, so the
 * Kubernetes ones get the version variables its release builds set.
 */
function controlPlaneRecipe(tool: ControlPlaneTool, mainPackage: string): WrapperRecipe {
    const isEtcd = tool === "etcd";
    return {
        kind: "wrapper",
        tool,
        version: isEtcd ? controlPlane.etcd : controlPlane.kubernetes,
        binary: tool,
        moduleDir: "modules/control-plane",
        mainPackage,
        requires: { "k8s.io/kubernetes": `v${controlPlane.kubernetes}`, ...(isEtcd ? { "go.etcd.io/etcd/server/v3": `v${controlPlane.etcd}` } : {}) },
        versionVariables: isEtcd ? {} : {
            "k8s.io/component-base/version.gitVersion": `v${controlPlane.kubernetes}`,
            "k8s.io/component-base/version.gitMajor": kubernetesMajor,
            "k8s.io/component-base/version.gitMinor": kubernetesMinor,
            "k8s.io/component-base/version.gitTreeState": "clean",
            "k8s.io/client-go/pkg/version.gitVersion": `v${controlPlane.kubernetes}`,
        },
        buildTags: [],
    };
}

/**
 * kwok's stages: nodes become Ready and keep sending heartbeats (else the node lifecycle controller
 * marks them unreachable and their pods not ready), pods Running and Ready (and complete or go),
 * claims bind.
 */
const KWOK_STAGES = [
    "node/fast/node-initialize.yaml",
    "node/heartbeat/node-heartbeat.yaml",
    "pod/fast/pod-ready.yaml",
    "pod/fast/pod-complete.yaml",
    "pod/fast/pod-delete.yaml",
    "volume/fast/storage-class.yaml",
    "volume/fast/pvc-provision.yaml",
    "volume/fast/pv-bind.yaml",
    "volume/fast/pvc-delete.yaml",
    "volume/fast/pv-delete.yaml",
].map((stage) => `kustomize/stage/${stage}`);

export const recipes: readonly Recipe[] = [
    {
        kind: "wrapper",
        tool: "pulumi",
        version: toolchainVersions.pulumi,
        binary: "pulumi",
        moduleDir: "modules/pulumi",
        mainPackage: "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
        requires: {
            "github.com/pulumi/pulumi/pkg/v3": `v${toolchainVersions.pulumi}`,
            "github.com/pulumi/pulumi/sdk/v3": `v${toolchainVersions.pulumi}`,
        },
        versionVariables: { "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version": `v${toolchainVersions.pulumi}` },
        // The official release flags (the CLI's goreleaser configuration).
        buildTags: ["osusergo", "grpcnotrace"],
    },
    {
        kind: "provider",
        tool: "kubernetes",
        version: kubernetes.version,
        binary: "pulumi-resource-kubernetes",
        module: kubernetes.module,
        moduleVersion: kubernetes.pseudoVersion,
        // Upstream builds against the sdk directory of the same commit; without that replace, the
        // module's own `require` of the sdk resolves from the proxy.
        goModEdits: ["-dropreplace=github.com/pulumi/pulumi-kubernetes/sdk/v4"],
        command: "./cmd/pulumi-resource-kubernetes",
        versionVariables: { [`${kubernetes.module}/pkg/version.Version`]: kubernetes.version },
        buildTags: [],
    },
    {
        kind: "wrapper",
        tool: "random",
        version: random.version,
        binary: "pulumi-resource-random",
        // Our own main package: terraform-provider-random bridged with our mapping onto @pulumi/random's names.
        moduleDir: "modules/random-bridged",
        mainPackage: ".",
        requires: {
            [random.terraformModule]: random.terraformPseudoVersion,
            "github.com/pulumi/pulumi-terraform-bridge/v3": `v${random.bridge}`,
        },
        versionVariables: { "main.version": random.version },
        buildTags: [],
        origin: `bridged from terraform-provider-random ${random.commit}`,
    },
    controlPlaneRecipe("etcd", "go.etcd.io/etcd/server/v3"),
    controlPlaneRecipe("kube-apiserver", "k8s.io/kubernetes/cmd/kube-apiserver"),
    controlPlaneRecipe("kube-controller-manager", "k8s.io/kubernetes/cmd/kube-controller-manager"),
    controlPlaneRecipe("kube-scheduler", "k8s.io/kubernetes/cmd/kube-scheduler"),
    {
        kind: "wrapper",
        tool: "kwok",
        version: toolchainVersions.kwok,
        binary: "kwok",
        moduleDir: "modules/kwok",
        mainPackage: "sigs.k8s.io/kwok/cmd/kwok",
        requires: { "sigs.k8s.io/kwok": `v${toolchainVersions.kwok}` },
        // kwok's version is a variable of its own source, already right in the module.
        versionVariables: {},
        buildTags: [],
        moduleFiles: { module: "sigs.k8s.io/kwok", version: `v${toolchainVersions.kwok}`, files: KWOK_STAGES, into: "stages" },
    },
    {
        kind: "wrapper",
        tool: "actionlint",
        version: toolchainVersions.actionlint,
        binary: "actionlint",
        moduleDir: "modules/actionlint",
        mainPackage: "github.com/rhysd/actionlint/cmd/actionlint",
        requires: { "github.com/rhysd/actionlint": `v${toolchainVersions.actionlint}` },
        versionVariables: { "github.com/rhysd/actionlint.version": toolchainVersions.actionlint },
        buildTags: [],
    },
    {
        kind: "wrapper",
        tool: "pss-reference",
        version: toolchainVersions.podSecurityAdmission,
        binary: "pss-reference",
        moduleDir: "modules/pss-reference",
        // The wrapper's own main package: a benchmark of the reference checks for `npm run bench`.
        mainPackage: ".",
        requires: { "k8s.io/pod-security-admission": `v${toolchainVersions.podSecurityAdmission}` },
        versionVariables: {},
        buildTags: [],
    },
    {
        kind: "wrapper",
        tool: "netpol-judge",
        version: toolchainVersions.cyclonus,
        binary: "netpol-judge",
        moduleDir: "modules/netpol-judge",
        // The wrapper's own main package over cyclonus' matcher; it reads cyclonus' version from its build info.
        mainPackage: ".",
        requires: { "github.com/mattfenwick/cyclonus": `v${toolchainVersions.cyclonus}` },
        versionVariables: {},
        buildTags: [],
    },
];

export class ToolchainError extends Error {}

/** The plugin name of a provider plugin recipe (its binary is `pulumi-resource-<name>`), else undefined. */
export function providerPluginName(recipe: Recipe): string | undefined {
    return /^pulumi-resource-(.+)$/.exec(recipe.binary)?.[1];
}

/** Our TypeScript, which no Go build reads (test/tools/toolchain/cache-keys.spec.ts holds the keys to that). */
const TYPESCRIPT = /\.[cm]?tsx?$/;

/**
 * Every file a recipe's Go build reads from the repository: a change to any of them changes the
 * cache key. TypeScript is left out, so that editing ours never rebuilds a Go tool.
 */
export function recipeFiles(recipe: Recipe): string[] {
    return recipe.kind === "wrapper" ? listFiles(path.resolve(TOOLCHAIN_DIR, recipe.moduleDir)).filter((file) => !TYPESCRIPT.test(file)).sort() : [];
}

function listFiles(dir: string): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((entry) => (entry.isDirectory() ? listFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
}

/** Reads the `require` lines of a wrapper go.mod and fails when one disagrees with the versions table. */
export function checkWrapperRequirements(recipe: WrapperRecipe): void {
    const goModPath = path.resolve(TOOLCHAIN_DIR, recipe.moduleDir, "go.mod");
    const required = new Map<string, string>();
    for (const match of fs.readFileSync(goModPath, "utf8").matchAll(/^\s*(?:require\s+)?(\S+)\s+(v\S+)/gm)) {
        required.set(match[1], match[2]);
    }
    for (const [module, expected] of Object.entries(recipe.requires)) {
        const actual = required.get(module);
        if (actual !== expected) {
            throw new ToolchainError(
                `${path.relative(REPO_ROOT, goModPath)} requires ${module} ${actual ?? "(nothing)"}, but tools/toolchain/versions.ts ` +
                    `asks for ${expected}. Update the wrapper with \`go get ${module}@${expected}\` and \`go get -tool ${recipe.mainPackage}\` ` +
                    `in ${path.relative(REPO_ROOT, path.dirname(goModPath))}, then \`go mod tidy\`.`,
            );
        }
    }
}
