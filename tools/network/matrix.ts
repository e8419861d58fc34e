/**
 * The traffic a stack declares, and the undeclared traffic that must stay closed, as cases a
 * NetworkPolicy engine judges against the stack's rendered NetworkPolicies (see ./judge).
 *
 * What is expected comes from the validated config (who calls whom, stores, monitoring, public
 * hosts, external egress); who the pods are comes from the rendered workloads (their pod labels
 * and their namespaces' labels), since the labels are what the policies select on.
 */
import { eventListenerMetricsPort, eventListenerPod, eventListenerPort } from "../../components/addons/ci/event-listener";
import { acmeSolverPort } from "../../components/apps/tier-traffic";
import type { PlatformConfig, Tier } from "../../components/config";
import { postgresExporter, postgresPort } from "../../components/data/postgres";
import { redisPort } from "../../components/data/redis";
import type { TrafficCase, TrafficPeer } from "./judge";

/** A rendered Kubernetes object, as in the render directory, the state or a mock run. */
export interface Manifest {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string> };
    spec?: Record<string, unknown>;
}

export interface TrafficMatrix {
    /** Every path the stack declares: each must be allowed. */
    declared: TrafficCase[];
    /** Representative paths nobody declared: each must be denied. */
    undeclared: TrafficCase[];
}

