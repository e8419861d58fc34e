import { AddonsSettings } from "../addons/config";
import { RepositoryCredentials, repositoryKey } from "../addons/argocd/config";
import { ClusterIssuerName } from "../addons/cert-manager/config";
import { ChartsSettings, ResourcesSettings } from "../addons/helm-addon/config";
import { checkRepositoryTekton } from "../addons/tekton/repository-config";
import { ReportIssue } from "../fields";
import { profileOf } from "../platform/environment";
import { parseBytes, parseCpu } from "../platform/quantity";

/**
 * The add-on checks that need more than one add-on's section: the chart source, production
 * safeguards, namespaces shared with tiers, and references to tiers. Each add-on's own fields and
 * defaults are defined beside it, under components/addons/.
 */

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

interface AddonsCheckInput {
    environment: string;
    charts: ChartsSettings;
    addons: AddonsSettings;
    tiers: readonly { name: string; namespace?: string; public?: unknown; metrics?: { scraperNamespace: string }; secrets?: readonly string[] }[];
    cloudflareApiToken?: string;
    chartRepositoryPassword?: string;
    argocdRepositoryCredentials?: RepositoryCredentials;
    edge?: { enabled: boolean };
}

export function checkAddons(config: AddonsCheckInput, report: ReportIssue): void {
    checkChartSource(config, report);
    const { addons, environment } = config;
    const { highAvailability } = profileOf(environment);

    for (const [key, replicas] of [["ingressNginx", addons.ingressNginx.replicas], ["certManager", addons.certManager.replicas]] as const) {
        if (highAvailability && replicas !== undefined && replicas < 2) {
            report(["addons", key, "replicas"], `must be at least 2 in ${environment} (high availability): raise it or leave it unset`);
        }
    }
    if (highAvailability && addons.argocd.highAvailability === false) {
        report(["addons", "argocd", "highAvailability"], `cannot be false in ${environment}: remove it (${environment} runs Argo CD highly available)`);
    }
    for (const [key, section] of Object.entries({ ingressNginx: addons.ingressNginx, certManager: addons.certManager, argocd: addons.argocd, tekton: addons.tekton })) {
        checkResources(section.resources, (field, message) => report(["addons", key, "resources", "requests", field], message));
    }
    checkMonitoring(config, report);

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
    const backoff = addons.argocd.sync.retry.backoff;
    if (seconds(backoff.duration) > seconds(backoff.maxDuration)) {
        report(["addons", "argocd", "sync", "retry", "backoff", "maxDuration"], `must be >= backoff.duration (${backoff.duration}): it caps the growing wait`);
    }
    duplicates(addons.argocd.applications.map((application) => application.name)).forEach((i) =>
        report(["addons", "argocd", "applications", i, "name"], "is already used by another application: names must be unique"));

    checkRepositoryTekton(addons.tekton, config.tiers, (path, message) => report(["addons", "tekton", ...path], message));
    addons.tekton.pipelines.forEach((pipeline, i) => {
        if (!tierNames.includes(pipeline.tier)) {
            report(["addons", "tekton", "pipelines", i, "tier"], `names no configured tier (known: ${tierNames.join(", ")})`);
        }
    });
    duplicates(addons.tekton.pipelines.map((pipeline) => pipeline.tier)).forEach((i) =>
        report(["addons", "tekton", "pipelines", i, "tier"], "already has a pipeline: one CI pipeline per tier"));

    // The repository's host and path name its Secret, so two entries for one repository would collide.
    duplicates((config.argocdRepositoryCredentials ?? []).map((repository) => repositoryKey(repository.url))).forEach((i) =>
        report(["argocdRepositoryCredentials", i, "url"], "names a repository (host and path) that an earlier entry already has: list each repository once"));
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
        ...(addons.monitoring.enabled ? [
            [["addons", "monitoring", "namespace"], addons.monitoring.namespace, "monitoring"],
            [["addons", "monitoring", "nodeExporterNamespace"], addons.monitoring.nodeExporterNamespace, "node-exporter"],
        ] as [string[], string, string][] : []),
    ];
    for (const [where, namespace, owner] of addonNamespaces) {
        const other = owners.get(namespace);
        if (other !== undefined) {
            report(where, `is already the namespace of ${other}: each add-on needs its own namespace`);
        }
        owners.set(namespace, owner);
    }
}

/** The monitoring add-on's sizing, and tiers scraped by a Prometheus that is not the one the stack installs. */
function checkMonitoring(config: AddonsCheckInput, report: ReportIssue): void {
    const { monitoring } = config.addons;
    if (!monitoring.enabled) {
        return;
    }
    for (const key of ["resources", "prometheusResources"] as const) {
        checkResources(monitoring[key], (field, message) => report(["addons", "monitoring", key, "requests", field], message));
    }
    config.tiers.forEach((tier, i) => {
        if (tier.metrics !== undefined && tier.metrics.scraperNamespace !== monitoring.namespace) {
            report(["tiers", i, "metrics", "scraperNamespace"],
                `must be the monitoring namespace ("${monitoring.namespace}") when addons.monitoring is enabled: only that Prometheus scrapes the tier; remove it or set it to "${monitoring.namespace}"`);
        }
    });
}

function checkResources(sizing: ResourcesSettings, report: (field: string, message: string) => void): void {
    for (const [field, parse] of [["cpu", parseCpu], ["memory", parseBytes]] as const) {
        const request = parse(sizing.requests[field]);
        const limit = parse(sizing.limits[field]);
        if (request !== undefined && limit !== undefined && request > limit) {
            report(field, `must be <= resources.limits.${field} (${sizing.limits[field]})`);
        }
    }
}

/** Seconds of an Argo CD duration such as "10s", "5m" or "1h". */
function seconds(duration: string): number {
    return Number(duration.slice(0, -1)) * { s: 1, m: 60, h: 3600 }[duration.slice(-1) as "s" | "m" | "h"];
}

/** Indexes of the entries that repeat an earlier one. */
function duplicates(values: readonly string[]): number[] {
    return values.flatMap((value, i) => (values.indexOf(value) < i ? [i] : []));
}
