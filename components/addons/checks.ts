import { repeatedIndexes, ReportIssue } from "../fields";
import { highAvailabilityReplicas, profileOf } from "../platform/environment";
import { versions } from "../versions";
import { RepositoryCredentials, repositoryKey } from "./argocd/config";
import { AddonsSettings } from "./config";
import { ChartsSettings } from "./helm-addon/config";
import { alertReceiverSecretKeys, configuredReceivers } from "./monitoring/alertmanager";
import { alertReceivers, alertSeverities } from "./monitoring/config";

/**
 * The checks of `groundwork:addons`, `groundwork:charts` and the add-ons' secret keys that need more
 * than one field: the chart source, production safeguards, settings of an add-on that is switched
 * off, and what one add-on needs from another. Each add-on's own fields and defaults are defined
 * beside it; what the add-ons need from the tiers or the edge is checked in components/config/checks.ts.
 */

export interface AddonsCheckInput {
    environment: string;
    charts: ChartsSettings;
    addons: AddonsSettings;
    cloudflareApiToken?: string;
    alertPagerDutyRoutingKey?: string;
    alertSlackWebhookUrl?: string;
    chartRepositoryPassword?: string;
    argocdRepositoryCredentials?: RepositoryCredentials;
    ciRegistryCredentials?: unknown;
}

export function checkAddons(config: AddonsCheckInput, report: ReportIssue): void {
    checkChartSource(config, report);
    const { addons, environment } = config;
    const { highAvailability } = profileOf(environment);

    checkSwitches(config, report);

    for (const key of ["ingressNginx", "certManager"] as const) {
        const { enabled, replicas } = addons[key];
        if (enabled && highAvailability && replicas !== undefined && replicas < highAvailabilityReplicas) {
            report(["addons", key, "replicas"], `must be at least ${highAvailabilityReplicas} in ${environment} (high availability): raise it or leave it unset`);
        }
    }
    if (addons.argocd.enabled && highAvailability && addons.argocd.highAvailability === false) {
        report(["addons", "argocd", "highAvailability"], `cannot be false in ${environment}: remove it (${environment} runs Argo CD highly available)`);
    }
    checkAlertReceivers(config, report);

    if (addons.certManager.enabled && addons.certManager.dns01Zones.length > 0 && config.cloudflareApiToken === undefined) {
        report(["addons", "certManager", "dns01Zones"],
            "needs a Cloudflare API token for DNS-01: pulumi config set --secret groundwork:cloudflareApiToken <token>, or remove the zones");
    }

    if (addons.argocd.enabled && addons.argocd.applications.length > 0 && config.charts.source === "local") {
        const { name, version } = versions.argoCdRenderedCharts.argocdApps;
        report(["addons", "argocd", "applications"],
            `are the children of an app-of-apps that Argo CD's repo server renders from the chart ${name} ${version}, which it cannot read from a local chart directory: use a "repository" or "oci" chart source that holds it too, or remove the applications`);
    }
    const backoff = addons.argocd.sync.retry.backoff;
    if (seconds(backoff.duration) > seconds(backoff.maxDuration)) {
        report(["addons", "argocd", "sync", "retry", "backoff", "maxDuration"], `must be >= backoff.duration (${backoff.duration}): it caps the growing wait`);
    }
    repeatedIndexes(addons.argocd.applications.map((application) => application.name)).forEach((i) =>
        report(["addons", "argocd", "applications", i, "name"], "is already used by another application: names must be unique"));

    repeatedIndexes(addons.tekton.pipelines.map((pipeline) => pipeline.tier)).forEach((i) =>
        report(["addons", "tekton", "pipelines", i, "tier"], "already has a pipeline: one CI pipeline per tier"));

    // The repository's host and path name its Secret, so two entries for one repository would collide.
    repeatedIndexes((config.argocdRepositoryCredentials ?? []).map((repository) => repositoryKey(repository.url))).forEach((i) =>
        report(["argocdRepositoryCredentials", i, "url"], "names a repository (host and path) that an earlier entry already has: list each repository once"));
}

