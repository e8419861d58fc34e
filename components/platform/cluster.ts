import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";

export interface ClusterArgs {
    /** Path to a kubeconfig file; the ambient kubeconfig when unset. */
    kubeconfig?: string;
    context?: string;
    /** Render manifests to this directory instead of applying them to a cluster. */
    renderDirectory?: string;
}

/**
 * The Kubernetes provider every component uses: a cluster from a kubeconfig and context, or,
 * when `renderDirectory` is set, no cluster at all — manifests are written to that directory.
 */
export function clusterProvider(cluster: ClusterArgs, opts?: pulumi.CustomResourceOptions): k8s.Provider {
    if (cluster.renderDirectory !== undefined) {
        return new k8s.Provider("cluster", { renderYamlToDirectory: path.resolve(cluster.renderDirectory) }, opts);
    }
    return new k8s.Provider("cluster", { kubeconfig: cluster.kubeconfig, context: cluster.context }, opts);
}
