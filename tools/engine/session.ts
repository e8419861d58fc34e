/**
 * The Pulumi engine for `npm run local` and the engine tests: the pinned CLI and plugins from the
 * toolchain, and stacks whose program is Groundwork's own `platform()` run in this process as an
 * Automation API inline program, so no Node.js language host is needed.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EngineEvent, InlineProgramArgs, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { expandPackConfig } from "../../policy/pack-config";
import { REPO_ROOT } from "../cli/paths";
import { POLICY_PACK_DIR, prebuiltPolicyPack } from "./policy-pack";
import { Toolchain, ToolchainError, ensureToolchain } from "../toolchain";

export const PROJECT_NAME = "groundwork";
const PACK_SETTINGS = path.join(POLICY_PACK_DIR, "pack-settings.json");

export interface EngineSession {
    toolchain: Toolchain;
    pulumi: PulumiCommand;
}

/**
 * Makes the toolchain ready (building it on a cold machine, with progress lines) and fails with
 * what to do when the engine cannot run here.
 */
export async function startEngine(report: (line: string) => void): Promise<EngineSession> {
    const toolchain = await ensureToolchain({ tools: ["pulumi", "kubernetes", "random"], report });
    if (!toolchain.engine || !toolchain.binDir) {
        throw new ToolchainError("the Pulumi CLI is not available (see the toolchain lines above): install Go, or a pulumi CLI, and run again");
    }
    if (!toolchain.plugins.kubernetes) {
        throw new ToolchainError("the kubernetes provider plugin is not available (see the toolchain lines above)");
    }
    // PulumiCommand runs `pulumi` from PATH; the toolchain's CLI must be the one it finds.
    process.env.PATH = toolchain.env.PATH;
    const pulumi = await PulumiCommand.get({ skipVersionCheck: false });
    return { toolchain, pulumi };
}

export interface StackOptions {
    stackName: string;
    program: InlineProgramArgs["program"];
    /** Holds Pulumi.yaml and Pulumi.<stack>.yaml (default: the repository). */
    workDir?: string;
    /** Variables for the CLI: the toolchain's, a passphrase, a backend. */
    env: Record<string, string>;
}

/** Creates or selects a stack of the Groundwork project whose program runs in this process. */
export async function openStack(session: EngineSession, options: StackOptions): Promise<Stack> {
    return LocalWorkspace.createOrSelectStack(
        { projectName: PROJECT_NAME, stackName: options.stackName, program: options.program },
        { workDir: options.workDir ?? REPO_ROOT, pulumiCommand: session.pulumi, envVars: options.env },
    );
}

/**
 * Writes the `--policy-pack-config` file expanded from policy/pack-settings.json (the settings CI
 * uses) into `directory`, and returns its path.
 */
export function writePackConfig(directory: string): string {
    const file = path.join(directory, "pack-config.json");
    const settings = JSON.parse(fs.readFileSync(PACK_SETTINGS, "utf8")) as unknown;
    fs.writeFileSync(file, `${JSON.stringify(expandPackConfig(settings, path.relative(REPO_ROOT, PACK_SETTINGS)), null, 2)}\n`);
    return file;
}

/** The policy pack (prebuilt: see policy-pack.ts), enforced with the project's settings, as update options. */
export function policyOptions(scratch: string): { policyPacks: string[]; policyPackConfigs: string[] } {
    return { policyPacks: [prebuiltPolicyPack()], policyPackConfigs: [writePackConfig(scratch)] };
}

/** A private scratch directory that the caller removes. */
export function scratchDirectory(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `groundwork-${prefix}-`));
}

export interface PolicyFinding {
    policy: string;
    level: "warning" | "mandatory";
    urn?: string;
    message: string;
}

/** Collects what an operation's event stream says: policy findings and the resources it touched. */
export class EventLog {
    readonly findings: PolicyFinding[] = [];
    /** URN → operation ("create", "update", "same", …) from each resource's pre-event. */
    readonly operations = new Map<string, string>();
    readonly diagnostics: string[] = [];

    readonly onEvent = (event: EngineEvent): void => {
        if (event.policyEvent) {
            const policy = event.policyEvent;
            this.findings.push({ policy: policy.policyName, level: policy.enforcementLevel, urn: policy.resourceUrn, message: policy.message });
        }
        if (event.resourcePreEvent) {
            this.operations.set(event.resourcePreEvent.metadata.urn, event.resourcePreEvent.metadata.op);
        }
        if (event.diagnosticEvent && event.diagnosticEvent.severity === "error") {
            this.diagnostics.push(event.diagnosticEvent.message);
        }
    };

    /** URNs whose operation is not "same", with their operation. */
    changed(): [string, string][] {
        return [...this.operations].filter(([, op]) => op !== "same" && op !== "read");
    }
}
