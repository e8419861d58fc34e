import { monitoringOff, noIngressController, noIssuer } from "../addons/checks";
import { AddonsSettings } from "../addons/config";
import { checkRepositoryTekton } from "../addons/tekton/repository-config";
import { tierUnitBudget } from "../apps/unit-budget";
import { TierConfig } from "../apps/config";
import { EdgeConfig } from "../edge/config";
import { ReportIssue } from "../fields";
import { quotaShortfalls } from "../platform/sizing";
import type { ResolvedPlatformConfig, ResolvedTier } from "./resolve";

/**
 * The checks that span features: what the tiers need from the add-ons, the edge and the shared
 * Redis, and what they must not share with them. Each feature's own checks live beside its schema
 * (components/apps/checks.ts, components/addons/checks.ts, components/edge/checks.ts).
 */

/**
 * `written` is the config as the stack file sets it, for the checks of a setting that has no
 * effect: resolution fills the tiers' alerts from the stack's.
 */
export function checkAcrossFeatures(config: ResolvedPlatformConfig, written: { tiers: readonly Pick<TierConfig, "alerts">[] }, report: ReportIssue): void {
    checkPublicTiers(config, report);
    checkMonitoredTiers(config, written, report);
    checkNamespaces(config, report);
    checkEdgeHosts(config.edge, config.tiers, report);

    config.tiers.forEach((tier, i) => {
        if (tier.redis && !config.redis) {
            report(["tiers", i, "redis"], "is true but groundwork:redis is not configured: add groundwork:redis.storage or set this to false");
        }
    });

    const { addons } = config;
    const tierNames = config.tiers.map((tier) => tier.name);
    const tierNamespaces = config.tiers.map((tier) => tier.namespace);
    addons.argocd.applications.forEach((application, i) => {
        if (!tierNamespaces.includes(application.namespace)) {
            report(["addons", "argocd", "applications", i, "namespace"],
                `names no tier namespace (known: ${tierNamespaces.join(", ")}): Argo CD deploys only into namespaces Groundwork guards`);
        }
    });
    checkRepositoryTekton(addons.tekton, config.tiers, (path, message) => report(["addons", "tekton", ...path], message));
    addons.tekton.pipelines.forEach((pipeline, i) => {
        if (!tierNames.includes(pipeline.tier)) {
            report(["addons", "tekton", "pipelines", i, "tier"], `names no configured tier (known: ${tierNames.join(", ")})`);
        }
    });
}

/**
 * The public tiers against the ingress layer and the certificates: with Groundwork's ingress-nginx
 * or cert-manager off, an existing install must serve them, and the edge and the controller must fit.
 */
function checkPublicTiers(config: ResolvedPlatformConfig, report: ReportIssue): void {
    const { ingressNginx, certManager } = config.addons;
    const edgeOn = config.edge.enabled;
    const publicTiers = config.tiers.flatMap((tier, i): [(string | number)[], string][] => (tier.public === undefined ? [] : [[["tiers", i, "public"], `tier "${tier.name}"`]]));
    if (!ingressNginx.enabled) {
        if (ingressNginx.existing === undefined) {
            publicTiers.forEach(([path, owner]) => report(path, noIngressController(owner, config.addons.ingressClass)));
        } else if (edgeOn && ingressNginx.existing.loadBalancerAddress === undefined) {
            report(["addons", "ingressNginx", "existing"],
                "needs loadBalancerAddress when the edge is on: the edge's DNS records point at the existing controller's load balancer (set its IP or hostname)");
        }
        if (config.edge.enabled && config.edge.authenticatedOriginPulls) {
            report(["edge", "authenticatedOriginPulls"],
                "needs Groundwork's ingress-nginx (the origin-pull CA goes into the controller's namespace and the check is an ingress-nginx annotation), and addons.ingressNginx.enabled is false: set it to false, or enable ingressNginx");
        }
    } else if (ingressNginx.cloudflare.verifyOriginPull && !edgeOn) {
        report(["addons", "ingressNginx", "cloudflare", "verifyOriginPull"],
            "needs the Cloudflare edge (groundwork:edge.enabled true), which supplies the origin-pull CA: enable the edge or set this to false");
    }
    if (!certManager.enabled) {
        // With the edge on, a public tier presents the edge's origin certificate.
        if (certManager.existing === undefined && !edgeOn) {
            publicTiers.forEach(([path, owner]) => report(path, noIssuer(owner, "enable the edge (its origin certificate), ")));
        }
        config.tiers.forEach((tier, i) => {
            if (tier.certificates.length > 0) {
                report(["tiers", i, "certificates"], "need Groundwork's internal CA (ClusterIssuer internal-ca), and addons.certManager.enabled is false: remove them, or enable certManager");
            }
        });
    }
}

