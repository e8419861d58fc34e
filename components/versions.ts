/**
 * Every version the program pins: Helm charts, container images and the Pod Security Standards
 * version written into namespace labels. The engine's own versions (CLI, plugins) are the
 * toolchain's: tools/toolchain/versions.ts.
 */
export const versions = {
    /** Pod Security Admission `*-version` label value and the default policy-pack version. */
    podSecurity: "v1.35",
    images: {
        postgres: "docker.io/library/postgres:17.6-alpine3.22",
        redis: "docker.io/library/redis:8.2.1-alpine3.22",
        /** cert-manager's own API readiness check, run as the webhook gate; its tag follows the cert-manager chart. */
        certManagerStartupApiCheck: "quay.io/jetstack/cert-manager-startupapicheck:v1.21.1",
        /** CI: clones the source in the Tekton pipelines. */
        git: "docker.io/alpine/git:2.49.1",
        /** CI: rootless image builds (buildctl-daemonless.sh) in the Tekton pipelines. */
        buildkitRootless: "docker.io/moby/buildkit:v0.32.2-rootless",
        /** CD: applies a tier's manifests, checks CRD readiness and waits for rollouts in the Tekton deploy and cleanup pipelines. */
        kubectl: "registry.k8s.io/kubectl:v1.35.0",
        /** Monitoring: the PostgreSQL exporter sidecar of each tier's database, when the stack runs monitoring. */
        postgresExporter: "quay.io/prometheuscommunity/postgres-exporter:v0.18.1",
    },
    /**
     * Helm charts of the platform add-ons: chart name, exact version and upstream repository
     * (an HTTP Helm repository, or an OCI registry path to which the chart name is appended).
     * `groundwork:charts` may send every chart to a mirror; the versions stay these.
     */
    charts: {
        /**
         * The final chart: ingress-nginx was retired upstream (maintenance ended March 2026), and
         * 4.15.1 (controller v1.15.1, 2026-03-20) is its last release. Kept behind the ingress interface.
         */
        ingressNginx: { name: "ingress-nginx", version: "4.15.1", repository: "https://kubernetes.github.io/ingress-nginx" },
        /** Jetstack's chart versions carry the leading "v". */
        certManager: { name: "cert-manager", version: "v1.21.1", repository: "https://charts.jetstack.io" },
        argoCd: { name: "argo-cd", version: "10.1.1", repository: "https://argoproj.github.io/argo-helm" },
        /**
         * Tekton Pipelines has no official chart; the Tekton Operator's chart is published only as an
         * OCI artifact (from operator v0.80.0 on), and the operator installs Pipelines and Triggers.
         */
        tektonOperator: { name: "tekton-operator", version: "0.81.1", repository: "oci://ghcr.io/tektoncd/operator/charts" },
        /** Prometheus operator, Prometheus, Alertmanager, Grafana, kube-state-metrics and node-exporter. */
        kubePrometheusStack: { name: "kube-prometheus-stack", version: "81.6.2", repository: "https://prometheus-community.github.io/helm-charts" },
    },
    /**
     * Charts Argo CD's repo server renders, never Pulumi: argocd-apps renders the child Applications of
     * each environment's app-of-apps. From the stack's chart source, like the charts above.
     */
    argoCdRenderedCharts: {
        argocdApps: { name: "argocd-apps", version: "2.0.5", repository: "https://argoproj.github.io/argo-helm" },
    },
} as const;
