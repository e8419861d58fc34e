import * as fs from "node:fs";
import { isIP } from "node:net";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { versions } from "../versions";
import { cpuQuantity, hostname, imageReference, memoryQuantity, replicaCount, ReportIssue, resourceName } from "./fields";
import { parseBytes, parseCpu } from "./quantity";

/**
 * Cloudflare's published edge ranges (cloudflare.com/ips-v4 and /ips-v6). Only connections from
 * these may set the client address through `CF-Connecting-IP`; refresh them when Cloudflare does.
 */
export const cloudflareEdgeRanges = [
    "173.245.48.0/20", "103.21.244.0/22", "103.22.200.0/22", "103.31.4.0/22", "141.101.64.0/18",
    "108.162.192.0/18", "190.93.240.0/20", "188.114.96.0/20", "197.234.240.0/22", "198.41.128.0/17",
    "162.158.0.0/15", "104.16.0.0/13", "104.24.0.0/14", "172.64.0.0/13", "131.0.72.0/22",
    "2400:cb00::/32", "2606:4700::/32", "2803:f800::/32", "2405:b500::/32", "2405:8100::/32",
    "2a06:98c0::/29", "2c0f:f248::/32",
] as const;

export const clusterIssuerNames = ["selfsigned", "internal-ca", "letsencrypt-staging", "letsencrypt-production"] as const;
export type ClusterIssuerName = (typeof clusterIssuerNames)[number];

/** Where every add-on chart comes from; one source for all charts, never a silent fallback. */
export const chartsSchema = z.strictObject({
    source: z.enum(["upstream", "repository", "oci", "local"]).describe("One source for every chart: the upstream repositories, an HTTP mirror, an OCI mirror or a local directory; never a fallback from one to another.").default("upstream"),
    url: z.string().url("must be a URL such as \"https://charts.example.com\" or \"oci://registry.example.com/charts\"").describe("HTTP(S) Helm repository URL (source \"repository\") or OCI registry URL (source \"oci\").").optional(),
    directory: z.string().min(1).describe("Directory holding one unpacked chart per sub-directory named like the chart (source \"local\").").optional(),
    username: z.string().min(1).describe("User for the mirror's basic auth or OCI login; the password is the secret groundwork:chartRepositoryPassword.").optional(),
}).default({ source: "upstream" });

const ipCidr = z.string().refine((value) => {
    const [address, bits, ...rest] = value.split("/");
    const family = isIP(address ?? "");
    return rest.length === 0 && family !== 0 && /^\d{1,3}$/.test(bits ?? "") && Number(bits) <= (family === 4 ? 32 : 128);
}, "must be an IPv4 or IPv6 CIDR such as \"173.245.48.0/20\" or \"2400:cb00::/32\"");

const resources = z.strictObject({
    requests: z.strictObject({ cpu: cpuQuantity, memory: memoryQuantity }),
    limits: z.strictObject({ cpu: cpuQuantity, memory: memoryQuantity }),
});
type Resources = z.output<typeof resources>;

function sized(requests: [string, string], limits: [string, string]): Resources {
    return { requests: { cpu: requests[0], memory: requests[1] }, limits: { cpu: limits[0], memory: limits[1] } };
}

/** Chart values merged last over what Groundwork sets: the escape hatch for settings not modelled here. */
const chartValues = z.record(z.string(), z.unknown()).describe("Chart values merged last over what Groundwork sets (the escape hatch); secrets never belong here.").default({});

const gitRepositoryUrl = z.string().regex(/^(https:\/\/|ssh:\/\/|git@)[^\s]+$/,
    "must be a Git repository URL such as \"https://github.com/acme/app.git\" or \"git@github.com:acme/app.git\"");

/** An image repository without tag or digest: the pipeline tags each build with the commit. */
const imageRepository = z.string().regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+$/,
    "must be an image repository without tag, such as \"ghcr.io/acme/backend\"");

