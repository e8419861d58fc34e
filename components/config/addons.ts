import { AddonsSettings } from "../addons/config";
import { RepositoryCredentials, repositoryKey } from "../addons/argocd/config";
import { ClusterIssuerName } from "../addons/cert-manager/config";
import { alertReceiverSecretKeys, configuredReceivers } from "../addons/monitoring/alertmanager";
import { alertReceivers, alertSeverities } from "../addons/monitoring/config";
import { ChartsSettings } from "../addons/helm-addon/config";
import { checkRepositoryTekton } from "../addons/tekton/repository-config";
import { ReportIssue } from "../fields";
import { profileOf } from "../platform/environment";
import { versions } from "../versions";

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
    config: {
        edge?: { enabled: boolean };
        addons: { defaultIssuer: ClusterIssuerName; certManager: { enabled: boolean; dns01Zones: readonly string[]; existing?: { http01: boolean } } };
    },
    tier: { public?: { hosts: readonly string[] } },
): boolean {
    if (tier.public === undefined || config.edge?.enabled === true) {
        return false;
    }
    // An existing cert-manager's issuer is declared by the stack, which knows whether it answers HTTP-01.
    if (!config.addons.certManager.enabled) {
        return config.addons.certManager.existing?.http01 ?? false;
    }
    if (!acmeIssuers.has(config.addons.defaultIssuer)) {
        return false;
    }
    const zones = config.addons.certManager.dns01Zones;
    return tier.public.hosts.some((host) => !zones.some((zone) => host === zone || host.endsWith(`.${zone}`)));
}

interface AddonsCheckInput {
    environment: string;
    charts: ChartsSettings;
    addons: AddonsSettings;
    tiers: readonly {
        name: string;
        namespace?: string;
        public?: unknown;
        metrics?: { scraperNamespace: string; latencyHistogram?: string };
        hpa?: unknown;
        database?: unknown;
        alerts?: Readonly<Record<string, unknown>>;
        certificates?: readonly unknown[];
        secrets?: readonly string[];
    }[];
    cloudflareApiToken?: string;
    alertPagerDutyRoutingKey?: string;
    alertSlackWebhookUrl?: string;
    chartRepositoryPassword?: string;
    argocdRepositoryCredentials?: RepositoryCredentials;
    ciRegistryCredentials?: unknown;
    edge?: { enabled: boolean; authenticatedOriginPulls?: boolean };
}

