import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GuardedNamespace } from "../platform/namespace";
import { Placement } from "../platform/placement";
import { Resources } from "../platform/sizing";
import { versions } from "../versions";
import { redisBudget } from "./budget";
import { admitOnly, createSingleInstanceStore, StoreClient, storeLabels, storePassword, storeSelector } from "./stateful";

export interface RedisArgs {
    /** Redis's own namespace; guarded like a tier's, with a quota of what Redis creates. */
    namespace: string;
    environment: string;
    podSecurityVersion: string;
    storage: string;
    storageClass?: string;
    resources: Resources;
    /** Namespaces of the tiers that use Redis: the only ones admitted, each through clientFor. */
    clientNamespaces: readonly string[];
    protect: boolean;
    /** Where the Redis pod runs. */
    placement?: Placement;
}

/** The official image runs as the "redis" user of the Alpine variant. */
const redisUid = 999;
export const redisPort = 6379;
const storeName = "redis";
/** Tier pods carrying this label may reach Redis. */
const redisClientLabel = { "groundwork.dev/redis-client": "true" };

/**
 * The shared Redis in a guarded namespace of its own: password required (from @pulumi/random),
 * append-only persistence on a protected volume, reachable only from the pods of the tiers that
 * declare `redis: true`.
 */
export class Redis extends pulumi.ComponentResource {
    readonly serviceName: pulumi.Output<string>;
    readonly host: pulumi.Output<string>;
    readonly namespace: pulumi.Output<string>;
    /** Labels selecting the Redis pod. */
    readonly podSelector = storeSelector({ name: storeName, component: "redis" });
    private readonly service: k8s.core.v1.Service;
    private readonly password: pulumi.Output<string>;
    private readonly labels: Record<string, string>;
    private readonly clientNamespaces: ReadonlySet<string>;
    /** This component's name, the prefix of its children's names. */
    private readonly baseName: string;

    constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("groundwork:data:Redis", name, {}, opts);
        this.baseName = name;
        this.clientNamespaces = new Set(args.clientNamespaces);
        // The namespace stood beside Redis, at the top of the stack, before Redis owned it.
        const guarded = new GuardedNamespace(args.namespace, {
            name: args.namespace,
            environment: args.environment,
            podSecurityLevel: "restricted",
            podSecurityVersion: args.podSecurityVersion,
            budget: redisBudget(args),
            containerDefaults: args.resources,
        }, { parent: this, aliases: [{ parent: pulumi.rootStackResource }] });
        this.namespace = guarded.name;
        this.host = pulumi.interpolate`${storeName}.${this.namespace}.svc.cluster.local`;
        this.labels = storeLabels({ name: storeName, component: "redis", environment: args.environment });

        this.password = storePassword(`${name}-password`, this).result;
        const serverSecret = new k8s.core.v1.Secret(`${name}-auth`, {
            metadata: { name: "redis-auth", namespace: this.namespace, labels: this.labels },
            type: "Opaque",
            stringData: { password: this.password },
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
            placement: args.placement,
        }, this);
        this.service = store.service;
        this.serviceName = store.service.metadata.name;

        admitOnly(`${name}-ingress`, { name: storeName, namespace: this.namespace, component: "redis", port: redisPort, environment: args.environment },
            [{
                namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [...args.clientNamespaces] }] },
                podSelector: { matchLabels: redisClientLabel },
            }], this);

        this.registerOutputs({ serviceName: this.serviceName, host: this.host, namespace: this.namespace });
    }

    /**
     * What a tier in `namespace` needs to reach Redis; called once per client namespace. It creates
     * the namespace's credentials Secret, after `namespaceReady`: the tiers' namespaces are created
     * after Redis, since the tiers need Redis to start.
     */
    clientFor(namespace: string, namespaceReady: pulumi.Resource): StoreClient {
        if (!this.clientNamespaces.has(namespace)) {
            throw new Error(`namespace "${namespace}" is not among Redis's client namespaces (${[...this.clientNamespaces].join(", ")}): Redis would not admit it`);
        }
        const secret = new k8s.core.v1.Secret(`${this.baseName}-credentials-${namespace}`, {
            metadata: { name: "redis-credentials", namespace, labels: this.labels },
            type: "Opaque",
            stringData: { host: this.host, port: String(redisPort), password: this.password },
        }, { parent: this, dependsOn: [namespaceReady] });
        return {
            credentialsSecretName: secret.metadata.name,
            readyResources: [secret, this.service],
            port: redisPort,
            peer: {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": this.namespace } },
                podSelector: { matchLabels: this.podSelector },
            },
            podLabels: redisClientLabel,
        };
    }
}
