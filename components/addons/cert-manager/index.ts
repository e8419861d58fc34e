import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { serviceAccountBinding, standardLabels } from "../../platform/security";
import { versions } from "../../versions";
import { AddonContext, ChartValues, HelmAddon, restrictedContainer, restrictedPod, spreadOverNodes } from "../helm-addon";
import { CertManagerSettings, ClusterIssuerName, clusterIssuerNames } from "./config";

export interface CertManagerArgs {
    context: AddonContext;
    settings: CertManagerSettings;
    /** IngressClass through which ACME HTTP-01 challenges are answered. */
    ingressClass: string;
    defaultIssuer: ClusterIssuerName;
    /** Needed when `settings.dns01Zones` is not empty. */
    cloudflareApiToken?: string;
}

const acmeServers: Record<"letsencrypt-staging" | "letsencrypt-production", string> = {
    "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
    "letsencrypt-production": "https://acme-v02.api.letsencrypt.org/directory",
};

const releaseName = "cert-manager";

/**
 * cert-manager with its CRDs, and four ClusterIssuers: `selfsigned`, `internal-ca` (a root CA
 * from @pulumi/tls), `letsencrypt-staging` and `letsencrypt-production` (HTTP-01 through the
 * ingress class; DNS-01 through Cloudflare for the configured zones).
 *
 * Chart v4 drops the chart's startupapicheck hook, so nothing would wait for the webhook and the
 * first issuer would be rejected ("failed calling webhook"). The webhook gate replaces it: the
 * same upstream check, run as a plain Job that Pulumi waits on until the webhook admits a dry-run
 * request with its injected CA; every issuer depends on that Job.
 *
 * Namespace level: restricted (every cert-manager pod runs non-root with RuntimeDefault seccomp
 * and no capabilities, as the values below set).
 */
export class CertManager extends HelmAddon {
    readonly chart: k8s.helm.v4.Chart;
    /** Completes once the webhook admits requests: everything that creates cert-manager objects waits for it. */
    readonly webhookGate: k8s.batch.v1.Job;
    readonly issuers: Record<ClusterIssuerName, k8s.apiextensions.CustomResource>;
    /** Name of the stack's default ClusterIssuer; resolves once that issuer exists. */
    readonly defaultIssuer: pulumi.Output<string>;
    /** The internal CA's certificate (PEM), for clients that must trust internal-ca certificates. */
    readonly internalCaCertificate: pulumi.Output<string>;

    constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
        const { settings } = args;
        super("groundwork:addons:CertManager", name, args.context, { name: settings.namespace, podSecurityLevel: "restricted" }, opts);
        const labels = standardLabels("cert-manager", "addon", args.context.environment);

        this.chart = this.installChart({ chart: "certManager", releaseName, values: this.chartValues(settings), overrides: settings.values });
        this.webhookGate = this.createWebhookGate(name, labels);

        const afterGate = { parent: this, dependsOn: [this.webhookGate] };
        const internalCa = this.createInternalCa(name, settings, labels);
        const cloudflareToken = settings.dns01Zones.length > 0 ? this.cloudflareTokenSecret(name, args.cloudflareApiToken, labels) : undefined;
        const specs: Record<ClusterIssuerName, pulumi.Input<Record<string, unknown>>> = {
            "selfsigned": { selfSigned: {} },
            "internal-ca": { ca: { secretName: internalCa.secret.metadata.name } },
            "letsencrypt-staging": acmeSpec("letsencrypt-staging", settings, args.ingressClass, cloudflareToken),
            "letsencrypt-production": acmeSpec("letsencrypt-production", settings, args.ingressClass, cloudflareToken),
        };
        this.issuers = Object.fromEntries(clusterIssuerNames.map((issuer) => [issuer, new k8s.apiextensions.CustomResource(`${name}-${issuer}`, {
            apiVersion: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            metadata: { name: issuer, labels },
            spec: specs[issuer],
        }, { ...afterGate, dependsOn: [this.webhookGate, ...(issuer === "internal-ca" ? [internalCa.secret] : [])] })])) as Record<ClusterIssuerName, k8s.apiextensions.CustomResource>;