const ingressNginxSchema = z.strictObject({
    namespace: resourceName.default("ingress-nginx"),
    serviceType: z.enum(["LoadBalancer", "NodePort", "ClusterIP"]).describe("Type of the controller Service; NodePort or ClusterIP where no load balancer exists.").default("LoadBalancer"),
    externalTrafficPolicy: z.enum(["Local", "Cluster"]).describe("\"Local\" keeps the client (Cloudflare) address as the source, which real-IP trust needs.").default("Local"),
    replicas: replicaCount.describe("Defaults to 1, and to 2 in production.").optional(),
    resources: resources.default(sized(["100m", "128Mi"], ["1", "512Mi"])),
    cloudflare: z.strictObject({
        realClientIp: z.boolean().describe("Take the client address from CF-Connecting-IP, trusting only `trustedRanges`.").default(true),
        trustedRanges: z.array(ipCidr).min(1, "must list at least one range").describe("Sources allowed to set the client address: Cloudflare's published ranges.").default([...cloudflareEdgeRanges]),
        verifyOriginPull: z.boolean().describe("Require Cloudflare's origin-pull client certificate on public tiers (the edge supplies its CA).").default(false),
    }).default({ realClientIp: true, trustedRanges: [...cloudflareEdgeRanges], verifyOriginPull: false }),
    values: chartValues,
});

const certManagerSchema = z.strictObject({
    namespace: resourceName.default("cert-manager"),
    replicas: replicaCount.describe("Defaults to 1, and to 2 in production.").optional(),
    resources: resources.default(sized(["50m", "128Mi"], ["500m", "512Mi"])),
    acmeEmail: z.email("must be an email address such as \"ops@example.com\"").describe("Contact for Let's Encrypt expiry and policy mail.").optional(),
    dns01Zones: z.array(hostname).describe("Zones whose certificates are solved with DNS-01 through Cloudflare (needs groundwork:cloudflareApiToken).").default([]),
    internalCa: z.strictObject({
        commonName: z.string().min(1).max(64, "must be at most 64 characters (X.509 limit)").default("Groundwork internal CA"),
        validityHours: z.int().min(24 * 30, "must be at least 720 hours (30 days)").default(24 * 365 * 10),
    }).default({ commonName: "Groundwork internal CA", validityHours: 24 * 365 * 10 }),
    values: chartValues,
});

const argoCdSchema = z.strictObject({
    namespace: resourceName.default("argocd"),
    host: hostname.describe("Public host of the Argo CD UI and API, served through the ingress with TLS; unset keeps Argo CD in-cluster.").optional(),
    highAvailability: z.boolean().describe("High availability (redis-ha, several replicas, disruption budgets); on in production by default.").optional(),
    resources: resources.default(sized(["100m", "256Mi"], ["1", "1Gi"])),
    sourceRepositories: z.array(gitRepositoryUrl).describe("Repositories the environment's AppProject may deploy from, besides those of `applications`.").default([]),
    applications: z.array(z.strictObject({
        name: resourceName,
        repository: gitRepositoryUrl,
        path: z.string().min(1).regex(/^[^/].*$|^\.$/, "must be a path inside the repository such as \"deploy/backend\" (no leading \"/\")"),
        revision: z.string().min(1).default("HEAD"),
        namespace: resourceName.describe("A tier namespace: Argo CD deploys only into namespaces Groundwork guards."),
    })).describe("Applications of the environment's ApplicationSet (repository, path, revision, tier namespace).").default([]),
    values: chartValues,
});

const tektonSchema = z.strictObject({
    operatorNamespace: resourceName.default("tekton-operator"),
    pipelinesNamespace: resourceName.describe("Where the operator installs Tekton Pipelines and Triggers.").default("tekton-pipelines"),
    ciNamespace: resourceName.describe("Where the CI pipelines, their runs and the EventListener live.").default("ci"),
    webhookHost: hostname.describe("Public host of the GitHub webhook EventListener, served through the ingress with TLS; unset keeps it in-cluster.").optional(),
    resources: resources.default(sized(["50m", "128Mi"], ["500m", "512Mi"])),
    pipelines: z.array(z.strictObject({
        tier: resourceName,
        repository: gitRepositoryUrl,
        branch: z.string().min(1).regex(/^[A-Za-z0-9._\-/]+$/, "must be a branch name such as \"main\"").describe("Pushes to this branch trigger the pipeline.").default("main"),
        context: z.string().min(1).describe("Build context and Dockerfile, relative to the repository root.").default("."),
        dockerfile: z.string().min(1).default("Dockerfile"),
        image: imageRepository.describe("Where the built image is pushed, tagged with the commit SHA."),
        test: z.strictObject({
            image: imageReference,
            command: z.string().min(1).describe("Shell command run in the checked-out source, e.g. \"npm ci && npm test\"."),
        }),
    })).describe("One CI pipeline per app tier: clone, test, rootless image build, push; started by GitHub push webhooks.").default([]),
    values: chartValues,
});

