import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { unavailabilityReason } from "../../../tools/toolchain/build";
import { cachedBinary, entryDir, publishEntry, recipeHash, removeAbandonedTempDirs, removeTree } from "../../../tools/toolchain/cache";
import { LOCAL_STACK_PASSPHRASE, REPO_ROOT } from "../../../tools/cli/paths";
import { WrapperRecipe, checkWrapperRequirements, recipes } from "../../../tools/toolchain/recipes";
import {
    STAND_IN_NAMES,
    Toolchain,
    describePlugins,
    ensureToolchain,
    formatElapsed,
    formatStatus,
    stackEnvironment,
} from "../../../tools/toolchain/toolchain";
import { toolchainVersions } from "../../../tools/toolchain/versions";

const tempDirs: string[] = [];

function tempDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `groundwork-${prefix}-`));
    tempDirs.push(dir);
    return dir;
}

after(() => tempDirs.forEach(removeTree));

/** Sets environment variables for one test and returns what puts them back (unset ones are deleted, not set to "undefined"). */
function overrideEnv(values: Record<string, string>): () => void {
    const saved = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
    Object.assign(process.env, values);
    return () => {
        for (const [name, value] of Object.entries(saved)) {
            if (value === undefined) {
                delete process.env[name];
            } else {
                process.env[name] = value;
            }
        }
    };
}

describe("toolchain: download failures", () => {
    const cases: { name: string; output: string; reason: string | undefined }[] = [
        {
            name: "a commit the proxy does not serve (go mod download -json)",
            output:
                '{\n\t"Path": "github.com/pulumi/pulumi-tls/provider/v5",\n\t"Error": "github.com/pulumi/pulumi-tls/provider/v5@c3b9a61e: ' +
                'invalid version: reading https://proxy.example.com/github.com/pulumi/pulumi-tls/provider/v5/@v/c3b9a61e.info: 403 Forbidden\\n\\tserver response: This module version is not available."\n}',
            reason: 'the Go module proxy does not serve github.com/pulumi/pulumi-tls/provider/v5@c3b9a61e ("This module version is not available.")',
        },
        {
            name: "a dependency missing during go list",
            output:
                "go: gocloud.dev@v0.46.1-0.20260810195832-b5401c07b5f1: reading https://proxy.example.com/gocloud.dev/@v/v0.46.1-0.20260810195832-b5401c07b5f1.zip: 404 Not Found",
            reason: "the Go module proxy does not serve gocloud.dev@v0.46.1-0.20260810195832-b5401c07b5f1",
        },
        {
            name: "a dependency missing while compiling (the importing file is named first)",
            output:
                "/home/u/go/pkg/mod/github.com/pulumi/pulumi-terraform-bridge/v3@v3.135.0/pkg/tfgen/convert_cli.go:34:2: " +
                "github.com/pulumi/pulumi-yaml@v1.37.1-0.20260717123218-294c561f47f4: reading https://proxy.example.com/github.com/pulumi/pulumi-yaml/@v/v1.37.1-0.20260717123218-294c561f47f4.zip: 403 Forbidden",
            reason: "the Go module proxy does not serve github.com/pulumi/pulumi-yaml@v1.37.1-0.20260717123218-294c561f47f4",
        },
        {
            name: "a module the checksum database does not know",
            output:
                "go: verifying go.mod: github.com/pulumi/pulumi-kubernetes/sdk/v4@v4.32.0/go.mod: reading https://proxy.example.com/sumdb/sum.golang.org/lookup/github.com/pulumi/pulumi-kubernetes/sdk/v4@v4.32.0: 404 Not Found",
            reason: "the checksum database has no entry for github.com/pulumi/pulumi-kubernetes/sdk/v4@v4.32.0",
        },
        {
            name: "no network",
            output: "go: github.com/rhysd/actionlint@v1.7.12: Get \"https://proxy.example.com/...\": dial tcp: lookup proxy.example.com: no such host",
            reason: "the Go module proxy cannot be reached while fetching github.com/rhysd/actionlint@v1.7.12",
        },
        {
            name: "a compile error (a broken recipe, not an unavailable module)",
            output: "# github.com/pulumi/pulumi-random/provider/v4\n./resources.go:49:24: undefined: shim.NewProvider",
            reason: undefined,
        },
    ];
    for (const { name, output, reason } of cases) {
        it(name, () => assert.equal(unavailabilityReason(output), reason));
    }
});

