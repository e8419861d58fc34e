/**
 * The random provider plugin, bridged by us (`modules/random-bridged`): pulumi-random's own
 * provider module is refused by the Go module proxy, the pieces it is built from are served.
 * terraform-provider-random at the commit pulumi-random 4.21.1 builds from (f8d869dc98d9, per
 * its provider/go.mod), and the bridge version it uses.
 */
const random = {
    version: "4.21.1",
    terraformModule: "github.com/terraform-providers/terraform-provider-random",
    terraformPseudoVersion: "v1.3.2-0.20260513075824-f8d869dc98d9",
    commit: "f8d869dc98d9",
    bridge: "3.135.0",
} as const;

/**
 * The Pulumi toolchain's pinned versions: the engine and plugins Groundwork runs with. The npm
 * SDK versions in package.json must equal the plugin versions here, because the engine loads the
 * plugin whose version the SDK reports (test/tools/toolchain/toolchain.spec.ts holds them together).
 * The program's own pins (charts, images, Pod Security) live in components/versions.ts.
 */
export const toolchainVersions = {
    /** The CLI, built from `github.com/pulumi/pulumi/pkg/v3` through the wrapper module `modules/pulumi`. */
    pulumi: "3.259.0",
    /**
     * The kubernetes provider plugin. Its module has no Go tag, so it is fetched by the
     * pseudo-version of the `v4.25.0` release commit (f47bc2d6f199); the v4.32.0 commit is not
     * served by the Go module proxy these machines reach.
     */
    kubernetes: {
        version: "4.25.0",
        module: "github.com/pulumi/pulumi-kubernetes/provider/v4",
        pseudoVersion: "v4.0.0-20260115033456-f47bc2d6f199",
        commit: "f47bc2d6f199",
    },
    random,
    /**
     * Groundwork's stand-ins under `stand-ins/` serve these versions when the real plugin is neither
     * installed nor buildable: tls always (terraform-provider-tls at pulumi-tls 5.5.1's commit is
     * refused by the proxy), random only when its bridged build is unavailable or broken.
     */
    standIns: {
        random: random.version,
        tls: "5.5.1",
    },
    /**
     * A real control plane on loopback for the cluster runs: kube-apiserver, kube-controller-manager
     * and kube-scheduler from `k8s.io/kubernetes` (its staging modules replaced by their published
     * `v0.<minor>.<patch>` tags in `modules/control-plane`), and the etcd server its module graph pins.
     */
    controlPlane: {
        kubernetes: "1.37.2",
        etcd: "3.7.0",
    },
    /** Fake nodes: kwok makes pods Running and Ready without a kubelet, so workloads pass Pulumi's await. */
    kwok: "0.8.0",
    /**
     * Kubernetes' own Pod Security checks (the code of the API server's PodSecurity admission), the
     * reference `npm run bench` measures the policy pack's checker against; the staging module of
     * the control plane's Kubernetes release, so both judge by the same rules.
     */
    podSecurityAdmission: "0.37.2",
    /**
     * NetworkPolicy verdicts without a cluster: cyclonus' matcher (the API's semantics as written),
     * wrapped by our `netpol-judge` (`modules/netpol-judge`, client tools/network/judge.ts).
     */
    cyclonus: "0.5.6",
    /** Lints `.github/workflows`; built from its Go module like the rest of the toolchain. */
    actionlint: "1.7.12",
} as const;
