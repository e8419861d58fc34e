/**
 * Committed stack configs as the engine runs on these machines can preview them: manifests rendered
 * instead of a cluster, add-on charts from the loopback fixture repository, and no Cloudflare edge
 * (its provider plugin cannot be had here). The engine tests and `npm run bench` share it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { alertReceiverSecretKeys } from "../../components/addons/monitoring/alertmanager";
import type { AlertReceiver } from "../../components/addons/monitoring/config";
import { REPO_ROOT } from "../cli/paths";

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
 * Every committed stack file (Pulumi.<stack>.yaml) and example stack (examples/<name>.yaml), by
 * stack name, found by listing, so that a stack or example added later is covered too.
 */
export function committedStacks(): { stack: string; file: string }[] {
    const stackFiles = fs.readdirSync(REPO_ROOT).filter((name) => /^Pulumi\.[^.]+\.yaml$/.test(name))
        .map((name) => ({ stack: name.slice("Pulumi.".length, -".yaml".length), file: path.join(REPO_ROOT, name) }));
    const examplesDirectory = path.join(REPO_ROOT, "examples");
    const examples = fs.existsSync(examplesDirectory)
        ? fs.readdirSync(examplesDirectory).filter((name) => name.endsWith(".yaml")).map((name) => ({ stack: name.slice(0, -".yaml".length), file: path.join(examplesDirectory, name) }))
        : [];
    return [...stackFiles, ...examples];
}

/** A file named as a stack to run: its stack name (Pulumi.<name>.yaml, or the example's name) and config. */
export interface StackFile {
    file: string;
    name: string;
    config: RawConfig;
}

/**
 * Reads a file a user names as a stack file, or throws what is wrong with it, worded to follow the
 * file's name: missing, a directory, not YAML, no `config:` of groundwork:* keys, or values encrypted
 * with its own stack's passphrase (other than application secrets, which a run may replace).
 */
export function readStackFile(file: string): StackFile {
    const known = () => committedStacks().map((stack) => path.relative(REPO_ROOT, stack.file)).join(", ");
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "EISDIR") {
            throw new Error(`${code === "ENOENT" ? "no such file" : "a directory"}; name a stack file, such as ${known()}`);
        }
        throw error;
    }
    const documents = YAML.parseAllDocuments(text);
    const [firstError] = documents.flatMap((document) => document.errors);
    if (firstError) {
        throw new Error(`not YAML: ${firstError.message.split("\n")[0]}`);
    }
    if (documents.length !== 1) {
        throw new Error(`not a stack file: it holds ${documents.length} YAML documents, a stack file one`);
    }
    const config = (documents[0].toJS() as { config?: unknown } | null)?.config;
    if (config === null || typeof config !== "object" || Array.isArray(config) || !Object.keys(config).some((key) => key.startsWith("groundwork:"))) {
        throw new Error(`not a stack file: it has no \`config:\` of groundwork:* keys, as ${known()} have`);
    }
    const encrypted = Object.entries(config).filter(([key, value]) => key !== "groundwork:tierSecrets" && holdsEncryptedValue(value)).map(([key]) => key);
    if (encrypted.length > 0) {
        throw new Error(`${encrypted.join(", ")} ${encrypted.length === 1 ? "is" : "are"} encrypted with its own stack's passphrase, which this run cannot read: run a copy of the file without ${encrypted.length === 1 ? "it" : "them"}`);
    }
    const base = path.basename(file);
    const name = /^Pulumi\.(.+)\.ya?ml$/.exec(base)?.[1] ?? base.replace(/\.ya?ml$/, "");
    return { file, name, config: { ...(config as RawConfig) } };
}

/** A `secure:` value anywhere inside `value`: Pulumi's form of an encrypted config value in a stack file. */
function holdsEncryptedValue(value: unknown): boolean {
    if (value === null || typeof value !== "object") {
        return false;
    }
    return "secure" in value || Object.values(value).some(holdsEncryptedValue);
}

