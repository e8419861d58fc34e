/**
 * A stack's NetworkPolicies judged by a real NetworkPolicy engine against the traffic the stack
 * declares and the traffic it must keep closed: the check `npm test` runs on every stack file and
 * example, and the `network:` line of `npm run local`.
 */
import type { PlatformConfig } from "../../components/config";
import { judgeTraffic, NetworkJudge, TrafficCase, Verdict } from "./judge";
import { Manifest, trafficMatrix } from "./matrix";

export interface NetworkReport {
    /** The engine that judged, e.g. "cyclonus 0.5.6". */
    engine: string;
    declared: number;
    allowed: number;
    probed: number;
    denied: number;
    /** One line per wrong verdict, naming the path and the policies behind it. */
    problems: string[];
}

export async function checkNetwork(judge: NetworkJudge, config: PlatformConfig, manifests: readonly Manifest[]): Promise<NetworkReport> {
    const { declared, undeclared } = trafficMatrix(config, manifests);
    const policies = manifests.filter((manifest) => manifest.kind === "NetworkPolicy");
    const { engine, verdicts } = await judgeTraffic(judge, policies, [...declared, ...undeclared]);
    const byName = new Map(verdicts.map((verdict) => [verdict.name, verdict]));
    const verdictOf = (trafficCase: TrafficCase): Verdict => {
        const verdict = byName.get(trafficCase.name);
        if (!verdict) {
            throw new Error(`${engine} returned no verdict for "${trafficCase.name}"`);
        }
        return verdict;
    };
    const blocked = declared.filter((trafficCase) => !verdictOf(trafficCase).allowed);
    const open = undeclared.filter((trafficCase) => verdictOf(trafficCase).allowed);
    return {
        engine,
        declared: declared.length,
        allowed: declared.length - blocked.length,
        probed: undeclared.length,
        denied: undeclared.length - open.length,
        problems: [
            ...blocked.map((trafficCase) => `declared path ${trafficCase.name} is denied: ${explain(verdictOf(trafficCase))}`),
            ...open.map((trafficCase) => `undeclared path ${trafficCase.name} is allowed: ${explain(verdictOf(trafficCase))}`),
        ],
    };
}

/** The summary line: `network: 40/40 declared paths allowed, 31/31 undeclared paths denied (cyclonus 0.5.6)`. */
export function networkLine(report: NetworkReport): string {
    return `network: ${report.allowed}/${report.declared} declared paths allowed, ${report.denied}/${report.probed} undeclared paths denied (${report.engine})`;
}

function explain(verdict: Verdict): string {
    const side = (direction: string, allowed: boolean, policies: readonly string[]) =>
        `${direction} ${allowed ? "allowed" : "denied"}${policies.length > 0 ? ` by ${policies.join(", ")}` : " (no policy selects the pod)"}`;
    return `${side("egress", verdict.egress, verdict.egressPolicies)}; ${side("ingress", verdict.ingress, verdict.ingressPolicies)}`;
}
