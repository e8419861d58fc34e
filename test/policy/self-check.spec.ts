/**
 * The program checks itself: every workload that staging and production create (under mocks) must pass
 * the Pod Security Standards at the level its namespace enforces, both through the pure checker and
 * through the CrossGuard pack configured with `policy/pack-settings.json`. Workloads that Helm
 * charts render are not visible under mocks; the pack checks those when the real engine runs.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { levelForNamespace, parseSettings } from "../../policy/config";
import { checkWorkload, isLevel, Level, LEVEL_RANK } from "../../policy/core";
import { runStack, StackRun } from "../support/program";
import { packSettingsFile, packVerdicts, workloadsOf } from "./pack-run";

const STACKS = ["staging", "production"] as const;

/** What Pod Security Admission enforces in a namespace, read from the labels the program writes. */
interface EnforcedStandard {
    readonly level: Level;
    readonly version: string;
}

function enforcedStandards(run: StackRun): Map<string, EnforcedStandard> {
    const standards = new Map<string, EnforcedStandard>();
    for (const namespace of run.ofType("kubernetes:core/v1:Namespace")) {
        const metadata = (namespace.inputs as { metadata: { name: string; labels?: Record<string, string> } }).metadata;
        const level = metadata.labels?.["pod-security.kubernetes.io/enforce"];
        const version = metadata.labels?.["pod-security.kubernetes.io/enforce-version"];
        assert.ok(level !== undefined && isLevel(level), `namespace ${metadata.name} enforces a Pod Security level (found ${level})`);
        assert.ok(version !== undefined, `namespace ${metadata.name} pins the standards version`);
        standards.set(metadata.name, { level, version });
    }
    return standards;
}

describe("policy: the program's own workloads pass the pack", function () {
    this.timeout(60000);
    const runs = new Map<string, StackRun>();
    before(async function () {
        for (const stack of STACKS) {
            runs.set(stack, await runStack(stack));
        }
    });

    for (const stack of STACKS) {
        it(`${stack}: creates workloads of every kind it is built from, each in a namespace it guards`, function () {
            const run = runs.get(stack)!;
            const standards = enforcedStandards(run);
            const workloads = workloadsOf(run);
            const kinds = new Set(workloads.map((workload) => workload.kind));
            for (const kind of ["Deployment", "StatefulSet", "CronJob", "Job"]) {
                assert.ok(kinds.has(kind), `${stack} creates a ${kind} (found ${[...kinds].join(", ")})`);
            }
            const unguarded = workloads.filter((workload) => !standards.has(workload.namespace));
            assert.deepEqual(unguarded.map((workload) => `${workload.resource.name} in ${workload.namespace}`), []);
        });

        it(`${stack}: every workload passes at its namespace's enforced level, at the pinned version and at latest`, function () {
            const run = runs.get(stack)!;
            const standards = enforcedStandards(run);
            const violations: string[] = [];
            let checked = 0;
            for (const workload of workloadsOf(run)) {
                const enforced = standards.get(workload.namespace)!;
                for (const version of [enforced.version, "latest"]) {
                    checked++;
                    for (const violation of checkWorkload(workload.resource.type, workload.props, { level: enforced.level, version })) {
                        violations.push(`${workload.kind} ${workload.resource.name} (${workload.namespace}, ${enforced.level} ${version}): ${violation.control} ${violation.path}: ${violation.message}`);
                    }
                }
            }
            assert.ok(checked >= 20, `${stack}: ${checked} checks ran`);
            assert.deepEqual(violations, []);
        });

        it(`${stack}: the pack settings give each namespace the level the program enforces there, or a stricter one with named waivers`, function () {
            const settings = parseSettings(JSON.parse(fs.readFileSync(packSettingsFile, "utf8")).settings, "pack-settings.json");
            // Admission cannot single out one workload; the pack can, where an exemption names the namespace.
            const waivedNamespaces = new Set(settings.exemptions.flatMap((exemption) => exemption.names === undefined ? [] : exemption.namespaces ?? []));
            const mismatches = [...enforcedStandards(runs.get(stack)!)]
                .filter(([namespace, enforced]) => {
                    const level = levelForNamespace(settings, namespace);
                    return level !== enforced.level && !(waivedNamespaces.has(namespace) && LEVEL_RANK[level] > LEVEL_RANK[enforced.level]);
                })
                .map(([namespace, enforced]) => `${namespace}: program enforces ${enforced.level}, pack settings say ${levelForNamespace(settings, namespace)}`);
            assert.deepEqual(mismatches, []);
        });

        it(`${stack}: the pack with its settings finds nothing but the documented waivers`, async function () {
            const run = runs.get(stack)!;
            const { findings, waivers } = await packVerdicts(run);
            assert.deepEqual(findings, []);
            assert.deepEqual(waivers.sort(), [
                "addons-cert-manager-webhook-gate: automountServiceAccountToken",
                "executor-deployment: automountServiceAccountToken",
            ]);
        });
    }
});
