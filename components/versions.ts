/**
 * Every pinned version in Groundwork: Helm charts, container images, the Pod Security
 * Standards version written into namespace labels, and the Pulumi toolchain.
 *
 * The npm SDK versions in package.json must equal the plugin versions here: the engine
 * loads the plugin whose version the SDK reports. `scripts/toolchain` reads this table.
 */
export const versions = {
    /** Pod Security Admission `*-version` label value and the default policy-pack version. */
    podSecurity: "v1.35",
    toolchain: {
        pulumi: "3.259.0",
        plugins: {
            kubernetes: "4.32.0",
            random: "4.21.1",
            tls: "5.5.1",
            cloudflare: "6.17.0",
        },
        /**
         * The release commits the toolchain's untagged Go modules are built from: the Node.js
         * language host and the provider modules have no Go tags, so the Go module proxy only
         * serves them by commit. Each is the commit of the release tag named beside it.
         */
        commits: {
            /** pulumi/pulumi `pkg/v3.259.0`: the commit that pins sdk/v3 v3.259.0 for the language host. */
            languageNodejs: "a05d88f24d05726fa3beae771bfdedb0c0c6a94a",
            /** pulumi/pulumi-kubernetes `v4.32.0`. */
            kubernetes: "a03ff6ba58d2f1ea68319dda4b2c982119489c71",
            /** pulumi/pulumi-random `v4.21.1`. */
            random: "f2d8b029d0f708bd14bad9479e016560de9c0b6d",
            /** pulumi/pulumi-tls `v5.5.1`. */
            tls: "c3b9a61e70758bd93edf5699ed8c8ac9d1f53224",
            /** pulumi/pulumi-cloudflare `v6.17.0`. */
            cloudflare: "6052b720f3a89f0477aaa0a9b88a386f6293e255",
            /** cloudflare/terraform-provider-cloudflare as pinned by pulumi-cloudflare v6.17.0 (its `upstream` submodule). */
            cloudflareUpstream: "b2277b8b3ba7153e4ddb2167483cd7c3909119e8",
        },
        /** Lints `.github/workflows`; built from its Go module like the rest of the toolchain. */
        actionlint: "1.7.12",
    },
    images: {
        postgres: "docker.io/library/postgres:17.6-alpine3.22",
        redis: "docker.io/library/redis:8.2.1-alpine3.22",
        /** cert-manager's own API readiness check, run as the webhook gate; its tag follows the cert-manager chart. */
        certManagerStartupApiCheck: "quay.io/jetstack/cert-manager-startupapicheck:v1.21.1",
        /** CI: clones the source in the Tekton pipelines. */
        git: "docker.io/alpine/git:2.49.1",
        /** CI: rootless image builds (buildctl-daemonless.sh) in the Tekton pipelines. */
        buildkitRootless: "docker.io/moby/buildkit:v0.32.2-rootless",
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
    },
} as const;