/** A documentation address (RFC 5737): a client on the internet, never a real host. */
const internetAddress = "203.0.113.10";
/** A documentation address standing for the Kubernetes API server's endpoint, which the config does not know. */
const apiServerAddress = "192.0.2.10";
const dnsPod = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } };
/** kube-prometheus-stack's Prometheus pods; the tiers admit the scraper's namespace, whatever the pod. */
const prometheusPod = { "app.kubernetes.io/name": "prometheus" };
const ingressControllerPod = { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" };
const acmeSolverPod = { "acme.cert-manager.io/http01-solver": "true" };

/** The expected traffic of a stack: its config, placed on the pods its manifests render. */
export function trafficMatrix(config: PlatformConfig, manifests: readonly Manifest[]): TrafficMatrix {
    const pods = new PodDirectory(manifests);
    const declared: TrafficCase[] = [];
    const undeclared: TrafficCase[] = [];
    const tcp = (name: string, source: TrafficPeer, destination: TrafficPeer, port: number, portName?: string): TrafficCase =>
        ({ name: `${name}:${port}/TCP`, source, destination, port, ...(portName ? { portName } : {}), protocol: "TCP" });

    const monitoring = config.addons.monitoring.enabled ? config.addons.monitoring.namespace : undefined;
    // With ingress-nginx off, an existing controller serves the public tiers (validation requires it whenever one is public).
    const ingressNamespace = config.addons.ingressNginx.existing?.namespace ?? config.addons.ingressNginx.namespace;
    const ingressController = pods.synthetic(ingressNamespace, ingressControllerPod);
    const internet = pods.external(internetAddress);
    // Any other workload of the cluster: a pod in `default`, which no stack's policy names.
    const stranger = pods.synthetic("default", { app: "stranger" });
    const redis = config.redis && config.tiers.some((tier) => tier.redis) ? pods.workload("StatefulSet", config.redis.namespace, "redis") : undefined;
    const apps = new Map(config.tiers.map((tier) => [tier.name, pods.tierApp(tier)]));
    const databases = new Map(config.tiers.flatMap((tier) => tier.database ? [[tier.name, pods.workload("StatefulSet", tier.namespace, `${tier.name}-postgres`)] as const] : []));

    for (const tier of config.tiers) {
        const app = apps.get(tier.name)!;
        const database = databases.get(tier.name);
        for (const caller of tier.callers) {
            declared.push(tcp(`${caller} → ${tier.name}`, apps.get(caller)!, app, tier.port, "http"));
        }
        if (tier.public) {
            declared.push(tcp(`ingress controller → ${tier.name}`, ingressController, app, tier.port, "http"));
            if (tier.http01Solver) {
                declared.push(tcp(`ingress controller → ${tier.name} ACME solver`, ingressController, pods.synthetic(tier.namespace, acmeSolverPod), acmeSolverPort));
            }
        }
        const metrics = tier.metrics && { port: tier.metrics.port ?? tier.port, portName: tier.metrics.port === undefined || tier.metrics.port === tier.port ? "http" : "metrics" };
        if (tier.metrics && metrics) {
            declared.push(tcp(`Prometheus → ${tier.name} metrics`, pods.synthetic(tier.metrics.scraperNamespace, prometheusPod), app, metrics.port, metrics.portName));
        }
        for (const protocol of ["UDP", "TCP"] as const) {
            declared.push({ name: `${tier.name} → DNS:53/${protocol}`, source: app, destination: pods.synthetic(dnsPod.namespace, dnsPod.podLabels), port: 53, protocol });
        }
        if (database) {
            declared.push(tcp(`${tier.name} → ${tier.name} database`, app, database, postgresPort, "postgres"));
            declared.push(tcp(`${tier.name} database backup → ${tier.name} database`, pods.cronJob(tier.namespace, `${tier.name}-postgres-backup`), database, postgresPort, "postgres"));
            for (const job of tier.cronJobs) {
                declared.push(tcp(`${tier.name} job ${job.name} → ${tier.name} database`, pods.cronJob(tier.namespace, `${tier.name}-${job.name}`), database, postgresPort, "postgres"));
            }
            if (monitoring) {
                declared.push(tcp(`Prometheus → ${tier.name} database exporter`, pods.synthetic(monitoring, prometheusPod), database, postgresExporter.port, postgresExporter.portName));
            }
            undeclared.push(tcp(`internet → ${tier.name} database`, internet, database, postgresPort, "postgres"));
            undeclared.push(tcp(`a pod in default → ${tier.name} database`, stranger, database, postgresPort, "postgres"));
        }
        if (tier.redis && redis) {
            declared.push(tcp(`${tier.name} → Redis`, app, redis, redisPort, "redis"));
        } else if (redis) {
            undeclared.push(tcp(`${tier.name} → Redis (not a client)`, app, redis, redisPort, "redis"));
        }
        for (const rule of tier.egress) {
            for (const port of rule.ports) {
                declared.push(tcp(`${tier.name} → ${rule.cidr}`, app, pods.external(addressIn(rule.cidr)), port));
            }
        }
        undeclared.push(tcp(`internet → ${tier.name}${tier.public ? " (bypassing the ingress controller)" : ""}`, internet, app, tier.port, "http"));
        undeclared.push(tcp(`a pod in default → ${tier.name}`, stranger, app, tier.port, "http"));
        if (metrics) {
            undeclared.push(tcp(`a pod in default → ${tier.name} metrics`, stranger, app, metrics.port, metrics.portName));
        }

        for (const other of config.tiers) {
            if (other.name === tier.name) {
                continue;
            }
            if (!other.callers.includes(tier.name)) {
                undeclared.push(tcp(`${tier.name} → ${other.name} (not a declared caller)`, app, apps.get(other.name)!, other.port, "http"));
            }
            const otherDatabase = databases.get(other.name);
            if (otherDatabase) {
                undeclared.push(tcp(`${tier.name} → ${other.name} database`, app, otherDatabase, postgresPort, "postgres"));
            }
        }
    }
    if (redis) {
        undeclared.push(tcp("internet → Redis", internet, redis, redisPort, "redis"));
    }

    const { tekton } = config.addons;
    if (tekton.pipelines.length > 0) {
        for (const pipeline of tekton.pipelines) {
            const run = pods.synthetic(tekton.ciNamespace, { "tekton.dev/pipeline": `${pipeline.tier}-deploy` });
            for (const port of [443, 6443]) {
                declared.push(tcp(`${pipeline.tier} deploy pipeline → API server`, run, pods.external(apiServerAddress), port));
            }
            for (const [owner, database] of databases) {
                undeclared.push(tcp(`${pipeline.tier} deploy pipeline → ${owner} database`, run, database, postgresPort, "postgres"));
            }
        }
        const listener = pods.synthetic(tekton.ciNamespace, eventListenerPod);
        if (tekton.webhookHost !== undefined) {
            declared.push(tcp("ingress controller → webhook EventListener", ingressController, listener, eventListenerPort));
        }
        if (monitoring) {
            declared.push(tcp("Prometheus → webhook EventListener metrics", pods.synthetic(monitoring, prometheusPod), listener, eventListenerMetricsPort));
        }
        undeclared.push(tcp("internet → webhook EventListener (bypassing the ingress controller)", internet, listener, eventListenerPort));
    }
    return { declared, undeclared };
}

/** An address inside `cidr` to stand for its hosts: the internet sample where it fits (0.0.0.0/0), else the first host. */
export function addressIn(cidr: string): string {
    const [address, bits] = cidr.split("/");
    const prefix = Number(bits);
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    const network = (toNumber(address) & mask) >>> 0;
    if (((toNumber(internetAddress) & mask) >>> 0) === network) {
        return internetAddress;
    }
    const host = prefix >= 31 ? network : network + 1;
    return [24, 16, 8, 0].map((shift) => (host >>> shift) & 255).join(".");
}

function toNumber(address: string): number {
    return address.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
}

/**
 * The pods of the rendered manifests as traffic peers, each with an address of its own in a pod
 * range (ipBlock rules match peers by address, so every peer needs one).
 */
class PodDirectory {
    private readonly namespaceLabels = new Map<string, Record<string, string>>();
    private addresses = 0;

    constructor(private readonly manifests: readonly Manifest[]) {
        for (const manifest of manifests) {
            if (manifest.kind === "Namespace") {
                this.namespaceLabels.set(manifest.metadata.name, manifest.metadata.labels ?? {});
            }
        }
    }

    tierApp(tier: Tier): TrafficPeer {
        return this.workload(tier.kind, tier.namespace, tier.name);
    }

    workload(kind: "Deployment" | "StatefulSet", namespace: string, name: string): TrafficPeer {
        const template = this.find(kind, namespace, name).spec?.template as { metadata?: { labels?: Record<string, string> } } | undefined;
        return this.internal(namespace, template?.metadata?.labels ?? {});
    }

    cronJob(namespace: string, name: string): TrafficPeer {
        const spec = this.find("CronJob", namespace, name).spec as { jobTemplate?: { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } } } | undefined;
        return this.internal(namespace, spec?.jobTemplate?.spec?.template?.metadata?.labels ?? {});
    }

    /** A pod the manifests do not hold (a chart's controller, DNS, a pipeline run's), with the labels it is known to carry. */
    synthetic(namespace: string, podLabels: Record<string, string>): TrafficPeer {
        return this.internal(namespace, podLabels);
    }

    external(ip: string): TrafficPeer {
        return { ip };
    }

    private internal(namespace: string, podLabels: Record<string, string>): TrafficPeer {
        this.addresses += 1;
        return {
            namespace,
            namespaceLabels: { ...this.namespaceLabels.get(namespace), "kubernetes.io/metadata.name": namespace },
            podLabels,
            ip: `10.244.${this.addresses >> 8}.${this.addresses & 255}`,
        };
    }

    private find(kind: string, namespace: string, name: string): Manifest {
        const found = this.manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name && manifest.metadata.namespace === namespace);
        if (!found) {
            throw new Error(`the rendered manifests hold no ${kind} ${namespace}/${name}, which the stack's config implies: render the stack again (npm run local) or check the program`);
        }
        return found;
    }
}
