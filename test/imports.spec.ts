/**
 * The program's units import in one direction only. A unit is a folder under components/ (with its
 * sub-folders), or a file directly under it; a cycle between units means a derived fact travels back
 * to where its inputs came from, as config/ and edge/ once did.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const componentsRoot = path.resolve(__dirname, "..", "components");

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
