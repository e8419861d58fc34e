import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Environment, profileOf, replicasFor } from "../../platform/environment";
import { PodSecurityLevel, podSecurityLabels, standardLabels } from "../../platform/security";
import { versions } from "../../versions";
import { ChartSource, locateChart } from "./chart-source";
import { ChartKey } from "./config";

/** What every add-on needs to know about the stack. */
export interface AddonContext {
    environment: Environment;
    /** Pod Security Standards version pinned in namespace labels. */
    podSecurityVersion: string;
    charts: ChartSource;
}

export interface AddonNamespace {
    name: string;
    /** The strictest level the add-on's workloads can meet. */
    podSecurityLevel: PodSecurityLevel;
}

/** Chart values: plain data, so that they can be merged and asserted on. */
export type ChartValues = { [key: string]: unknown };

export interface ChartInstall {
    chart: ChartKey;
    /** Helm release name, which prefixes the chart's object names; defaults to the chart name. */
    releaseName?: string;
    /** The values Groundwork sets (typed per add-on). */
    values: ChartValues;
    /** The stack's escape hatch (`groundwork:addons.<addon>.values`), merged last. */
    overrides: ChartValues;
    /** Resources the chart's objects need first, besides the namespace. */
    dependsOn?: pulumi.Resource[];
}

/**
 * The shared base of every Helm add-on: its namespace with Pod Security Admission labels, and
 * its chart as a `kubernetes.helm.sh/v4.Chart`, so that every rendered object is a Pulumi
 * resource the policy pack and transforms see. The chart is located from the pinned versions
 * table through the stack's chart source.
 */
export abstract class HelmAddon extends pulumi.ComponentResource {
    readonly namespaceResource: k8s.core.v1.Namespace;
    /** The add-on's namespace name; depends on the Namespace object. */
    readonly namespace: pulumi.Output<string>;
    protected readonly context: AddonContext;
    private readonly baseName: string;

    protected constructor(type: string, name: string, context: AddonContext, namespace: AddonNamespace, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
        this.context = context;
        this.baseName = name;
        this.namespaceResource = new k8s.core.v1.Namespace(`${name}-namespace`, {
            metadata: {
                name: namespace.name,
                labels: {
                    ...standardLabels(namespace.name, "addon", context.environment),
                    ...podSecurityLabels(namespace.podSecurityLevel, context.podSecurityVersion),
                },
            },
        }, { parent: this });
        this.namespace = this.namespaceResource.metadata.name;
    }

    /** Production runs every add-on with several replicas, disruption budgets and anti-affinity. */
    protected get highAvailability(): boolean {
        return profileOf(this.context.environment).highAvailability;
    }

    /** The configured replica count, else the environment's (replicasFor). */
    protected replicas(configured: number | undefined): number {
        return replicasFor(this.highAvailability, configured);
    }

    protected installChart(install: ChartInstall): k8s.helm.v4.Chart {
        const pinned = versions.charts[install.chart];
        return new k8s.helm.v4.Chart(`${this.baseName}-${pinned.name}`, {
            ...locateChart(install.chart, this.context.charts),
            name: install.releaseName ?? pinned.name,
            namespace: this.namespace,
            values: mergeValues(install.values, install.overrides),
        }, { parent: this, dependsOn: [this.namespaceResource, ...(install.dependsOn ?? [])] });
    }
}

/** Deep merge of chart values: maps merge key by key, anything else in `override` replaces. */
export function mergeValues(base: ChartValues, override: ChartValues): ChartValues {
    const merged: ChartValues = { ...base };
    for (const [key, value] of Object.entries(override)) {
        const current = merged[key];
        merged[key] = isPlainMap(current) && isPlainMap(value) ? mergeValues(current, value) : value;
    }
    return merged;
}

function isPlainMap(value: unknown): value is ChartValues {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Prefers spreading the pods that match `selector` over nodes, without blocking scheduling. */
export function spreadOverNodes(selector: Record<string, string>): ChartValues {
    return {
        podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{
                weight: 100,
                podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selector } },
            }],
        },
    };
}

/** Pod-level settings that pass the restricted profile. */
export const restrictedPod: ChartValues = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };

/** Container-level settings that pass the restricted profile. */
export const restrictedContainer: ChartValues = {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};
