/**
 * Two rules on imports. The program's units import in one direction only: a unit is a folder under
 * components/ (with its sub-folders), or a file directly under it; a cycle between units means a
 * derived fact travels back to where its inputs came from, as config/ and edge/ once did. And the
 * product (index.ts, components/, policy/) imports nothing from tools/, the machinery that builds
 * and runs it on one machine: a stack or a copy of the pack must work without it.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const repoRoot = path.resolve(__dirname, "..");
const componentsRoot = path.join(repoRoot, "components");
const toolsRoot = path.join(repoRoot, "tools");
/** The tools workspace's package name, which a bare specifier could reach it by. */
const toolsPackage = (JSON.parse(fs.readFileSync(path.join(toolsRoot, "package.json"), "utf8")) as { name: string }).name;

function unitOf(file: string): string {
    return path.relative(componentsRoot, file).split(path.sep)[0];
}

function resolveImport(from: string, specifier: string): string {
    const target = path.resolve(path.dirname(from), specifier);
    return fs.existsSync(`${target}.ts`) ? `${target}.ts` : path.join(target, "index.ts");
}

function componentFiles(): string[] {
    return (fs.readdirSync(componentsRoot, { recursive: true }) as string[]).filter((file) => file.endsWith(".ts")).map((file) => path.join(componentsRoot, file));
}

/** The files `file` imports by relative path. */
function fileImports(file: string): string[] {
    return ts.preProcessFile(fs.readFileSync(file, "utf8")).importedFiles
        .filter(({ fileName }) => fileName.startsWith("."))
        .map(({ fileName }) => resolveImport(file, fileName));
}

/** Which units each unit imports, from every relative import of every file under components/. */
function unitImports(): Map<string, Set<string>> {
    const imports = new Map<string, Set<string>>();
    for (const file of componentFiles()) {
        for (const target of fileImports(file)) {
            const [from, to] = [unitOf(file), unitOf(target)];
            if (from !== to) {
                imports.set(from, (imports.get(from) ?? new Set()).add(to));
            }
        }
    }
    return imports;
}

/** Every file the given files import, directly or through others, with the chain that reaches it. */
function importChains(files: readonly string[]): Map<string, string[]> {
    const chains = new Map<string, string[]>(files.map((file) => [file, [file]]));
    const pending = [...files];
    for (let file = pending.shift(); file !== undefined; file = pending.shift()) {
        for (const target of fileImports(file)) {
            if (!chains.has(target)) {
                chains.set(target, [...chains.get(file)!, target]);
                pending.push(target);
            }
        }
    }
    return chains;
}

/** Whether a file's source declares a class that extends pulumi.ComponentResource. */
function definesComponentResource(source: string): boolean {
    return /\bclass\s+\w+(<[^>]*>)?\s+extends\s+(pulumi\.)?ComponentResource\b/.test(source);
}

/** The chains from `files` to every file that defines a ComponentResource. */
function componentResourceChains(files: readonly string[]): string[][] {
    return [...importChains(files).values()].filter((chain) => definesComponentResource(fs.readFileSync(chain[chain.length - 1], "utf8")));
}

/** The first import cycle between units, as the chain of units, or undefined. */
function findCycle(imports: Map<string, Set<string>>): string[] | undefined {
    const done = new Set<string>();
    const visit = (unit: string, chain: string[]): string[] | undefined => {
        if (chain.includes(unit)) {
            return [...chain.slice(chain.indexOf(unit)), unit];
        }
        if (done.has(unit)) {
            return undefined;
        }
        for (const next of imports.get(unit) ?? []) {
            const cycle = visit(next, [...chain, unit]);
            if (cycle) {
                return cycle;
            }
        }
        done.add(unit);
        return undefined;
    };
    return [...imports.keys()].map((unit) => visit(unit, [])).find((cycle) => cycle !== undefined);
}

