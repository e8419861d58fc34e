/**
 * Committed stack configs as the engine runs on these machines can preview them: manifests rendered
 * instead of a cluster, add-on charts from the loopback fixture repository, and no Cloudflare edge
 * (its provider plugin cannot be had here). The engine tests and `npm run bench` share it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { REPO_ROOT } from "../toolchain/recipes";

export type RawConfig = Record<string, unknown>;

/** The `groundwork:*` config of a stack file, as objects (not the strings Pulumi passes). */
export function readStackConfig(stack: string): RawConfig {
    return readConfigFile(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`));
}

/** The config of a stack file or an example stack (examples/*.yaml) at `file`. */
export function readConfigFile(file: string): RawConfig {
    const document = YAML.parse(fs.readFileSync(file, "utf8")) as { config?: RawConfig };
    return { ...(document.config ?? {}) };
}

/** Config as the engine passes it to the program: `groundwork:<key>` → string, structured values as JSON. */
export function asEngineConfig(config: RawConfig): Record<string, string> {
    return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
}

/**
 * `config` rendered into `renderDirectory`, with charts from the repository at `chartsUrl` and the
 * edge off, together with the ingress' Cloudflare flags, which need it.
 */
export function engineRunConfig(config: RawConfig, renderDirectory: string, chartsUrl: string): RawConfig {
    const addons = (config["groundwork:addons"] ?? {}) as { ingressNginx?: Record<string, unknown> };
    const withoutEdge = addons.ingressNginx?.cloudflare
        ? { ...addons, ingressNginx: { ...addons.ingressNginx, cloudflare: { realClientIp: false, verifyOriginPull: false } } }
        : addons;
    return {
        ...config,
        "groundwork:cluster": { renderDirectory },
        "groundwork:charts": { source: "repository", url: chartsUrl },
        "groundwork:edge": { enabled: false },
        "groundwork:addons": withoutEdge,
    };
}

/**
 * `config` deployed into a cluster through `kubeconfig` instead of rendered. A DaemonSet runs a pod on
 * every node, so the monitoring add-on's node count becomes the cluster's, or its namespace quota
 * would refuse the node-exporter pods past the stack file's count.
 */
export function clusterRunConfig(config: RawConfig, cluster: { kubeconfig: string; nodes: number }): RawConfig {
    const addons = (config["groundwork:addons"] ?? {}) as { monitoring?: Record<string, unknown> };
    return {
        ...config,
        "groundwork:cluster": { kubeconfig: cluster.kubeconfig },
        ...(addons.monitoring ? { "groundwork:addons": { ...addons, monitoring: { ...addons.monitoring, maxNodes: cluster.nodes } } } : {}),
    };
}