export function checkAddons(config: AddonsCheckInput, report: ReportIssue): void {
    checkChartSource(config, report);
    const { addons, environment } = config;
    const { highAvailability } = profileOf(environment);

    checkSwitches(config, report);

    for (const key of ["ingressNginx", "certManager"] as const) {
        const { enabled, replicas } = addons[key];
        if (enabled && highAvailability && replicas !== undefined && replicas < 2) {
            report(["addons", key, "replicas"], `must be at least 2 in ${environment} (high availability): raise it or leave it unset`);
        }
    }
    if (addons.argocd.enabled && highAvailability && addons.argocd.highAvailability === false) {
        report(["addons", "argocd", "highAvailability"], `cannot be false in ${environment}: remove it (${environment} runs Argo CD highly available)`);
    }
    checkMonitoring(config, report);

    checkNamespaces(config, report);

    if (addons.certManager.enabled && addons.certManager.dns01Zones.length > 0 && config.cloudflareApiToken === undefined) {
        report(["addons", "certManager", "dns01Zones"],
            "needs a Cloudflare API token for DNS-01: pulumi config set --secret groundwork:cloudflareApiToken <token>, or remove the zones");
    }
    if (addons.ingressNginx.enabled && addons.ingressNginx.cloudflare.verifyOriginPull && config.edge?.enabled !== true) {
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
    if (addons.argocd.enabled && addons.argocd.applications.length > 0 && config.charts.source === "local") {
        const { name, version } = versions.argoCdRenderedCharts.argocdApps;
        report(["addons", "argocd", "applications"],
            `are the children of an app-of-apps that Argo CD's repo server renders from the chart ${name} ${version}, which it cannot read from a local chart directory: use a "repository" or "oci" chart source that holds it too, or remove the applications`);
    }
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

/**
 * An add-on switched off installs nothing, so whatever configures it is a mistake, and what the
 * rest of the stack needs from it must come from an existing install: an ingress controller for
 * public hosts, an issuer for certificates.
 */
function checkSwitches(config: AddonsCheckInput, report: ReportIssue): void {
    const { ingressNginx, certManager, argocd, tekton, monitoring } = config.addons;
    const unused = (path: (string | number)[], addon: string, why = "") =>
        report(path, `is only used when addons.${addon}.enabled is true${why}: remove it, or enable ${addon}`);

    // Public hosts: every public tier, and Argo CD's and the EventListener's hosts when those add-ons are on.
    const hosts: [(string | number)[], string][] = [
        ...config.tiers.flatMap((tier, i): [(string | number)[], string][] => (tier.public === undefined ? [] : [[["tiers", i, "public"], `tier "${tier.name}"`]])),
        ...(argocd.enabled && argocd.host !== undefined ? [[["addons", "argocd", "host"], "Argo CD"] as [string[], string]] : []),
        ...(tekton.enabled && tekton.webhookHost !== undefined ? [[["addons", "tekton", "webhookHost"], "the EventListener"] as [string[], string]] : []),
    ];

    if (ingressNginx.enabled) {
        if (ingressNginx.existing !== undefined) {
            report(["addons", "ingressNginx", "existing"], "is only used when addons.ingressNginx.enabled is false (Groundwork's controller serves the stack otherwise): remove it, or set enabled to false");
        }
    } else {
        if (ingressNginx.existing === undefined) {
            for (const [path, owner] of hosts) {
                report(path, `needs an ingress controller for ${owner}, and addons.ingressNginx.enabled is false: set addons.ingressNginx.existing.namespace to the existing controller's namespace (it serves addons.ingressClass "${config.addons.ingressClass}"), or enable ingressNginx`);
            }
        } else if (config.edge?.enabled === true && ingressNginx.existing.loadBalancerAddress === undefined) {
            report(["addons", "ingressNginx", "existing"],
                "needs loadBalancerAddress when the edge is on: the edge's DNS records point at the existing controller's load balancer (set its IP or hostname)");
        }
        if (config.edge?.enabled === true && config.edge.authenticatedOriginPulls === true) {
            report(["edge", "authenticatedOriginPulls"],
                "needs Groundwork's ingress-nginx (the origin-pull CA goes into the controller's namespace and the check is an ingress-nginx annotation), and addons.ingressNginx.enabled is false: set it to false, or enable ingressNginx");
        }
        if (ingressNginx.cloudflare.verifyOriginPull) {
            unused(["addons", "ingressNginx", "cloudflare", "verifyOriginPull"], "ingressNginx");
        }
        if (ingressNginx.replicas !== undefined) {
            unused(["addons", "ingressNginx", "replicas"], "ingressNginx");
        }
    }

    if (certManager.enabled) {
        if (certManager.existing !== undefined) {
            report(["addons", "certManager", "existing"], "is only used when addons.certManager.enabled is false (Groundwork's issuers serve the stack otherwise): remove it, or set enabled to false");
        }
    } else {
        if (certManager.existing === undefined) {
            for (const [path, owner] of hosts.filter(([path]) => path[0] !== "tiers" || config.edge?.enabled !== true)) {
                report(path, `needs a certificate for ${owner}, and addons.certManager.enabled is false with no existing issuer: set addons.certManager.existing.clusterIssuer to an existing cert-manager's ClusterIssuer, `
                    + `${path[0] === "tiers" ? "enable the edge (its origin certificate), " : ""}or enable certManager`);
            }
        }
        config.tiers.forEach((tier, i) => {
            if ((tier.certificates?.length ?? 0) > 0) {
                report(["tiers", i, "certificates"], "need Groundwork's internal CA (ClusterIssuer internal-ca), and addons.certManager.enabled is false: remove them, or enable certManager");
            }
        });
        for (const [key, enabled] of [["ingressNginx", ingressNginx.enabled], ["monitoring", monitoring.enabled]] as const) {
            if (enabled) {
                report(["addons", "certManager", "enabled"],
                    `cannot be false while addons.${key}.enabled is true: Groundwork's cert-manager issues ${key}'s admission webhook certificate; set addons.${key}.enabled to false, or enable certManager`);
            }
        }
        for (const key of ["acmeEmail", "replicas"] as const) {
            if (certManager[key] !== undefined) {
                unused(["addons", "certManager", key], "certManager");
            }
        }
        if (certManager.dns01Zones.length > 0) {
            unused(["addons", "certManager", "dns01Zones"], "certManager");
        }
    }

    if (!argocd.enabled) {
        for (const key of ["applications", "sourceRepositories"] as const) {
            if (argocd[key].length > 0) {
                unused(["addons", "argocd", key], "argocd", " (no Argo CD, no Applications)");
            }
        }
        for (const key of ["host", "highAvailability"] as const) {
            if (argocd[key] !== undefined) {
                unused(["addons", "argocd", key], "argocd");
            }
        }
        if (config.argocdRepositoryCredentials !== undefined) {
            unused(["argocdRepositoryCredentials"], "argocd", " (run `pulumi config rm groundwork:argocdRepositoryCredentials`)");
        }
    }

    if (!tekton.enabled) {
        for (const key of ["pipelines", "manifests", "webhooks"] as const) {
            if (tekton[key].length > 0) {
                unused(["addons", "tekton", key], "tekton", " (no Tekton, no pipelines)");
            }
        }
        if (tekton.webhookHost !== undefined) {
            unused(["addons", "tekton", "webhookHost"], "tekton");
        }
        if (config.ciRegistryCredentials !== undefined) {
            unused(["ciRegistryCredentials"], "tekton", " (run `pulumi config rm groundwork:ciRegistryCredentials`)");
        }
    }
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
    const when = (enabled: boolean, namespaces: [string[], string, string][]) => (enabled ? namespaces : []);
    const addonNamespaces: [string[], string, string][] = [
        ...when(addons.ingressNginx.enabled, [[["addons", "ingressNginx", "namespace"], addons.ingressNginx.namespace, "ingress-nginx"]]),
        ...when(addons.certManager.enabled, [[["addons", "certManager", "namespace"], addons.certManager.namespace, "cert-manager"]]),
        ...when(addons.argocd.enabled, [[["addons", "argocd", "namespace"], addons.argocd.namespace, "Argo CD"]]),
        ...when(addons.tekton.enabled, [
            [["addons", "tekton", "operatorNamespace"], addons.tekton.operatorNamespace, "the Tekton operator"],
            [["addons", "tekton", "pipelinesNamespace"], addons.tekton.pipelinesNamespace, "Tekton Pipelines"],
            [["addons", "tekton", "ciNamespace"], addons.tekton.ciNamespace, "the CI pipelines"],
        ]),
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

/**
 * Per-tier alert settings by the alert they tune, and what the tier must have to get that alert: an
 * override of an alert the tier does not get would silently do nothing.
 */
const alertNeeds: readonly { keys: readonly string[]; alert: string; lacks: (tier: AddonsCheckInput["tiers"][number]) => string | undefined }[] = [
    { keys: ["errorRatePercent", "errorRateFor"], alert: "TierHighErrorRate", lacks: (tier) => (tier.metrics ? undefined : "metrics") },
    { keys: ["latencyP95Seconds", "latencyFor"], alert: "TierHighLatency", lacks: (tier) => (tier.metrics?.latencyHistogram ? undefined : "metrics.latencyHistogram") },
    { keys: ["databaseDownFor", "backupMaxAgeHours"], alert: "TierDatabaseDown or TierBackupMissing", lacks: (tier) => (tier.database ? undefined : "database") },
    { keys: ["hpaMaxedMinutes"], alert: "TierAutoscalerMaxed", lacks: (tier) => (tier.hpa ? undefined : "hpa") },
];

/**
 * Tiers scraped by a Prometheus that is not the one the stack installs, the tiers' alert overrides,
 * and the alert receivers against the routes.
 */
function checkMonitoring(config: AddonsCheckInput, report: ReportIssue): void {
    const { monitoring } = config.addons;
    const credentials = { pagerDuty: config.alertPagerDutyRoutingKey, slack: config.alertSlackWebhookUrl };
    if (!monitoring.enabled) {
        const unused = "has no effect: addons.monitoring.enabled is false, so there is no Prometheus or Alertmanager; enable monitoring or remove it";
        config.tiers.forEach((tier, i) => {
            if (tier.alerts !== undefined) {
                report(["tiers", i, "alerts"], unused);
            }
        });
        alertReceivers.filter((receiver) => credentials[receiver] !== undefined)
            .forEach((receiver) => report([alertReceiverSecretKeys[receiver]], `${unused} (pulumi config rm groundwork:${alertReceiverSecretKeys[receiver]})`));
        return;
    }
    config.tiers.forEach((tier, i) => {
        if (tier.metrics !== undefined && tier.metrics.scraperNamespace !== monitoring.namespace) {
            report(["tiers", i, "metrics", "scraperNamespace"],
                `must be the monitoring namespace ("${monitoring.namespace}") when addons.monitoring is enabled: only that Prometheus scrapes the tier; remove it or set it to "${monitoring.namespace}"`);
        }
        for (const { keys, alert, lacks } of alertNeeds) {
            const missing = lacks(tier);
            keys.filter((key) => tier.alerts?.[key] !== undefined && missing !== undefined).forEach((key) =>
                report(["tiers", i, "alerts", key], `is set, but the tier has no ${missing}, so it gets no ${alert} alert: set ${missing} or remove it`));
        }
    });

    const configured = configuredReceivers(credentials);
    const routes = monitoring.alertmanager.routes;
    for (const severity of alertSeverities) {
        routes?.[severity]?.forEach((receiver, r) => {
            if (!configured[receiver]) {
                report(["addons", "monitoring", "alertmanager", "routes", severity, r],
                    `routes ${severity} alerts to ${receiver}, whose credential is not set: run \`pulumi config set --secret groundwork:${alertReceiverSecretKeys[receiver]} <value>\``);
            }
        });
    }
    if (routes !== undefined) {
        alertReceivers.filter((receiver) => configured[receiver] && !alertSeverities.some((severity) => routes[severity]?.includes(receiver))).forEach((receiver) =>
            report([alertReceiverSecretKeys[receiver]],
                `is set, but no severity in addons.monitoring.alertmanager.routes goes to ${receiver}: add it to a route or run \`pulumi config rm groundwork:${alertReceiverSecretKeys[receiver]}\``));
    }
    if (monitoring.alertmanager.slackChannel !== undefined && !configured.slack) {
        report(["addons", "monitoring", "alertmanager", "slackChannel"],
            `needs a Slack webhook: run \`pulumi config set --secret groundwork:${alertReceiverSecretKeys.slack} <webhook URL>\`, or remove it`);
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