describe("imports of the config", () => {
    const configFiles = componentFiles().filter((file) => unitOf(file) === "config");
    const shown = (chain: string[]) => chain.map((file) => path.relative(componentsRoot, file)).join(" → ");

    it("recognises a ComponentResource definition", () => {
        const cases: [string, boolean][] = [
            ["export class AppTier extends pulumi.ComponentResource {", true],
            ["class Edge extends ComponentResource {", true],
            ["export class Typed<T> extends pulumi.ComponentResource {", true],
            ["export type Sizing = Pick<AppTierArgs, \"replicas\">;", false],
            ["const resource = new pulumi.ComponentResource(\"t\", \"n\");", false],
        ];
        for (const [source, expected] of cases) {
            assert.equal(definesComponentResource(source), expected, source);
        }
    });

    it("follows imports through other files to the components they reach", () => {
        const unit = path.join(componentsRoot, "apps", "unit.ts");
        assert.ok(componentResourceChains([unit]).some((chain) => chain.at(-1)!.endsWith(path.join("apps", "tier.ts"))));
        const budget = importChains([path.join(componentsRoot, "config", "checks.ts")]);
        assert.ok(budget.has(path.join(componentsRoot, "data", "budget.ts")), "config/checks.ts reaches data/budget.ts through apps/unit-budget.ts");
    });

    it("reach no module that defines a ComponentResource: the config is settings, checks and budgets only", () => {
        assert.ok(configFiles.length >= 5, configFiles.join(", "));
        const chains = componentResourceChains(configFiles);
        assert.deepEqual(chains.map(shown), [], "move what components/config needs (a schema, a check, a budget) into a pure module of its feature");
    });
});

describe("imports between the program's units", () => {
    it("finds a cycle when there is one", () => {
        assert.deepEqual(findCycle(new Map([["config", new Set(["edge"])], ["edge", new Set(["fields.ts", "config"])]])), ["config", "edge", "config"]);
        assert.equal(findCycle(new Map([["config", new Set(["edge", "fields.ts"])], ["edge", new Set(["fields.ts"])]])), undefined);
    });

    it("run one way: no unit imports a unit that imports it, directly or through others", () => {
        const imports = unitImports();
        assert.ok(imports.get("config")?.has("edge"), "the check reads the imports (config/ imports the edge's schema)");
        const cycle = findCycle(imports);
        assert.equal(cycle, undefined, `components/${cycle?.join(" → components/")}: move what both need into the unit that is imported, or a leaf`);
    });
});

/** Every TypeScript file of the product, relative to the repository root. */
function productFiles(): string[] {
    const under = (folder: string) =>
        (fs.readdirSync(path.join(repoRoot, folder), { recursive: true }) as string[])
            .filter((file) => file.endsWith(".ts") && !file.split(path.sep).includes("node_modules"))
            .map((file) => path.join(folder, file));
    return ["index.ts", ...under("components"), ...under("policy")];
}

/** Whether `specifier`, imported by `file` (relative to the repository root), reaches into tools/. */
function importsMachinery(file: string, specifier: string): boolean {
    if (!specifier.startsWith(".")) {
        return specifier === toolsPackage || specifier.startsWith(`${toolsPackage}/`);
    }
    const target = path.resolve(repoRoot, path.dirname(file), specifier);
    return target === toolsRoot || target.startsWith(`${toolsRoot}${path.sep}`);
}

/** "file: specifier" for each import, export-from, require() and import() of the product that reaches tools/. */
function machineryImports(): string[] {
    return productFiles().flatMap((file) =>
        ts
            .preProcessFile(fs.readFileSync(path.join(repoRoot, file), "utf8"), true, true)
            .importedFiles.filter(({ fileName }) => importsMachinery(file, fileName))
            .map(({ fileName }) => `${file}: ${fileName}`),
    );
}

describe("imports from the product into tools/", () => {
    const cases: readonly [file: string, specifier: string, reachesTools: boolean][] = [
        ["components/program.ts", "../tools/cli/paths", true],
        ["components/addons/helm-addon/index.ts", "../../../tools/toolchain", true],
        ["policy/core/baseline.ts", "../../tools/cli/command-line", true],
        ["index.ts", "./tools", true],
        ["policy/index.ts", "groundwork-tools", true],
        ["policy/index.ts", "groundwork-tools/cli/paths", true],
        ["components/program.ts", "./platform/cluster", false],
        ["components/program.ts", "../tools-of-the-trade", false],
        ["policy/index.ts", "./core", false],
        ["policy/index.ts", "@pulumi/policy", false],
        ["policy/index.ts", "groundwork-tools-extra", false],
    ];
    for (const [file, specifier, reachesTools] of cases) {
        it(`${file} importing ${specifier} ${reachesTools ? "reaches" : "does not reach"} tools/`, () => {
            assert.equal(importsMachinery(file, specifier), reachesTools);
        });
    }

    it("are none: index.ts, components/ and policy/ import nothing from tools/", () => {
        const files = productFiles();
        assert.ok(files.includes(path.join("policy", "core", "index.ts")) && files.includes(path.join("components", "program.ts")), "the check reads components/ and policy/");
        const found = machineryImports();
        assert.deepEqual(found, [], `the product imports the machinery: ${found.join("; ")}. Move what both need into the product (tools/ may import it), never the reverse`);
    });
});
