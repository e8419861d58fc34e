import { z } from "zod";
import { addonsSchema } from "../addons/config";
import { repositoryCredentialsSchema } from "../addons/argocd/config";
import { chartsSchema } from "../addons/helm-addon/config";
import { tierAlertsSchema } from "../addons/monitoring/config";
import { alertRulesSchema, checkAlertRules } from "../apps/alert-rules-config";
import { hpaBehaviorSchema } from "../apps/autoscaling";
import { certificatesSchema, checkCertificates } from "../apps/certificates-config";
import { checkClusterAccess, clusterAccessSchema, crdNames } from "../apps/cluster-access-config";
import { registryCredentialsSchema } from "../addons/tekton/config";
import { checkPlacement, checkTierSecrets, checkTierWorkloads, tierSecretCommand, tierSecretsSchema, tierWorkloadFields } from "../apps/config";
import { edgeSchema } from "../edge/config";
import {
    cpuQuantity, egressCidr, cronSchedule, environmentVariableName, filesystemPath, hostname, imageReference,
    memoryQuantity, percentage, port, replicaCount, ReportIssue, resourceName, resourcesSchema, storageSize, urlPath,
} from "../fields";
import { defaultReplicas, environmentProfiles, environments, logLevels } from "../platform/environment";
import { placementSchema } from "../platform/placement";
import { versions } from "../versions";
import { checkAddons } from "./addons";
import { checkEdge } from "./edge";

/** An environment default as documentation: "local 1, development 1, …". */
function perEnvironment(key: "replicas" | "logLevel"): string {
    return environments.map((environment) => `${environment} ${environmentProfiles[environment][key]}`).join(", ");
}

const apiAccessRule = z.strictObject({
    apiGroups: z.array(z.string()).min(1, "must list at least one API group (\"\" is the core group)"),
    resources: z.array(z.string().regex(/^[a-z][a-z0-9/]*$/, "must be a lower-case plural resource such as \"jobs\"")).min(1, "must list at least one resource"),
    verbs: z.array(z.enum(["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]))
        .min(1, "must list at least one verb"),
});

const metricName = z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, "must be a Prometheus metric name such as \"http_requests_total\"");

const tierSchema = z.strictObject({
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
    database: z.strictObject({
        storage: storageSize,
        storageClass: resourceName.optional(),
        resources: resourcesSchema.default({ requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } }),
        placement: placementSchema.optional(),
    }).optional(),
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
    ...tierWorkloadFields,
});

const redisSchema = z.strictObject({
    namespace: resourceName.default("redis"),
    storage: storageSize,
    storageClass: resourceName.optional(),
    placement: placementSchema.optional(),
    resources: resourcesSchema.default({ requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } }),
});

const backupsSchema = z.strictObject({
    schedule: cronSchedule.default("0 2 * * *"),
    retentionDays: z.int().min(1, "must keep at least 1 day").max(365, "must be at most 365 days").default(7),
    /** Size of each tier's backup volume; defaults to the database volume's size. */
    storage: storageSize.optional(),
});

const clusterSchema = z.strictObject({
    /** Path to a kubeconfig file; the ambient kubeconfig when unset. */
    kubeconfig: z.string().min(1).optional(),
    context: z.string().min(1).optional(),
    /** Render manifests to this directory instead of applying them to a cluster. */
    renderDirectory: z.string().min(1).optional(),
});

/** Every `groundwork:*` key. Keys listed in `secretKeys` must be stored with `pulumi config set --secret`. */
export const platformSchema = z.strictObject({
    environment: z.enum(environments)
        .describe("Which environment this stack is (local, development, staging or production); sets its defaults and the production safeguards."),
    cluster: clusterSchema.default({})
        .describe("How to reach the cluster ({kubeconfig, context}) or render manifests instead ({renderDirectory})."),
    podSecurityVersion: z.string().regex(/^(latest|v1\.\d{1,2})$/, "must be \"latest\" or a Kubernetes minor version such as \"v1.35\"")
        .default(versions.podSecurity)
        .describe("Pod Security Standards version pinned in namespace labels (latest or v1.N)."),
    storageClass: resourceName.optional()
        .describe("Default StorageClass for database and backup volumes."),
    protectData: z.boolean().optional()
        .describe("Protect database volumes from deletion (default true in production)."),
    tiers: z.array(tierSchema).min(1, "must list at least one tier")
        .describe("The application tiers (image, port, sizing, autoscaling, database, network rules, ingress)."),
    redis: redisSchema.optional()
        .describe("The shared Redis (namespace, storage, resources, placement)."),
    backups: backupsSchema.default({ schedule: "0 2 * * *", retentionDays: 7 })
        .describe("PostgreSQL backups (schedule, retentionDays, storage)."),
    charts: chartsSchema
        .describe("Where add-on charts come from (upstream, an HTTP repository, an OCI registry or a local directory)."),
    addons: addonsSchema
        .describe("Settings of the ingress-nginx, cert-manager, ArgoCD, Tekton and monitoring add-ons."),
    edge: edgeSchema
        .describe("The Cloudflare edge (zone, plan, DNS, TLS, WAF and rate limits)."),
    cloudflareApiToken: z.string().min(1).optional()
        .describe("Cloudflare API token (secret)."),
    argocdRepositoryCredentials: repositoryCredentialsSchema.optional()
        .describe("ArgoCD repository credentials as JSON (secret)."),
    chartRepositoryPassword: z.string().min(1).optional()
        .describe("Password of the chart mirror (HTTP basic auth or OCI login) named by groundwork:charts (secret)."),
    ciRegistryCredentials: registryCredentialsSchema.optional()
        .describe("Docker config JSON ({\"auths\":{...}}) the CI pipelines push images with (secret)."),
    alertPagerDutyRoutingKey: z.string().regex(/^[A-Za-z0-9]{32}$/, "must be a PagerDuty Events API v2 routing (integration) key: 32 letters and digits").optional()
        .describe("Routing key of the PagerDuty service that receives alerts (secret); see addons.monitoring.alertmanager."),
    alertSlackWebhookUrl: z.url({ protocol: /^https$/, error: "must be an https:// Slack incoming-webhook URL such as \"https://hooks.slack.com/services/…\"" }).optional()
        .describe("Slack incoming-webhook URL that receives alerts (secret); see addons.monitoring.alertmanager."),
    tierSecrets: tierSecretsSchema.optional()
        .describe("Values of the tiers' application secrets by tier and name, {<tier>: {<NAME>: <value>}} (secret; set each with --secret --path)."),
}).superRefine((config, ctx) => {
    const report: ReportIssue = (path, message) => ctx.addIssue({ code: "custom", path, message });
    if (config.cluster.renderDirectory !== undefined && (config.cluster.kubeconfig !== undefined || config.cluster.context !== undefined)) {
        report(["cluster", "renderDirectory"], "cannot be combined with cluster.kubeconfig or cluster.context: rendering writes manifests instead of using a cluster");
    }
    checkTiers(config, report);
    checkAddons(config, report);
    checkEdge(config, report);
});

