import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { versions } from "../../../components/versions";
import { runLintStacks } from "../../../tools/lint-stacks";
import { memberStack } from "../../edge/stacks";
import { problemsOf } from "../../support/problems";
import { readStackConfig, repoRoot } from "../../support/program";

type Files = Record<string, any>;

const repositoryStacks = new Map(["local", "staging", "production"].map((stack) => [stack, JSON.stringify(readStackConfig(stack))]));

/** A Pulumi project holding copies of this repository's stack files, changed by `change`; removed after `use`. */
function withProject<T>(change: (stacks: Files, directory: string) => void, use: (directory: string) => T): T {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "groundwork-lint-stacks-"));
    try {
        fs.copyFileSync(path.join(repoRoot, "Pulumi.yaml"), path.join(directory, "Pulumi.yaml"));
        const stacks: Files = Object.fromEntries([...repositoryStacks].map(([stack, config]) => [stack, JSON.parse(config)]));
        change(stacks, directory);
        for (const [stack, config] of Object.entries(stacks)) {
            const file = `Pulumi.${stack}.yaml`;
            if (repositoryStacks.get(stack) === JSON.stringify(config)) {
                fs.copyFileSync(path.join(repoRoot, file), path.join(directory, file));
            } else {
                // JSON is YAML, and quicker to write.
                fs.writeFileSync(path.join(directory, file), typeof config === "string" ? config : JSON.stringify({ config }));
            }
        }
        return use(directory);
    } finally {
        fs.rmSync(directory, { recursive: true, force: true });
    }
}

