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

/** Which units each unit imports, from every relative import of every file under components/. */
function unitImports(): Map<string, Set<string>> {
    const imports = new Map<string, Set<string>>();
    const files = (fs.readdirSync(componentsRoot, { recursive: true }) as string[]).filter((file) => file.endsWith(".ts")).map((file) => path.join(componentsRoot, file));
    for (const file of files) {
        for (const { fileName } of ts.preProcessFile(fs.readFileSync(file, "utf8")).importedFiles.filter(({ fileName }) => fileName.startsWith("."))) {
            const [from, to] = [unitOf(file), unitOf(resolveImport(file, fileName))];
            if (from !== to) {
                imports.set(from, (imports.get(from) ?? new Set()).add(to));
            }
        }
    }
    return imports;
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
