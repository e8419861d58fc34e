import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { formatBytes, formatCpu } from "./quantity";
import { podSecurityLabels, PodSecurityLevel, standardLabels } from "./security";
import { Budget, Resources } from "./sizing";

export interface GuardedNamespaceArgs {
    name: string;
    environment: string;
    podSecurityLevel: PodSecurityLevel;
    podSecurityVersion: string;
    /** What the namespace may consume at most; becomes its ResourceQuota. */
    budget: Budget;
    /** Requests and limits given to containers that set none; becomes its LimitRange defaults. */
    containerDefaults: Resources;
}

/** A guarded namespace's resources: the Namespace, and everything that must exist before workloads start in it. */
export interface NamespaceGuards {
    namespace: k8s.core.v1.Namespace;
    /** The Namespace and its quota, defaults and network policies. */
    all: pulumi.Resource[];
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
        this.namespace = guardNamespace(name, args, this).namespace;
        this.name = this.namespace.metadata.name;
        this.registerOutputs({ name: this.name });
    }
}

/**
 * Registers a guarded namespace's resources under `parent`, named `<name>`, `<name>-quota`, …; for a
 * component that is itself the namespace of what it holds (see TierUnit), where GuardedNamespace
 * would add a level.
 */
export function guardNamespace(name: string, args: GuardedNamespaceArgs, parent: pulumi.Resource): NamespaceGuards {
    const namespace = new k8s.core.v1.Namespace(name, {
        metadata: {
            name: args.name,
            labels: {
                ...standardLabels(args.name, "namespace", args.environment),
                ...podSecurityLabels(args.podSecurityLevel, args.podSecurityVersion),
            },
        },
    }, { parent });
    const namespaceName = namespace.metadata.name;
    const inNamespace = { parent, dependsOn: [namespace] };

    const [quota, limits] = budgetGuards(name, namespaceName, args, parent, [namespace]);

    const denyAll = new k8s.networking.v1.NetworkPolicy(`${name}-default-deny`, {
        metadata: { name: "default-deny-all", namespace: namespaceName },
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    }, inNamespace);

    const allowDns = new k8s.networking.v1.NetworkPolicy(`${name}-allow-dns`, {
        metadata: { name: "allow-dns-egress", namespace: namespaceName },
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

    return { namespace, all: [namespace, quota, limits, denyAll, allowDns] };
}

/**
 * The ResourceQuota holding a namespace to `budget`, and the LimitRange giving containers that set
 * nothing `containerDefaults`: for namespaces whose Namespace object another component owns (an add-on's).
 */
export function budgetGuards(
    name: string,
    namespace: pulumi.Input<string>,
    args: Pick<GuardedNamespaceArgs, "budget" | "containerDefaults">,
    parent: pulumi.Resource,
    dependsOn: pulumi.Resource[],
): [k8s.core.v1.ResourceQuota, k8s.core.v1.LimitRange] {
    const { budget } = args;
    const inNamespace = { parent, dependsOn };
    const quota = new k8s.core.v1.ResourceQuota(`${name}-quota`, {
        metadata: { name: "groundwork-quota", namespace },
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
    const limits = new k8s.core.v1.LimitRange(`${name}-limits`, {
        metadata: { name: "groundwork-defaults", namespace },
        spec: {
            limits: [{
                type: "Container",
                defaultRequest: { ...args.containerDefaults.requests },
                default: { ...args.containerDefaults.limits },
            }],
        },
    }, inNamespace);
    return [quota, limits];
}