function lint(directory: string): { exitCode: number; stdout: string; problems: string[] } {
    let stdout = "";
    let stderr = "";
    const exitCode = runLintStacks({ directory }, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
    return { exitCode, stdout, problems: stderr.split("\n").filter((line) => line !== "" && !line.startsWith("lint-stacks: ")) };
}

/** A chart directory holding every pinned chart, with `version` overriding the versions given. */
function writeCharts(directory: string, version: Record<string, string> = {}, missing: string[] = []): void {
    for (const chart of Object.values(versions.charts).filter((pinned) => !missing.includes(pinned.name))) {
        fs.mkdirSync(path.join(directory, chart.name), { recursive: true });
        fs.writeFileSync(path.join(directory, chart.name, "Chart.yaml"), `apiVersion: v2\nname: ${chart.name}\nversion: "${version[chart.name] ?? chart.version}"\n`);
    }
}

const edge = (stacks: Files, stack: string) => stacks[stack]["groundwork:edge"];
const localCharts = (stacks: Files) => {
    stacks.local["groundwork:charts"] = { source: "local", directory: "charts" };
};
const { ingressNginx, argoCd } = versions.charts;

const cases: { what: string; change: (stacks: Files, directory: string) => void; problems: string[] }[] = [
    {
        what: "staging claiming production's zone too",
        change: (stacks) => { edge(stacks, "staging").zoneOwner = true; },
        problems: [
            "Pulumi.production.yaml: groundwork:edge.zoneOwner (true) is true, but stack \"staging\" (Pulumi.staging.yaml) also owns zone groundwork.example.com: "
                + "Cloudflare allows one entrypoint ruleset per phase in a zone and one value per zone setting, so a second owner fails or overwrites the first. "
                + "Set edge.zoneOwner to false in one of the two files and keep the zone's rules in the owner's, or give each stack its own zone",
            "Pulumi.staging.yaml: groundwork:edge.zoneOwner (true) is true, but stack \"production\" (Pulumi.production.yaml) also owns zone groundwork.example.com: "
                + "Cloudflare allows one entrypoint ruleset per phase in a zone and one value per zone setting, so a second owner fails or overwrites the first. "
                + "Set edge.zoneOwner to false in one of the two files and keep the zone's rules in the owner's, or give each stack its own zone",
        ],
    },
    {
        what: "staging owning a zone of its own",
        change: (stacks) => Object.assign(edge(stacks, "staging"), { zoneOwner: true, zone: { ...edge(stacks, "staging").zone, name: "staging.groundwork.example.com" } }),
        problems: [],
    },
    {
        what: "staging publishing production's host",
        change: (stacks) => { stacks.staging["groundwork:tiers"][0].public.hosts.push("api.groundwork.example.com"); },
        problems: [
            "Pulumi.production.yaml: groundwork:edge.zone.name (\"groundwork.example.com\") is shared with stack \"staging\" (Pulumi.staging.yaml), "
                + "which also publishes api.groundwork.example.com: a DNS record belongs to one stack, so remove the host from one of them",
            "Pulumi.staging.yaml: groundwork:edge.zone.name (\"groundwork.example.com\") is shared with stack \"production\" (Pulumi.production.yaml), "
                + "which also publishes api.groundwork.example.com: a DNS record belongs to one stack, so remove the host from one of them",
        ],
    },
    {
        what: "the owner turning origin pulls off while staging verifies them",
        change: (stacks) => { edge(stacks, "production").authenticatedOriginPulls = false; },
        problems: [
            "Pulumi.production.yaml: groundwork:edge.authenticatedOriginPulls (false) is false, but stack \"staging\" (Pulumi.staging.yaml) shares the zone and makes its ingress "
                + "require Cloudflare's origin-pull certificate, which Cloudflare presents only when the zone owner turns authenticated origin pulls on: set this to true",
            "Pulumi.staging.yaml: groundwork:edge.authenticatedOriginPulls (true) is true, but the zone owner stack \"production\" (Pulumi.production.yaml) turns authenticated "
                + "origin pulls off, so Cloudflare would present no client certificate and this ingress would refuse every request: turn it on there or set this to false",
        ],
    },
    {
        what: "a stack file that is not YAML",
        change: (stacks) => { stacks.broken = "config: [unclosed\n"; },
        problems: [/^Pulumi\.broken\.yaml: is not valid YAML \(Flow sequence .*\): fix it, or no other stack can be checked against it$/.source],
    },
    {
        what: "a local chart directory holding every pinned chart, resolved from the project directory",
        change: (stacks, directory) => {
            localCharts(stacks);
            writeCharts(path.join(directory, "charts"));
        },
        problems: [],
    },
    {
        what: "a local chart directory missing a chart and holding another version of one",
        change: (stacks, directory) => {
            localCharts(stacks);
            writeCharts(path.join(directory, "charts"), { [ingressNginx.name]: "4.0.0" }, [argoCd.name]);
        },
        problems: [
            `Pulumi.local.yaml: groundwork:charts.directory ("charts") holds ${ingressNginx.name} 4.0.0 but Groundwork pins ${ingressNginx.version}: `
                + `replace <project>/charts/${ingressNginx.name} with that version`,
            `Pulumi.local.yaml: groundwork:charts.directory ("charts") has no chart "${argoCd.name}" (expected <project>/charts/${argoCd.name}/Chart.yaml): `
                + `unpack ${argoCd.name} ${argoCd.version} there`,
        ],
    },
];

describe("lint-stacks: the checks that read all stack files together", () => {
    it("finds this repository's stack files clean: production owns the zone staging shares, local has the edge off", () => {
        assert.deepEqual(lint(repoRoot), {
            exitCode: 0,
            stdout: "lint-stacks: 3 stack files (Pulumi.local.yaml, Pulumi.production.yaml, Pulumi.staging.yaml) agree on zone ownership and chart versions\n",
            problems: [],
        });
    });

    for (const { what, change, problems } of cases) {
        it(`${problems.length === 0 ? "accepts" : "reports"} ${what}`, () => {
            withProject(change, (directory) => {
                const result = lint(directory);
                const found = result.problems.map((line) => line.split(directory).join("<project>"));
                assert.equal(result.exitCode, problems.length === 0 ? 0 : 1);
                assert.equal(found.length, problems.length, found.join("\n"));
                problems.forEach((expected, i) => {
                    assert.ok(expected.startsWith("^") ? new RegExp(expected).test(found[i]) : found[i] === expected, `expected\n  ${expected}\ngot\n  ${found[i]}`);
                });
            });
        });
    }

    it("leaves what reads sibling files out of every stack's own validation", () => {
        assert.deepEqual(problemsOf(memberStack((config) => { config["groundwork:edge"].zoneOwner = true; })), []);
        // Without Argo CD applications: their app-of-apps chart is fetched by Argo CD, which cannot read a local directory.
        assert.deepEqual(problemsOf(memberStack((config) => {
            config["groundwork:charts"] = { source: "local", directory: "/nonexistent/charts" };
        })), []);
    });
});