describe("toolchain: pins agree with each other", () => {
    const wrappers = recipes.filter((recipe): recipe is WrapperRecipe => recipe.kind === "wrapper");

    for (const recipe of wrappers) {
        it(`${recipe.moduleDir}/go.mod pins what tools/toolchain/versions.ts says`, () => checkWrapperRequirements(recipe));
    }

    it("the npm SDKs ask for the plugin versions the toolchain provides", () => {
        const dependencies = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies;
        assert.deepEqual(
            {
                pulumi: dependencies["@pulumi/pulumi"],
                kubernetes: dependencies["@pulumi/kubernetes"],
                random: dependencies["@pulumi/random"],
                tls: dependencies["@pulumi/tls"],
            },
            { pulumi: toolchainVersions.pulumi, kubernetes: toolchainVersions.kubernetes.version, ...toolchainVersions.standIns },
        );
    });

    it("the kubernetes module is fetched by a pseudo-version of the recorded release commit", () => {
        assert.ok(toolchainVersions.kubernetes.pseudoVersion.endsWith(`-${toolchainVersions.kubernetes.commit}`));
    });

    const pulumiWrapper = wrappers.find((recipe) => recipe.tool === "pulumi") as WrapperRecipe;
    const mismatches: { name: string; goMod: string; message: RegExp }[] = [
        {
            name: "a requirement at another version",
            goMod: "module x\n\nrequire (\n\tgithub.com/pulumi/pulumi/pkg/v3 v3.258.0\n\tgithub.com/pulumi/pulumi/sdk/v3 v3.259.0\n)\n",
            message: /requires github\.com\/pulumi\/pulumi\/pkg\/v3 v3\.258\.0, but tools\/toolchain\/versions\.ts asks for v3\.259\.0/,
        },
        {
            name: "a missing requirement",
            goMod: "module x\n\nrequire github.com/pulumi/pulumi/sdk/v3 v3.259.0\n",
            message: /requires github\.com\/pulumi\/pulumi\/pkg\/v3 \(nothing\)/,
        },
    ];
    for (const { name, goMod, message } of mismatches) {
        it(`rejects ${name}`, () => {
            const moduleDir = tempDir("wrapper");
            fs.writeFileSync(path.join(moduleDir, "go.mod"), goMod);
            assert.throws(() => checkWrapperRequirements({ ...pulumiWrapper, moduleDir }), message);
        });
    }
});

describe("toolchain: cache entries", () => {
    it("keys an entry by a hash of the wrapper's files", () => {
        const moduleDir = tempDir("wrapper");
        fs.cpSync(path.join(REPO_ROOT, "tools/toolchain/modules/actionlint"), moduleDir, { recursive: true });
        const recipe = { ...(recipes.find((candidate) => candidate.tool === "actionlint") as WrapperRecipe), moduleDir };
        const before = recipeHash(recipe);
        fs.appendFileSync(path.join(moduleDir, "go.sum"), "example.com/extra v1.0.0 h1:AAAA=\n");
        assert.notEqual(recipeHash(recipe), before);
    });

    it("keeps the entry published first when two builds race", () => {
        const root = tempDir("publish");
        const first = path.join(root, "first");
        const second = path.join(root, "second");
        const entry = path.join(root, "entry");
        for (const [dir, content] of [[first, "first"], [second, "second"]]) {
            fs.mkdirSync(dir);
            fs.writeFileSync(path.join(dir, "binary"), content);
        }
        publishEntry(first, entry);
        publishEntry(second, entry);
        assert.equal(fs.readFileSync(path.join(entry, "binary"), "utf8"), "first");
    });

    it("removes scratch directories of dead processes only", () => {
        const root = tempDir("scratch");
        const deadPid = 2 ** 22 + 1; // above Linux's pid_max
        const dead = path.join(root, `.tmp-pulumi-${deadPid}-0badcafe`);
        const live = path.join(root, `.tmp-pulumi-${process.pid}-0badcafe`);
        for (const dir of [dead, live]) {
            fs.mkdirSync(path.join(dir, "src"), { recursive: true });
            fs.chmodSync(path.join(dir, "src"), 0o555);
        }
        removeAbandonedTempDirs(root);
        assert.deepEqual([fs.existsSync(dead), fs.existsSync(live)], [false, true]);
    });
});

