import { z } from "zod";
import {
    cronSchedule, filesystemPath, ReportIssue, resourceName, resourcesSchema, secretKeyName, storageSize,
} from "../fields";
import { placementSchema } from "../platform/placement";

/**
 * The schema of what a tier adds beyond its app container: application secrets, scheduled jobs,
 * volumes and the StatefulSet mode, and placement. components/config/schema.ts composes it into the
 * tier schema and calls checkTierWorkloads from its cross-field checks.
 */

const cronJobSchema = z.strictObject({
    name: resourceName,
    schedule: cronSchedule,
    /** The tier's image runs this command, with the tier's settings, secrets and store credentials. */
    command: z.array(z.string().min(1)).min(1, "must list the command and its arguments, such as [\"python\", \"-m\", \"retrain\"]"),
    /** Defaults to the tier's own resources. */
    resources: resourcesSchema.optional(),
    /** Allow is not offered: overlapping runs pile up without bound, and no quota can hold them. */
    concurrencyPolicy: z.enum(["Forbid", "Replace"], "must be \"Forbid\" or \"Replace\" (\"Allow\" lets runs pile up without bound, which no quota can hold)")
        .default("Forbid"),
    successfulJobsHistoryLimit: z.int().min(0).max(10, "must be at most 10").default(1),
    failedJobsHistoryLimit: z.int().min(0).max(10, "must be at most 10").default(1),
    /** A run still going after this long is stopped. */
    activeDeadlineSeconds: z.int().min(60, "must be at least 60").default(3600),
});

const volumeSchema = z.strictObject({
    name: resourceName,
    mountPath: filesystemPath,
    size: storageSize,
    storageClass: resourceName.optional(),
    /** ReadWriteOnce volumes bind the pod to one node: a Deployment with one then runs one replica and updates by Recreate. */
    accessMode: z.enum(["ReadWriteOnce", "ReadWriteMany"]).default("ReadWriteOnce"),
});

/** The tier fields this file owns; schema.ts spreads them into the tier schema. */
export const tierWorkloadFields = {
    /** Deployment by default; StatefulSet gives each replica its own volumes (volumeClaimTemplates). */
    kind: z.enum(["Deployment", "StatefulSet"]).default("Deployment"),
    /**
     * Names of the tier's application secrets: the keys of the tier's Secret and the variables the tier
     * reads; their values are the secret config groundwork:tierSecrets.<tier>.<NAME>.
     */
    secrets: z.array(secretKeyName).default([]),
    cronJobs: z.array(cronJobSchema).default([]),
    volumes: z.array(volumeSchema).default([]),
    placement: placementSchema.optional(),
};

/**
 * The values of the tiers' application secrets, by tier name and variable name. One secret config
 * key for every tier, set leaf by leaf with `pulumi config set --secret --path`, so that adding a
 * tier or a secret never needs a new top-level key (secretKeys in schema.ts lists it).
 */
export const tierSecretsSchema = z.record(resourceName, z.record(secretKeyName, z.string().min(1, "must not be empty")));

/** The `--path` of one application secret; a name with a dot is bracketed, or Pulumi would read it as two keys. */
function tierSecretPath(tier: string, name: string): string {
    return `groundwork:tierSecrets.${tier}${name.includes(".") ? `["${name}"]` : `.${name}`}`;
}

/** The command that stores one application secret. */
export function tierSecretCommand(tier: string, name: string): string {
    return `pulumi config set --secret --path '${tierSecretPath(tier, name)}' <value>`;
}

type TierWorkload = {
    name: string;
    replicas: number;
    hpa?: { maxReplicas: number };
    writablePaths: readonly string[];
    settings: Readonly<Record<string, string>>;
    secretEnv: readonly { name: string }[];
    kind: "Deployment" | "StatefulSet";
    secrets: readonly string[];
    cronJobs: readonly z.output<typeof cronJobSchema>[];
    volumes: readonly z.output<typeof volumeSchema>[];
    placement?: z.output<typeof placementSchema>;
    database?: { placement?: z.output<typeof placementSchema> };
};

/** Objects derived from a cron job's name carry `<tier>-<job>` and the controller adds 11 characters to 63. */
const maxCronJobNameLength = 52;

/** Cross-field checks of one tier's workload fields; `tierSecrets` is the secret config, never printed. */
export function checkTierWorkloads(tier: TierWorkload, i: number, tierSecrets: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined, report: ReportIssue): void {
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

    const jobNames = new Set<string>();
    tier.cronJobs.forEach((job, j) => {
        if (jobNames.has(job.name)) {
            report(["tiers", i, "cronJobs", j, "name"], "is already used by another cron job of this tier");
        }
        jobNames.add(job.name);
        if (`${tier.name}-${job.name}`.length > maxCronJobNameLength) {
            report(["tiers", i, "cronJobs", j, "name"], `makes the CronJob name "${tier.name}-${job.name}" longer than ${maxCronJobNameLength} characters: shorten it`);
        }
    });

    const volumeNames = new Set<string>();
    const mounted = new Set(tier.writablePaths);
    tier.volumes.forEach((volume, v) => {
        if (volumeNames.has(volume.name)) {
            report(["tiers", i, "volumes", v, "name"], "is already used by another volume of this tier");
        }
        volumeNames.add(volume.name);
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

    checkPlacement(tier.placement, ["tiers", i, "placement"], report);
    checkPlacement(tier.database?.placement, ["tiers", i, "database", "placement"], report);
}

/** What the placement schema cannot see field by field: tolerations and node expressions whose parts must agree. */
export function checkPlacement(placement: z.output<typeof placementSchema> | undefined, path: (string | number)[], report: ReportIssue): void {
    placement?.tolerations?.forEach((toleration, t) => {
        if (toleration.operator === "Exists" && toleration.value !== undefined) {
            report([...path, "tolerations", t, "value"], "must be empty when operator is Exists");
        }
        if (toleration.operator === "Equal" && toleration.key === undefined) {
            report([...path, "tolerations", t], "needs a key when operator is Equal (only Exists may match every taint)");
        }
        if (toleration.tolerationSeconds !== undefined && toleration.effect !== "NoExecute") {
            report([...path, "tolerations", t, "tolerationSeconds"], "applies only to effect NoExecute: set effect: NoExecute or remove it");
        }
    });
    placement?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms.forEach((term, t) => term.matchExpressions.forEach((expression, e) => {
        const needsValues = expression.operator !== "Exists" && expression.operator !== "DoesNotExist";
        if (needsValues !== ((expression.values?.length ?? 0) > 0)) {
            report([...path, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms", t, "matchExpressions", e],
                needsValues ? `needs values for operator ${expression.operator}` : `must have no values for operator ${expression.operator}`);
        }
    }));
}

/** Problems with the secret config groundwork:tierSecrets that no tier explains: values for a tier or a name nobody declared. */
export function checkTierSecrets(tiers: readonly { name: string; secrets: readonly string[] }[], tierSecrets: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined, report: ReportIssue): void {
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
