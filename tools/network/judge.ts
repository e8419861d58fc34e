/**
 * NetworkPolicy verdicts from a real engine: the toolchain's `netpol-judge`, our Go wrapper around
 * cyclonus' matcher (tools/toolchain/modules/netpol-judge), which reads the NetworkPolicy API as
 * written, without a cluster or a CNI. Machinery for tests and `npm run local`; the program under
 * components/ and policy/ never imports it.
 */
import { runCommand } from "../toolchain/process";
import { ToolchainError } from "../toolchain/recipes";
import { ensureToolchain } from "../toolchain/toolchain";

/**
 * One end of a connection. With a `namespace`, a pod in the cluster: its namespace's labels gain
 * `kubernetes.io/metadata.name: <namespace>`, as the API server adds it to every namespace. Without
 * one, a host outside the cluster, which has no labels. Every peer needs an IP, because ipBlock
 * rules match pods by their IP too.
 */
export interface TrafficPeer {
    namespace?: string;
    namespaceLabels?: Record<string, string>;
    podLabels?: Record<string, string>;
    ip: string;
}

export type TrafficProtocol = "TCP" | "UDP" | "SCTP";

/**
 * A connection from `source` to `destination`'s container port (pod to pod: Services are not
 * modelled). A named port in a policy matches only when the case carries the container port's
 * `portName`. Policy ports without a protocol mean TCP, so DNS needs a UDP case and a TCP case.
 */
export interface TrafficCase {
    /** Unique within a call; the verdict carries it back. */
    name: string;
    source: TrafficPeer;
    destination: TrafficPeer;
    port: number;
    portName?: string;
    protocol: TrafficProtocol;
}

export interface Verdict {
    name: string;
    /** The destination admits the connection (always, for a destination outside the cluster). */
    ingress: boolean;
    /** The source may open it (always, for a source outside the cluster). */
    egress: boolean;
    /** Both directions: the connection works. */
    allowed: boolean;
    /**
     * The policies behind the ingress verdict, as namespace/name: when allowed, those whose rules
     * admit it; when denied, every policy selecting the destination (none admits it). Empty when no
     * policy selects the destination for ingress, which leaves it open.
     */
    ingressPolicies: string[];
    /** The same for egress, from the source's side. */
    egressPolicies: string[];
}

export interface Judgement {
    /** "cyclonus <version>", as the binary reports it. */
    engine: string;
    /** One per case, in the order of the cases. */
    verdicts: Verdict[];
}

export interface NetworkJudge {
    binary: string;
    /** cyclonus' version. */
    version: string;
}

/**
 * Builds (on a cold machine, about a minute on two cores, with the toolchain's progress lines) or
 * reuses the judge, and only it. Throws ToolchainError when it cannot be had here (no Go and no
 * cached build), so callers can skip with the reason; a broken build is a plain Error.
 */
export async function ensureNetworkJudge(progress?: (line: string) => void): Promise<NetworkJudge> {
    const toolchain = await ensureToolchain({ tools: ["netpol-judge"], report: progress });
    const [judge] = toolchain.tools;
    if (!judge.binary) {
        const message = `netpol-judge ${judge.version} is ${judge.state}: ${judge.reason}`;
        throw judge.state === "unavailable" ? new ToolchainError(message) : new Error(message);
    }
    return { binary: judge.binary, version: judge.version };
}

/**
 * The verdicts of `policies` (NetworkPolicy objects as the API returns them, e.g. the rendered
 * manifests) on every case, from one run of the judge. Policies without `policyTypes` get the API
 * server's default. Bad input (a malformed policy, a case without an IP, an unknown protocol) is an
 * Error naming the policy or case and the field.
 */
export async function judgeTraffic(judge: NetworkJudge, policies: readonly object[], cases: readonly TrafficCase[]): Promise<Judgement> {
    const result = await runCommand(judge.binary, [], { input: JSON.stringify({ policies, cases }) });
    if (result.code !== 0) {
        throw new Error(result.stderr.trim() || `netpol-judge exited with ${result.code} and no message`);
    }
    return JSON.parse(result.stdout) as Judgement;
}
