import * as pulumi from "@pulumi/pulumi";
import { Postgres, PostgresArgs, postgresExporter } from "../data/postgres";
import { Redis } from "../data/redis";
import { Edge } from "../edge";
import { guardNamespace } from "../platform/namespace";
import { ExplicitQuota, quotaFor } from "../platform/sizing";
import { TierCertificates, TierCertificatesArgs } from "./certificates";
import { ClusterAccess, ClusterAccessArgs } from "./cluster-access";
import { AlertRuleConfig } from "./alert-rules-config";
import { MonitoringTarget, TierMonitoring } from "./monitoring";
import { AppTier, AppTierArgs } from "./tier";
import { tierUnitBudget } from "./unit-budget";

export interface TierUnitArgs {
    environment: string;
    podSecurityVersion: string;
    /** A quota set by hand instead of the peak; validation makes sure that it covers the peak. */
    quota?: ExplicitQuota;
    app: Omit<AppTierArgs, "environment" | "namespace" | "database" | "redis" | "prerequisites" | "certificateMounts">;
    /** The tier's own PostgreSQL. */
    database?: Omit<PostgresArgs, "tierName" | "environment" | "namespace">;
    /** The shared Redis, when the tier uses it. */
    redis?: Redis;
    /** The Cloudflare edge, when it serves the tier's public hosts: it supplies the Ingress's origin certificate. */
    edge?: Edge;
    /** An operator tier's CRDs and ClusterRole; the app waits for them. */
    clusterAccess?: Omit<ClusterAccessArgs, "tierName" | "environment" | "namespace">;
    /** Mutual-TLS certificates from the internal CA, mounted into the app; it waits for them and their issuer. */
    certificates?: Omit<TierCertificatesArgs, "tierName" | "environment" | "namespace">;
    /** The stack's Prometheus, when monitoring is on: the tier's ServiceMonitor, rules and dashboard, and its database's exporter. */
    monitoring?: MonitoringTarget;
    /** Alert rules of the tier's own, beside the built-in ones. */
    alertRules?: readonly AlertRuleConfig[];
}

/** Old parents of what the unit holds: the engine finds their state under these URNs. */
const formerGuardedNamespace = { type: "groundwork:platform:GuardedNamespace" };
const formerlyAtTheTop = { parent: pulumi.rootStackResource };

/**
 * One tier: its guarded namespace (Pod Security, quota, container defaults, default-deny) and, in
 * it, the tier's PostgreSQL and app. The quota is the sum of what the database and the app declare
 * they need at peak, or the explicit quota.
 */
export class TierUnit extends pulumi.ComponentResource {
    readonly tierName: string;
    readonly namespace: pulumi.Output<string>;
    readonly app: AppTier;
    readonly database?: Postgres;

    /**
     * `name` is the namespace's name. The unit carries the URN the namespace's GuardedNamespace had, and
     * the engine derives its children's former names from the unit's name, so the two must be the same.
     */
    constructor(name: string, args: TierUnitArgs, opts?: pulumi.ComponentResourceOptions) {
        super("groundwork:apps:TierUnit", name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), formerGuardedNamespace] });
        const { environment } = args;
        this.tierName = args.app.name;
        const database = args.database && { ...args.database, metricsScraperNamespace: args.monitoring?.namespace };
        const guards = guardNamespace(name, {
            name,
            environment,
            podSecurityLevel: "restricted",
            podSecurityVersion: args.podSecurityVersion,
            budget: quotaFor(tierUnitBudget({ app: args.app, database }), args.quota),
            containerDefaults: args.app.resources,
        }, this);
        this.namespace = guards.namespace.metadata.name;

        this.database = database && new Postgres(`${this.tierName}-postgres`, {
            ...database,
            tierName: this.tierName,
            environment,
            namespace: this.namespace,
        }, { parent: this, aliases: [formerlyAtTheTop] });

        const clusterAccess = args.clusterAccess && new ClusterAccess(`${this.tierName}-cluster-access`, {
            ...args.clusterAccess,
            tierName: this.tierName,
            environment,
            namespace: this.namespace,
        }, { parent: this });

        const certificates = args.certificates && new TierCertificates(`${this.tierName}-certificates`, {
            ...args.certificates,
            tierName: this.tierName,
            environment,
            namespace: this.namespace,
        }, { parent: this });

        const origin = args.app.public && args.edge?.originTlsFor(this.tierName, guards.namespace);
        this.app = new AppTier(this.tierName, {
            ...args.app,
            public: args.app.public && origin
                ? { ...args.app.public, ingress: { ...args.app.public.ingress, tlsSecretName: origin.tlsSecretName, annotations: origin.ingressAnnotations } }
                : args.app.public,
            environment,
            namespace: this.namespace,
            database: this.database?.client,
            redis: args.redis?.clientFor(name, guards.namespace),
            prerequisites: [...(clusterAccess?.ready ?? []), ...(certificates?.ready ?? [])],
            certificateMounts: certificates?.mounts ?? [],
        }, { parent: this, aliases: [formerlyAtTheTop], dependsOn: guards.all });

        if (args.monitoring) {
            new TierMonitoring(`${this.tierName}-monitoring`, {
                tierName: this.tierName,
                namespace: name,
                environment,
                metrics: args.app.metrics,
                metricsPortName: this.app.metricsPortName,
                hpa: args.app.hpa,
                database: this.database && { podSelector: this.database.podSelector, exporterPort: postgresExporter.portName, backupCronJob: this.database.backupCronJobName },
                target: args.monitoring,
                alertRules: args.alertRules,
            }, { parent: this });
        }
        this.registerOutputs({ namespace: this.namespace });
    }
}
