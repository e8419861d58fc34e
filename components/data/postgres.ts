import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Placement, placementSpec } from "../platform/placement";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../platform/security";
import { Resources } from "../platform/sizing";
import { versions } from "../versions";
import { backupJobResources, exporterResources } from "./budget";
import { admitOnly, claimSpec, createSingleInstanceStore, StoreClient, storeLabels, storePassword, storeSelector } from "./stateful";

export interface PostgresArgs {
    /** The tier that owns this database; names, users and the network policy derive from it. */
    tierName: string;
    namespace: pulumi.Input<string>;
    environment: string;
    storage: string;
    storageClass?: string;
    resources: Resources;
    backups: { schedule: string; retentionDays: number; storage?: string };
    protect: boolean;
    /** Namespace of the Prometheus that scrapes the database's exporter sidecar; no exporter when unset (monitoring off). */
    metricsScraperNamespace?: string;
    /** Where the database and its backup job run. */
    placement?: Placement;
}

/** The official image runs as the "postgres" user of the Alpine variant. */
const postgresUid = 70;
export const postgresPort = 5432;
const backupRoleLabel = { "groundwork.dev/role": "postgres-backup" };
/** The tier's pods that carry this label may reach its database: the app's and its scheduled jobs'. */
const clientLabel = { "groundwork.dev/postgres-client": "true" };

/** The exporter sidecar's port, named "metrics"; its resources count in the database's budget (budget.ts). */
export const postgresExporter = { port: 9187, portName: "metrics" } as const;

/**
 * One PostgreSQL per tier: a StatefulSet with a protected volume, a generated password kept in a
 * Secret, a network policy admitting only its tier and its backup job, and a nightly pg_dump.
 */
export class Postgres extends pulumi.ComponentResource {
    readonly serviceName: pulumi.Output<string>;
    readonly host: pulumi.Output<string>;
    /** What the tier needs to reach the database; the credentials Secret is the only way it learns them. */
    readonly client: StoreClient;
    /** Labels of the database pod (the exporter's PodMonitor selects by them). */
    readonly podSelector: Record<string, string>;
    readonly backupCronJobName: string;

    constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("groundwork:data:Postgres", name, {}, opts);
        const storeName = `${args.tierName}-postgres`;
        const database = args.tierName.replace(/-/g, "_");
        const namespace = pulumi.output(args.namespace);
        this.host = pulumi.interpolate`${storeName}.${namespace}.svc.cluster.local`;

        const password = storePassword(`${name}-password`, this);
        const credentials = new k8s.core.v1.Secret(`${name}-credentials`, {
            metadata: { name: `${storeName}-credentials`, namespace, labels: storeLabels({ name: storeName, component: "postgres", environment: args.environment }) },
            type: "Opaque",
            stringData: {
                host: this.host,
                port: String(postgresPort),
                database,
                username: database,
                password: password.result,
            },
        }, { parent: this });
        const fromSecret = (key: string) => ({ secretKeyRef: { name: credentials.metadata.name, key } });

