/**
 * A Go tool's cache key must not move when only our TypeScript changes: a cold rebuild of the
 * kubernetes provider or the CLI costs tens of minutes of CPU, for nothing.
 */
import * as assert from "node:assert/strict";
import nodeFs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { recipeHash, removeTree } from "../../../tools/toolchain/cache";
import { Recipe, TOOLCHAIN_DIR, WrapperRecipe, recipeFiles, recipes } from "../../../tools/toolchain/recipes";

/** Every path `fs.readFileSync` and `fs.readdirSync` are given while `run` runs. */
function filesRead(run: () => void): string[] {
    const read: string[] = [];
    const { readFileSync, readdirSync } = nodeFs;
    nodeFs.readFileSync = ((file: nodeFs.PathOrFileDescriptor, ...rest: unknown[]) => {
        read.push(String(file));
        return (readFileSync as (...args: unknown[]) => unknown)(file, ...rest);
    }) as typeof nodeFs.readFileSync;
    nodeFs.readdirSync = ((dir: nodeFs.PathLike, ...rest: unknown[]) => {
        read.push(String(dir));
        return (readdirSync as (...args: unknown[]) => unknown)(dir, ...rest);
    }) as typeof nodeFs.readdirSync;
    try {
        run();
    } finally {
        Object.assign(nodeFs, { readFileSync, readdirSync });
    }
    return read;
}

/** A wrapper recipe pointing at a private copy of its module directory, to edit freely. */
function withModuleCopy(recipe: WrapperRecipe, dirs: string[]): WrapperRecipe {
    const moduleDir = nodeFs.mkdtempSync(path.join(os.tmpdir(), `groundwork-key-${recipe.tool}-`));
    dirs.push(moduleDir);
    nodeFs.cpSync(path.resolve(TOOLCHAIN_DIR, recipe.moduleDir), moduleDir, { recursive: true });
    return { ...recipe, moduleDir };
}

describe("toolchain: Go tools' cache keys ignore our TypeScript", () => {
    const wrappers = recipes.filter((recipe): recipe is WrapperRecipe => recipe.kind === "wrapper");
    const copies: string[] = [];
    after(() => copies.forEach(removeTree));

    for (const recipe of recipes) {
        it(`${recipe.tool}: its key is computed without reading a TypeScript file`, () => {
            const read = filesRead(() => recipeHash(recipe));
            assert.deepEqual(read.filter((file) => /\.tsx?$/.test(file)), []);
            assert.ok(recipeFiles(recipe).every((file) => read.includes(file)), "every recipe file is part of the key");
        });
    }

    const edits: { name: string; edit: (moduleDir: string) => void; changesKey: boolean }[] = [
        { name: "a TypeScript file added to the wrapper module", edit: (dir) => nodeFs.writeFileSync(path.join(dir, "helper.ts"), "export const x = 1;\n"), changesKey: false },
        {
            name: "a TypeScript file in a subdirectory of it",
            edit: (dir) => {
                nodeFs.mkdirSync(path.join(dir, "support"));
                nodeFs.writeFileSync(path.join(dir, "support", "x.mts"), "export {};\n");
            },
            changesKey: false,
        },
        { name: "a changed go.mod", edit: (dir) => nodeFs.appendFileSync(path.join(dir, "go.mod"), "\n// edited\n"), changesKey: true },
        { name: "a changed go.sum", edit: (dir) => nodeFs.appendFileSync(path.join(dir, "go.sum"), "example.com/extra v1.0.0 h1:AAAA=\n"), changesKey: true },
        { name: "a Go file added to the wrapper module", edit: (dir) => nodeFs.writeFileSync(path.join(dir, "extra.go"), "package main\n"), changesKey: true },
    ];
    for (const recipe of wrappers) {
        for (const { name, edit, changesKey } of edits) {
            it(`${recipe.tool}: ${name} ${changesKey ? "changes" : "keeps"} its key`, () => {
                const copy = withModuleCopy(recipe, copies);
                const before = recipeHash(copy);
                edit(copy.moduleDir);
                assert.equal(recipeHash(copy) !== before, changesKey);
            });
        }
    }

    it("keys the kubernetes provider by its recipe alone: it builds from the module proxy, not from the repository", () => {
        const provider = recipes.find((recipe) => recipe.kind === "provider") as Recipe;
        assert.deepEqual(recipeFiles(provider), []);
    });
});
