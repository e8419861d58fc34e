import * as pulumi from "@pulumi/pulumi";
import { ArgoCd } from "./argocd";
import { RepositoryCredentials } from "./argocd/config";
import { CertManager } from "./cert-manager";
import { AddonsSettings } from "./config";
import { AddonContext } from "./helm-addon";
import { ChartsSettings } from "./helm-addon/config";
import { existingIngressLayer, IngressLayer } from "./ingress-layer";
import { IngressNginx } from "./ingress-nginx";
import { Monitoring } from "./monitoring";
import { Tekton } from "./tekton";
import { CiPipelines } from "./ci/pipelines";
import { RegistryCredentials } from "./tekton/config";

export { ArgoCd } from "./argocd";
export { CertManager } from "./cert-manager";
export { HelmAddon } from "./helm-addon";
export { IngressNginx } from "./ingress-nginx";
export { IngressLayer } from "./ingress-layer";
export { Monitoring } from "./monitoring";
export { Tekton } from "./tekton";
export { CiPipelines } from "./ci/pipelines";

/** The parts of the validated stack config the add-ons read; the whole config satisfies it. */
export interface AddonsStackConfig {
    readonly environment: AddonContext["environment"];
    readonly podSecurityVersion: string;
    readonly storageClass?: string;
    readonly charts: ChartsSettings;
    readonly addons: AddonsSettings;
    readonly cloudflareApiToken?: string;
    readonly chartRepositoryPassword?: string;
    readonly argocdRepositoryCredentials?: RepositoryCredentials;
    readonly alertPagerDutyRoutingKey?: string;
    readonly alertSlackWebhookUrl?: string;
    readonly ciRegistryCredentials?: RegistryCredentials;
    readonly tierSecrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
    readonly tiers: readonly { name: string; namespace?: string }[];
}

export interface PlatformAddonsArgs {
    config: AddonsStackConfig;
}

/**
 * The platform add-ons and the CI namespace, each unless the stack switches it off. cert-manager,
 * Argo CD, the Tekton operator and the monitoring stack install in parallel, except that ingress-nginx
 * and the monitoring stack wait for cert-manager (their webhook certificates are cert-manager
 * Certificates); the CI pipelines wait for Tekton, and only the Ingresses of Argo CD and the
 * EventListener wait for the ingress controller. An add-on switched off registers nothing: public
 * hosts then use the existing controller and issuer the stack names (validation requires them).
 */
export class PlatformAddons extends pulumi.ComponentResource {
    readonly certManager?: CertManager;
    readonly ingressController?: IngressNginx;
    readonly argocd?: ArgoCd;
    readonly tekton?: Tekton;
    readonly ci?: CiPipelines;
    /** kube-prometheus-stack, when the stack enables monitoring. */
    readonly monitoring?: Monitoring;
    /** The ingress layer the tiers use (class, controller namespace, load-balancer address): Groundwork's, an existing one, or none. */
    readonly ingress?: IngressLayer;
    /** The ClusterIssuer of public certificates (Groundwork's default, resolving once it exists, or an existing one); none without either. */
    readonly clusterIssuer?: pulumi.Output<string>;
    readonly argocdUrl?: pulumi.Output<string>;
    readonly argocdAdminPassword?: pulumi.Output<string>;
    readonly eventListenerUrl?: pulumi.Output<string>;
    readonly webhookSecret?: pulumi.Output<string>;
    /** Per tier and kind ("backend/deploy"), the deployment webhook's URL and HMAC secret (secret outputs). */
    readonly deliveryWebhooks?: pulumi.Output<Record<string, { url: string; secret: string }>>;

    constructor(name: string, args: PlatformAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("groundwork:addons:PlatformAddons", name, {}, opts);
        const { config } = args;
        const { addons } = config;
        const context: AddonContext = {
            environment: config.environment,
            podSecurityVersion: config.podSecurityVersion,
            charts: { ...config.charts, password: config.chartRepositoryPassword },
        };
        const child = { parent: this };

        const certManager = addons.certManager.enabled ? new CertManager(`${name}-cert-manager`, {
            context,
            settings: addons.certManager,
            ingressClass: addons.ingressClass,
            defaultIssuer: addons.defaultIssuer,
            cloudflareApiToken: config.cloudflareApiToken,
        }, child) : undefined;
        this.certManager = certManager;
        this.clusterIssuer = certManager?.defaultIssuer ?? (addons.certManager.existing && pulumi.output(addons.certManager.existing.clusterIssuer));

        // Validation turns ingress-nginx and monitoring off whenever cert-manager is: both take their webhook certificates from it.
        const webhookCertificates = certManager && { webhookIssuer: certManager.issuers["internal-ca"], certManagerChart: certManager.chart };
        if (addons.ingressNginx.enabled && webhookCertificates) {
            this.ingressController = new IngressNginx(`${name}-ingress-nginx`, {
                context,
                settings: addons.ingressNginx,
                className: addons.ingressClass,
                ...webhookCertificates,
            }, child);
        }
        this.ingress = this.ingressController ?? (addons.ingressNginx.existing && existingIngressLayer(addons.ingressClass, addons.ingressNginx.existing));
        const serving = { ingress: this.ingress, clusterIssuer: this.clusterIssuer };

        if (addons.argocd.enabled) {
            this.argocd = new ArgoCd(`${name}-argocd`, {
                context,
                settings: addons.argocd,
                repositoryCredentials: config.argocdRepositoryCredentials ?? [],
                ...serving,
            }, child);
            this.argocdUrl = this.argocd.url;
            this.argocdAdminPassword = this.argocd.adminPassword;
        }
        const tekton = addons.tekton.enabled ? new Tekton(`${name}-tekton`, { context, settings: addons.tekton }, child) : undefined;
        this.tekton = tekton;
        if (addons.monitoring.enabled && webhookCertificates) {
            this.monitoring = new Monitoring(`${name}-monitoring`, {
                context,
                settings: addons.monitoring,
                storageClass: config.storageClass,
                ...webhookCertificates,
                receivers: { pagerDuty: config.alertPagerDutyRoutingKey, slack: config.alertSlackWebhookUrl },
            }, child);
        }
        if (tekton) {
            // Named like the Tekton component that held these objects before the split, so that their names stay.
            this.ci = new CiPipelines(`${name}-tekton`, {
                environment: config.environment,
                podSecurityVersion: config.podSecurityVersion,
                settings: addons.tekton,
                tierNamespaces: Object.fromEntries(config.tiers.map((tier) => [tier.name, tier.namespace ?? tier.name])),
                registryCredentials: config.ciRegistryCredentials === undefined ? undefined : JSON.stringify(config.ciRegistryCredentials),
                tierSecrets: config.tierSecrets,
                ...serving,
                tektonReady: tekton.tektonConfig,
                formerParent: tekton,
                monitoring: this.monitoring && { namespace: addons.monitoring.namespace, crds: this.monitoring.chart },
            }, child);
            this.eventListenerUrl = this.ci.eventListenerUrl;
            this.webhookSecret = this.ci.webhookSecret;
            this.deliveryWebhooks = this.ci.deliveryWebhooks;
        }

        this.registerOutputs({
            ingressClass: this.ingress?.className,
            ingressNamespace: this.ingress?.namespace,
            loadBalancerAddress: this.ingress?.loadBalancerAddress,
            clusterIssuer: this.clusterIssuer,
            argocdUrl: this.argocdUrl,
            eventListenerUrl: this.eventListenerUrl,
        });
    }
}
