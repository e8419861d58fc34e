import { repeatedIndexes, ReportIssue } from "../fields";
import { checkAlertRules } from "./alert-rules-config";
import { checkCertificates } from "./certificates-config";
import { checkClusterAccess, crdNames } from "./cluster-access-config";
import { TierConfig, tierSecretCommand, tierSecretPath } from "./config";

/**
 * The checks of `groundwork:tiers` and `groundwork:tierSecrets` that need more than one field: what
 * one tier's fields must agree on, and what the tiers must not share. They run on the resolved
 * tiers (namespace and replicas decided); what a tier needs from an add-on, the edge or the shared
 * Redis is checked in components/config/checks.ts.
 */

/** A tier as the checks read it: its namespace and replicas resolved (the environment's default when unset). */
export type TierToCheck = Omit<TierConfig, "namespace" | "replicas" | "alerts"> & { namespace: string; replicas: number };

type TierSecretValues = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Objects derived from a cron job's name carry `<tier>-<job>` and the controller adds 11 characters to 63. */
const maxCronJobNameLength = 52;

/** Whether an Ingress path of pathType Prefix serves `path`: it matches whole path segments. */
export function prefixMatches(prefix: string, path: string): boolean {
    const trimmed = prefix.replace(/\/+$/, "");
    return trimmed === "" || path === trimmed || path.startsWith(`${trimmed}/`);
}

export function checkTiers(tiers: readonly TierToCheck[], tierSecrets: TierSecretValues | undefined, report: ReportIssue): void {
    const tierNames = new Set<string>();
    const namespaces = new Map<string, string>();
    const hosts = new Map<string, string>();
    const crds = new Map<string, string>();

    tiers.forEach((tier, i) => {
        if (tierNames.has(tier.name)) {
            report(["tiers", i, "name"], "is already used by another tier: tier names must be unique");
        }
        tierNames.add(tier.name);
        const owner = namespaces.get(tier.namespace);
        if (owner !== undefined && owner !== tier.name) {
            report(["tiers", i, "namespace"], `is already the namespace of tier "${owner}": each tier needs its own namespace`);
        }
        namespaces.set(tier.namespace, tier.name);

        if (tier.hpa) {
            if (tier.hpa.minReplicas > tier.hpa.maxReplicas) {
                report(["tiers", i, "hpa", "minReplicas"], `must be <= maxReplicas (${tier.hpa.maxReplicas})`);
            } else if (tier.replicas < tier.hpa.minReplicas || tier.replicas > tier.hpa.maxReplicas) {
                report(["tiers", i, "replicas"], `must be within hpa.minReplicas..maxReplicas (${tier.hpa.minReplicas}..${tier.hpa.maxReplicas})`);
            }
        }

        tier.public?.hosts.forEach((host, h) => {
            const other = hosts.get(host);
            if (other !== undefined) {
                report(["tiers", i, "public", "hosts", h], `is already served by tier "${other}": a host belongs to one tier`);
            }
            hosts.set(host, tier.name);
        });

        const publicPrefix = tier.metrics && (tier.metrics.port ?? tier.port) === tier.port
            ? tier.public?.paths.find((prefix) => prefixMatches(prefix, tier.metrics!.path))
            : undefined;
        if (publicPrefix !== undefined) {
            report(["tiers", i, "metrics", "path"],
                `would be public: the Ingress routes "${publicPrefix}" on port ${tier.port} to the tier, and that port serves the metrics too; `
                + "set metrics.port to a port of its own (the Service exposes it to Prometheus only and the Ingress never routes to it)");
        }

        const apiKey = tier.apiAccess.length > 0 ? "apiAccess" : tier.clusterAccess !== undefined ? "clusterAccess" : undefined;
        if (apiKey !== undefined && !tier.egress.some((rule) => rule.ports.some((p) => p === 443 || p === 6443))) {
            report(["tiers", i, apiKey],
                "needs egress to the Kubernetes API server, which the namespace's default-deny policy blocks: add {cidr: <API server>/32, ports: [443, 6443]} to egress");
        }
        checkAlertRules(tier.alertRules, ["tiers", i, "alertRules"], report);
        checkCertificates(tier, tier.certificates, tier.writablePaths, ["tiers", i, "certificates"], report);
        if (tier.clusterAccess !== undefined) {
            checkClusterAccess(tier.clusterAccess, ["tiers", i, "clusterAccess"], report);
            for (const { name, source } of crdNames(tier.clusterAccess)) {
                const other = crds.get(name);
                if (other !== undefined) {
                    report(["tiers", i, "clusterAccess", "crds", source, "file"], `defines CRD ${name}, which tier "${other}" already creates: a CRD belongs to one tier`);
                }
                crds.set(name, tier.name);
            }
        }

        for (const [name] of Object.entries(tier.settings)) {
            if (/(PASSWORD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|CREDENTIAL)/i.test(name)) {
                report(["tiers", i, "settings", name],
                    `looks like a secret, and settings are stored in a ConfigMap: list it in secrets and run \`${tierSecretCommand(tier.name, name)}\` (or reference an existing Secret in secretEnv)`);
            }
        }
        checkTierWorkload(tier, i, tierSecrets, report);
    });
    checkTierSecrets(tiers, tierSecrets, report);

    tiers.forEach((tier, i) => {
        tier.callers.forEach((caller, c) => {
            if (!tierNames.has(caller)) {
                report(["tiers", i, "callers", c], `names no configured tier (known: ${[...tierNames].join(", ")})`);
            } else if (caller === tier.name) {
                report(["tiers", i, "callers", c], "names the tier itself: pods of a tier always reach each other");
            }
        });
    });
}

