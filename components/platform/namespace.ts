import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { formatBytes, formatCpu } from "../config/quantity";
import { NamespaceBudget, Resources } from "../config/sizing";
import { podSecurityLabels, PodSecurityLevel, standardLabels } from "./security";

export interface GuardedNamespaceArgs {
    name: string;
    environment: string;
    podSecurityLevel: PodSecurityLevel;
    podSecurityVersion: string;
    /** What the namespace may consume at most; becomes its ResourceQuota. */
    budget: NamespaceBudget;
    /** Requests and limits given to containers that set none; becomes its LimitRange defaults. */
    containerDefaults: Resources;
}

/**
 * A namespace that starts closed: Pod Security Admission labels, a ResourceQuota, a LimitRange,
 * and NetworkPolicies that deny all traffic but DNS. Workloads open what they need themselves.
 */
export class GuardedNamespace extends pulumi.ComponentResource {
    readonly name: pulumi.Output<string>;
    readonly namespace: k8s.core.v1.Namespace;

    constructor(name: string, args: GuardedNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("groundwork:platform:GuardedNamespace", name, {}, opts);
        const child = { parent: this };

        this.namespace = new k8s.core.v1.Namespace(name, {
            metadata: {
                name: args.name,
                labels: {
                    ...standardLabels(args.name, "namespace", args.environment),
                    ...podSecurityLabels(args.podSecurityLevel, args.podSecurityVersion),
                },
            },
        }, child);
        this.name = this.namespace.metadata.name;
        const inNamespace = { parent: this, dependsOn: [this.namespace] };

        const { budget } = args;
        new k8s.core.v1.ResourceQuota(`${name}-quota`, {
            metadata: { name: "groundwork-quota", namespace: this.name },
            spec: {
                hard: {
                    "requests.cpu": formatCpu(budget.requestsCpu),
                    "limits.cpu": formatCpu(budget.limitsCpu),
                    "requests.memory": formatBytes(budget.requestsMemory),
                    "limits.memory": formatBytes(budget.limitsMemory),
                    pods: String(budget.pods),
                    persistentvolumeclaims: String(budget.persistentVolumeClaims),
                    "requests.storage": formatBytes(budget.storage),
                },
            },
        }, inNamespace);

        new k8s.core.v1.LimitRange(`${name}-limits`, {
            metadata: { name: "groundwork-defaults", namespace: this.name },
            spec: {
                limits: [{
                    type: "Container",
                    defaultRequest: { ...args.containerDefaults.requests },
                    default: { ...args.containerDefaults.limits },
                }],
            },
        }, inNamespace);

        new k8s.networking.v1.NetworkPolicy(`${name}-default-deny`, {
            metadata: { name: "default-deny-all", namespace: this.name },
            spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        }, inNamespace);

        new k8s.networking.v1.NetworkPolicy(`${name}-allow-dns`, {
            metadata: { name: "allow-dns-egress", namespace: this.name },
            spec: {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [{
                    to: [{
                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                        podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                    }],
                    ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
                }],
            },
        }, inNamespace);

        this.registerOutputs({ name: this.name });
    }
}