describe("toolchain: stack passphrases", () => {
    const toolchain = { env: { PULUMI_HOME: "/cache/pulumi-home" } } as unknown as Toolchain;
    const cases: { name: string; stack: string; base: NodeJS.ProcessEnv; passphrase?: string; throws?: RegExp }[] = [
        { name: "local stack, nothing set: the documented default", stack: "local", base: {}, passphrase: LOCAL_STACK_PASSPHRASE },
        { name: "local stack in the loopback cluster, nothing set: the same default", stack: "local-cluster", base: {}, passphrase: LOCAL_STACK_PASSPHRASE },
        { name: "local stack, passphrase set: the environment wins", stack: "local", base: { PULUMI_CONFIG_PASSPHRASE: "s3cret" }, passphrase: "s3cret" },
        { name: "an empty passphrase is a passphrase", stack: "staging", base: { PULUMI_CONFIG_PASSPHRASE: "" }, passphrase: "" },
        { name: "a passphrase file is used as is", stack: "production", base: { PULUMI_CONFIG_PASSPHRASE_FILE: "/run/secret" }, passphrase: undefined },
        { name: "shared stack, nothing set: refused", stack: "production", base: {}, throws: /PULUMI_CONFIG_PASSPHRASE is not set, and stack "production"/ },
    ];
    for (const { name, stack, base, passphrase, throws } of cases) {
        it(name, () => {
            if (throws) {
                assert.throws(() => stackEnvironment(toolchain, stack, base), throws);
                return;
            }
            const env = stackEnvironment(toolchain, stack, base);
            assert.equal(env.PULUMI_CONFIG_PASSPHRASE, passphrase);
            assert.equal(env.PULUMI_HOME, "/cache/pulumi-home");
        });
    }
});

describe("toolchain: without Go", () => {
    it("reports every uncached tool as unavailable instead of failing", async () => {
        const restore = overrideEnv({ PATH: tempDir("empty-path"), XDG_CACHE_HOME: tempDir("cold-cache") });
        try {
            const toolchain = await ensureToolchain();
            assert.deepEqual(new Set(toolchain.tools.map((tool) => tool.state)), new Set(["unavailable"]));
            assert.match(toolchain.tools[0].reason ?? "", /`go` is not on PATH: install Go 1\.25 or newer/);
            assert.equal(toolchain.engine, false);
            assert.equal(toolchain.binDir, undefined);
            assert.deepEqual(toolchain.plugins, { kubernetes: undefined, random: undefined, tls: undefined });
            // No CLI, so no stand-in is even considered: tls has no status at all.
            assert.deepEqual(describePlugins(toolchain), [
                `kubernetes ${toolchainVersions.kubernetes.version} missing`,
                `random ${toolchainVersions.random.version} missing`,
                "tls ? missing",
            ]);
        } finally {
            restore();
        }
    });
});

describe("toolchain: a cold build reports its progress", () => {
    it("says when each build starts, how long it has run, and when it ends", async () => {
        // A `go` that takes a while to list and then "compiles" by writing the -o file.
        const fakeGoDir = tempDir("fake-go");
        fs.writeFileSync(
            path.join(fakeGoDir, "go"),
            [
                "#!/bin/sh",
                'case "$1" in',
                "  env) echo go1.26.0 ;;",
                "  list) sleep 0.5 ;;",
                '  build) while [ "$1" != "-o" ]; do shift; done; printf "#!/bin/sh\\n" > "$2"; chmod +x "$2" ;;',
                "esac",
            ].join("\n") + "\n",
            { mode: 0o755 },
        );
        const restore = overrideEnv({ PATH: `${fakeGoDir}${path.delimiter}/usr/bin${path.delimiter}/bin`, XDG_CACHE_HOME: tempDir("cold-cache") });
        const lines: string[] = [];
        try {
            await ensureToolchain({ tools: ["actionlint"], report: (line) => lines.push(line), heartbeatMs: 150 });
        } finally {
            restore();
        }
        // Start, heartbeats while it runs, the hand-over to the compiler, the compile, the end: in that order.
        const stages = [
            /^actionlint\s+1\.7\.12\s+downloading modules \(log: .*actionlint-1\.7\.12\.log\)$/,
            /^actionlint\s+1\.7\.12\s+downloading modules: [0-9] s$/,
            /^actionlint\s+1\.7\.12\s+downloaded in [0-9] s; compiles when the compiler is free$/,
            /^actionlint\s+1\.7\.12\s+compiling after [0-9] s$/,
            /^actionlint\s+1\.7\.12\s+built in [0-9] s$/,
        ];
        const positions = stages.map((stage) => lines.findIndex((line) => stage.test(line)));
        assert.ok(positions.every((position, index) => position >= 0 && (index === 0 || position > positions[index - 1])), `progress out of order:\n${lines.join("\n")}`);
        assert.equal(positions.at(-1), lines.length - 1);
    });

    const durations: [number, string][] = [[0, "0 s"], [59_400, "59 s"], [60_000, "1 min 00 s"], [1_505_000, "25 min 05 s"]];
    for (const [ms, text] of durations) {
        it(`formats ${ms} ms as "${text}"`, () => assert.equal(formatElapsed(ms), text));
    }
});

