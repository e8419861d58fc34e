import * as pulumi from "@pulumi/pulumi";
import { PlatformAddons } from "./addons";
import { AppTier } from "./apps/tier";
import { loadPlatformConfig, Tier } from "./config";
import { answersHttp01 } from "./config/addons";
import { tierBudget, tierNamespaceBudget } from "./config/sizing";
import { Postgres } from "./data/postgres";
import { Redis } from "./data/redis";
import { Edge } from "./edge";
import { clusterProvider } from "./platform/cluster";
import { GuardedNamespace } from "./platform/namespace";

/**
 * The whole platform of one stack: validates the stack config, then registers every resource,
 * and returns the stack outputs. `index.ts` runs it for `pulumi up` users; `npm run local` and
 * the engine tests run the same function as an Automation API inline program.
 */
export function platform() {
    // Validation comes first: a bad config fails here, before any resource is registered.
    const config = loadPlatformConfig();
    const provider = clusterProvider(config.cluster);
    const inCluster = { provider };
    const storageClassOf = (explicit?: string) => explicit ?? config.storageClass;

    const addons = new PlatformAddons("addons", { config }, inCluster);

    // Tiers whose certificate cert-manager proves over HTTP-01: their namespace hosts its solver pod.
    const http01Tiers = new Set(config.tiers.filter((tier) => answersHttp01(config, tier)).map((tier) => tier.name));

    const tierNamespaces = new Map<string, GuardedNamespace>(config.tiers.map((tier) => [tier.name, new GuardedNamespace(tier.namespace, {
        name: tier.namespace,
        environment: config.environment,
        podSecurityLevel: "restricted",
        podSecurityVersion: config.podSecurityVersion,
        budget: tierNamespaceBudget(tier, { backupStorage: config.backups.storage, http01Solver: http01Tiers.has(tier.name) }),
        containerDefaults: tier.resources,
    }, inCluster)]));
    const namespaceOf = (tier: Tier) => tierNamespaces.get(tier.name)!;

    const redisClients = config.tiers.filter((tier) => tier.redis);
    const redis = config.redis && redisClients.length > 0 ? (() => {
        const redisConfig = config.redis;
        const namespace = new GuardedNamespace(redisConfig.namespace, {
            name: redisConfig.namespace,
            environment: config.environment,
            podSecurityLevel: "restricted",
            podSecurityVersion: config.podSecurityVersion,
            budget: tierBudget({ replicas: 1, resources: redisConfig.resources }),
            containerDefaults: redisConfig.resources,
        }, inCluster);
        return new Redis("redis", {
            namespace: namespace.name,
            environment: config.environment,
            storage: redisConfig.storage,
            storageClass: storageClassOf(redisConfig.storageClass),
            resources: redisConfig.resources,
            clientNamespaces: redisClients.map((tier) => tier.namespace),
            protect: config.protectData,
        }, { ...inCluster, dependsOn: redisClients.map((tier) => namespaceOf(tier)) });
    })() : undefined;

    const edge = config.edge.enabled ? new Edge("edge", {
        config: config.edge,
        // Validation guarantees the token whenever the edge is on.
        apiToken: pulumi.secret(config.cloudflareApiToken!),
        ingress: { loadBalancerAddress: addons.ingress.loadBalancerAddress, controllerNamespace: addons.ingress.namespace },
        publicTiers: config.tiers.filter((tier) => tier.public).map((tier) => ({ name: tier.name, namespace: tier.namespace, hosts: tier.public!.hosts })),
    }, { ...inCluster, dependsOn: [...tierNamespaces.values()] }) : undefined;

    const databases = new Map<string, Postgres>();
    const tiers = config.tiers.map((tier) => {
        const namespace = namespaceOf(tier);
        const database = tier.database ? new Postgres(`${tier.name}-postgres`, {
            tierName: tier.name,
            namespace: namespace.name,
            environment: config.environment,
            storage: tier.database.storage,
            storageClass: storageClassOf(tier.database.storageClass),
            resources: tier.database.resources,
            backups: config.backups,
            protect: config.protectData,
        }, inCluster) : undefined;
        if (database) {
            databases.set(tier.name, database);
        }

        return new AppTier(tier.name, {
            tier,
            environment: config.environment,
            namespace: namespace.name,
            database: database && {
                credentialsSecretName: database.credentialsSecretName,
                readyResources: [database.credentials, database.service],
                port: database.port,
                peer: { podSelector: { matchLabels: database.podLabels } },
            },
            redis: redis && tier.redis ? {
                credentialsSecretName: redis.clientSecrets[tier.namespace].metadata.name,
                readyResources: [redis.clientSecrets[tier.namespace], redis.service],
                port: redis.port,
                peer: {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": redis.namespace } },
                    podSelector: { matchLabels: { "app.kubernetes.io/name": "redis", "app.kubernetes.io/component": "redis" } },
                },
            } : undefined,
            callerNamespaces: tier.callers.map((caller) => ({ tier: caller, namespace: config.tiers.find((t) => t.name === caller)!.namespace })),
            ingress: tier.public ? {
                className: addons.ingress.className,
                controllerNamespace: addons.ingress.namespace,
                ...(edge
                    ? { tlsSecretName: edge.tiers[tier.name].tlsSecretName, annotations: edge.tiers[tier.name].ingressAnnotations }
                    : { clusterIssuer: addons.clusterIssuer, http01Solver: http01Tiers.has(tier.name), annotations: addons.ingress.publicAnnotations }),
            } : undefined,
        }, { ...inCluster, dependsOn: [namespace] });
    });

    return {
        environment: config.environment,
        namespaces: pulumi.all(Object.fromEntries([...tierNamespaces].map(([tier, namespace]) => [tier, namespace.name]))),
        publicUrls: pulumi.all(tiers.map((tier) => tier.publicUrls)).apply((urls) => urls.flat()),
        services: pulumi.all(Object.fromEntries(tiers.map((tier, i) => [config.tiers[i].name, tier.internalAddress]))),
        databaseServices: pulumi.all(Object.fromEntries([...databases].map(([tier, database]) => [tier, database.host]))),
        redisService: redis?.host,
        ingress: { className: addons.ingress.className, namespace: addons.ingress.namespace, loadBalancerAddress: addons.ingress.loadBalancerAddress },
        argocdUrl: addons.argocdUrl,
        eventListenerUrl: addons.eventListenerUrl,
        edgeZone: edge && { zoneId: edge.zoneId, hostnames: edge.hostnames, rulesetIds: edge.rulesetIds },
    };
}

export type PlatformOutputs = ReturnType<typeof platform>;
