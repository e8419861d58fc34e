import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { serviceAccountBinding, standardLabels } from "../platform/security";
import { ClusterAccessConfig } from "./cluster-access-config";

export interface ClusterAccessArgs {
    tierName: string;
    environment: string;
    /** The tier's namespace, where its ServiceAccount (named like the tier) lives. */
    namespace: pulumi.Input<string>;
    access: ClusterAccessConfig;
    /** Keep the CRDs when the tier or stack is removed: deleting a CRD deletes every object of its kind. */
    keepCrds: boolean;
}

/** Records on the ClusterRole why it may grant more than it lists, for whoever audits the cluster. */
export const escalationReasonAnnotation = "groundwork.dev/privilege-escalation-reason";

/**
 * What an operator tier needs beyond its namespace: its CustomResourceDefinitions (from files in the
 * project or from a chart), and a ClusterRole bound to its ServiceAccount. The tier waits for
 * `ready`, so its pods start only once the API serves its resources and grants its access.
 */
export class ClusterAccess extends pulumi.ComponentResource {
    readonly clusterRoleName: pulumi.Output<string>;
    /** The CRDs and the binding: the tier's pods wait for them. */
    readonly ready: pulumi.Resource[];

    constructor(name: string, args: ClusterAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("groundwork:apps:ClusterAccess", name, {}, opts);
        const labels = standardLabels(args.tierName, "cluster-access", args.environment);
        const namespace = pulumi.output(args.namespace);
        const reason = args.access.allowPrivilegeEscalation?.reason;

        const crds = args.access.crds.flatMap((source): pulumi.Resource[] => {
            if (source.file !== undefined) {
                return source.file.definitions.map((crd) => new k8s.apiextensions.v1.CustomResourceDefinition(`${name}-${crd.metadata.name}`, {
                    ...crd,
                    metadata: { ...crd.metadata, labels: { ...(crd.metadata.labels as Record<string, string> | undefined), ...labels } },
                } as unknown as k8s.apiextensions.v1.CustomResourceDefinitionArgs, { parent: this, retainOnDelete: args.keepCrds }));
            }
            const chart = source.chart!;
            const location = chart.repository.startsWith("oci://")
                ? { chart: `${chart.repository.replace(/\/+$/, "")}/${chart.name}` }
                : { chart: chart.name, repositoryOpts: { repo: chart.repository } };
            return [new k8s.helm.v4.Chart(`${name}-${chart.name}`, { ...location, version: chart.version, namespace }, { parent: this })];
        });

        // Cluster-scoped, so named after the namespace too: two stacks' tiers may share a name.
        const role = new k8s.rbac.v1.ClusterRole(`${name}-role`, {
            metadata: {
                name: pulumi.interpolate`groundwork-${namespace}-${args.tierName}`,
                labels,
                ...(reason === undefined ? {} : { annotations: { [escalationReasonAnnotation]: reason } }),
            },
            rules: args.access.rules.map((rule) => ({
                apiGroups: [...rule.apiGroups],
                resources: [...rule.resources],
                verbs: [...rule.verbs],
                ...(rule.resourceNames === undefined ? {} : { resourceNames: [...rule.resourceNames] }),
            })),
        }, { parent: this, dependsOn: crds });
        this.clusterRoleName = role.metadata.name;

        const binding = new k8s.rbac.v1.ClusterRoleBinding(`${name}-binding`, serviceAccountBinding(
            { name: role.metadata.name, labels },
            { kind: "ClusterRole", name: role.metadata.name },
            { name: args.tierName, namespace },
        ), { parent: this });

        this.ready = [...crds, binding];
        this.registerOutputs({ clusterRoleName: this.clusterRoleName });
    }
}