/**
 * An add-on switched off installs nothing, so whatever configures it is a mistake, and what the
 * other add-ons need from it must come from an existing install: an ingress controller for Argo
 * CD's and the EventListener's hosts, an issuer for their certificates and the webhooks'.
 */
function checkSwitches(config: AddonsCheckInput, report: ReportIssue): void {
    const { ingressNginx, certManager, argocd, tekton, monitoring } = config.addons;
    const unused = (path: (string | number)[], addon: string, why = "") =>
        report(path, `is only used when addons.${addon}.enabled is true${why}: remove it, or enable ${addon}`);
    const hosts = addonHosts(config.addons);

    if (ingressNginx.enabled) {
        if (ingressNginx.existing !== undefined) {
            report(["addons", "ingressNginx", "existing"], "is only used when addons.ingressNginx.enabled is false (Groundwork's controller serves the stack otherwise): remove it, or set enabled to false");
        }
    } else {
        if (ingressNginx.existing === undefined) {
            hosts.forEach(([path, owner]) => report(path, noIngressController(owner, config.addons.ingressClass)));
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
            hosts.forEach(([path, owner]) => report(path, noIssuer(owner, "")));
        }
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

/** A public host served with Groundwork's ingress-nginx off, and no existing controller named. */
export function noIngressController(owner: string, ingressClass: string): string {
    return `needs an ingress controller for ${owner}, and addons.ingressNginx.enabled is false: set addons.ingressNginx.existing.namespace to the existing controller's namespace (it serves addons.ingressClass "${ingressClass}"), or enable ingressNginx`;
}

/** A public host with Groundwork's cert-manager off, and no existing issuer named; `alternative` is another way to a certificate. */
export function noIssuer(owner: string, alternative: string): string {
    return `needs a certificate for ${owner}, and addons.certManager.enabled is false with no existing issuer: set addons.certManager.existing.clusterIssuer to an existing cert-manager's ClusterIssuer, `
        + `${alternative}or enable certManager`;
}

/** The add-ons' own public hosts: Argo CD's and the EventListener's, when those add-ons are on. */
function addonHosts(addons: AddonsSettings): [(string | number)[], string][] {
    const { argocd, tekton } = addons;
    return [
        ...(argocd.enabled && argocd.host !== undefined ? [[["addons", "argocd", "host"], "Argo CD"] as [string[], string]] : []),
        ...(tekton.enabled && tekton.webhookHost !== undefined ? [[["addons", "tekton", "webhookHost"], "the EventListener"] as [string[], string]] : []),
    ];
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

/** The alert receivers against the routes: a receiver with no credential, a credential no route uses, or monitoring off. */
function checkAlertReceivers(config: AddonsCheckInput, report: ReportIssue): void {
    const { monitoring } = config.addons;
    const credentials = { pagerDuty: config.alertPagerDutyRoutingKey, slack: config.alertSlackWebhookUrl };
    if (!monitoring.enabled) {
        alertReceivers.filter((receiver) => credentials[receiver] !== undefined)
            .forEach((receiver) => report([alertReceiverSecretKeys[receiver]], `${monitoringOff} (pulumi config rm groundwork:${alertReceiverSecretKeys[receiver]})`));
        return;
    }
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

/** What a setting that only monitoring reads gets while monitoring is off. */
export const monitoringOff = "has no effect: addons.monitoring.enabled is false, so there is no Prometheus or Alertmanager; enable monitoring or remove it";

/** Seconds of an Argo CD duration such as "10s", "5m" or "1h". */
function seconds(duration: string): number {
    return Number(duration.slice(0, -1)) * { s: 1, m: 60, h: 3600 }[duration.slice(-1) as "s" | "m" | "h"];
}
