/** Baseline: probes and lifecycle hooks target the pod itself (PodSecurity's check_hostProbesAndHostLifecycle). */
import { JsonObject, objectAt, stringAt } from "../fields";
import { PssControl, Report } from "../model";
import { ContainerScan } from "../pod";

/** A probe or lifecycle handler: its name in messages and its path suffixes under the container. */
interface Handler {
    readonly what: string;
    readonly suffix: string;
    readonly actions: readonly (readonly [action: string, actionSuffix: string, hostSuffix: string])[];
}

function handler(what: string): Handler {
    const suffix = `.${what}`;
    return {
        what,
        suffix,
        actions: ["httpGet", "tcpSocket"].map((action) => [action, `${suffix}.${action}`, `${suffix}.${action}.host`] as const),
    };
}

const LIVENESS = handler("livenessProbe");
const READINESS = handler("readinessProbe");
const STARTUP = handler("startupProbe");
const POST_START = handler("lifecycle.postStart");
const PRE_STOP = handler("lifecycle.preStop");

function checkHandler(container: ContainerScan, report: Report, value: JsonObject | undefined, handler: Handler): void {
    if (value === undefined) {
        return;
    }
    for (const [action, actionSuffix, hostSuffix] of handler.actions) {
        const target = objectAt(value[action], container, actionSuffix);
        const host = (target === undefined ? undefined : stringAt(target.host, container, hostSuffix)) ?? "";
        if (host !== "") {
            report.add(
                container.name,
                container.path() + hostSuffix,
                `${container.label()} ${handler.what}.${action} targets host ${JSON.stringify(host)}; remove host so the kubelet connects to the pod itself`,
            );
        }
    }
}

export const hostProbesAndHostLifecycle: PssControl = {
    id: "hostProbesAndHostLifecycle",
    level: "baseline",
    policyName: "pss-host-probes",
    title: "Host Probes / Lifecycle Hooks",
    description: "Probes and lifecycle hooks must not target a host other than the pod itself.",
    severity: "medium",
    versions: [{
        since: 34,
        rule: {
            container: (container, report) => {
                const object = container.object;
                const lifecycle = objectAt(object.lifecycle, container, ".lifecycle");
                const liveness = objectAt(object.livenessProbe, container, LIVENESS.suffix);
                const readiness = objectAt(object.readinessProbe, container, READINESS.suffix);
                const startup = objectAt(object.startupProbe, container, STARTUP.suffix);
                const postStart = lifecycle === undefined ? undefined : objectAt(lifecycle.postStart, container, POST_START.suffix);
                const preStop = lifecycle === undefined ? undefined : objectAt(lifecycle.preStop, container, PRE_STOP.suffix);
                checkHandler(container, report, liveness, LIVENESS);
                checkHandler(container, report, readiness, READINESS);
                checkHandler(container, report, startup, STARTUP);
                checkHandler(container, report, postStart, POST_START);
                checkHandler(container, report, preStop, PRE_STOP);
            },
        },
    }],
};