export const addonsSchema = z.strictObject({
    ingressClass: resourceName.describe("Name of the IngressClass the ingress layer serves; the tiers, Argo CD and the EventListener use it.").default("nginx"),
    defaultIssuer: z.enum(clusterIssuerNames).describe("ClusterIssuer of the tiers', Argo CD's and the EventListener's certificates.").default("selfsigned"),
    ingressNginx: ingressNginxSchema.default(ingressNginxSchema.parse({})),
    certManager: certManagerSchema.default(certManagerSchema.parse({})),
    argocd: argoCdSchema.default(argoCdSchema.parse({})),
    tekton: tektonSchema.default(tektonSchema.parse({})),
}).default(() => addonsDefaults());

function addonsDefaults(): z.output<typeof addonsSchema> {
    return {
        ingressClass: "nginx",
        defaultIssuer: "selfsigned",
        ingressNginx: ingressNginxSchema.parse({}),
        certManager: certManagerSchema.parse({}),
        argocd: argoCdSchema.parse({}),
        tekton: tektonSchema.parse({}),
    };
}

const acmeIssuers: ReadonlySet<ClusterIssuerName> = new Set(["letsencrypt-staging", "letsencrypt-production"]);

/**
 * Whether cert-manager proves a public tier's certificate by ACME HTTP-01, starting a solver pod in the
 * tier's namespace: the edge is off (it would supply an origin certificate), the default issuer is
 * Let's Encrypt, and some host lies outside the DNS-01 zones (cert-manager picks the zone solver for
 * the others).
 */
export function answersHttp01(
    config: { edge?: { enabled: boolean }; addons: { defaultIssuer: ClusterIssuerName; certManager: { dns01Zones: readonly string[] } } },
    tier: { public?: { hosts: readonly string[] } },
): boolean {
    if (tier.public === undefined || config.edge?.enabled === true || !acmeIssuers.has(config.addons.defaultIssuer)) {
        return false;
    }
    const zones = config.addons.certManager.dns01Zones;
    return tier.public.hosts.some((host) => !zones.some((zone) => host === zone || host.endsWith(`.${zone}`)));
}

export type ChartsConfig = z.output<typeof chartsSchema>;
export type AddonsConfig = z.output<typeof addonsSchema>;
export type ChartKey = keyof typeof versions.charts;

/** Secret config arrives as JSON text, or already decoded when it was a structured value. */
function decodedJson<T extends z.ZodType>(schema: T) {
    return z.preprocess((value) => {
        if (typeof value !== "string") {
            return value;
        }
        try {
            return JSON.parse(value) as unknown;
        } catch {
            return value;
        }
    }, schema);
}

/** groundwork:argocdRepositoryCredentials (a secret): the repositories Argo CD may pull from, with their credentials. */
export const repositoryCredentialsSchema = decodedJson(z.array(z.strictObject({
    url: z.string().regex(/^(https:\/\/|ssh:\/\/|git@|oci:\/\/)[^\s]+$/, "must be a repository URL (https://, ssh://, git@ or oci://)"),
    type: z.enum(["git", "helm", "oci"]).default("git"),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    sshPrivateKey: z.string().includes("PRIVATE KEY", { message: "must be a PEM or OpenSSH private key" }).optional(),
}), "must be a JSON list such as [{\"url\": \"https://github.com/acme/deploy.git\", \"username\": \"x\", \"password\": \"…\"}]"));
export type RepositoryCredentials = z.output<typeof repositoryCredentialsSchema>;