/**
 * Per-tier alert settings by the alert they tune, and what the tier must have to get that alert: an
 * override of an alert the tier does not get would silently do nothing.
 */
const alertNeeds: readonly { keys: readonly string[]; alert: string; lacks: (tier: ResolvedTier) => string | undefined }[] = [
    { keys: ["errorRatePercent", "errorRateFor"], alert: "TierHighErrorRate", lacks: (tier) => (tier.metrics ? undefined : "metrics") },
    { keys: ["latencyP95Seconds", "latencyFor"], alert: "TierHighLatency", lacks: (tier) => (tier.metrics?.latencyHistogram ? undefined : "metrics.latencyHistogram") },
    { keys: ["databaseDownFor", "backupMaxAgeHours"], alert: "TierDatabaseDown or TierBackupMissing", lacks: (tier) => (tier.database ? undefined : "database") },
    { keys: ["hpaMaxedMinutes"], alert: "TierAutoscalerMaxed", lacks: (tier) => (tier.hpa ? undefined : "hpa") },
];

/** Tiers scraped by a Prometheus that is not the one the stack installs, and the tiers' own alerts and alert overrides. */
function checkMonitoredTiers(config: ResolvedPlatformConfig, written: { tiers: readonly Pick<TierConfig, "alerts">[] }, report: ReportIssue): void {
    const { monitoring } = config.addons;
    config.tiers.forEach((tier, i) => {
        const alerts: Readonly<Record<string, unknown>> | undefined = written.tiers[i].alerts;
        if (!monitoring.enabled) {
            if (alerts !== undefined) {
                report(["tiers", i, "alerts"], monitoringOff);
            }
            if (tier.alertRules.length > 0) {
                report(["tiers", i, "alertRules"], "need the monitoring add-on, or no Prometheus loads them: set groundwork:addons.monitoring.enabled: true");
            }
            return;
        }
        if (tier.metrics !== undefined && tier.metrics.scraperNamespace !== monitoring.namespace) {
            report(["tiers", i, "metrics", "scraperNamespace"],
                `must be the monitoring namespace ("${monitoring.namespace}") when addons.monitoring is enabled: only that Prometheus scrapes the tier; remove it or set it to "${monitoring.namespace}"`);
        }
        for (const { keys, alert, lacks } of alertNeeds) {
            const missing = lacks(tier);
            keys.filter((key) => alerts?.[key] !== undefined && missing !== undefined).forEach((key) =>
                report(["tiers", i, "alerts", key], `is set, but the tier has no ${missing}, so it gets no ${alert} alert: set ${missing} or remove it`));
        }
    });
}

/** Every namespace belongs to one tier, one add-on or the shared Redis. */
function checkNamespaces(config: ResolvedPlatformConfig, report: ReportIssue): void {
    const owners = new Map<string, string>(config.tiers.map((tier) => [tier.namespace, `tier "${tier.name}"`]));
    for (const [where, namespace, owner] of addonNamespaces(config.addons)) {
        const other = owners.get(namespace);
        if (other !== undefined) {
            report(where, `is already the namespace of ${other}: each add-on needs its own namespace`);
        }
        owners.set(namespace, owner);
    }
    const redisNamespaceOwner = config.redis && config.tiers.find((tier) => tier.namespace === config.redis!.namespace);
    if (redisNamespaceOwner) {
        report(["redis", "namespace"], `is the namespace of tier "${redisNamespaceOwner.name}": Redis needs its own namespace`);
    }
}

