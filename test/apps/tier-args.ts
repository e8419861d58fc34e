import type { StoreClient } from "../../components/data/stateful";
import type { AppTierArgs, PublicArgs, TierIngressArgs } from "../../components/apps/tier";

/**
 * AppTier args for the pure builders' tests: an internal staging Deployment that calls no API, has
 * no stores, metrics, volumes or public hosts, with `overrides` on top.
 */
export function aTierArgs(overrides: Partial<AppTierArgs> = {}): AppTierArgs {
    return {
        name: "web",
        environment: "staging",
        namespace: "web-ns",
        image: "ghcr.io/acme/web:1.0.0",
        port: 3000,
        replicas: 2,
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
        logLevel: "info",
        settings: {},
        secretEnv: [],
        kind: "Deployment",
        volumes: [],
        protect: false,
        cronJobs: [],
        probes: { liveness: "/healthz", readiness: "/readyz", startup: "/startup" },
        writablePaths: ["/tmp"],
        runAsUser: 10001,
        apiAccess: [],
        egress: [],
        callers: [],
        callees: [],
        ...overrides,
    };
}

/** A store as the tier sees it: its credentials Secret `<name>-credentials`, its pods at `port`, admitting `<name>-client` pods. */
export function aStore(name: string, port: number): StoreClient {
    return {
        credentialsSecretName: `${name}-credentials`,
        readyResources: [],
        port,
        peer: { podSelector: { matchLabels: { "app.kubernetes.io/name": name } } },
        podLabels: { [`${name}-client`]: "true" },
    };
}

/** A public tier's hosts, paths and limits, served through `ingress`. */
export function aPublic(ingress: Partial<TierIngressArgs> = {}): PublicArgs {
    return {
        hosts: ["web.example.com", "www.example.com"],
        paths: ["/", "/api"],
        requestsPerSecond: 20,
        connections: 10,
        ingress: { className: "nginx", controllerNamespace: "ingress-nginx", clusterIssuer: "letsencrypt", ...ingress },
    };
}
