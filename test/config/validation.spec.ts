import * as assert from "node:assert/strict";
import * as path from "node:path";
import { environments } from "../../components/config";
import { aDatabase, anEdge, aStack, aTier } from "../support/builders";
import { committedStacks, readConfigFile, repoRoot, withTestSecrets } from "../support/program";
import { assertProblem, parseStack as parse, problemsOf } from "../support/problems";

type Raw = Record<string, unknown>;

const apiHost = "api.example.com";
const argocdHost = "argocd.example.com";
const webhookHost = "ci.example.com";
const deployRepository = "https://git.example.com/platform/deploy.git";

/** What the API server needs a tier to reach before it grants the tier a token. */
const apiServerEgress = [{ cidr: "0.0.0.0/0", ports: [443, 6443] }];

/**
 * The stack every case below changes one thing of: a public tier with its database, Redis, metrics
 * and a nightly job (backend), an autoscaled tier with a sized cron job (ai-engine) and a tier with
 * API access (executor), behind an edge that shares its zone and checks origin pulls, with certificates from Let's Encrypt
 * and Argo CD, Tekton and monitoring on.
 */
function platform(): Raw {
    const pipeline = (tier: string) => ({ tier, repository: `https://git.example.com/platform/${tier}.git`, image: `registry.example.com/${tier}`, test: { image: "docker.io/library/node:24.9.0", command: "npm test" } });
    return aStack("staging")
        .withTier(
            aTier("backend").public(apiHost).withMetrics().withDatabase(aDatabase({ storage: "20Gi" })).withRedis().autoscaled(2, 4)
                .with({ port: 3000, replicas: 2, cronJobs: [{ name: "cleanup", schedule: "0 3 * * *", command: ["node", "cleanup.js"] }] }),
            aTier("ai-engine").calledBy("backend").withMetrics({ path: "/metrics" }).withDatabase().withRedis().autoscaled(1, 3).with({
                cronJobs: [{ name: "retrain", schedule: "0 4 * * 0", command: ["python", "-m", "retrain"], resources: { requests: { cpu: "4", memory: "8Gi" }, limits: { cpu: "4", memory: "8Gi" } } }],
            }),
            aTier("executor").calledBy("backend", "ai-engine").withMetrics({ path: "/metrics" }).withDatabase().withRedis()
                .with({ egress: apiServerEgress, apiAccess: [{ apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "get"] }] }),
        )
        .withRedis()
        .withEdge(anEdge({ zoneOwner: false, authenticatedOriginPulls: true }))
        .withAddons({
            defaultIssuer: "letsencrypt-staging",
            certManager: { acmeEmail: "platform@example.com" },
            ingressNginx: { cloudflare: { realClientIp: true, verifyOriginPull: true } },
            argocd: { host: argocdHost, applications: ["backend", "ai-engine", "executor"].map((tier) => ({ name: tier, repository: deployRepository, path: tier, namespace: tier })) },
            monitoring: { enabled: true },
            tekton: { webhookHost, pipelines: ["backend", "ai-engine", "executor"].map(pipeline) },
        })
        .build();
}

/** platform() with one change applied. */
function platformWith(change: (config: any) => void): Raw {
    const config = platform() as any;
    change(config);
    return config;
}

const tiers = (config: any) => config["groundwork:tiers"];

/** The backend's own alert rules (tiers[0].alertRules), each with one thing wrong. */
const rule = { alert: "BackendQueueStuck", expr: "max(queue_depth{namespace=\"backend\"}) > 100", for: "10m", severity: "warning", summary: "the job queue is not draining" };
const alertRuleCases: { name: string; config: () => Raw; expected: string }[] = [
    { name: "an alert rule that is not PromQL", config: () => platformWith((c) => tiers(c)[0].alertRules = [{ ...rule, expr: "max(queue_depth{namespace=\"backend\"} > 100" }]),
        expected: "groundwork:tiers[0].alertRules[0].expr (\"max(queue_depth{namespace=\\\"backend\\\"} > 100\") is not PromQL (syntax error at" },
    { name: "an alert rule with a fractional duration", config: () => platformWith((c) => tiers(c)[0].alertRules = [{ ...rule, for: "1.5m" }]),
        expected: "groundwork:tiers[0].alertRules[0].for (\"1.5m\") must be a duration in whole seconds, minutes or hours such as \"5m\"" },
    { name: "an alert rule of an unknown severity", config: () => platformWith((c) => tiers(c)[0].alertRules = [{ ...rule, severity: "page" }]),
        expected: "groundwork:tiers[0].alertRules[0].severity (\"page\") must be \"warning\" or \"critical\"" },
    { name: "an alert named with a dash", config: () => platformWith((c) => tiers(c)[0].alertRules = [{ ...rule, alert: "queue-stuck" }]),
        expected: "groundwork:tiers[0].alertRules[0].alert (\"queue-stuck\") must be an alert name" },
    { name: "an alert rule without a summary", config: () => platformWith((c) => tiers(c)[0].alertRules = [{ ...rule, summary: " " }]),
        expected: "groundwork:tiers[0].alertRules[0].summary (\" \") must say what is wrong" },
    { name: "two alert rules of one name", config: () => platformWith((c) => tiers(c)[0].alertRules = [rule, rule]),
        expected: "groundwork:tiers[0].alertRules[1].alert (\"BackendQueueStuck\") is already the name of another of the tier's alert rules" },
    { name: "alert rules without monitoring", config: () => platformWith((c) => {
        tiers(c)[0].alertRules = [rule];
        c["groundwork:addons"].monitoring.enabled = false;
    }), expected: "groundwork:tiers[0].alertRules ([{\"alert\":\"BackendQueueStuck\",\"expr\":\"max(queue_depth{nam...) need the monitoring add-on, or no Prometheus loads them: set groundwork:addons.monitoring.enabled: true" },
];

