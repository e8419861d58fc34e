import { AlertReceiver, alertSeverities, MonitoringSettings } from "./config";

type Severity = typeof alertSeverities[number];

/** The secret config key holding each receiver's credential (components/config lists it among its secret keys). */
export const alertReceiverSecretKeys = {
    pagerDuty: "alertPagerDutyRoutingKey",
    slack: "alertSlackWebhookUrl",
} as const satisfies Record<AlertReceiver, string>;

/** The key each credential has in the receivers' Secret, which Alertmanager mounts and reads by file. */
const secretFileKeys = { pagerDuty: "pagerduty-routing-key", slack: "slack-webhook-url" } as const satisfies Record<AlertReceiver, string>;

/** Name of the Secret holding the receivers' credentials in the monitoring namespace. */
export const alertReceiversSecretName = "alertmanager-receivers";

/** The receiver Alertmanager's root route sends to when nothing else matches: it notifies no one. */
export const silentReceiver = "null";

/** The receivers whose credential is set. */
export function configuredReceivers(credentials: Readonly<Partial<Record<AlertReceiver, unknown>>>): Record<AlertReceiver, boolean> {
    return { pagerDuty: credentials.pagerDuty !== undefined, slack: credentials.slack !== undefined };
}

/**
 * The receivers of each severity: the configured routes (validation makes sure each named receiver
 * has its credential), or, without any, critical alerts to PagerDuty (to Slack when only Slack is
 * set) and warnings to Slack.
 */
export function alertRoutes(
    alertmanager: MonitoringSettings["alertmanager"],
    credentials: Readonly<Partial<Record<AlertReceiver, unknown>>>,
): Record<Severity, readonly AlertReceiver[]> {
    if (alertmanager.routes !== undefined) {
        return { critical: alertmanager.routes.critical ?? [], warning: alertmanager.routes.warning ?? [] };
    }
    const configured = configuredReceivers(credentials);
    return {
        critical: configured.pagerDuty ? ["pagerDuty"] : configured.slack ? ["slack"] : [],
        warning: configured.slack ? ["slack"] : [],
    };
}

/**
 * kube-prometheus-stack's `alertmanager.config`: one route and receiver per severity that has
 * receivers, everything else (Watchdog, info, unrouted severities) to a receiver that notifies no
 * one. Credentials are never in it: each receiver reads its webhook URL or routing key from a file
 * of the receivers' Secret, which Alertmanager mounts (alertmanagerSpec.secrets) at
 * /etc/alertmanager/secrets/<secret>/<key>.
 */
export function alertmanagerConfig(routes: Readonly<Record<Severity, readonly AlertReceiver[]>>, slackChannel: string | undefined): Record<string, unknown> {
    const file = (receiver: AlertReceiver) => `/etc/alertmanager/secrets/${alertReceiversSecretName}/${secretFileKeys[receiver]}`;
    const routed = alertSeverities.filter((severity) => routes[severity].length > 0);
    return {
        route: {
            receiver: silentReceiver,
            group_by: ["namespace", "alertname"],
            group_wait: "30s",
            group_interval: "5m",
            repeat_interval: "12h",
            routes: routed.map((severity) => ({ receiver: severity, matchers: [`severity = "${severity}"`] })),
        },
        receivers: [
            { name: silentReceiver },
            ...routed.map((severity) => ({
                name: severity,
                ...(routes[severity].includes("pagerDuty") ? { pagerduty_configs: [{ routing_key_file: file("pagerDuty"), send_resolved: true }] } : {}),
                ...(routes[severity].includes("slack")
                    ? { slack_configs: [{ api_url_file: file("slack"), send_resolved: true, ...(slackChannel === undefined ? {} : { channel: slackChannel }) }] }
                    : {}),
            })),
        ],
    };
}

/** The receivers' Secret data by its file keys, for the receivers that have credentials. */
export function receiverSecretData(credentials: Readonly<Partial<Record<AlertReceiver, string>>>): Record<string, string> {
    return Object.fromEntries(Object.entries(credentials).flatMap(([receiver, value]) =>
        value === undefined ? [] : [[secretFileKeys[receiver as AlertReceiver], value]]));
}
