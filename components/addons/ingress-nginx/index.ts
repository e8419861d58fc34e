import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { clientCertificateAnnotations, originPullCaSecretName } from "../../edge/originPullCa";
import { securityHeaderNames } from "../../platform/security-headers";
import { AddonContext, ChartValues, HelmAddon, restrictedPod, spreadOverNodes } from "../helm-addon";
import { IngressLayer } from "../ingress-layer";
import { IngressNginxSettings } from "./config";

export interface IngressNginxArgs {
    context: AddonContext;
    settings: IngressNginxSettings;
    className: string;
    /**
     * The ClusterIssuer that issues the admission webhook's serving certificate. The chart's own
     * cert-gen Jobs are hooks, which Chart v4 drops, so cert-manager issues it instead.
     */
    webhookIssuer: k8s.apiextensions.CustomResource;
    /** The cert-manager chart, which installs the Certificate CRD this chart's objects use. */
    certManagerChart: pulumi.Resource;
}

const releaseName = "ingress-nginx";
const controllerSelector = {
    "app.kubernetes.io/name": "ingress-nginx",
    "app.kubernetes.io/instance": releaseName,
    "app.kubernetes.io/component": "controller",
};

/**
 * ingress-nginx, pinned to its final chart (the project is retired upstream) and exposed only
 * through the IngressLayer interface, so that another controller can take its place.
 *
 * Behind Cloudflare, the client address is read from `CF-Connecting-IP` only when the connection
 * comes from Cloudflare's published ranges; with verifyOriginPull, public Ingresses also require
 * Cloudflare's origin-pull client certificate, checked against the CA the edge stores in
 * `cloudflare-origin-pull-ca`.
 *
 * Namespace level: restricted. The controller runs as UID 101 without privilege escalation,
 * with all capabilities dropped but NET_BIND_SERVICE (which restricted allows), RuntimeDefault
 * seccomp, no host network and no host ports.
 */
export class IngressNginx extends HelmAddon implements IngressLayer {
    readonly chart: k8s.helm.v4.Chart;
    readonly className: pulumi.Output<string>;
    readonly loadBalancerAddress: pulumi.Output<string | undefined>;
    readonly publicAnnotations: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: IngressNginxArgs, opts?: pulumi.ComponentResourceOptions) {
        const { settings } = args;
        super("groundwork:addons:IngressNginx", name, args.context, { name: settings.namespace, podSecurityLevel: "restricted" }, opts);

        this.chart = this.installChart({
            chart: "ingressNginx",
            releaseName,
            values: this.chartValues(args),
            overrides: settings.values,
            dependsOn: [args.certManagerChart, args.webhookIssuer],
        });

        // Derived from the chart's URN, so that every Ingress using the class waits for the controller and its webhook.
        this.className = this.chart.urn.apply(() => args.className);
        this.loadBalancerAddress = settings.serviceType === "LoadBalancer"
            ? loadBalancerAddressOf(this.chart, settings.namespace, `${releaseName}-controller`)
            : pulumi.output(undefined);
        this.publicAnnotations = pulumi.output(settings.cloudflare.verifyOriginPull ? clientCertificateAnnotations(`${settings.namespace}/${originPullCaSecretName}`) : {});
        this.registerOutputs({ className: this.className, namespace: this.namespace, loadBalancerAddress: this.loadBalancerAddress });
    }

    private chartValues(args: IngressNginxArgs): ChartValues {
        const { settings } = args;
        const config: Record<string, string> = {
            "global-allowed-response-headers": securityHeaderNames.join(","),
        };
        if (settings.cloudflare.realClientIp) {
            Object.assign(config, {
                "enable-real-ip": "true",
                "forwarded-for-header": "CF-Connecting-IP",
                "proxy-real-ip-cidr": settings.cloudflare.trustedRanges.join(","),
            });
        }
        const exposed = settings.serviceType !== "ClusterIP";
        return {
            controller: {
                replicaCount: this.replicas(settings.replicas),
                minAvailable: 1,
                resources: { requests: { ...settings.resources.requests }, limits: { ...settings.resources.limits } },
                ingressClass: args.className,
                ingressClassResource: { name: args.className, enabled: true, default: false, controllerValue: "k8s.io/ingress-nginx" },
                image: { chroot: false, runAsNonRoot: true, allowPrivilegeEscalation: false, seccompProfile: { type: "RuntimeDefault" } },
                podSecurityContext: restrictedPod,
                hostNetwork: false,
                hostPort: { enabled: false },
                allowSnippetAnnotations: false,
                config,
                service: {
                    type: settings.serviceType,
                    ...(exposed ? { externalTrafficPolicy: settings.externalTrafficPolicy } : {}),
                },
                metrics: { enabled: true, service: { enabled: true } },
                admissionWebhooks: {
                    enabled: true,
                    certManager: {
                        enabled: true,
                        issuerRef: { name: "internal-ca", kind: "ClusterIssuer", group: "cert-manager.io" },
                    },
                    // The cert-gen Jobs are hooks, which Chart v4 drops: cert-manager issues the certificate.
                    patch: { enabled: false },
                },
                ...(this.highAvailability ? { affinity: spreadOverNodes(controllerSelector) } : {}),
            },
            defaultBackend: { enabled: false },
        };
    }
}

/** The controller Service's load-balancer IP or hostname, read from the chart's rendered Service. */
function loadBalancerAddressOf(chart: k8s.helm.v4.Chart, namespace: string, serviceName: string): pulumi.Output<string | undefined> {
    return chart.resources.apply((children: unknown[] | undefined) => {
        const services = (children ?? []).filter((child): child is k8s.core.v1.Service => k8s.core.v1.Service.isInstance(child));
        return pulumi.all(services.map((service) => pulumi.all([service.metadata, service.status]))).apply((entries) => {
            const controller = entries.find(([metadata]) => metadata.name === serviceName && metadata.namespace === namespace);
            const address = controller?.[1]?.loadBalancer?.ingress?.[0];
            return address?.ip ?? address?.hostname ?? undefined;
        });
    });
}