/** The namespaces of the add-ons that are on, with their keys and what they hold. */
function addonNamespaces(addons: AddonsSettings): [string[], string, string][] {
    const when = (enabled: boolean, namespaces: [string[], string, string][]) => (enabled ? namespaces : []);
    return [
        ...when(addons.ingressNginx.enabled, [[["addons", "ingressNginx", "namespace"], addons.ingressNginx.namespace, "ingress-nginx"]]),
        ...when(addons.certManager.enabled, [[["addons", "certManager", "namespace"], addons.certManager.namespace, "cert-manager"]]),
        ...when(addons.argocd.enabled, [[["addons", "argocd", "namespace"], addons.argocd.namespace, "Argo CD"]]),
        ...when(addons.tekton.enabled, [
            [["addons", "tekton", "operatorNamespace"], addons.tekton.operatorNamespace, "the Tekton operator"],
            [["addons", "tekton", "pipelinesNamespace"], addons.tekton.pipelinesNamespace, "Tekton Pipelines"],
            [["addons", "tekton", "ciNamespace"], addons.tekton.ciNamespace, "the CI pipelines"],
        ]),
        ...when(addons.monitoring.enabled, [
            [["addons", "monitoring", "namespace"], addons.monitoring.namespace, "monitoring"],
            [["addons", "monitoring", "nodeExporterNamespace"], addons.monitoring.nodeExporterNamespace, "node-exporter"],
        ]),
    ];
}

/** Whether `host` is the zone apex or lies below it. */
function hostInZone(host: string, zone: string): boolean {
    const bare = host.startsWith("*.") ? host.slice(2) : host;
    return bare === zone || bare.endsWith(`.${zone}`);
}

/** The tiers' public hosts against the edge's zone and its origin certificate. */
function checkEdgeHosts(edge: EdgeConfig, tiers: readonly ResolvedTier[], report: ReportIssue): void {
    if (!edge.enabled) {
        return;
    }
    tiers.forEach((tier, i) => tier.public?.hosts.forEach((host, h) => {
        if (!hostInZone(host, edge.zone.name)) {
            report(["tiers", i, "public", "hosts", h],
                `is not in the Cloudflare zone ${edge.zone.name} (groundwork:edge.zone.name): use a host below it or put this stack in the zone that holds ${host}`);
        }
    }));
    const hosts = new Set(tiers.flatMap((tier) => tier.public?.hosts ?? []));
    if (hosts.size === 0 && !edge.zoneOwner) {
        report(["edge", "enabled"], "is true but no tier has public.hosts and this stack does not own the zone, so the edge would do nothing: set edge.enabled to false");
    }
    if (hosts.size > 200) {
        report(["tiers"], `list ${hosts.size} public hosts; a Cloudflare origin certificate covers at most 200`);
    }
}

/**
 * An explicit quota must hold the tier's namespace at its peak; it may add headroom. The peak
 * depends on the resolved tier (replicas, the ACME solver) and on every quantity being valid, so
 * this runs only on a config with no other problem.
 */
export function checkQuotas(config: ResolvedPlatformConfig, report: ReportIssue): void {
    const { backups, addons: { monitoring } } = config;
    const metricsScraperNamespace = monitoring.enabled ? monitoring.namespace : undefined;
    config.tiers.forEach((tier, i) => {
        const { quota } = tier;
        if (quota === undefined) {
            return;
        }
        const peak = tierUnitBudget({ app: tier, database: tier.database && { ...tier.database, backups, metricsScraperNamespace } });
        quotaShortfalls(quota, peak).forEach(({ field, needed }) => report(["tiers", i, "quota", field], `is below what the namespace needs `
            + `at peak (${needed}: max replicas plus rolling-update surge, volumes, scheduled jobs, database with any exporter, backup and any ACME HTTP-01 solver); raise it or remove quota to derive it`));
    });
}