        // Derived from the issuer's URN, so that whatever names the issuer also waits for it.
        this.defaultIssuer = this.issuers[args.defaultIssuer].urn.apply(() => args.defaultIssuer);
        this.internalCaCertificate = internalCa.certificatePem;
        this.registerOutputs({ namespace: this.namespace, defaultIssuer: this.defaultIssuer, internalCaCertificate: this.internalCaCertificate });
    }

    private chartValues(settings: CertManagerSettings): ChartValues {
        const replicas = this.replicas(settings.replicas);
        const resources = { requests: { ...settings.resources.requests }, limits: { ...settings.resources.limits } };
        const component = (selector: string): ChartValues => ({
            replicaCount: replicas,
            resources,
            securityContext: restrictedPod,
            containerSecurityContext: restrictedContainer,
            podDisruptionBudget: this.highAvailability ? { enabled: true, minAvailable: 1 } : { enabled: false },
            ...(this.highAvailability ? { affinity: spreadOverNodes({ "app.kubernetes.io/name": selector, "app.kubernetes.io/instance": releaseName }) } : {}),
        });
        return {
            crds: { enabled: true, keep: true },
            global: { leaderElection: { namespace: settings.namespace } },
            ...component("cert-manager"),
            webhook: component("webhook"),
            cainjector: component("cainjector"),
            // A hook, which Chart v4 drops; the webhook gate below runs the same check.
            startupapicheck: { enabled: false },
            prometheus: { enabled: true },
        };
    }

    private createWebhookGate(name: string, labels: Record<string, string>): k8s.batch.v1.Job {
        const gateName = "cert-manager-webhook-gate";
        const afterChart = { parent: this, dependsOn: [this.chart] };
        const namespace = this.namespace;
        const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-webhook-gate`, {
            metadata: { name: gateName, namespace, labels },
        }, afterChart);
        // The check creates a dry-run CertificateRequest: nothing is stored, but admission runs.
        const role = new k8s.rbac.v1.Role(`${name}-webhook-gate`, {
            metadata: { name: gateName, namespace, labels },
            rules: [{ apiGroups: ["cert-manager.io"], resources: ["certificaterequests"], verbs: ["create"] }],
        }, afterChart);
        const binding = new k8s.rbac.v1.RoleBinding(`${name}-webhook-gate`, serviceAccountBinding(
            { name: gateName, namespace, labels },
            { kind: "Role", name: role.metadata.name },
            { name: serviceAccount.metadata.name, namespace },
        ), afterChart);
        return new k8s.batch.v1.Job(`${name}-webhook-gate`, {
            metadata: { name: gateName, namespace, labels },
            spec: {
                backoffLimit: 6,
                template: {
                    metadata: { labels },
                    spec: {
                        serviceAccountName: serviceAccount.metadata.name,
                        restartPolicy: "OnFailure",
                        securityContext: { ...restrictedPod, runAsUser: 1000, runAsGroup: 1000 },
                        containers: [{
                            name: "check-api",
                            image: versions.images.certManagerStartupApiCheck,
                            args: ["check", "api", "--wait=5m", "-v"],
                            env: [{ name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }],
                            securityContext: restrictedContainer,
                            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
                        }],
                    },
                },
            },
        }, { parent: this, dependsOn: [this.chart, binding], deleteBeforeReplace: true });
    }

    private createInternalCa(name: string, settings: CertManagerSettings, labels: Record<string, string>): { secret: k8s.core.v1.Secret; certificatePem: pulumi.Output<string> } {
        const key = new tls.PrivateKey(`${name}-internal-ca`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent: this });
        const certificate = new tls.SelfSignedCert(`${name}-internal-ca`, {
            privateKeyPem: key.privateKeyPem,
            subject: { commonName: settings.internalCa.commonName, organization: "Groundwork" },
            isCaCertificate: true,
            validityPeriodHours: settings.internalCa.validityHours,
            // Renewal starts with a tenth of the validity left, so a replacement root can be rolled out in time.
            earlyRenewalHours: Math.floor(settings.internalCa.validityHours / 10),
            allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
        }, { parent: this });
        const secret = new k8s.core.v1.Secret(`${name}-internal-ca`, {
            metadata: { name: "internal-ca", namespace: this.namespace, labels },
            type: "kubernetes.io/tls",
            stringData: { "tls.crt": certificate.certPem, "tls.key": key.privateKeyPem, "ca.crt": certificate.certPem },
        }, { parent: this, dependsOn: [this.namespaceResource] });
        return { secret, certificatePem: certificate.certPem };
    }

    private cloudflareTokenSecret(name: string, token: string | undefined, labels: Record<string, string>): k8s.core.v1.Secret {
        if (token === undefined) {
            throw new Error("groundwork:cloudflareApiToken is required when groundwork:addons.certManager.dns01Zones lists zones");
        }
        return new k8s.core.v1.Secret(`${name}-cloudflare-token`, {
            metadata: { name: "cloudflare-api-token", namespace: this.namespace, labels },
            type: "Opaque",
            stringData: { "api-token": pulumi.secret(token) },
        }, { parent: this, dependsOn: [this.namespaceResource] });
    }
}

function acmeSpec(
    issuer: "letsencrypt-staging" | "letsencrypt-production",
    settings: CertManagerSettings,
    ingressClass: string,
    cloudflareToken: k8s.core.v1.Secret | undefined,
): pulumi.Input<Record<string, unknown>> {
    const http01 = { http01: { ingress: { ingressClassName: ingressClass } } };
    const solvers: pulumi.Input<Record<string, unknown>>[] = cloudflareToken === undefined ? [http01] : [
        {
            selector: { dnsZones: [...settings.dns01Zones] },
            dns01: { cloudflare: { apiTokenSecretRef: { name: cloudflareToken.metadata.name, key: "api-token" } } },
        },
        http01,
    ];
    return {
        acme: {
            server: acmeServers[issuer],
            ...(settings.acmeEmail === undefined ? {} : { email: settings.acmeEmail }),
            privateKeySecretRef: { name: `${issuer}-account-key` },
            solvers,
        },
    };
}
