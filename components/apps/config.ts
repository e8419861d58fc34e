import { z } from "zod";
import { tierAlertsSchema } from "../addons/monitoring/config";
import { databaseSchema } from "../data/config";
import {
    cpuQuantity, cronSchedule, egressCidr, environmentVariableName, filesystemPath, hostname, imageReference, memoryQuantity, percentage, port,
    replicaCount, resourceName, resourcesSchema, secretKeyName, storageSize, urlPath,
} from "../fields";
import { environmentProfiles, environments, logLevels } from "../platform/environment";
import { placementSchema } from "../platform/placement";
import { alertRulesSchema } from "./alert-rules-config";
import { hpaBehaviorSchema } from "./autoscaling";
import { certificatesSchema } from "./certificates-config";
import { clusterAccessSchema } from "./cluster-access-config";

/**
 * `groundwork:tiers` and `groundwork:tierSecrets`: the shape of an application tier, its defaults and
 * messages. The sections a tier shares with a component of its own (certificates, clusterAccess,
 * alertRules, hpa.behavior) are defined beside that component; the checks that need the whole tier
 * list are in checks.ts.
 */

/** An environment default as documentation: "local 1, development 1, …". */
function perEnvironment(key: "replicas" | "logLevel"): string {
    return environments.map((environment) => `${environment} ${environmentProfiles[environment][key]}`).join(", ");
}

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

const apiAccessRule = z.strictObject({
    apiGroups: z.array(z.string()).min(1, "must list at least one API group (\"\" is the core group)"),
    resources: z.array(z.string().regex(/^[a-z][a-z0-9/]*$/, "must be a lower-case plural resource such as \"jobs\"")).min(1, "must list at least one resource"),
    verbs: z.array(z.enum(["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]))
        .min(1, "must list at least one verb"),
});

const metricName = z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, "must be a Prometheus metric name such as \"http_requests_total\"");

/** One entry of `groundwork:tiers`: an application tier, its database, network rules and ingress. */
export const tierSchema = z.strictObject({
    name: resourceName,
    namespace: resourceName.optional().describe("Namespace of the tier and its database; defaults to the tier name. Groundwork creates it with its Pod Security labels, "
        + "also with every add-on off: it is then the stack's one cluster-scoped object, so a shared cluster grants `create` on namespaces."),
    image: imageReference,
    port,
    replicas: replicaCount.optional().describe(`Defaults to hpa.minReplicas, else to the environment's (${perEnvironment("replicas")}).`),
    resources: resourcesSchema,
    logLevel: z.enum(logLevels).optional().describe(`Defaults to the environment's (${perEnvironment("logLevel")}).`),
    /** Non-secret settings, mounted from a ConfigMap. */
    settings: z.record(environmentVariableName, z.string()).default({}),
    /** Secrets the tier reads from Secrets that already exist in its namespace. */
    secretEnv: z.array(z.strictObject({ name: environmentVariableName, secretName: resourceName, key: z.string().min(1) })).default([]),
    public: z.strictObject({
        hosts: z.array(hostname).min(1, "must list at least one host"),
        paths: z.array(urlPath).min(1).default(["/"]),
        requestsPerSecond: z.int().min(1).default(50),
        connections: z.int().min(1).default(20),
    }).optional(),
    metrics: z.strictObject({
        path: urlPath,
        port: port.optional(),
        /** Namespace of the Prometheus that scrapes the tier; the only one admitted to the metrics port. */
        scraperNamespace: resourceName.default("monitoring"),
        /** Counter of handled requests, labelled by status `code`: the error-rate alert and the request panels read it. */
        requests: metricName.default("http_requests_total"),
        /** Latency histogram (without `_bucket`); when set, the tier gets a p95 latency alert and panel. */
        latencyHistogram: metricName.refine((name) => !/_(bucket|sum|count)$/.test(name), "must be the histogram's name without _bucket, _sum or _count, such as \"http_request_duration_seconds\"").optional(),
    }).optional(),
    alerts: tierAlertsSchema.optional(),
    alertRules: alertRulesSchema,
    probes: z.strictObject({ liveness: urlPath, readiness: urlPath, startup: urlPath })
        .default({ liveness: "/healthz", readiness: "/readyz", startup: "/healthz" }),
    hpa: z.strictObject({
        minReplicas: replicaCount,
        maxReplicas: replicaCount,
        cpuUtilization: percentage,
        memoryUtilization: percentage.optional(),
        behavior: hpaBehaviorSchema,
    }).optional(),
    database: databaseSchema.optional(),
    redis: z.boolean().default(false),
    /** Tiers allowed to call this tier. */
    callers: z.array(resourceName).default([]),
    /** Addresses outside the cluster the tier reaches (an LLM API, the Kubernetes API server). */
    egress: z.array(z.strictObject({ cidr: egressCidr, ports: z.array(port).min(1, "must list at least one port") })).default([]),
    /** Kubernetes API access the tier needs in its own namespace; empty means no token is mounted. */
    apiAccess: z.array(apiAccessRule).default([]),
    /** Cluster-wide API access and the CRDs of an operator tier; a ClusterRole bound to the tier's ServiceAccount. */
    clusterAccess: clusterAccessSchema,
    certificates: certificatesSchema,
    writablePaths: z.array(filesystemPath).default(["/tmp"]),
    runAsUser: z.int().min(1, "must be a non-zero UID (restricted pod security)").default(10001),
    quota: z.strictObject({ cpu: cpuQuantity, memory: memoryQuantity, pods: replicaCount, storage: storageSize }).optional(),
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
});

export type TierConfig = z.output<typeof tierSchema>;

/**
 * The values of the tiers' application secrets, by tier name and variable name. One secret config
 * key for every tier, set leaf by leaf with `pulumi config set --secret --path`, so that adding a
 * tier or a secret never needs a new top-level key (secretKeys in config/schema.ts lists it).
 */
export const tierSecretsSchema = z.record(resourceName, z.record(secretKeyName, z.string().min(1, "must not be empty")));

/** The `--path` of one application secret; a name with a dot is bracketed, or Pulumi would read it as two keys. */
export function tierSecretPath(tier: string, name: string): string {
    return `groundwork:tierSecrets.${tier}${name.includes(".") ? `["${name}"]` : `.${name}`}`;
}

/** The command that stores one application secret. */
export function tierSecretCommand(tier: string, name: string): string {
    return `pulumi config set --secret --path '${tierSecretPath(tier, name)}' <value>`;
}