        const store = createSingleInstanceStore({
            name: storeName,
            namespace,
            environment: args.environment,
            component: "postgres",
            image: versions.images.postgres,
            port: postgresPort,
            uid: postgresUid,
            resources: args.resources,
            storage: args.storage,
            storageClass: args.storageClass,
            dataPath: "/var/lib/postgresql/data",
            scratchPaths: ["/var/run/postgresql", "/tmp"],
            env: [
                { name: "POSTGRES_DB", valueFrom: fromSecret("database") },
                { name: "POSTGRES_USER", valueFrom: fromSecret("username") },
                { name: "POSTGRES_PASSWORD", valueFrom: fromSecret("password") },
                // A sub-directory, because the volume root holds lost+found and initdb wants an empty directory.
                { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
            ],
            readinessCommand: ["sh", "-c", "pg_isready --host=127.0.0.1 --username=\"$POSTGRES_USER\" --dbname=\"$POSTGRES_DB\""],
            protect: args.protect,
            sidecars: args.metricsScraperNamespace === undefined ? [] : [{
                name: "postgres-exporter",
                image: versions.images.postgresExporter,
                env: [
                    { name: "DATA_SOURCE_URI", value: pulumi.interpolate`127.0.0.1:${postgresPort}/${database}?sslmode=disable` },
                    { name: "DATA_SOURCE_USER", valueFrom: fromSecret("username") },
                    { name: "DATA_SOURCE_PASS", valueFrom: fromSecret("password") },
                ],
                ports: [{ name: postgresExporter.portName, containerPort: postgresExporter.port }],
                resources: exporterResources,
                securityContext: restrictedContainerSecurityContext(),
                readinessProbe: { httpGet: { path: "/", port: postgresExporter.portName }, periodSeconds: 20 },
                livenessProbe: { httpGet: { path: "/", port: postgresExporter.portName }, periodSeconds: 30 },
            }],
            placement: args.placement,
        }, this);
        this.serviceName = store.service.metadata.name;
        const podSelector = storeSelector({ name: storeName, component: "postgres" });
        this.client = {
            credentialsSecretName: credentials.metadata.name,
            readyResources: [credentials, store.service],
            port: postgresPort,
            peer: { podSelector: { matchLabels: podSelector } },
            podLabels: clientLabel,
        };

        admitOnly(`${name}-ingress`, { name: storeName, namespace, component: "postgres", port: postgresPort, environment: args.environment }, [
            { podSelector: { matchLabels: clientLabel } },
            { podSelector: { matchLabels: backupRoleLabel } },
        ], this);

        this.createBackups(name, storeName, namespace, args, fromSecret, podSelector);
        if (args.metricsScraperNamespace !== undefined) {
            new k8s.networking.v1.NetworkPolicy(`${name}-metrics`, {
                metadata: { name: `${storeName}-metrics`, namespace, labels: storeLabels({ name: storeName, component: "postgres", environment: args.environment }) },
                spec: {
                    podSelector: { matchLabels: podSelector },
                    policyTypes: ["Ingress"],
                    ingress: [{
                        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.metricsScraperNamespace } } }],
                        ports: [{ protocol: "TCP", port: postgresExporter.port }],
                    }],
                },
            }, { parent: this });
        }

        this.podSelector = podSelector;
        this.backupCronJobName = `${storeName}-backup`;
        this.registerOutputs({ serviceName: this.serviceName, host: this.host, credentialsSecretName: this.client.credentialsSecretName });
    }

    /** A daily pg_dump to its own volume, keeping `retentionDays` days; restricted like every workload. */
    private createBackups(
        name: string,
        storeName: string,
        namespace: pulumi.Output<string>,
        args: PostgresArgs,
        fromSecret: (key: string) => k8s.types.input.core.v1.EnvVarSource,
        databaseSelector: Record<string, string>,
    ): void {
        const labels = { ...storeLabels({ name: `${storeName}-backup`, component: "postgres", environment: args.environment }), ...backupRoleLabel };
        const claim = new k8s.core.v1.PersistentVolumeClaim(`${name}-backups`, {
            metadata: { name: `${storeName}-backups`, namespace, labels },
            spec: claimSpec(args.backups.storage ?? args.storage, args.storageClass),
        }, { parent: this, protect: args.protect, retainOnDelete: args.protect });

        // Egress of the backup pod: its database only (DNS is open namespace-wide).
        new k8s.networking.v1.NetworkPolicy(`${name}-backup-egress`, {
            metadata: { name: `${storeName}-backup-egress`, namespace, labels },
            spec: {
                podSelector: { matchLabels: backupRoleLabel },
                policyTypes: ["Egress"],
                egress: [{ to: [{ podSelector: { matchLabels: databaseSelector } }], ports: [{ protocol: "TCP", port: postgresPort }] }],
            },
        }, { parent: this });

        const script = [
            "set -eu -o pipefail",
            "target=/backups/$(date -u +%Y%m%dT%H%M%SZ).sql.gz",
            "pg_dump --no-owner --format=plain | gzip > \"$target.partial\"",
            "mv \"$target.partial\" \"$target\"",
            `find /backups -name '*.sql.gz' -mtime +${args.backups.retentionDays - 1} -delete`,
        ].join("\n");

        new k8s.batch.v1.CronJob(`${name}-backup`, {
            metadata: { name: `${storeName}-backup`, namespace, labels },
            spec: {
                schedule: args.backups.schedule,
                timeZone: "Etc/UTC",
                concurrencyPolicy: "Forbid",
                successfulJobsHistoryLimit: 1,
                failedJobsHistoryLimit: 1,
                jobTemplate: {
                    spec: {
                        backoffLimit: 2,
                        activeDeadlineSeconds: 3600,
                        template: {
                            metadata: { labels },
                            spec: {
                                restartPolicy: "OnFailure",
                                automountServiceAccountToken: false,
                                serviceAccountName: storeName,
                                securityContext: restrictedPodSecurityContext(postgresUid),
                                ...placementSpec(args.placement),
                                containers: [{
                                    name: "pg-dump",
                                    image: versions.images.postgres,
                                    command: ["sh", "-c", script],
                                    env: [
                                        { name: "PGHOST", valueFrom: fromSecret("host") },
                                        { name: "PGPORT", valueFrom: fromSecret("port") },
                                        { name: "PGDATABASE", valueFrom: fromSecret("database") },
                                        { name: "PGUSER", valueFrom: fromSecret("username") },
                                        { name: "PGPASSWORD", valueFrom: fromSecret("password") },
                                    ],
                                    resources: backupJobResources,
                                    securityContext: restrictedContainerSecurityContext(),
                                    volumeMounts: [{ name: "backups", mountPath: "/backups" }, { name: "tmp", mountPath: "/tmp" }],
                                }],
                                volumes: [
                                    { name: "backups", persistentVolumeClaim: { claimName: claim.metadata.name } },
                                    { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                                ],
                            },
                        },
                    },
                },
            },
        }, { parent: this });
    }
}
