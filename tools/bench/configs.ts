/**
 * The stack configs `npm run bench` previews: the committed staging config as the engine runs here
 * can preview it (see ../engine/stack-config.ts), and synthetic configs of N tiers built from
 * staging's tiers.
 */
import { parsePlatformConfig, PlatformConfig, secretKeys } from "../../components/config";
import { asEngineConfig, engineRunConfig, RawConfig, readStackConfig } from "../engine/stack-config";

export { readStackConfig } from "../engine/stack-config";

interface TierEntry {
    name: string;
    callers?: string[];
    public?: { hosts: string[] };
    [key: string]: unknown;
}

interface AddonsEntry {
    argocd?: { applications?: { name: string; namespace?: string }[] } & Record<string, unknown>;
    tekton?: { pipelines?: { tier: string }[] } & Record<string, unknown>;
    [key: string]: unknown;
}

/** The staging config as the bench previews it: rendered into `renderDirectory`, charts from `chartsUrl`, edge off. */
export function benchConfig(renderDirectory: string, chartsUrl: string): RawConfig {
    return engineRunConfig(readStackConfig("staging"), renderDirectory, chartsUrl);
}

/**
 * `config` with `count` tiers: staging's three tiers repeated, the copies named `<name>-<round>`
 * with their callers and public hosts renamed alike, and the ArgoCD applications and Tekton
 * pipelines of tiers that are left out dropped.
 */
export function withTiers(config: RawConfig, count: number): RawConfig {
    if (!Number.isInteger(count) || count < 1) {
        throw new RangeError(`a config needs at least one tier, not ${count}`);
    }
    const templates = config["groundwork:tiers"] as TierEntry[];
    const rename = (name: string, round: number) => (round === 0 ? name : `${name}-${round}`);
    const tiers = Array.from({ length: count }, (_, i): TierEntry => {
        const round = Math.floor(i / templates.length);
        const template = templates[i % templates.length];
        const inRound = new Set(templates.slice(0, Math.min(templates.length, count - round * templates.length)).map((tier) => tier.name));
        return {
            ...template,
            name: rename(template.name, round),
            ...(template.callers && { callers: template.callers.filter((caller) => inRound.has(caller)).map((caller) => rename(caller, round)) }),
            ...(template.public && { public: { ...template.public, hosts: template.public.hosts.map((host) => (round === 0 ? host : `${round}-${host}`)) } }),
        };
    });
    const names = new Set(tiers.map((tier) => tier.name));
    const addons = config["groundwork:addons"] as AddonsEntry;
    return {
        ...config,
        "groundwork:tiers": tiers,
        "groundwork:addons": {
            ...addons,
            ...(addons.argocd && { argocd: { ...addons.argocd, applications: addons.argocd.applications?.filter((app) => names.has(app.namespace ?? app.name)) } }),
            ...(addons.tekton && { tekton: { ...addons.tekton, pipelines: addons.tekton.pipelines?.filter((pipeline) => names.has(pipeline.tier)) } }),
        },
    };
}

/**
 * Validates `config` with the program's own schema: the PlatformConfig, or a ConfigError naming
 * every problem. Secret keys count as set with --secret, as the engine hands them over decrypted.
 */
export function validate(config: RawConfig): PlatformConfig {
    const secret = new Set(secretKeys.map((key) => `groundwork:${key}`).filter((key) => key in config));
    return parsePlatformConfig(asEngineConfig(config), secret);
}