/** groundwork:ciRegistryCredentials (a secret): the Docker config the CI pipelines push with. */
export const registryCredentialsSchema = decodedJson(z.looseObject({
    auths: z.record(z.string(), z.unknown(), "must map registries to credentials"),
}, "must be Docker config JSON such as {\"auths\": {\"ghcr.io\": {\"auth\": \"<base64 user:token>\"}}}"));

interface AddonsCheckInput {
    environment: string;
    charts: ChartsConfig;
    addons: AddonsConfig;
    tiers: readonly { name: string; namespace?: string; public?: unknown }[];
    cloudflareApiToken?: string;
    chartRepositoryPassword?: string;
    edge?: { enabled: boolean };
}

export function checkAddons(config: AddonsCheckInput, report: ReportIssue): void {
    checkChartSource(config, report);
    const { addons, environment } = config;
    const production = environment === "production";

    for (const [key, replicas] of [["ingressNginx", addons.ingressNginx.replicas], ["certManager", addons.certManager.replicas]] as const) {
        if (production && replicas !== undefined && replicas < 2) {
            report(["addons", key, "replicas"], "must be at least 2 in production (high availability): raise it or leave it unset");
        }
    }
    if (production && addons.argocd.highAvailability === false) {
        report(["addons", "argocd", "highAvailability"], "cannot be false in production: remove it (production runs Argo CD highly available)");
    }
    for (const [key, section] of Object.entries({ ingressNginx: addons.ingressNginx, certManager: addons.certManager, argocd: addons.argocd, tekton: addons.tekton })) {
        checkResources(section.resources, (field, message) => report(["addons", key, "resources", "requests", field], message));
    }

    checkNamespaces(config, report);

    if (addons.certManager.dns01Zones.length > 0 && config.cloudflareApiToken === undefined) {
        report(["addons", "certManager", "dns01Zones"],
            "needs a Cloudflare API token for DNS-01: pulumi config set --secret groundwork:cloudflareApiToken <token>, or remove the zones");
    }
    if (addons.ingressNginx.cloudflare.verifyOriginPull && config.edge?.enabled !== true) {
        report(["addons", "ingressNginx", "cloudflare", "verifyOriginPull"],
            "needs the Cloudflare edge (groundwork:edge.enabled true), which supplies the origin-pull CA: enable the edge or set this to false");
    }

    const tierNames = config.tiers.map((tier) => tier.name);
    const tierNamespaces = config.tiers.map((tier) => tier.namespace ?? tier.name);
    addons.argocd.applications.forEach((application, i) => {
        if (!tierNamespaces.includes(application.namespace)) {
            report(["addons", "argocd", "applications", i, "namespace"],
                `names no tier namespace (known: ${tierNamespaces.join(", ")}): Argo CD deploys only into namespaces Groundwork guards`);
        }
    });
    duplicates(addons.argocd.applications.map((application) => application.name)).forEach((i) =>
        report(["addons", "argocd", "applications", i, "name"], "is already used by another application: names must be unique"));

    addons.tekton.pipelines.forEach((pipeline, i) => {
        if (!tierNames.includes(pipeline.tier)) {
            report(["addons", "tekton", "pipelines", i, "tier"], `names no configured tier (known: ${tierNames.join(", ")})`);
        }
    });
    duplicates(addons.tekton.pipelines.map((pipeline) => pipeline.tier)).forEach((i) =>
        report(["addons", "tekton", "pipelines", i, "tier"], "already has a pipeline: one CI pipeline per tier"));

}

