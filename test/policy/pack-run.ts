/** Running the policy pack, configured as CI configures it, over the workloads a run of the program registered. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { JsonObject, WORKLOAD_TYPE_TOKENS, workloadKindOf } from "../../policy/core";
import { expandPackConfig } from "../../policy/pack-config";
import { PACK_ARGS } from "../../policy/policies";
import { EXEMPTIONS_POLICY_NAME } from "../../policy/policies/exemptions";
import { RecordedResource, repoRoot, revealSecrets, StackRun } from "../support/program";
import { runPolicy } from "./helpers";

export interface Workload {
    readonly resource: RecordedResource;
    readonly kind: string;
    readonly namespace: string;
    readonly props: JsonObject;
}

export function workloadsOf(run: StackRun): Workload[] {
    return run.resources.filter((resource) => WORKLOAD_TYPE_TOKENS.includes(resource.type)).map((resource) => {
        const props = revealSecrets(resource.inputs) as JsonObject;
        const namespace = (props.metadata as { namespace?: string } | undefined)?.namespace;
        assert.ok(namespace, `${resource.type} ${resource.name} names its namespace instead of relying on the provider default`);
        return { resource, kind: workloadKindOf(resource.type) ?? resource.type, namespace, props };
    });
}

export const packSettingsFile = path.join(repoRoot, "policy", "pack-settings.json");

/** The `--policy-pack-config` CI generates from the pack settings, per policy. */
function packConfig(): Map<string, JsonObject> {
    const expanded = expandPackConfig(JSON.parse(fs.readFileSync(packSettingsFile, "utf8")), "pack-settings.json");
    // The engine hands a policy its config without the enforcement level.
    return new Map(PACK_ARGS.policies.map((policy) => [
        policy.name,
        Object.fromEntries(Object.entries(expanded[policy.name] as JsonObject).filter(([key]) => key !== "enforcementLevel")),
    ]));
}

/**
 * What every policy of the pack says about every workload of the run: findings ("<policy>: <resource>: <message>")
 * and the exemptions it applied ("<resource>: <control>").
 */
export async function packVerdicts(run: StackRun): Promise<{ findings: string[]; waivers: string[] }> {
    const config = packConfig();
    const findings: string[] = [];
    const waivers: string[] = [];
    for (const workload of workloadsOf(run)) {
        for (const policy of PACK_ARGS.policies as ResourceValidationPolicy[]) {
            const result = await runPolicy(policy, {
                type: workload.resource.type,
                name: workload.resource.name,
                props: workload.props,
                config: config.get(policy.name),
            });
            assert.notEqual(result, "not applicable", `${policy.name} applies to ${workload.kind} ${workload.resource.name}`);
            const messages = result as string[];
            if (policy.name === EXEMPTIONS_POLICY_NAME) {
                waivers.push(...messages.map((message) => `${workload.resource.name}: ${message.match(/\(([A-Za-z]+)\) is exempted/)?.[1]}`));
            } else {
                findings.push(...messages.map((message) => `${policy.name}: ${workload.resource.name}: ${message}`));
            }
        }
    }
    return { findings, waivers };
}
