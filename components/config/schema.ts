import { z } from "zod";
import { addonsSchema } from "../addons/config";
import { repositoryCredentialsSchema } from "../addons/argocd/config";
import { chartsSchema } from "../addons/helm-addon/config";
import { registryCredentialsSchema } from "../addons/tekton/config";
import { tierSchema, tierSecretsSchema } from "../apps/config";
import { backupsSchema, redisSchema } from "../data/config";
import { edgeSchema } from "../edge/config";
import { resourceName } from "../fields";
import { environments } from "../platform/environment";
import { versions } from "../versions";

/**
 * The schema of the stack configuration, composed of each feature's section (defined beside the
 * feature) and the stack-wide keys. Checks that need more than a section run after the stack's
 * defaults are resolved (checks.ts, and each feature's checks).
 */

const clusterSchema = z.strictObject({
    /** Path to a kubeconfig file; the ambient kubeconfig when unset. */
    kubeconfig: z.string().min(1).optional(),
    context: z.string().min(1).optional(),
    /** Render manifests to this directory instead of applying them to a cluster. */
    renderDirectory: z.string().min(1).optional(),
}).superRefine((cluster, ctx) => {
    if (cluster.renderDirectory !== undefined && (cluster.kubeconfig !== undefined || cluster.context !== undefined)) {
        ctx.addIssue({ code: "custom", path: ["renderDirectory"], message: "cannot be combined with cluster.kubeconfig or cluster.context: rendering writes manifests instead of using a cluster" });
    }
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
    backups: backupsSchema
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
});

export const secretKeys = [
    "cloudflareApiToken", "argocdRepositoryCredentials", "chartRepositoryPassword", "ciRegistryCredentials", "alertPagerDutyRoutingKey", "alertSlackWebhookUrl", "tierSecrets",
] as const;

export type ParsedPlatformConfig = z.output<typeof platformSchema>;
