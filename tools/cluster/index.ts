/**
 * The local control plane with the toolchain's binaries: built from Go modules on first use (with
 * progress lines), then started on 127.0.0.1.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { defineCommand, runAsMain, UsageError } from "../cli/command-line";
import { removeTree } from "../toolchain/cache";
import { CONTROL_PLANE_TOOLS, ToolchainError } from "../toolchain/recipes";
import { ensureToolchain } from "../toolchain/toolchain";
import { ControlPlane, ControlPlaneBinaries, ControlPlaneOptions, startControlPlane } from "./control-plane";

export type { ControlPlane } from "./control-plane";

/** The control-plane binaries, built or reused; fails with what to do when one cannot be had. */
export async function controlPlaneBinaries(report: (line: string) => void): Promise<ControlPlaneBinaries> {
    const toolchain = await ensureToolchain({ tools: [...CONTROL_PLANE_TOOLS, "kwok"], report });
    const missing = toolchain.tools.filter((tool) => !tool.binary);
    if (missing.length > 0) {
        throw new ToolchainError(`the control plane needs ${missing.map((tool) => `${tool.tool} (${tool.state}: ${tool.reason})`).join(", ")}`);
    }
    const binary = (tool: string) => toolchain.tools.find((candidate) => candidate.tool === tool)!.binary!;
    return {
        etcd: binary("etcd"),
        "kube-apiserver": binary("kube-apiserver"),
        "kube-controller-manager": binary("kube-controller-manager"),
        "kube-scheduler": binary("kube-scheduler"),
        kwok: binary("kwok"),
        kwokStages: path.join(path.dirname(binary("kwok")), "stages"),
    };
}

/** What a stack needs of the cluster beyond the platform: node labels its placements select, StorageClasses it names. */
export type StackNeeds = Pick<ControlPlaneOptions, "nodeLabels" | "storageClasses">;

export async function startCluster(dataDir: string, report: (line: string) => void, needs: StackNeeds = {}): Promise<ControlPlane> {
    return startControlPlane({ binaries: await controlPlaneBinaries(report), dataDir, report, ...needs });
}

export const clusterCommand = defineCommand({
    name: "cluster",
    usage: `usage: npm run cluster [-- --data-dir DIR] [--seconds N]

Starts Groundwork's control plane on 127.0.0.1 (etcd, kube-apiserver, kube-controller-manager,
kube-scheduler, kwok's fake nodes), prints its kubeconfig, and stops it after --seconds, or on
Ctrl-C. NetworkPolicies are stored but not enforced: there is no CNI.
  --data-dir DIR   keep the cluster here, to start it again later (default: a temporary directory, removed at the end)
  --seconds N      how long to run (default 3600)
  --help           this text`,
    options: { "data-dir": { type: "string" }, seconds: { type: "string" } },
    interpret({ "data-dir": dataDir, seconds = "3600" }, positionals) {
        if (positionals.length > 0) {
            throw new UsageError(`unexpected argument ${positionals[0]}`);
        }
        const duration = Number(seconds);
        if (!Number.isInteger(duration) || duration < 1) {
            throw new UsageError(`--seconds (${seconds}) must be a whole number of seconds, at least 1`);
        }
        return { dataDir: dataDir === undefined ? undefined : path.resolve(dataDir), seconds: duration };
    },
});

async function serve({ dataDir, seconds }: ReturnType<typeof clusterCommand.interpret>): Promise<number> {
    const directory = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "groundwork-cluster-"));
    if (dataDir === undefined) {
        // On Ctrl-C too: the control plane's signal handler ends the process through `exit`.
        process.once("exit", () => removeTree(directory));
    }
    const cluster = await startCluster(directory, (line) => process.stderr.write(`${line}\n`));
    process.stdout.write(`export KUBECONFIG=${cluster.kubeconfig}\npids: ${cluster.pids.join(" ")}\n`);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    await cluster.stop();
    return 0;
}

if (require.main === module) {
    void runAsMain(clusterCommand, (options) => serve(options).catch((error: unknown) => {
        process.stderr.write(`cluster: ${error instanceof Error ? error.message : String(error)}\n`);
        return 1;
    }));
}