/** What a tier adds beyond its app container: variables with one source each, secrets with values, cron jobs and volumes. */
function checkTierWorkload(tier: TierToCheck, i: number, tierSecrets: TierSecretValues | undefined, report: ReportIssue): void {
    const variables = new Map<string, string>();
    const claim = (name: string, owner: string, path: (string | number)[]) => {
        const other = variables.get(name);
        if (other !== undefined) {
            report(path, `is already set by ${other}: each variable has one source`);
        }
        variables.set(name, owner);
    };
    Object.keys(tier.settings).forEach((name) => claim(name, "settings", ["tiers", i, "settings", name]));
    tier.secretEnv.forEach((ref, s) => claim(ref.name, "secretEnv", ["tiers", i, "secretEnv", s, "name"]));
    tier.secrets.forEach((name, s) => {
        claim(name, "secrets", ["tiers", i, "secrets", s]);
        if (tierSecrets?.[tier.name]?.[name] === undefined) {
            report(["tiers", i, "secrets", s], `has no value: run \`${tierSecretCommand(tier.name, name)}\``);
        }
    });

    repeatedIndexes(tier.cronJobs.map((job) => job.name)).forEach((j) =>
        report(["tiers", i, "cronJobs", j, "name"], "is already used by another cron job of this tier"));
    tier.cronJobs.forEach((job, j) => {
        if (`${tier.name}-${job.name}`.length > maxCronJobNameLength) {
            report(["tiers", i, "cronJobs", j, "name"], `makes the CronJob name "${tier.name}-${job.name}" longer than ${maxCronJobNameLength} characters: shorten it`);
        }
    });

    repeatedIndexes(tier.volumes.map((volume) => volume.name)).forEach((v) =>
        report(["tiers", i, "volumes", v, "name"], "is already used by another volume of this tier"));
    const mounted = new Set(tier.writablePaths);
    tier.volumes.forEach((volume, v) => {
        if (/^writable-\d+$/.test(volume.name)) {
            report(["tiers", i, "volumes", v, "name"], "is the name of a writablePaths volume: choose another");
        }
        if (mounted.has(volume.mountPath)) {
            report(["tiers", i, "volumes", v, "mountPath"], "is already mounted (writablePaths or another volume): each path has one volume");
        }
        mounted.add(volume.mountPath);
        const scaled = tier.replicas > 1 || (tier.hpa?.maxReplicas ?? 1) > 1;
        if (tier.kind === "Deployment" && volume.accessMode === "ReadWriteOnce" && scaled) {
            report(["tiers", i, "volumes", v],
                "is ReadWriteOnce (the default), which one node mounts at a time, but the Deployment runs several replicas: use kind: StatefulSet (a volume per replica), accessMode: ReadWriteMany, or one replica");
        }
    });
    if (tier.kind === "StatefulSet" && tier.hpa) {
        report(["tiers", i, "hpa"], "cannot scale a StatefulSet tier: each replica claims its own volumes, so set replicas instead and remove hpa");
    }
}

/** Problems with the secret config groundwork:tierSecrets that no tier explains: values for a tier or a name nobody declared. */
function checkTierSecrets(tiers: readonly { name: string; secrets: readonly string[] }[], tierSecrets: TierSecretValues | undefined, report: ReportIssue): void {
    for (const [tierName, values] of Object.entries(tierSecrets ?? {})) {
        const tier = tiers.find((candidate) => candidate.name === tierName);
        for (const name of Object.keys(values)) {
            if (!tier?.secrets.includes(name)) {
                report(["tierSecrets", tierName, name], tier
                    ? `is not listed in the secrets of tier "${tierName}": add it there or run \`pulumi config rm --path '${tierSecretPath(tierName, name)}'\``
                    : `belongs to no configured tier: run \`pulumi config rm --path 'groundwork:tierSecrets.${tierName}'\``);
            }
        }
    }
}
