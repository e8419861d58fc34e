import * as pulumi from "@pulumi/pulumi";
import { PlatformAddons } from "./addons";
import { dashboardLabel } from "./addons/monitoring";
import { MonitoringTarget } from "./apps/monitoring";
import { TierIngressArgs } from "./apps/tier";
import { TierUnit, TierUnitArgs } from "./apps/unit";
import { loadPlatformConfig, PlatformConfig, Tier } from "./config";
import { Redis } from "./data/redis";
import { Edge } from "./edge";
import { clusterProvider } from "./platform/cluster";

/**
 * The whole platform of one stack: validates the stack config, then registers every resource,
 * and returns the stack outputs. `index.ts` runs it for `pulumi up` users; `npm run local` and
 * the engine tests run the same function as an Automation API inline program.
 */
export function platform() {
    // Validation comes first: a bad config fails here, before any resource is registered.
    const config = loadPlatformConfig();
    const inCluster = { provider: clusterProvider(config.cluster) };

    const addons = new PlatformAddons("addons", { config }, inCluster);
    const redis = sharedRedis(config, inCluster);
    const edge = cloudflareEdge(config, addons, inCluster);
    const units = config.tiers.map((tier) => new TierUnit(tier.namespace, unitArgs(config, tier, { addons, edge, redis }), inCluster));

    return {
        environment: config.environment,
        namespaces: pulumi.all(Object.fromEntries(units.map((unit) => [unit.tierName, unit.namespace]))),
        publicUrls: pulumi.all(units.map((unit) => unit.app.publicUrls)).apply((urls) => urls.flat()),
        services: pulumi.all(Object.fromEntries(units.map((unit) => [unit.tierName, unit.app.internalAddress]))),
        databaseServices: pulumi.all(Object.fromEntries(units.flatMap((unit) => unit.database ? [[unit.tierName, unit.database.host]] : []))),
        redisService: redis?.host,
        ingress: addons.ingress && { className: addons.ingress.className, namespace: addons.ingress.namespace, loadBalancerAddress: addons.ingress.loadBalancerAddress },
        argocdUrl: addons.argocdUrl,
        eventListenerUrl: addons.eventListenerUrl,
        edgeZone: edge && { zoneId: edge.zoneId, hostnames: edge.hostnames, rulesetIds: edge.rulesetIds },
    };
}

export type PlatformOutputs = ReturnType<typeof platform>;

/** Cloudflare in front of the public tiers, when the stack has the edge on. */
function cloudflareEdge(config: PlatformConfig, addons: PlatformAddons, opts: pulumi.ComponentResourceOptions): Edge | undefined {
    if (!config.edge.enabled) {
        return undefined;
    }
    // Validation guarantees the token and an ingress layer (Groundwork's or an existing one) whenever the edge is on.
    const ingress = addons.ingress!;
    return new Edge("edge", {
        config: config.edge,
        apiToken: pulumi.secret(config.cloudflareApiToken!),
        ingress: { loadBalancerAddress: ingress.loadBalancerAddress, controllerNamespace: ingress.namespace },
        publicTiers: config.tiers.filter((tier) => tier.public).map((tier) => ({ name: tier.name, namespace: tier.namespace, hosts: tier.public!.hosts })),
    }, opts);
}

/** The Redis the tiers with `redis: true` share, when any tier uses it. */
function sharedRedis(config: PlatformConfig, opts: pulumi.ComponentResourceOptions): Redis | undefined {
    const clientNamespaces = config.tiers.filter((tier) => tier.redis).map((tier) => tier.namespace);
    if (!config.redis || clientNamespaces.length === 0) {
        return undefined;
    }
    return new Redis("redis", {
        ...config.redis,
        storageClass: config.redis.storageClass ?? config.storageClass,
        environment: config.environment,
        podSecurityVersion: config.podSecurityVersion,
        clientNamespaces,
        protect: config.protectData,
    }, opts);
}

/** What the tiers share: the ingress layer and cluster issuer, the edge and Redis. */
interface Shared {
    addons: PlatformAddons;
    edge?: Edge;
    redis?: Redis;
}

/** A tier's config as the arguments of its unit; the rest of the tier's fields are the app's. */
function unitArgs(config: PlatformConfig, tier: Tier, shared: Shared): TierUnitArgs {
    const { quota, database, redis: usesRedis, callers, public: publicSettings, clusterAccess, certificates, secrets, alerts, alertRules, ...app } = tier;
    return {
        environment: config.environment,
        podSecurityVersion: config.podSecurityVersion,
        quota,
        app: {
            ...app,
            clusterApi: clusterAccess !== undefined,
            // Secret from the moment it leaves the config: state, previews and outputs only ever see it encrypted.
            secrets: { names: secrets, values: pulumi.secret(config.tierSecrets?.[tier.name] ?? {}) },
            storageClass: config.storageClass,
            protect: config.protectData,
            callers: callers.map((caller) => ({ tier: caller, namespace: config.tiers.find((other) => other.name === caller)!.namespace })),
            callees: config.tiers.filter((other) => other.callers.includes(tier.name)).map((callee) => ({ tier: callee.name, namespace: callee.namespace, port: callee.port })),
            public: publicSettings && { ...publicSettings, ingress: tierIngress(shared) },
        },
        database: database && {
            ...database,
            storageClass: database.storageClass ?? config.storageClass,
            backups: config.backups,
            protect: config.protectData,
        },
        redis: usesRedis ? shared.redis : undefined,
        edge: publicSettings && shared.edge,
        clusterAccess: clusterAccess && { access: clusterAccess, keepCrds: config.protectData },
        // Validation guarantees Groundwork's cert-manager whenever a tier has certificates.
        certificates: certificates.length === 0 ? undefined : { certificates, issuer: shared.addons.certManager!.issuers["internal-ca"] },
        monitoring: monitoringTarget(config, shared.addons, alerts),
        alertRules,
    };
}

/** The stack's Prometheus as one tier sees it, with the tier's alert settings, when monitoring is on. */
function monitoringTarget(config: PlatformConfig, addons: PlatformAddons, alerts: Tier["alerts"]): MonitoringTarget | undefined {
    if (!addons.monitoring) {
        return undefined;
    }
    return { namespace: config.addons.monitoring.namespace, dashboardLabels: dashboardLabel, alerts, crds: addons.monitoring.chart };
}

/** How a public tier's Ingress gets its certificate: the edge's origin certificate (the unit asks the edge), else the default cluster issuer. */
function tierIngress({ addons, edge }: Shared): TierIngressArgs {
    // Validation guarantees an ingress layer whenever a tier is public, and an issuer unless the edge supplies the certificate.
    const ingress = addons.ingress!;
    return {
        className: ingress.className,
        controllerNamespace: ingress.namespace,
        ...(edge ? {} : { clusterIssuer: addons.clusterIssuer, annotations: ingress.publicAnnotations }),
    };
}