describe("toolchain: a warm cache", () => {
    let cacheHome: string;
    let userPulumiHome: string;
    let restoreEnv: () => void;
    let installLog: string;
    const root = () => path.join(cacheHome, "groundwork", "toolchain");

    /** Puts an executable at every cache entry; the fake `pulumi` records plugin installs the way the real one lays them out. */
    function seedCache(): void {
        installLog = path.join(cacheHome, "plugin-installs.log");
        for (const recipe of recipes) {
            const dir = entryDir(root(), recipe);
            fs.mkdirSync(dir, { recursive: true });
            const script =
                recipe.tool === "pulumi"
                    ? [
                          "#!/bin/sh",
                          `echo "$*" >> '${installLog}'`,
                          'dir="$PULUMI_HOME/plugins/$3-$4-v$5"',
                          'mkdir -p "$dir" && cp "$7" "$dir/$(basename "$7")"',
                      ].join("\n")
                    : "#!/bin/sh\nexit 0";
            fs.writeFileSync(path.join(dir, recipe.binary), `${script}\n`, { mode: 0o755 });
        }
    }

    /**
     * Drops random's cached build and puts a `go` that fails first on PATH, so that its build is
     * unavailable; the shell tools the fake CLI uses stay reachable. Returns what restores PATH.
     */
    function withoutRandomBuild(): () => void {
        removeTree(entryDir(root(), recipes.find((recipe) => recipe.tool === "random") as WrapperRecipe));
        const brokenGo = tempDir("broken-go");
        fs.writeFileSync(path.join(brokenGo, "go"), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
        return overrideEnv({ PATH: [brokenGo, "/usr/bin", "/bin"].join(path.delimiter) });
    }

    function installs(): string[] {
        return fs.existsSync(installLog) ? fs.readFileSync(installLog, "utf8").trim().split("\n") : [];
    }

    beforeEach(() => {
        cacheHome = tempDir("cache");
        userPulumiHome = tempDir("user-pulumi-home");
        restoreEnv = overrideEnv({ XDG_CACHE_HOME: cacheHome, PULUMI_HOME: userPulumiHome });
        seedCache();
    });

    afterEach(() => restoreEnv());

    it("reuses every cached binary and installs each plugin at its exact version", async () => {
        const lines: string[] = [];
        const toolchain = await ensureToolchain({ report: (line) => lines.push(line) });
        assert.deepEqual(toolchain.tools.map((tool) => `${tool.tool} ${tool.state}`), [...recipes.map((recipe) => `${recipe.tool} cached`), "tls stand-in"]);
        assert.deepEqual(lines, toolchain.tools.map(formatStatus));
        assert.equal(toolchain.engine, true);
        assert.deepEqual(toolchain.plugins, { kubernetes: "real", random: "real", tls: "stand-in" });
        assert.deepEqual(describePlugins(toolchain), [
            `kubernetes ${toolchainVersions.kubernetes.version} real`,
            `random ${toolchainVersions.random.version} real (bridged from terraform-provider-random ${toolchainVersions.random.commit})`,
            `tls ${toolchainVersions.standIns.tls} STAND-IN`,
        ]);
        const cli = cachedBinary(root(), recipes.find((recipe) => recipe.tool === "pulumi") as WrapperRecipe) as string;
        assert.equal(toolchain.binDir, path.dirname(cli));
        assert.equal(toolchain.env.PATH.split(path.delimiter)[0], toolchain.binDir);
        assert.equal(toolchain.env.PULUMI_IGNORE_AMBIENT_PLUGINS, "true");
        assert.equal(toolchain.env.PULUMI_HOME, path.join(root(), "pulumi-home"));
        assert.equal(toolchain.env.PULUMI_BACKEND_URL, `file://${path.join(REPO_ROOT, ".pulumi-state")}`);
        assert.equal(toolchain.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION, "true");
        assert.equal(toolchain.env.PULUMI_SKIP_UPDATE_CHECK, "true");
        assert.deepEqual(installs().map((line) => line.split(" ").slice(0, 5).join(" ")), [
            `plugin install resource kubernetes ${toolchainVersions.kubernetes.version}`,
            `plugin install resource random ${toolchainVersions.random.version}`,
            `plugin install resource tls ${toolchainVersions.standIns.tls}`,
            `plugin install analyzer policy-nodejs ${toolchainVersions.pulumi}`,
        ]);
        const random = toolchain.tools.find((tool) => tool.tool === "random");
        assert.ok(installs().some((line) => line.includes(`resource random ${toolchainVersions.random.version} --file ${random?.binary}`)));
    });

    it("serves random with its stand-in when the bridged build cannot be had", async () => {
        const restorePath = withoutRandomBuild();
        try {
            const toolchain = await ensureToolchain();
            assert.deepEqual(
                toolchain.tools.filter((tool) => tool.tool === "random").map((tool) => tool.state),
                ["unavailable", "stand-in"],
            );
            assert.deepEqual(toolchain.plugins, { kubernetes: "real", random: "stand-in", tls: "stand-in" });
            assert.equal(describePlugins(toolchain)[1], `random ${toolchainVersions.standIns.random} STAND-IN`);
            assert.ok(installs().some((line) => line.includes(`resource random ${toolchainVersions.standIns.random} --file `) && line.includes("stand-in-random-")));
        } finally {
            restorePath();
        }
    });

    it("names the stand-ins as such, in the report and in their launchers", async () => {
        // Without its build, random is served by its stand-in too.
        const restorePath = withoutRandomBuild();
        const toolchain = await ensureToolchain().finally(restorePath);
        for (const name of STAND_IN_NAMES) {
            const status = toolchain.tools.find((tool) => tool.tool === name && tool.state === "stand-in");
            assert.match(formatStatus(status!), new RegExp(`^${name}\\s+\\S+\\s+STAND-IN \\(Groundwork's tools/toolchain/stand-ins/${name}\\.ts\\)`));
            const launcher = fs.readFileSync(path.join(root(), "pulumi-home", "plugins", `resource-${name}-v${status!.version}`, `pulumi-resource-${name}`), "utf8");
            assert.match(launcher, new RegExp(`STAND-IN for the ${name} provider`));
            assert.ok(launcher.includes(path.join(REPO_ROOT, "tools", "toolchain", "stand-ins", `${name}.ts`)));
        }
    });

    it("prefers a real plugin the user installed over a stand-in", async () => {
        const real = path.join(userPulumiHome, "plugins", `resource-tls-v${toolchainVersions.standIns.tls}`, "pulumi-resource-tls");
        fs.mkdirSync(path.dirname(real), { recursive: true });
        fs.writeFileSync(real, "#!/bin/sh\n", { mode: 0o755 });
        const toolchain = await ensureToolchain();
        assert.deepEqual(toolchain.plugins, { kubernetes: "real", random: "real", tls: "real" });
        assert.ok(installs().some((line) => line.includes(`resource tls ${toolchainVersions.standIns.tls} --file ${real}`)));
    });

    it("is idempotent: a second run installs nothing again", async () => {
        await ensureToolchain();
        const afterFirst = installs().length;
        await ensureToolchain();
        assert.equal(installs().length, afterFirst);
    });

    it("reinstalls a plugin whose installed copy is gone", async () => {
        await ensureToolchain();
        fs.rmSync(path.join(root(), "pulumi-home", "plugins", `resource-tls-v${toolchainVersions.standIns.tls}`), { recursive: true });
        await ensureToolchain();
        assert.equal(installs().filter((line) => line.includes("resource tls ")).length, 2);
    });
});
