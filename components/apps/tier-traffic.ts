import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { AppTierArgs, PublicArgs, TierIngressArgs, TierPeer } from "./tier";
import { TierFacts, tierAppSelector, tierStores } from "./tier-specs";

/**
 * What an app tier lets in and out, as plain resource args: its NetworkPolicy under the namespace's
 * default-deny, and, when public, its Ingress and the ACME solver's NetworkPolicy. AppTier
 * (./tier.ts) registers them.
 */

type NetworkPolicyPeer = k8s.types.input.networking.v1.NetworkPolicyPeer;
type EgressRule = k8s.types.input.networking.v1.NetworkPolicyEgressRule;
type IngressRule = k8s.types.input.networking.v1.NetworkPolicyIngressRule;

/** Where cert-manager's acmesolver listens for the challenge request. */
export const acmeSolverPort = 8089;

/** Pods of a namespace, optionally only those with these labels. */
function namespacePeer(namespace: pulumi.Input<string>, podLabels?: Record<string, string>): NetworkPolicyPeer {
    return {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
        ...(podLabels ? { podSelector: { matchLabels: podLabels } } : {}),
    };
}

/** A tier's app pods (not its scheduled jobs', nor its database's) in the tier's namespace. */
export function tierAppPeer(peer: TierPeer): NetworkPolicyPeer {
    return namespacePeer(peer.namespace, tierAppSelector(peer.tier));
}

/**
 * What the tier's pods may reach. The scheduled jobs reach the stores and the declared external
 * addresses; calls to other tiers are the app's alone, as the callees admit the caller's app pods only.
 */
export function tierEgress(args: Pick<AppTierArgs, "database" | "redis" | "egress" | "callees">): { jobs: EgressRule[]; app: EgressRule[] } {
    const jobs: EgressRule[] = [
        ...tierStores(args).map((store) => ({ to: [store.peer], ports: [{ protocol: "TCP", port: store.port }] })),
        ...args.egress.map((rule) => ({ to: [{ ipBlock: { cidr: rule.cidr } }], ports: rule.ports.map((port) => ({ protocol: "TCP", port })) })),
    ];
    return {
        jobs,
        app: [...jobs, ...args.callees.map((callee) => ({ to: [tierAppPeer(callee)], ports: [{ protocol: "TCP", port: callee.port }] }))],
    };
}

/** Who may reach the app's port (its callers and, when public, the ingress controller) and its metrics port (the scraper). */
export function tierIngressRules(args: Pick<AppTierArgs, "callers" | "public" | "port" | "metrics">, metricsPort: number): IngressRule[] {
    const rules: IngressRule[] = [];
    const callers = args.callers.map(tierAppPeer);
    if (args.public) {
        callers.push(namespacePeer(args.public.ingress.controllerNamespace));
    }
    if (callers.length > 0) {
        rules.push({ from: callers, ports: [{ protocol: "TCP", port: args.port }] });
    }
    if (args.metrics) {
        rules.push({ from: [namespacePeer(args.metrics.scraperNamespace)], ports: [{ protocol: "TCP", port: metricsPort }] });
    }
    return rules;
}

/** The app pods' NetworkPolicy: the ingress of tierIngressRules and the app's egress of tierEgress. */
export function trafficPolicyArgs(args: AppTierArgs, facts: TierFacts, namespace: pulumi.Input<string>): k8s.networking.v1.NetworkPolicyArgs {
    return {
        metadata: { name: `${args.name}-traffic`, namespace, labels: facts.labels },
        spec: {
            podSelector: { matchLabels: facts.selector },
            policyTypes: ["Ingress", "Egress"],
            ingress: tierIngressRules(args, facts.metricsPort),
            egress: tierEgress(args).app,
        },
    };
}

/** The public URLs of the tier's hosts; none for an internal tier. */
export function publicUrls(publicArgs: PublicArgs | undefined): string[] {
    return publicArgs ? publicArgs.hosts.map((host) => `https://${host}`) : [];
}

/**
 * The Secret a public tier serves TLS from: the existing one the ingress names, else `<tier>-tls`,
 * which cert-manager issues from the ClusterIssuer named in the returned annotations.
 */
export function ingressTls(tierName: string, ingress: TierIngressArgs): { secretName: pulumi.Input<string>; issuerAnnotations: Record<string, pulumi.Input<string>> } {
    if (ingress.tlsSecretName === undefined && ingress.clusterIssuer === undefined) {
        throw new Error(`tier "${tierName}" is public but its ingress has neither tlsSecretName nor clusterIssuer: it would serve no TLS certificate`);
    }
    return {
        secretName: ingress.tlsSecretName ?? `${tierName}-tls`,
        issuerAnnotations: ingress.tlsSecretName === undefined && ingress.clusterIssuer !== undefined
            ? { "cert-manager.io/cluster-issuer": ingress.clusterIssuer }
            : {},
    };
}

/**
 * The Ingress' annotations, once their inputs are known: HTTPS only, the tier's request and
 * connection limits, the security headers' ConfigMap (`<namespace>/<name>`), the issuer, then the
 * ingress layer's own, which win.
 */
export function ingressAnnotations(
    publicArgs: Pick<PublicArgs, "requestsPerSecond" | "connections">,
    resolved: { securityHeaders: string; issuer: Record<string, string>; extra: Record<string, string> },
): Record<string, string> {
    return {
        "nginx.ingress.kubernetes.io/ssl-redirect": "true",
        "nginx.ingress.kubernetes.io/limit-rps": String(publicArgs.requestsPerSecond),
        "nginx.ingress.kubernetes.io/limit-connections": String(publicArgs.connections),
        "nginx.ingress.kubernetes.io/custom-headers": resolved.securityHeaders,
        ...resolved.issuer,
        ...resolved.extra,
    };
}

/** Every host and path of a public tier to the Service's "http" port, over TLS from `tlsSecretName`. */
export function ingressSpec(publicArgs: PublicArgs, tlsSecretName: pulumi.Input<string>, serviceName: pulumi.Input<string>): k8s.types.input.networking.v1.IngressSpec {
    return {
        ingressClassName: publicArgs.ingress.className,
        tls: [{ hosts: [...publicArgs.hosts], secretName: tlsSecretName }],
        rules: publicArgs.hosts.map((host) => ({
            host,
            http: {
                paths: publicArgs.paths.map((path) => ({
                    path,
                    pathType: "Prefix",
                    backend: { service: { name: serviceName, port: { name: "http" } } },
                })),
            },
        })),
    };
}

/** Lets the ingress controller reach the solver pods cert-manager starts in the tier's namespace for HTTP-01. */
export function acmeSolverPolicyArgs(args: AppTierArgs, facts: TierFacts, namespace: pulumi.Input<string>, controllerNamespace: pulumi.Input<string>): k8s.networking.v1.NetworkPolicyArgs {
    return {
        metadata: { name: `${args.name}-acme-http01-solver`, namespace, labels: facts.labels },
        spec: {
            podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
            policyTypes: ["Ingress"],
            ingress: [{
                from: [namespacePeer(controllerNamespace)],
                ports: [{ protocol: "TCP", port: acmeSolverPort }],
            }],
        },
    };
}
