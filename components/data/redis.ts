import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Resources } from "../config/sizing";
import { versions } from "../versions";
import { admitOnly, createSingleInstanceStore, storeLabels, storePassword } from "./stateful";

export interface RedisArgs {
    namespace: pulumi.Input<string>;
    environment: string;
    storage: string;
    storageClass?: string;
    resources: Resources;
    /** Namespaces of the tiers that use Redis; each gets a credentials Secret of its own. */
    clientNamespaces: string[];
    protect: boolean;
}

/** The official image runs as the "redis" user of the Alpine variant. */
const redisUid = 999;
const redisPort = 6379;
const storeName = "redis";
/** Tier pods carrying this label may reach Redis. */
export const redisClientLabel = { "groundwork.dev/redis-client": "true" };

/**
 * The shared Redis: password required (from @pulumi/random), append-only persistence on a
 * protected volume, reachable only from the pods of the tiers that declare `redis: true`.
 */
export class Redis extends pulumi.ComponentResource {
    /** Per client namespace, the Secret holding host, port and password. */
    readonly clientSecrets: Record<string, k8s.core.v1.Secret> = {};
    readonly service: k8s.core.v1.Service;
    readonly serviceName: pulumi.Output<string>;
    readonly host: pulumi.Output<string>;
    readonly namespace: pulumi.Output<string>;
    readonly port = redisPort;

    constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("groundwork:data:Redis", name, {}, opts);
        this.namespace = pulumi.output(args.namespace);
        this.host = pulumi.interpolate`${storeName}.${this.namespace}.svc.cluster.local`;
        const labels = storeLabels({ name: storeName, component: "redis", environment: args.environment });

        const password = storePassword(`${name}-password`, this);
        const serverSecret = new k8s.core.v1.Secret(`${name}-auth`, {
            metadata: { name: "redis-auth", namespace: this.namespace, labels },
            type: "Opaque",
            stringData: { password: password.result },
        }, { parent: this });

        const store = createSingleInstanceStore({
            name: storeName,
            namespace: this.namespace,
            environment: args.environment,
            component: "redis",
            image: versions.images.redis,
            port: redisPort,
            uid: redisUid,
            resources: args.resources,
            storage: args.storage,
            storageClass: args.storageClass,
            dataPath: "/data",
            scratchPaths: ["/tmp"],
            // REDISCLI_AUTH lets the probe authenticate without the password on a command line.
            env: [
                { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: serverSecret.metadata.name, key: "password" } } },
                { name: "REDISCLI_AUTH", valueFrom: { secretKeyRef: { name: serverSecret.metadata.name, key: "password" } } },
            ],
            command: ["redis-server"],
            // Kubernetes expands $(REDIS_PASSWORD) from the Secret-backed variable: the password is never in the spec.
            args: ["--requirepass", "$(REDIS_PASSWORD)", "--appendonly", "yes", "--appendfsync", "everysec", "--dir", "/data", "--port", String(redisPort)],
            readinessCommand: ["sh", "-c", "redis-cli -h 127.0.0.1 ping | grep -q PONG"],
            protect: args.protect,
        }, this);
        this.service = store.service;
        this.serviceName = store.service.metadata.name;

        admitOnly(`${name}-ingress`, { name: storeName, namespace: this.namespace, component: "redis", port: redisPort, environment: args.environment },
            [{
                namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: args.clientNamespaces }] },
                podSelector: { matchLabels: redisClientLabel },
            }], this);

        for (const clientNamespace of args.clientNamespaces) {
            this.clientSecrets[clientNamespace] = new k8s.core.v1.Secret(`${name}-credentials-${clientNamespace}`, {
                metadata: { name: "redis-credentials", namespace: clientNamespace, labels },
                type: "Opaque",
                stringData: { host: this.host, port: String(redisPort), password: password.result },
            }, { parent: this });
        }

        this.registerOutputs({ serviceName: this.serviceName, host: this.host, namespace: this.namespace });
    }
}
