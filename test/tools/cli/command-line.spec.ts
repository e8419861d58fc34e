/** The command lines of the repository's tools: `--help`, bad flags and bad arguments, and what a good one runs with. */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { pssCommand } from "../../../tools/pss/cli";
import { Command, CommandLine, EXIT_INVALID, readCommandLine } from "../../../tools/cli/command-line";
import { packConfigCommand } from "../../../tools/pss/pack-config";
import { configReferenceCommand } from "../../../tools/config-reference";
import { helmRepoCommand } from "../../../tools/helm-repo";
import { lintStacksCommand } from "../../../tools/lint-stacks";
import { localCommand } from "../../../tools/local";
import { readConfigFile } from "../../../tools/engine/stack-config";
import { toolchainCommand } from "../../../tools/toolchain";
import { REPO_ROOT } from "../../../tools/cli/paths";

function read<Run>(command: Command<any, Run>, argv: string[]): CommandLine<Run> & { stdout: string; stderr: string } {
    let stdout = "";
    let stderr = "";
    const commandLine = readCommandLine(argv, command, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
    return { ...commandLine, stdout, stderr };
}


/** What `--stack-file` yields for a file of the repository: its name and its config, read as every stack file is. */
const stackFile = (file: string, name: string) => ({ file: path.join(REPO_ROOT, file), name, config: readConfigFile(path.join(REPO_ROOT, file)) });

const tools: { command: Command<any, unknown>; bad: [string, string[], RegExp][]; good: [string[], unknown][] }[] = [
    {
        command: pssCommand,
        bad: [
            ["a flag without its value", ["--level"], /Option '--level <value>' argument missing/],
        ],
        good: [
            [["pod.yaml"], { level: "restricted", version: "latest", json: false, files: ["pod.yaml"] }],
            [["--level=baseline", "--version", "v1.30", "--json", "a.yaml", "--", "-b.yaml"], { level: "baseline", version: "v1.30", json: true, files: ["a.yaml", "-b.yaml"] }],
        ],
    },
    {
        command: packConfigCommand,
        bad: [
            ["no settings file", [], /expected one settings file, got 0/],
            ["two settings files", ["a.json", "b.json"], /expected one settings file, got 2/],
        ],
        good: [[["policy/pack-settings.json"], "policy/pack-settings.json"]],
    },
    {
        command: configReferenceCommand,
        bad: [
            ["an argument", ["README.md"], /unexpected argument README\.md/],
            ["a value for a switch", ["--write=no"], /Option '--write' does not take an argument/],
        ],
        good: [[[], { write: false }], [["--write"], { write: true }]],
    },
    {
        command: localCommand,
        bad: [
            ["both operations", ["--preview", "--destroy"], /--preview and --destroy exclude each other/],
            ["an argument", ["up"], /unexpected argument up/],
            ["an unknown flag", ["--kubeconfig"], /Unknown option '--kubeconfig'/],
            ["a value for --cluster", ["--cluster=kind"], /Option '--cluster' does not take an argument/],
            ["--stack-file without --cluster", ["--stack-file", "examples/agentguard.yaml"], /--stack-file only applies with --cluster: the rendered local stack is Pulumi\.local\.yaml/],
            ["--stack-file without a file", ["--cluster", "--stack-file"], /Option '--stack-file <value>' argument missing/],
            ["a stack file that does not exist", ["--cluster", "--stack-file", "examples/agentgard.yaml"], /--stack-file examples\/agentgard\.yaml: no such file; name a stack file, such as Pulumi\.local\.yaml, .*examples\/agentguard\.yaml/],
            ["a directory as the stack file", ["--cluster", "--stack-file", "examples"], /--stack-file examples: a directory; name a stack file, such as/],
            ["a file that is not YAML", ["--cluster", "--stack-file", "test/fixtures/stack-files/not-yaml.yaml"], /--stack-file test\/fixtures\/stack-files\/not-yaml\.yaml: not YAML: Nested mappings are not allowed/],
            ["manifests, not a stack file", ["--cluster", "--stack-file", "test/fixtures/stack-files/manifests.yaml"], /--stack-file test\/fixtures\/stack-files\/manifests\.yaml: not a stack file: it holds 2 YAML documents, a stack file one/],
            ["a file that is no stack file (package.json)", ["--cluster", "--stack-file", "package.json"], /--stack-file package\.json: not a stack file: it has no `config:` of groundwork:\* keys, as Pulumi\.local\.yaml, .* have/],
            [
                "a stack file with values encrypted for its own stack",
                ["--cluster", "--stack-file", "test/fixtures/stack-files/encrypted.yaml"],
                /--stack-file test\/fixtures\/stack-files\/encrypted\.yaml: groundwork:cloudflareApiToken is encrypted with its own stack's passphrase, which this run cannot read: run a copy of the file without it/,
            ],
        ],
        good: [
            [[], { operation: "up", cluster: false, stackFile: undefined }],
            [["--preview"], { operation: "preview", cluster: false, stackFile: undefined }],
            [["--destroy"], { operation: "destroy", cluster: false, stackFile: undefined }],
            [["--cluster"], { operation: "up", cluster: true, stackFile: undefined }],
            [["--destroy", "--cluster"], { operation: "destroy", cluster: true, stackFile: undefined }],
            [["--cluster", "--stack-file", "examples/agentguard.yaml"], { operation: "up", cluster: true, stackFile: stackFile("examples/agentguard.yaml", "agentguard") }],
            [["--preview", "--cluster", "--stack-file=Pulumi.staging.yaml"], { operation: "preview", cluster: true, stackFile: stackFile("Pulumi.staging.yaml", "staging") }],
            // Encrypted application secrets are no obstacle: the run gives the tiers random ones.
            [["--cluster", "--stack-file", "test/fixtures/stack-files/app-secrets.yaml"], { operation: "up", cluster: true, stackFile: stackFile("test/fixtures/stack-files/app-secrets.yaml", "app-secrets") }],
        ],
    },
    {
        command: toolchainCommand,
        bad: [
            ["--stack without --env", ["--stack", "local"], /--stack only applies with --env/],
            ["an argument", ["build"], /unexpected argument build/],
            ["an unknown tool", ["--only", "cyclonus"], /--only cyclonus: no such tool; the tools are pulumi, kubernetes, .*netpol-judge/],
            ["--only with --env", ["--env", "--only", "pulumi"], /--only and --env exclude each other/],
        ],
        good: [
            [[], { strict: false, env: false, stack: undefined, tools: undefined }],
            [["--env", "--stack", "local", "--strict"], { strict: true, env: true, stack: "local", tools: undefined }],
            [["--only", "netpol-judge", "--only=kwok"], { strict: false, env: false, stack: undefined, tools: ["netpol-judge", "kwok"] }],
        ],
    },
    {
        command: lintStacksCommand,
        bad: [
            ["an argument", ["Pulumi.staging.yaml"], /unexpected argument Pulumi\.staging\.yaml/],
            ["a directory that is no Pulumi project", ["--directory", "test"], /--directory test holds no Pulumi\.yaml: name the directory of a Pulumi project/],
            ["a flag without its value", ["--directory"], /Option '--directory <value>' argument missing/],
        ],
        good: [[[], { directory: REPO_ROOT }], [["--directory", "."], { directory: path.resolve(".") }]],
    },
    {
        command: helmRepoCommand,
        bad: [
            ["no command", [], /expected one command, build or serve; got none/],
            ["an unknown command", ["publish"], /expected one command, build or serve; got publish/],
            ["two commands", ["build", "serve"], /expected one command, build or serve; got build serve/],
            ["a port out of range", ["serve", "--port", "70000"], /--port \(70000\) must be a whole number from 0 to 65535/],
            ["a fraction of seconds", ["serve", "--seconds", "1.5"], /--seconds \(1\.5\) must be a whole number from 1 to 86400/],
            ["a flag without its value", ["build", "--out"], /Option '--out <value>' argument missing/],
        ],
        good: [
            [["build"], { command: "build", charts: path.join(REPO_ROOT, "test", "fixtures", "charts"), out: path.join(REPO_ROOT, "out", "helm-repo"), port: 0, seconds: 900 }],
            [["serve", "--charts", "/tmp/charts", "--out=/tmp/repo", "--port", "8879", "--seconds", "60"], { command: "serve", charts: "/tmp/charts", out: "/tmp/repo", port: 8879, seconds: 60 }],
        ],
    },
];

for (const { command, bad, good } of tools) {
    describe(`${command.name} command line`, () => {
        for (const flag of ["--help", "-h"]) {
            it(`prints the usage on stdout and exits 0 for ${flag}, whatever else is given`, () => {
                assert.deepEqual(read(command, [flag]), { exitCode: 0, stdout: `${command.usage}\n`, stderr: "" });
                assert.deepEqual(read(command, ["extra", flag]), { exitCode: 0, stdout: `${command.usage}\n`, stderr: "" });
            });
        }

        const unknownFlag: [string, string[], RegExp] = ["an unknown flag", ["--frobnicate"], /Unknown option '--frobnicate'/];
        for (const [what, argv, reason] of [unknownFlag, ...bad]) {
            it(`exits 2 for ${what}, with the reason and the usage on stderr`, () => {
                const { stdout, stderr, ...commandLine } = read(command, argv);
                assert.deepEqual(commandLine, { exitCode: EXIT_INVALID });
                assert.equal(stdout, "");
                assert.ok(stderr.startsWith(`${command.name}: `), stderr);
                assert.match(stderr, reason);
                assert.ok(stderr.endsWith(`\n${command.usage}\n`), stderr);
            });
        }

        for (const [argv, run] of good) {
            it(`runs with what ${JSON.stringify(argv)} asks for`, () => {
                assert.deepEqual(read(command, argv), { run, stdout: "", stderr: "" });
            });
        }
    });
}