export const secretKeys = [
    "cloudflareApiToken", "argocdRepositoryCredentials", "chartRepositoryPassword", "ciRegistryCredentials", "alertPagerDutyRoutingKey", "alertSlackWebhookUrl", "tierSecrets",
] as const;

type ParsedPlatformConfig = z.output<typeof platformSchema>;

/** Whether an Ingress path of pathType Prefix serves `path`: it matches whole path segments. */
export function prefixMatches(prefix: string, path: string): boolean {
    const trimmed = prefix.replace(/\/+$/, "");
    return trimmed === "" || path === trimmed || path.startsWith(`${trimmed}/`);
}
export type TierConfig = ParsedPlatformConfig["tiers"][number];

function checkTiers(config: Pick<ParsedPlatformConfig, "environment" | "tiers" | "redis" | "backups" | "addons" | "edge" | "tierSecrets">, report: ReportIssue): void {
    const tierNames = new Set<string>();
    const namespaces = new Map<string, string>();
    const hosts = new Map<string, string>();
    const crds = new Map<string, string>();

    config.tiers.forEach((tier, i) => {
        if (tierNames.has(tier.name)) {
            report(["tiers", i, "name"], "is already used by another tier: tier names must be unique");
        }
        tierNames.add(tier.name);
        const namespace = tier.namespace ?? tier.name;
        const owner = namespaces.get(namespace);
        if (owner !== undefined && owner !== tier.name) {
            report(["tiers", i, "namespace"], `is already the namespace of tier "${owner}": each tier needs its own namespace`);
        }
        namespaces.set(namespace, tier.name);

        if (tier.hpa) {
            if (tier.hpa.minReplicas > tier.hpa.maxReplicas) {
                report(["tiers", i, "hpa", "minReplicas"], `must be <= maxReplicas (${tier.hpa.maxReplicas})`);
            } else if (tier.replicas !== undefined && (tier.replicas < tier.hpa.minReplicas || tier.replicas > tier.hpa.maxReplicas)) {
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

        if (tier.redis && !config.redis) {
            report(["tiers", i, "redis"], "is true but groundwork:redis is not configured: add groundwork:redis.storage or set this to false");
        }

        const apiKey = tier.apiAccess.length > 0 ? "apiAccess" : tier.clusterAccess !== undefined ? "clusterAccess" : undefined;
        if (apiKey !== undefined && !tier.egress.some((rule) => rule.ports.some((p) => p === 443 || p === 6443))) {
            report(["tiers", i, apiKey],
                "needs egress to the Kubernetes API server, which the namespace's default-deny policy blocks: add {cidr: <API server>/32, ports: [443, 6443]} to egress");
        }
        checkAlertRules(tier.alertRules, config.addons.monitoring.enabled, ["tiers", i, "alertRules"], report);
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
        // A tier that sets no replicas runs the environment's default, which the volume checks must see.
        checkTierWorkloads({ ...tier, replicas: tier.replicas ?? defaultReplicas(config.environment, tier.hpa) }, i, config.tierSecrets, report);
    });
    checkTierSecrets(config.tiers, config.tierSecrets, report);

    config.tiers.forEach((tier, i) => {
        tier.callers.forEach((caller, c) => {
            if (!tierNames.has(caller)) {
                report(["tiers", i, "callers", c], `names no configured tier (known: ${[...tierNames].join(", ")})`);
            } else if (caller === tier.name) {
                report(["tiers", i, "callers", c], "names the tier itself: pods of a tier always reach each other");
            }
        });
    });

    checkPlacement(config.redis?.placement, ["redis", "placement"], report);
    if (config.redis && namespaces.has(config.redis.namespace)) {
        report(["redis", "namespace"], `is the namespace of tier "${namespaces.get(config.redis.namespace)}": Redis needs its own namespace`);
    }
}