function checkChartSource(config: AddonsCheckInput, report: ReportIssue): void {
    const { charts } = config;
    const needsUrl = charts.source === "repository" || charts.source === "oci";
    if (needsUrl && charts.url === undefined) {
        report(["charts", "url"], `must be set when charts.source is "${charts.source}": the mirror's address`);
    }
    if (!needsUrl && charts.url !== undefined) {
        report(["charts", "url"], `is only used when charts.source is "repository" or "oci", not "${charts.source}": remove it or change the source`);
    }
    if (charts.source === "repository" && charts.url !== undefined && !/^https?:\/\//.test(charts.url)) {
        report(["charts", "url"], "must be an http:// or https:// Helm repository URL when charts.source is \"repository\" (use source \"oci\" for oci://)");
    }
    if (charts.source === "oci" && charts.url !== undefined && !charts.url.startsWith("oci://")) {
        report(["charts", "url"], "must start with oci:// when charts.source is \"oci\", such as \"oci://registry.example.com/charts\"");
    }
    if (charts.source === "local") {
        if (charts.directory === undefined) {
            report(["charts", "directory"], "must be set when charts.source is \"local\": the directory holding one unpacked chart per add-on");
        } else {
            checkLocalCharts(charts.directory, report);
        }
    } else if (charts.directory !== undefined) {
        report(["charts", "directory"], `is only used when charts.source is "local", not "${charts.source}": remove it or change the source`);
    }
    const authenticates = config.chartRepositoryPassword !== undefined || charts.username !== undefined;
    if (authenticates && !needsUrl) {
        report(["charts", "username"], `and groundwork:chartRepositoryPassword are only used with a "repository" or "oci" mirror, not "${charts.source}": remove them`);
    } else if (charts.username !== undefined && config.chartRepositoryPassword === undefined) {
        report(["chartRepositoryPassword"], "must be set when charts.username is set: pulumi config set --secret groundwork:chartRepositoryPassword <password>");
    } else if (charts.username === undefined && config.chartRepositoryPassword !== undefined) {
        report(["charts", "username"], "must be set when groundwork:chartRepositoryPassword is set: the mirror's user");
    }
}

/** A local chart must be the pinned version: a directory of other versions would change the platform silently. */
function checkLocalCharts(directory: string, report: ReportIssue): void {
    for (const chart of Object.values(versions.charts)) {
        const manifest = path.resolve(directory, chart.name, "Chart.yaml");
        let pinned: unknown;
        try {
            pinned = (parseYaml(fs.readFileSync(manifest, "utf8")) as { version?: unknown } | null)?.version;
        } catch {
            report(["charts", "directory"], `has no chart "${chart.name}" (expected ${manifest}): unpack ${chart.name} ${chart.version} there`);
            continue;
        }
        if (String(pinned) !== chart.version) {
            report(["charts", "directory"], `holds ${chart.name} ${String(pinned)} but Groundwork pins ${chart.version}: replace ${path.dirname(manifest)} with that version`);
        }
    }
}

function checkNamespaces(config: AddonsCheckInput, report: ReportIssue): void {
    const { addons } = config;
    const owners = new Map<string, string>(config.tiers.map((tier) => [tier.namespace ?? tier.name, `tier "${tier.name}"`]));
    const addonNamespaces: [string[], string, string][] = [
        [["addons", "ingressNginx", "namespace"], addons.ingressNginx.namespace, "ingress-nginx"],
        [["addons", "certManager", "namespace"], addons.certManager.namespace, "cert-manager"],
        [["addons", "argocd", "namespace"], addons.argocd.namespace, "Argo CD"],
        [["addons", "tekton", "operatorNamespace"], addons.tekton.operatorNamespace, "the Tekton operator"],
        [["addons", "tekton", "pipelinesNamespace"], addons.tekton.pipelinesNamespace, "Tekton Pipelines"],
        [["addons", "tekton", "ciNamespace"], addons.tekton.ciNamespace, "the CI pipelines"],
    ];
    for (const [where, namespace, owner] of addonNamespaces) {
        const other = owners.get(namespace);
        if (other !== undefined) {
            report(where, `is already the namespace of ${other}: each add-on needs its own namespace`);
        }
        owners.set(namespace, owner);
    }
}

function checkResources(sizing: Resources, report: (field: string, message: string) => void): void {
    for (const [field, parse] of [["cpu", parseCpu], ["memory", parseBytes]] as const) {
        const request = parse(sizing.requests[field]);
        const limit = parse(sizing.limits[field]);
        if (request !== undefined && limit !== undefined && request > limit) {
            report(field, `must be <= resources.limits.${field} (${sizing.limits[field]})`);
        }
    }
}

/** Indexes of the entries that repeat an earlier one. */
function duplicates(values: readonly string[]): number[] {
    return values.flatMap((value, i) => (values.indexOf(value) < i ? [i] : []));
}