const badConfigs: { name: string; config: () => Raw; secretKeys?: string[]; expected: string }[] = [
    { name: "missing environment", config: () => platformWith((c) => delete c["groundwork:environment"]), expected: "groundwork:environment is required" },
    { name: "unknown environment", config: () => platformWith((c) => c["groundwork:environment"] = "qa"),
        expected: "groundwork:environment (\"qa\") must be one of \"local\", \"development\", \"staging\", \"production\"" },
    { name: "missing tiers", config: () => platformWith((c) => delete c["groundwork:tiers"]), expected: "groundwork:tiers is required" },
    { name: "tiers not a list", config: () => platformWith((c) => c["groundwork:tiers"] = { backend: {} }), expected: "groundwork:tiers ({\"backend\":{}}) must be a list" },
    { name: "empty tier list", config: () => platformWith((c) => c["groundwork:tiers"] = []), expected: "groundwork:tiers ([]) must list at least one tier" },
    { name: "missing image", config: () => platformWith((c) => delete tiers(c)[0].image), expected: "groundwork:tiers[0].image is required" },
    { name: "port as a string", config: () => platformWith((c) => tiers(c)[0].port = "3000"), expected: "groundwork:tiers[0].port (\"3000\") must be a whole number" },
    { name: "port out of range", config: () => platformWith((c) => tiers(c)[0].port = 70000), expected: "groundwork:tiers[0].port (70000) must be a port from 1 to 65535" },
    { name: "zero replicas", config: () => platformWith((c) => tiers(c)[1].replicas = 0), expected: "groundwork:tiers[1].replicas (0) must be at least 1" },
    { name: "negative replicas", config: () => platformWith((c) => tiers(c)[2].replicas = -2), expected: "groundwork:tiers[2].replicas (-2) must be at least 1" },
    { name: "fractional replicas", config: () => platformWith((c) => tiers(c)[0].replicas = 1.5), expected: "groundwork:tiers[0].replicas (1.5) must be a whole number" },
    { name: "HPA min above max", config: () => platformWith((c) => tiers(c)[1].hpa = { minReplicas: 5, maxReplicas: 3, cpuUtilization: 70 }),
        expected: "groundwork:tiers[1].hpa.minReplicas (5) must be <= maxReplicas (3)" },
    { name: "replicas outside the HPA range", config: () => platformWith((c) => tiers(c)[0].hpa = { minReplicas: 3, maxReplicas: 6, cpuUtilization: 70 }),
        expected: "groundwork:tiers[0].replicas (2) must be within hpa.minReplicas..maxReplicas (3..6)" },
    { name: "HPA target above 100%", config: () => platformWith((c) => tiers(c)[0].hpa = { minReplicas: 1, maxReplicas: 4, cpuUtilization: 150 }),
        expected: "groundwork:tiers[0].hpa.cpuUtilization (150) must be a percentage from 1 to 100" },
    { name: "invalid CPU quantity", config: () => platformWith((c) => tiers(c)[0].resources.requests.cpu = "100 millicores"),
        expected: "groundwork:tiers[0].resources.requests.cpu (\"100 millicores\") must be a positive CPU quantity such as \"250m\" or \"1\"" },
    { name: "zero CPU", config: () => platformWith((c) => tiers(c)[0].resources.limits.cpu = "0"),
        expected: "groundwork:tiers[0].resources.limits.cpu (\"0\") must be a positive CPU quantity" },
    { name: "invalid memory quantity", config: () => platformWith((c) => tiers(c)[1].resources.limits.memory = "1GB"),
        expected: "groundwork:tiers[1].resources.limits.memory (\"1GB\") must be a memory quantity of at least 1Mi" },
    { name: "request above limit", config: () => platformWith((c) => tiers(c)[0].resources.requests.memory = "1Gi"),
        expected: "groundwork:tiers[0].resources.requests.memory (\"1Gi\") must be <= resources.limits.memory (256Mi)" },
    { name: "invalid hostname", config: () => platformWith((c) => tiers(c)[0].public.hosts = ["api_staging.example.com"]),
        expected: "groundwork:tiers[0].public.hosts[0] (\"api_staging.example.com\") must be a lower-case DNS name" },
    { name: "bare hostname", config: () => platformWith((c) => tiers(c)[0].public.hosts = ["localhost"]),
        expected: "groundwork:tiers[0].public.hosts[0] (\"localhost\") must be a lower-case DNS name" },
    { name: "host served by two tiers", config: () => platformWith((c) => tiers(c)[1].public = { hosts: [tiers(c)[0].public.hosts[0]] }),
        expected: `groundwork:tiers[1].public.hosts[0] ("${apiHost}") is already served by tier "backend"` },
    { name: "caller naming an unknown tier", config: () => platformWith((c) => tiers(c)[1].callers = ["frontend"]),
        expected: "groundwork:tiers[1].callers[0] (\"frontend\") names no configured tier (known: backend, ai-engine, executor)" },
    { name: "tier calling itself", config: () => platformWith((c) => tiers(c)[1].callers = ["ai-engine"]),
        expected: "groundwork:tiers[1].callers[0] (\"ai-engine\") names the tier itself" },
    { name: "duplicate tier names", config: () => platformWith((c) => tiers(c)[2].name = "backend"),
        expected: "groundwork:tiers[2].name (\"backend\") is already used by another tier: tier names must be unique" },
    { name: "tier name not a DNS label", config: () => platformWith((c) => tiers(c)[0].name = "Backend_API"),
        expected: "groundwork:tiers[0].name (\"Backend_API\") must be a lower-case RFC 1123 label" },
    { name: "two tiers in one namespace", config: () => platformWith((c) => tiers(c)[1].namespace = "backend"),
        expected: "groundwork:tiers[1].namespace (\"backend\") is already the namespace of tier \"backend\"" },
    { name: "bad storage size", config: () => platformWith((c) => tiers(c)[0].database.storage = "20 gigabytes"),
        expected: "groundwork:tiers[0].database.storage (\"20 gigabytes\") must be a storage size of at least 1Mi" },
    { name: "bad Redis storage", config: () => platformWith((c) => c["groundwork:redis"].storage = "5GB"),
        expected: "groundwork:redis.storage (\"5GB\") must be a storage size of at least 1Mi" },
    { name: "image without tag or digest", config: () => platformWith((c) => tiers(c)[0].image = "ghcr.io/groundwork-platform/backend"),
        expected: "groundwork:tiers[0].image (\"ghcr.io/groundwork-platform/backend\") must be pinned by a tag or a digest" },
    { name: "image with latest tag", config: () => platformWith((c) => tiers(c)[1].image = "ghcr.io/groundwork-platform/ai-engine:latest"),
        expected: "groundwork:tiers[1].image (\"ghcr.io/groundwork-platform/ai-engine:latest\") must not use the \"latest\" tag" },
    { name: "registry port is not a tag", config: () => platformWith((c) => tiers(c)[0].image = "registry.local:5000/backend"),
        expected: "groundwork:tiers[0].image (\"registry.local:5000/backend\") must be pinned by a tag or a digest" },
    { name: "plaintext secret", config: () => platformWith((c) => c["groundwork:cloudflareApiToken"] = "cf-token-in-plaintext"),
        expected: "groundwork:cloudflareApiToken is stored in plaintext but must be a secret: run `pulumi config set --secret groundwork:cloudflareApiToken <value>`" },
    { name: "secret-looking setting", config: () => platformWith((c) => tiers(c)[0].settings = { STRIPE_API_KEY: "sk_live_x" }),
        expected: "groundwork:tiers[0].settings.STRIPE_API_KEY (\"sk_live_x\") looks like a secret" },
    { name: "misspelt key", config: () => platformWith((c) => tiers(c)[0].replica = 2), expected: "groundwork:tiers[0].replica is not a known key" },
    { name: "unknown top-level key", config: () => platformWith((c) => c["groundwork:tierz"] = "[]"), expected: "groundwork:tierz is not a known key" },
    { name: "egress CIDR", config: () => platformWith((c) => tiers(c)[1].egress = [{ cidr: "10.0.0.0/33", ports: [443] }]),
        expected: "groundwork:tiers[1].egress[0].cidr (\"10.0.0.0/33\") must be an IPv4 CIDR" },
    { name: "egress to a host name", config: () => platformWith((c) => tiers(c)[1].egress = [{ cidr: "api.anthropic.com", ports: [443] }]),
        expected: "groundwork:tiers[1].egress[0].cidr (\"api.anthropic.com\") is a host name, and a NetworkPolicy matches IP addresses only: use the CIDR ranges" },
    { name: "API access without egress to the API server", config: () => platformWith((c) => tiers(c)[2].egress = []),
        expected: "groundwork:tiers[2].apiAccess" },
    { name: "Redis client without Redis", config: () => platformWith((c) => delete c["groundwork:redis"]),
        expected: "groundwork:tiers[0].redis (true) is true but groundwork:redis is not configured" },
    { name: "autoscaler window beyond the API server's limit", config: () => platformWith((c) => tiers(c)[0].hpa.behavior = { scaleDown: { stabilizationSeconds: 7200 } }),
        expected: "groundwork:tiers[0].hpa.behavior.scaleDown.stabilizationSeconds (7200) must be at most 3600 (the API server's limit)" },
    { name: "autoscaler rate of zero pods", config: () => platformWith((c) => tiers(c)[0].hpa.behavior = { scaleUp: { pods: 0 } }),
        expected: "groundwork:tiers[0].hpa.behavior.scaleUp.pods (0) must be at least 1" },
    { name: "quota below the peak", config: () => platformWith((c) => tiers(c)[0].quota = { cpu: "1", memory: "1Gi", pods: 2, storage: "1Gi" }),
        expected: "groundwork:tiers[0].quota.pods (2) is below what the namespace needs at peak (8" },
    { name: "quota without room for the ACME HTTP-01 solver", config: () => platformWith((c) => {
        c["groundwork:edge"] = { enabled: false };
        c["groundwork:addons"].ingressNginx.cloudflare.verifyOriginPull = false;
        tiers(c)[0].quota = { cpu: "8", memory: "16Gi", pods: 8, storage: "100Gi" };
    }), expected: "groundwork:tiers[0].quota.pods (8) is below what the namespace needs at peak (9" },
    { name: "backup schedule out of range", config: () => platformWith((c) => c["groundwork:backups"] = { schedule: "61 * * * *" }),
        expected: "groundwork:backups.schedule (\"61 * * * *\") must be a five-field cron schedule such as \"0 2 * * *\" (minute hour day month weekday): minute 61 is outside 0-59" },
    { name: "cron job schedule out of range", config: () => platformWith((c) => tiers(c)[1].cronJobs[0].schedule = "61 * * * *"),
        expected: "groundwork:tiers[1].cronJobs[0].schedule (\"61 * * * *\") must be a five-field cron schedule such as \"0 2 * * *\" (minute hour day month weekday): minute 61 is outside 0-59" },
    { name: "cron job schedule with seconds", config: () => platformWith((c) => tiers(c)[1].cronJobs[0].schedule = "0 0 4 * * 0"),
        expected: "groundwork:tiers[1].cronJobs[0].schedule (\"0 0 4 * * 0\") must be a five-field cron schedule" },
    { name: "cron job schedule beyond Kubernetes' syntax", config: () => platformWith((c) => tiers(c)[1].cronJobs[0].schedule = "0 4 L * *"),
        expected: "groundwork:tiers[1].cronJobs[0].schedule (\"0 4 L * *\") must be a five-field cron schedule such as \"0 2 * * *\" (minute hour day month weekday): \"L\" is not Kubernetes cron syntax" },
    { name: "cron job weekday 7", config: () => platformWith((c) => tiers(c)[1].cronJobs[0].schedule = "0 4 * * 7"),
        expected: "groundwork:tiers[1].cronJobs[0].schedule (\"0 4 * * 7\") must be a five-field cron schedule such as \"0 2 * * *\" (minute hour day month weekday): weekday 7 is outside 0-6" },
    { name: "cron job without a command", config: () => platformWith((c) => tiers(c)[1].cronJobs[0].command = []),
        expected: "groundwork:tiers[1].cronJobs[0].command ([]) must list the command and its arguments" },
    { name: "cron jobs allowed to overlap", config: () => platformWith((c) => tiers(c)[1].cronJobs[0].concurrencyPolicy = "Allow"),
        expected: "groundwork:tiers[1].cronJobs[0].concurrencyPolicy (\"Allow\") must be \"Forbid\" or \"Replace\" (\"Allow\" lets runs pile up without bound" },
    { name: "two cron jobs of one name", config: () => platformWith((c) => tiers(c)[1].cronJobs.push({ ...tiers(c)[1].cronJobs[0] })),
        expected: "groundwork:tiers[1].cronJobs[1].name (\"retrain\") is already used by another cron job of this tier" },
    { name: "cron job name too long", config: () => platformWith((c) => tiers(c)[1].cronJobs[0].name = "retrain-the-whole-model-from-scratch-weekly"),
        expected: "groundwork:tiers[1].cronJobs[0].name (\"retrain-the-whole-model-from-scratch-weekly\") makes the CronJob name \"ai-engine-retrain-the-whole-model-from-scratch-weekly\" longer than 52 characters" },
    { name: "cron job request above its limit", config: () => platformWith((c) => tiers(c)[1].cronJobs[0].resources.requests.cpu = "8"),
        expected: "groundwork:tiers[1].cronJobs[0].resources.requests.cpu (\"8\") must be <= resources.limits.cpu (4)" },
    { name: "application secret without a value", config: () => platformWith((c) => tiers(c)[0].secrets = ["STRIPE_API_KEY"]),
        expected: "groundwork:tiers[0].secrets[0] (\"STRIPE_API_KEY\") has no value: run `pulumi config set --secret --path 'groundwork:tierSecrets.backend.STRIPE_API_KEY' <value>`" },
    { name: "application secrets in plaintext", config: () => platformWith((c) => {
        tiers(c)[0].secrets = ["STRIPE_API_KEY"];
        c["groundwork:tierSecrets"] = { backend: { STRIPE_API_KEY: "sk_live_plaintext" } };
    }), expected: "groundwork:tierSecrets.backend.STRIPE_API_KEY is stored in plaintext but must be a secret: run `pulumi config set --secret --path 'groundwork:tierSecrets.backend.STRIPE_API_KEY' <value>`" },
    { name: "application secret of no tier", config: () => platformWith((c) => c["groundwork:tierSecrets"] = { frontend: { TOKEN: "x" } }), secretKeys: ["groundwork:tierSecrets"],
        expected: "groundwork:tierSecrets.frontend.TOKEN belongs to no configured tier: run `pulumi config rm --path 'groundwork:tierSecrets.frontend'`" },
    { name: "application secret the tier does not list", config: () => platformWith((c) => c["groundwork:tierSecrets"] = { backend: { TOKEN: "x" } }), secretKeys: ["groundwork:tierSecrets"],
        expected: "groundwork:tierSecrets.backend.TOKEN is not listed in the secrets of tier \"backend\"" },
    { name: "application secret named like a setting", config: () => platformWith((c) => {
        tiers(c)[0].settings = { REGION: "eu" };
        tiers(c)[0].secrets = ["REGION"];
        c["groundwork:tierSecrets"] = { backend: { REGION: "x" } };
    }), secretKeys: ["groundwork:tierSecrets"], expected: "groundwork:tiers[0].secrets[0] (\"REGION\") is already set by settings" },
    { name: "application secret named with a space", config: () => platformWith((c) => tiers(c)[0].secrets = ["webhook secret"]),
        expected: "groundwork:tiers[0].secrets[0] (\"webhook secret\") must be a Secret key such as \"JWT_SECRET\" or \"webhook-secret\" (letters, digits, -, _ and .)" },
    { name: "application secret with a dot and no value", config: () => platformWith((c) => tiers(c)[0].secrets = ["tls.crt"]),
        expected: "groundwork:tiers[0].secrets[0] (\"tls.crt\") has no value: run `pulumi config set --secret --path 'groundwork:tierSecrets.backend[\"tls.crt\"]' <value>`" },
    { name: "application secret named \"..\"", config: () => platformWith((c) => tiers(c)[0].secrets = [".."]),
        expected: "groundwork:tiers[0].secrets[0] (\"..\") must be a Secret key" },
    ...alertRuleCases,
    { name: "ReadWriteOnce volume on a scaled Deployment", config: () => platformWith((c) => tiers(c)[0].volumes = [{ name: "uploads", mountPath: "/uploads", size: "1Gi" }]),
        expected: "groundwork:tiers[0].volumes[0] ({\"name\":\"uploads\",\"mountPath\":\"/uploads\",\"size\":\"1Gi\"}) is ReadWriteOnce (the default), which one node mounts at a time, but the Deployment runs several replicas" },
    { name: "volume over a writable path", config: () => platformWith((c) => tiers(c)[1].volumes = [{ name: "scratch", mountPath: "/tmp", size: "1Gi" }]),
        expected: "groundwork:tiers[1].volumes[0].mountPath (\"/tmp\") is already mounted" },
    { name: "volume size", config: () => platformWith((c) => tiers(c)[1].volumes = [{ name: "models", mountPath: "/models", size: "10GB" }]),
        expected: "groundwork:tiers[1].volumes[0].size (\"10GB\") must be a storage size of at least 1Mi" },
    { name: "unknown workload kind", config: () => platformWith((c) => tiers(c)[1].kind = "DaemonSet"),
        expected: "groundwork:tiers[1].kind (\"DaemonSet\") must be one of \"Deployment\", \"StatefulSet\"" },
    { name: "autoscaled StatefulSet", config: () => platformWith((c) => {
        tiers(c)[1].kind = "StatefulSet";
        tiers(c)[1].hpa = { minReplicas: 1, maxReplicas: 3, cpuUtilization: 70 };
    }), expected: "groundwork:tiers[1].hpa ({\"minReplicas\":1,\"maxReplicas\":3,\"cpuUtilization\":70}) cannot scale a StatefulSet tier" },
    { name: "node selector label key", config: () => platformWith((c) => tiers(c)[0].placement = { nodeSelector: { "bad key": "x" } }),
        expected: "groundwork:tiers[0].placement.nodeSelector.bad key" },
    { name: "toleration Exists with a value", config: () => platformWith((c) => tiers(c)[0].placement = { tolerations: [{ key: "gpu", operator: "Exists", value: "true" }] }),
        expected: "groundwork:tiers[0].placement.tolerations[0].value (\"true\") must be empty when operator is Exists" },
    { name: "toleration effect", config: () => platformWith((c) => tiers(c)[0].placement = { tolerations: [{ key: "gpu", value: "true", effect: "NoRun" }] }),
        expected: "groundwork:tiers[0].placement.tolerations[0].effect (\"NoRun\") must be one of \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"" },
    { name: "database toleration without a key", config: () => platformWith((c) => tiers(c)[0].database.placement = { tolerations: [{ operator: "Equal", value: "db" }] }),
        expected: "groundwork:tiers[0].database.placement.tolerations[0] ({\"operator\":\"Equal\",\"value\":\"db\"}) needs a key when operator is Equal" },
    { name: "node affinity In without values", config: () => platformWith((c) => tiers(c)[0].placement = {
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "pool", operator: "In" }] }] } } },
    }), expected: "groundwork:tiers[0].placement.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0] ({\"key\":\"pool\",\"operator\":\"In\"}) needs values for operator In" },
    { name: "pod anti-affinity weight", config: () => platformWith((c) => tiers(c)[0].placement = {
        affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, podAffinityTerm: { labelSelector: {}, topologyKey: "kubernetes.io/hostname" } }] } },
    }), expected: "groundwork:tiers[0].placement.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight (0) must be a weight from 1 to 100" },
    { name: "cron job history too long", config: () => platformWith((c) => tiers(c)[1].cronJobs[0].successfulJobsHistoryLimit = 11),
        expected: "groundwork:tiers[1].cronJobs[0].successfulJobsHistoryLimit (11) must be at most 10" },
    { name: "cron job deadline too short", config: () => platformWith((c) => tiers(c)[1].cronJobs[0].activeDeadlineSeconds = 30),
        expected: "groundwork:tiers[1].cronJobs[0].activeDeadlineSeconds (30) must be at least 60" },
    { name: "volume access mode", config: () => platformWith((c) => tiers(c)[1].volumes = [{ name: "models", mountPath: "/models", size: "1Gi", accessMode: "ReadOnlyMany" }]),
        expected: "groundwork:tiers[1].volumes[0].accessMode (\"ReadOnlyMany\") must be one of \"ReadWriteOnce\", \"ReadWriteMany\"" },
    { name: "volume storage class", config: () => platformWith((c) => tiers(c)[1].volumes = [{ name: "models", mountPath: "/models", size: "1Gi", storageClass: "Fast_SSD" }]),
        expected: "groundwork:tiers[1].volumes[0].storageClass (\"Fast_SSD\") must be a lower-case RFC 1123 label" },
    { name: "Redis toleration Exists with a value", config: () => platformWith((c) => c["groundwork:redis"].placement = { tolerations: [{ key: "db", operator: "Exists", value: "x" }] }),
        expected: "groundwork:redis.placement.tolerations[0].value (\"x\") must be empty when operator is Exists" },
    { name: "volume named like a writable path's", config: () => platformWith((c) => tiers(c)[1].volumes = [{ name: "writable-0", mountPath: "/models", size: "1Gi" }]),
        expected: "groundwork:tiers[1].volumes[0].name (\"writable-0\") is the name of a writablePaths volume" },
    { name: "render directory with a context", config: () => platformWith((c) => c["groundwork:cluster"] = { context: "x", renderDirectory: "out" }),
        expected: "groundwork:cluster.renderDirectory (\"out\") cannot be combined with cluster.kubeconfig or cluster.context" },
    { name: "metrics requests counter that is not a metric name", config: () => platformWith((c) => tiers(c)[0].metrics.requests = "http-requests"),
        expected: "groundwork:tiers[0].metrics.requests (\"http-requests\") must be a Prometheus metric name" },
    { name: "latency histogram given with its _bucket suffix", config: () => platformWith((c) => tiers(c)[0].metrics.latencyHistogram = "http_request_duration_seconds_bucket"),
        expected: "groundwork:tiers[0].metrics.latencyHistogram (\"http_request_duration_seconds_bucket\") must be the histogram's name without _bucket" },
    { name: "a tier scraped from another namespace than the monitoring add-on's", config: () => platformWith((c) => tiers(c)[0].metrics.scraperNamespace = "observability"),
        expected: "groundwork:tiers[0].metrics.scraperNamespace (\"observability\") must be the monitoring namespace (\"monitoring\") when addons.monitoring is enabled" },
    { name: "monitoring namespace shared with a tier", config: () => platformWith((c) => c["groundwork:addons"].monitoring.namespace = "backend"),
        expected: "groundwork:addons.monitoring.namespace (\"backend\") is already the namespace of tier \"backend\"" },
    { name: "node-exporter in the monitoring namespace", config: () => platformWith((c) => c["groundwork:addons"].monitoring.nodeExporterNamespace = "monitoring"),
        expected: "groundwork:addons.monitoring.nodeExporterNamespace (\"monitoring\") is already the namespace of monitoring" },
    { name: "an Alertmanager volume below 1Mi", config: () => platformWith((c) => c["groundwork:addons"].monitoring.alertmanagerStorage = "10Ki"),
        expected: "groundwork:addons.monitoring.alertmanagerStorage (\"10Ki\") must be a storage size of at least 1Mi" },
    { name: "monitoring retention without a unit", config: () => platformWith((c) => c["groundwork:addons"].monitoring.retention = "15"),
        expected: "groundwork:addons.monitoring.retention (\"15\") must be a duration in whole hours, days or weeks" },
    { name: "monitoring storage that is not a size", config: () => platformWith((c) => c["groundwork:addons"].monitoring.storage = "lots"),
        expected: "groundwork:addons.monitoring.storage (\"lots\") must be a storage size" },
    { name: "monitoring without nodes", config: () => platformWith((c) => c["groundwork:addons"].monitoring.maxNodes = 0),
        expected: "groundwork:addons.monitoring.maxNodes (0) must be at least 1" },
    { name: "Prometheus requests above its limits", config: () => platformWith((c) => c["groundwork:addons"].monitoring.prometheusResources = { requests: { cpu: "4", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } }),
        expected: "groundwork:addons.monitoring.prometheusResources.requests.cpu (\"4\") must be <= resources.limits.cpu (2)" },
    { name: "error-rate alert at 0%", config: () => platformWith((c) => c["groundwork:addons"].monitoring.alerts = { errorRatePercent: 0 }),
        expected: "groundwork:addons.monitoring.alerts.errorRatePercent (0) must be greater than 0" },
    { name: "volume alert at 100%", config: () => platformWith((c) => c["groundwork:addons"].monitoring.alerts = { pvcUsagePercent: 100 }),
        expected: "groundwork:addons.monitoring.alerts.pvcUsagePercent (100) must be from 50 to 99" },
    { name: "backup alert sooner than the daily schedule", config: () => platformWith((c) => c["groundwork:addons"].monitoring.alerts = { backupMaxAgeHours: 24 }),
        expected: "groundwork:addons.monitoring.alerts.backupMaxAgeHours (24) must be at least 25 hours" },
    { name: "autoscaler alert after a minute", config: () => platformWith((c) => c["groundwork:addons"].monitoring.alerts = { hpaMaxedMinutes: 1 }),
        expected: "groundwork:addons.monitoring.alerts.hpaMaxedMinutes (1) must be at least 5 minutes" },
    { name: "alert duration without a unit", config: () => platformWith((c) => c["groundwork:addons"].monitoring.alerts = { errorRateFor: "5" }),
        expected: "groundwork:addons.monitoring.alerts.errorRateFor (\"5\") must be a duration in whole seconds, minutes or hours such as \"5m\"" },
    { name: "memory alert below half the limit", config: () => platformWith((c) => c["groundwork:addons"].monitoring.alerts = { memoryPercent: 40 }),
        expected: "groundwork:addons.monitoring.alerts.memoryPercent (40) must be from 50 to 99" },
    { name: "a tier's alert duration in days", config: () => platformWith((c) => tiers(c)[1].alerts = { databaseDownFor: "1d" }),
        expected: "groundwork:tiers[1].alerts.databaseDownFor (\"1d\") must be a duration in whole seconds, minutes or hours" },
    { name: "a misspelt tier alert key", config: () => platformWith((c) => tiers(c)[1].alerts = { errorRate: 5 }),
        expected: "groundwork:tiers[1].alerts.errorRate is not a known key" },
    { name: "a latency alert for a tier without a histogram", config: () => platformWith((c) => tiers(c)[1].alerts = { latencyP95Seconds: 1 }),
        expected: "groundwork:tiers[1].alerts.latencyP95Seconds (1) is set, but the tier has no metrics.latencyHistogram, so it gets no TierHighLatency alert: set metrics.latencyHistogram or remove it" },
    { name: "an error-rate alert for a tier without metrics", config: () => platformWith((c) => {
        delete tiers(c)[2].metrics;
        tiers(c)[2].alerts = { errorRateFor: "5m" };
    }), expected: "groundwork:tiers[2].alerts.errorRateFor (\"5m\") is set, but the tier has no metrics, so it gets no TierHighErrorRate alert" },
    { name: "a database alert for a tier without a database", config: () => platformWith((c) => {
        delete tiers(c)[2].database;
        tiers(c)[2].alerts = { databaseDownFor: "2m" };
    }), expected: "groundwork:tiers[2].alerts.databaseDownFor (\"2m\") is set, but the tier has no database, so it gets no TierDatabaseDown or TierBackupMissing alert" },
    { name: "tier alerts with monitoring off", config: () => platformWith((c) => {
        c["groundwork:addons"].monitoring.enabled = false;
        tiers(c)[0].alerts = { errorRatePercent: 10 };
    }), expected: "groundwork:tiers[0].alerts ({\"errorRatePercent\":10}) has no effect: addons.monitoring.enabled is false" },
    { name: "a PagerDuty routing key in plaintext", config: () => platformWith((c) => c["groundwork:alertPagerDutyRoutingKey"] = "0123456789abcdef0123456789abcdef"),
        expected: "groundwork:alertPagerDutyRoutingKey is stored in plaintext but must be a secret: run `pulumi config set --secret groundwork:alertPagerDutyRoutingKey <value>`" },
    { name: "a Slack webhook in plaintext", config: () => platformWith((c) => c["groundwork:alertSlackWebhookUrl"] = "https://hooks.slack.invalid/services/T0/B0/x"),
        expected: "groundwork:alertSlackWebhookUrl is stored in plaintext but must be a secret: run `pulumi config set --secret groundwork:alertSlackWebhookUrl <value>`" },
    { name: "a Slack webhook over http", config: () => platformWith((c) => c["groundwork:alertSlackWebhookUrl"] = "http://hooks.slack.invalid/services/T0/B0/x"),
        secretKeys: ["groundwork:alertSlackWebhookUrl"], expected: "groundwork:alertSlackWebhookUrl must be an https:// Slack incoming-webhook URL" },
    { name: "a PagerDuty routing key of the wrong shape", config: () => platformWith((c) => c["groundwork:alertPagerDutyRoutingKey"] = "short"),
        secretKeys: ["groundwork:alertPagerDutyRoutingKey"], expected: "groundwork:alertPagerDutyRoutingKey must be a PagerDuty Events API v2 routing (integration) key: 32 letters and digits" },
    { name: "a route to PagerDuty without its key", config: () => platformWith((c) => c["groundwork:addons"].monitoring.alertmanager = { routes: { critical: ["pagerDuty"] } }),
        expected: "groundwork:addons.monitoring.alertmanager.routes.critical[0] (\"pagerDuty\") routes critical alerts to pagerDuty, whose credential is not set: run `pulumi config set --secret groundwork:alertPagerDutyRoutingKey <value>`" },
    { name: "a route to an unknown receiver", config: () => platformWith((c) => c["groundwork:addons"].monitoring.alertmanager = { routes: { warning: ["email"] } }),
        expected: "groundwork:addons.monitoring.alertmanager.routes.warning[0] (\"email\") must be \"pagerDuty\" or \"slack\"" },
    { name: "a receiver named twice in one route", config: () => platformWith((c) => {
        c["groundwork:addons"].monitoring.alertmanager = { routes: { warning: ["slack", "slack"] } };
        c["groundwork:alertSlackWebhookUrl"] = "https://hooks.slack.invalid/services/T0/B0/x";
    }), secretKeys: ["groundwork:alertSlackWebhookUrl"], expected: "groundwork:addons.monitoring.alertmanager.routes.warning ([\"slack\",\"slack\"]) must name each receiver once" },
    { name: "a receiver key that no route uses", config: () => platformWith((c) => {
        c["groundwork:addons"].monitoring.alertmanager = { routes: { critical: ["slack"] } };
        c["groundwork:alertSlackWebhookUrl"] = "https://hooks.slack.invalid/services/T0/B0/x";
        c["groundwork:alertPagerDutyRoutingKey"] = "0123456789abcdef0123456789abcdef";
    }), secretKeys: ["groundwork:alertSlackWebhookUrl", "groundwork:alertPagerDutyRoutingKey"],
    expected: "groundwork:alertPagerDutyRoutingKey is set, but no severity in addons.monitoring.alertmanager.routes goes to pagerDuty: add it to a route or run `pulumi config rm groundwork:alertPagerDutyRoutingKey`" },
    { name: "a Slack channel without a Slack webhook", config: () => platformWith((c) => c["groundwork:addons"].monitoring.alertmanager = { slackChannel: "#alerts" }),
        expected: "groundwork:addons.monitoring.alertmanager.slackChannel (\"#alerts\") needs a Slack webhook: run `pulumi config set --secret groundwork:alertSlackWebhookUrl <webhook URL>`" },
    { name: "a receiver key with monitoring off", config: () => platformWith((c) => {
        c["groundwork:addons"].monitoring.enabled = false;
        c["groundwork:alertSlackWebhookUrl"] = "https://hooks.slack.invalid/services/T0/B0/x";
    }), secretKeys: ["groundwork:alertSlackWebhookUrl"], expected: "groundwork:alertSlackWebhookUrl has no effect: addons.monitoring.enabled is false" },
    { name: "metrics on a public tier's served port", config: () => platformWith((c) => delete tiers(c)[0].metrics.port),
        expected: "groundwork:tiers[0].metrics.path (\"/metrics\") would be public: the Ingress routes \"/\" on port 3000 to the tier, and that port serves the metrics too; set metrics.port to a port of its own" },
    { name: "metrics port set to the public port", config: () => platformWith((c) => tiers(c)[0].metrics.port = 3000),
        expected: "groundwork:tiers[0].metrics.path (\"/metrics\") would be public" },
    { name: "metrics under a served prefix", config: () => platformWith((c) => {
        tiers(c)[0].public.paths = ["/api"];
        tiers(c)[0].metrics = { path: "/api/metrics" };
    }), expected: "groundwork:tiers[0].metrics.path (\"/api/metrics\") would be public: the Ingress routes \"/api\" on port 3000" },
    { name: "ingress-nginx off with no existing controller for a public tier", config: () => platformWith((c) => c["groundwork:addons"].ingressNginx = { enabled: false }),
        expected: `groundwork:tiers[0].public ({"hosts":["${apiHost}"]}) needs an ingress controller for tier "backend", and addons.ingressNginx.enabled is false: set addons.ingressNginx.existing.namespace` },
    { name: "ingress-nginx off with no existing controller for Argo CD's host", config: () => platformWith((c) => c["groundwork:addons"].ingressNginx = { enabled: false }),
        expected: `groundwork:addons.argocd.host ("${argocdHost}") needs an ingress controller for Argo CD` },
    { name: "an existing controller behind the edge without its address", config: () => platformWith((c) => c["groundwork:addons"].ingressNginx = { enabled: false, existing: { namespace: "shared-ingress" } }),
        expected: "groundwork:addons.ingressNginx.existing ({\"namespace\":\"shared-ingress\"}) needs loadBalancerAddress when the edge is on" },
    { name: "origin pulls checked by an ingress-nginx that is off", config: () => platformWith((c) => c["groundwork:addons"].ingressNginx = { enabled: false, existing: { namespace: "shared-ingress", loadBalancerAddress: "203.0.113.7" } }),
        expected: "groundwork:edge.authenticatedOriginPulls (true) needs Groundwork's ingress-nginx" },
    { name: "an existing controller while ingress-nginx is on", config: () => platformWith((c) => c["groundwork:addons"].ingressNginx.existing = { namespace: "shared-ingress" }),
        expected: "groundwork:addons.ingressNginx.existing ({\"namespace\":\"shared-ingress\"}) is only used when addons.ingressNginx.enabled is false" },
    { name: "cert-manager off under Groundwork's ingress-nginx", config: () => platformWith((c) => c["groundwork:addons"].certManager = { enabled: false, existing: { clusterIssuer: "corp-ca" } }),
        expected: "groundwork:addons.certManager.enabled (false) cannot be false while addons.ingressNginx.enabled is true: Groundwork's cert-manager issues ingressNginx's admission webhook certificate" },
    { name: "cert-manager off under monitoring", config: () => platformWith((c) => c["groundwork:addons"].certManager = { enabled: false, existing: { clusterIssuer: "corp-ca" } }),
        expected: "groundwork:addons.certManager.enabled (false) cannot be false while addons.monitoring.enabled is true" },
    { name: "cert-manager off with no issuer for Argo CD's host", config: () => platformWith((c) => c["groundwork:addons"].certManager = { enabled: false }),
        expected: `groundwork:addons.argocd.host ("${argocdHost}") needs a certificate for Argo CD, and addons.certManager.enabled is false with no existing issuer` },
    { name: "cert-manager off with no issuer for a public tier without the edge", config: () => platformWith((c) => {
        c["groundwork:addons"].certManager = { enabled: false };
        c["groundwork:edge"] = { enabled: false };
    }), expected: `groundwork:tiers[0].public ({"hosts":["${apiHost}"]}) needs a certificate for tier "backend"` },
    { name: "cert-manager off under mTLS certificates", config: () => platformWith((c) => {
        c["groundwork:addons"].certManager = { enabled: false, existing: { clusterIssuer: "corp-ca" } };
        tiers(c)[2].certificates = [{ name: "broker", mountPath: "/etc/tls", dnsNames: ["executor.executor.svc.cluster.local"] }];
    }), expected: "groundwork:tiers[2].certificates ([{\"name\":\"broker\",\"mountPath\":\"/etc/tls\",\"dnsNames\":[\"exe...) need Groundwork's internal CA (ClusterIssuer internal-ca), and addons.certManager.enabled is false" },
    { name: "DNS-01 zones for a cert-manager that is off", config: () => platformWith((c) => c["groundwork:addons"].certManager = { enabled: false, dns01Zones: ["example.com"] }),
        expected: "groundwork:addons.certManager.dns01Zones ([\"example.com\"]) is only used when addons.certManager.enabled is true: remove it, or enable certManager" },
    { name: "an existing issuer while cert-manager is on", config: () => platformWith((c) => c["groundwork:addons"].certManager.existing = { clusterIssuer: "corp-ca" }),
        expected: "groundwork:addons.certManager.existing ({\"clusterIssuer\":\"corp-ca\"}) is only used when addons.certManager.enabled is false" },
    { name: "Argo CD applications with Argo CD off", config: () => platformWith((c) => c["groundwork:addons"].argocd.enabled = false),
        expected: "groundwork:addons.argocd.applications ([{\"name\":\"backend\",\"repository\":\"https://git.example.com/...) is only used when addons.argocd.enabled is true (no Argo CD, no Applications): remove it, or enable argocd" },
    { name: "Argo CD's host with Argo CD off", config: () => platformWith((c) => c["groundwork:addons"].argocd = { enabled: false, host: argocdHost }),
        expected: `groundwork:addons.argocd.host ("${argocdHost}") is only used when addons.argocd.enabled is true` },
    { name: "Argo CD repository credentials with Argo CD off", config: () => platformWith((c) => {
        c["groundwork:addons"].argocd = { enabled: false };
        c["groundwork:argocdRepositoryCredentials"] = JSON.stringify([{ url: "https://git.example.com/deploy.git", username: "ci", password: "x" }]);
    }), secretKeys: ["groundwork:argocdRepositoryCredentials"], expected: "groundwork:argocdRepositoryCredentials is only used when addons.argocd.enabled is true (run `pulumi config rm groundwork:argocdRepositoryCredentials`)" },
    { name: "Tekton pipelines with Tekton off", config: () => platformWith((c) => c["groundwork:addons"].tekton.enabled = false),
        expected: "groundwork:addons.tekton.pipelines ([{\"tier\":\"backend\",\"repository\":\"https://git.example.com/...) is only used when addons.tekton.enabled is true (no Tekton, no pipelines): remove it, or enable tekton" },
    { name: "repository Tekton files with Tekton off", config: () => platformWith((c) => c["groundwork:addons"].tekton = { enabled: false, manifests: ["examples/tekton/kas/pipelines.yaml"] }),
        expected: "groundwork:addons.tekton.manifests ([\"examples/tekton/kas/pipelines.yaml\"]) is only used when addons.tekton.enabled is true (no Tekton, no pipelines)" },
    { name: "the EventListener's host with Tekton off", config: () => platformWith((c) => c["groundwork:addons"].tekton = { enabled: false, webhookHost }),
        expected: `groundwork:addons.tekton.webhookHost ("${webhookHost}") is only used when addons.tekton.enabled is true` },
    { name: "CI registry credentials with Tekton off", config: () => platformWith((c) => {
        c["groundwork:addons"].tekton = { enabled: false };
        c["groundwork:ciRegistryCredentials"] = JSON.stringify({ auths: {} });
    }), secretKeys: ["groundwork:ciRegistryCredentials"], expected: "groundwork:ciRegistryCredentials is only used when addons.tekton.enabled is true" },
    { name: "database request above its limit", config: () => platformWith((c) => tiers(c)[0].database.resources = { requests: { cpu: "2", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } }),
        expected: "groundwork:tiers[0].database.resources.requests.cpu (\"2\") must be <= resources.limits.cpu (1)" },
    { name: "database memory that is no quantity", config: () => platformWith((c) => tiers(c)[0].database.resources = { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "1GB" } }),
        expected: "groundwork:tiers[0].database.resources.limits.memory (\"1GB\") must be a memory quantity of at least 1Mi" },
    { name: "Redis request above its limit", config: () => platformWith((c) => c["groundwork:redis"].resources = { requests: { cpu: "100m", memory: "1Gi" }, limits: { cpu: "500m", memory: "512Mi" } }),
        expected: "groundwork:redis.resources.requests.memory (\"1Gi\") must be <= resources.limits.memory (512Mi)" },
    { name: "Redis CPU that is no quantity", config: () => platformWith((c) => c["groundwork:redis"].resources = { requests: { cpu: "fast", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } }),
        expected: "groundwork:redis.resources.requests.cpu (\"fast\") must be a positive CPU quantity" },
    { name: "cron job memory that is no quantity", config: () => platformWith((c) => tiers(c)[1].cronJobs[0].resources.limits.memory = "8 gigabytes"),
        expected: "groundwork:tiers[1].cronJobs[0].resources.limits.memory (\"8 gigabytes\") must be a memory quantity of at least 1Mi" },
    { name: "ingress-nginx request above its limit", config: () => platformWith((c) => c["groundwork:addons"].ingressNginx.resources = { requests: { cpu: "2", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } }),
        expected: "groundwork:addons.ingressNginx.resources.requests.cpu (\"2\") must be <= resources.limits.cpu (1)" },
    { name: "Argo CD memory that is no quantity", config: () => platformWith((c) => c["groundwork:addons"].argocd.resources = { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1 gig" } }),
        expected: "groundwork:addons.argocd.resources.limits.memory (\"1 gig\") must be a memory quantity of at least 1Mi" },
    { name: "bad pod security version", config: () => platformWith((c) => c["groundwork:podSecurityVersion"] = "1.35"),
        expected: "groundwork:podSecurityVersion (\"1.35\") must be \"latest\" or a Kubernetes minor version" },
];

describe("stack config validation", () => {
    for (const { stack, file } of committedStacks()) {
        it(`accepts the committed stack ${path.relative(repoRoot, file)}`, () => {
            const { config, secretKeys } = withTestSecrets(readConfigFile(file));
            assert.deepEqual(problemsOf(config, secretKeys), [], stack);
        });
    }

    for (const environment of environments) {
        it(`accepts the smallest stack the builders make in ${environment}`, () => {
            assert.deepEqual(problemsOf(aStack(environment).build()), []);
        });
    }

    it("accepts the stack the cases change, so that each case fails for its change alone", () => {
        assert.deepEqual(problemsOf(platform()), []);
    });

    for (const { name, config, secretKeys, expected } of badConfigs) {
        it(`rejects ${name}`, () => {
            const problems = problemsOf(config(), secretKeys);
            assertProblem(problems, expected);
        });
    }

    it("reports every problem at once", () => {
        const problems = problemsOf(platformWith((c) => {
            tiers(c)[0].port = 0;
            tiers(c)[1].image = "ai-engine";
            tiers(c)[2].callers = ["nobody"];
        }));
        assert.equal(problems.length, 3, problems.join("\n"));
    });

    it("never prints a secret value", () => {
        const cases: { config: Raw; secretKeys?: string[] }[] = [
            { config: platformWith((c) => c["groundwork:cloudflareApiToken"] = "do-not-print-me") },
            { config: platformWith((c) => c["groundwork:tierSecrets"] = { backend: { STRIPE_API_KEY: "do-not-print-me" } }) },
            { config: platformWith((c) => c["groundwork:tierSecrets"] = { backend: { STRIPE_API_KEY: "do-not-print-me" } }), secretKeys: ["groundwork:tierSecrets"] },
            { config: platformWith((c) => c["groundwork:tierSecrets"] = { backend: { STRIPE_API_KEY: "" } }), secretKeys: ["groundwork:tierSecrets"] },
            { config: platformWith((c) => c["groundwork:alertPagerDutyRoutingKey"] = "do-not-print-me"), secretKeys: ["groundwork:alertPagerDutyRoutingKey"] },
            { config: platformWith((c) => c["groundwork:alertSlackWebhookUrl"] = "do-not-print-me") },
            { config: platformWith((c) => c["groundwork:alertSlackWebhookUrl"] = "http://do-not-print-me.example.com"), secretKeys: ["groundwork:alertSlackWebhookUrl"] },
        ];
        for (const { config, secretKeys } of cases) {
            const problems = problemsOf(config, secretKeys);
            assert.ok(problems.length > 0);
            assert.ok(problems.every((problem) => !problem.includes("do-not-print-me") && !problem.includes("\"\"")), problems.join("\n"));
        }
    });

    it("accepts application secrets stored as secrets, and listed by their tier", () => {
        const config = platformWith((c) => {
            tiers(c)[0].secrets = ["STRIPE_API_KEY"];
            c["groundwork:tierSecrets"] = { backend: { STRIPE_API_KEY: "sk_live_x" } };
        });
        assert.deepEqual(problemsOf(config, ["groundwork:tierSecrets"]), []);
    });

    it("accepts metrics on the public port when no served prefix covers them", () => {
        assert.deepEqual(problemsOf(platformWith((c) => {
            tiers(c)[0].public.paths = ["/api", "/apimetrics"];
            tiers(c)[0].metrics = { path: "/api-metrics" };
        })), []);
    });

    it("accepts alert receivers stored as secrets, routed by severity", () => {
        const config = platformWith((c) => {
            c["groundwork:addons"].monitoring.alertmanager = { routes: { critical: ["pagerDuty", "slack"], warning: ["slack"] }, slackChannel: "#alerts" };
            c["groundwork:alertSlackWebhookUrl"] = "https://hooks.slack.invalid/services/T0/B0/x";
            c["groundwork:alertPagerDutyRoutingKey"] = "0123456789abcdef0123456789abcdef";
            tiers(c)[0].alerts = { errorRatePercent: 10, errorRateFor: "5m", memoryPercent: 90, databaseDownFor: "2m" };
        });
        assert.deepEqual(problemsOf(config, ["groundwork:alertSlackWebhookUrl", "groundwork:alertPagerDutyRoutingKey"]), []);
    });

    it("accepts a secret that is stored as one", () => {
        const config = platformWith((c) => c["groundwork:cloudflareApiToken"] = "token");
        assert.doesNotThrow(() => parse(config, ["groundwork:cloudflareApiToken"]));
    });

    it("gives public tiers an ACME solver when the existing issuer, and only it, solves HTTP-01", () => {
        const offBehindExisting = (http01: boolean) => parse(platformWith((c) => {
            c["groundwork:edge"] = { enabled: false };
            c["groundwork:addons"].ingressNginx = { enabled: false, existing: { namespace: "shared-ingress" } };
            c["groundwork:addons"].monitoring.enabled = false;
            c["groundwork:addons"].certManager = { enabled: false, existing: { clusterIssuer: "corp-acme", http01 } };
        }));
        assert.deepEqual(offBehindExisting(true).tiers.map((tier) => [tier.name, tier.http01Solver]), [["backend", true], ["ai-engine", false], ["executor", false]]);
        assert.deepEqual(offBehindExisting(false).tiers.map((tier) => tier.http01Solver), [false, false, false]);
    });

    it("resolves defaults and freezes the result", () => {
        const config = parse(aStack("production").withTier(aTier("backend")).build());
        assert.equal(config.protectData, true);
        assert.equal(config.tiers[0].namespace, "backend");
        assert.deepEqual(config.tiers[0].probes, { liveness: "/healthz", readiness: "/readyz", startup: "/healthz" });
        assert.ok(Object.isFrozen(config));
        assert.ok(Object.isFrozen(config.tiers[0].resources.requests));
        assert.equal(parse(aStack("staging").build()).protectData, false);
    });
});