/**
 * `config` rendered into `renderDirectory`, with charts from the repository at `chartsUrl` and the
 * edge off (offlineRunConfig).
 */
export function engineRunConfig(config: RawConfig, renderDirectory: string, chartsUrl: string): RawConfig {
    return { ...offlineRunConfig(config, chartsUrl), "groundwork:cluster": { renderDirectory } };
}

/**
 * `config` as it runs on a machine without the internet or a Cloudflare plugin: charts from the
 * repository at `chartsUrl`, and the edge off, together with the ingress' Cloudflare flags, which need it.
 */
export function offlineRunConfig(config: RawConfig, chartsUrl: string): RawConfig {
    const addons = (config["groundwork:addons"] ?? {}) as { ingressNginx?: Record<string, unknown> };
    const withoutEdge = addons.ingressNginx?.cloudflare
        ? { ...addons, ingressNginx: { ...addons.ingressNginx, cloudflare: { realClientIp: false, verifyOriginPull: false } } }
        : addons;
    return {
        ...config,
        "groundwork:charts": { source: "repository", url: chartsUrl },
        "groundwork:edge": { enabled: false },
        "groundwork:addons": withoutEdge,
    };
}

/** Every application secret the tiers declare, as [tier, NAME]: each needs a value in groundwork:tierSecrets. */
export function declaredTierSecrets(config: RawConfig): [tier: string, name: string][] {
    const tiers = (config["groundwork:tiers"] ?? []) as { name: string; secrets?: string[] }[];
    return tiers.flatMap((tier) => (tier.secrets ?? []).map((name): [string, string] => [tier.name, name]));
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

/**
 * The node labels a stack's placements select (`nodeSelector` of tiers, their databases and Redis),
 * each with its values in first-seen order: the loopback cluster's nodes carry them, so that a
 * stack with placements schedules there as on its own node pools.
 */
export function placementNodeLabels(config: RawConfig): Record<string, string[]> {
    type Placed = { placement?: { nodeSelector?: Record<string, string> } };
    const tiers = (config["groundwork:tiers"] ?? []) as (Placed & { database?: Placed })[];
    const placements = [...tiers.flatMap((tier) => [tier, tier.database ?? {}]), (config["groundwork:redis"] ?? {}) as Placed];
    const labels: Record<string, string[]> = {};
    for (const [key, value] of placements.flatMap((placed) => Object.entries(placed.placement?.nodeSelector ?? {}))) {
        labels[key] = [...new Set([...(labels[key] ?? []), value])];
    }
    return labels;
}

/** The alert receivers a stack's Alertmanager routes name, with the secret config key of each one's credential. */
export function routedReceivers(config: RawConfig): { receiver: AlertReceiver; key: string }[] {
    const routes = (config["groundwork:addons"] as { monitoring?: { alertmanager?: { routes?: Record<string, AlertReceiver[]> } } } | undefined)?.monitoring?.alertmanager?.routes ?? {};
    return [...new Set(Object.values(routes).flat())].map((receiver) => ({ receiver, key: `groundwork:${alertReceiverSecretKeys[receiver]}` }));
}

/** Every StorageClass a stack names: the default, its databases', volumes', Redis's and the monitoring add-on's. */
export function namedStorageClasses(config: RawConfig): string[] {
    type Classed = { storageClass?: string };
    const tiers = (config["groundwork:tiers"] ?? []) as { database?: Classed; volumes?: Classed[] }[];
    const monitoring = ((config["groundwork:addons"] ?? {}) as { monitoring?: Classed }).monitoring;
    const classes = [
        config["groundwork:storageClass"] as string | undefined,
        ...tiers.flatMap((tier) => [tier.database?.storageClass, ...(tier.volumes ?? []).map((volume) => volume.storageClass)]),
        (config["groundwork:redis"] as Classed | undefined)?.storageClass,
        monitoring?.storageClass,
    ];
    return [...new Set(classes.filter((name): name is string => name !== undefined))];
}
