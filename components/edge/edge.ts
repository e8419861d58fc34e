import { isIPv4, isIPv6 } from "node:net";
import * as cloudflare from "@pulumi/cloudflare";
import * as kubernetes from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { defaultTls, EdgeSettings } from "./config";
import { clientCertificateAnnotations, originPullCaPem, originPullCaSecretName } from "./originPullCa";
import { rulesetSpecs, zoneSettingSpecs } from "./rulesets";

/** A tier whose hosts Cloudflare serves; its namespace receives the origin certificate (see originTlsFor). */
export interface PublicTier {
    readonly name: string;
    readonly namespace: string;
    readonly hosts: readonly string[];
}

export interface EdgeArgs {
    readonly config: EdgeSettings;
    /** Cloudflare API token (Zone: DNS, Zone Settings, Zone WAF, SSL and Certificates: edit). Kept secret. */
    readonly apiToken: pulumi.Input<string>;
    readonly ingress: {
        /** The ingress controller's load-balancer address: an IP (A/AAAA record) or a hostname (CNAME). */
        readonly loadBalancerAddress: pulumi.Input<string | undefined>;
        /** Where the controller runs; Cloudflare's origin-pull CA is stored there for every public Ingress to verify against. */
        readonly controllerNamespace: pulumi.Input<string>;
    };
    readonly publicTiers: readonly PublicTier[];
}

/** What a tier's Ingress needs to serve the origin certificate and accept only Cloudflare. */
export interface TierIngressSettings {
    readonly tlsSecretName: pulumi.Output<string>;
    readonly ingressAnnotations: pulumi.Output<Record<string, string>>;
}

const tlsSecretName = "cloudflare-origin-tls";
/** Cloudflare proxies only records with TTL "automatic". */
const automaticTtl = 1;

/**
 * Cloudflare in front of the ingress: proxied DNS records for every public host, an Origin CA
 * certificate served by the ingress, and (in the stack that owns the zone) the zone's TLS settings,
 * authenticated origin pulls and the WAF custom, managed and rate-limiting rulesets.
 */
export class Edge extends pulumi.ComponentResource {
    readonly zoneId: pulumi.Output<string>;
    readonly hostnames: pulumi.Output<string[]>;
    /** Entrypoint ruleset ids by phase (http_request_firewall_custom, …); empty in a stack that does not own the zone. */
    readonly rulesetIds: pulumi.Output<Record<string, string>>;
    /** This component's name, the prefix of its children's names. */
    private readonly baseName: string;
    private readonly publicTiers: ReadonlyMap<string, PublicTier>;
    /** The origin certificate and its key, once some tier is public. */
    private readonly origin?: OriginCertificate;

    constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("groundwork:edge:Edge", name, {}, opts);
        const { config } = args;
        this.baseName = name;
        this.publicTiers = new Map(args.publicTiers.map((tier) => [tier.name, tier]));
        const provider = new cloudflare.Provider(`${name}-cloudflare`, { apiToken: pulumi.secret(args.apiToken) }, { parent: this });
        const inCloudflare = { parent: this, provider };

        const zone = cloudflare.getZoneOutput({ filter: { name: config.zone.name, account: { id: config.zone.accountId } } }, inCloudflare);
        this.zoneId = zone.zoneId;

        const hosts = [...new Set(args.publicTiers.flatMap((tier) => tier.hosts))];
        this.hostnames = pulumi.output(hosts);
        const address = pulumi.output(args.ingress.loadBalancerAddress);
        const recordType = address.apply(dnsRecordTypeOf);
        for (const tier of args.publicTiers) {
            for (const host of tier.hosts) {
                new cloudflare.DnsRecord(`${name}-${host}`, {
                    zoneId: this.zoneId,
                    name: host,
                    type: recordType,
                    content: address.apply((value) => value ?? ""),
                    proxied: true,
                    ttl: automaticTtl,
                    comment: `groundwork tier ${tier.name}: proxied to the ingress load balancer`,
                }, inCloudflare);
            }
        }

        const rulesetIds: Record<string, pulumi.Output<string>> = {};
        if (config.zoneOwner) {
            for (const setting of zoneSettingSpecs(config.tls ?? defaultTls, config.authenticatedOriginPulls)) {
                new cloudflare.ZoneSetting(`${name}-${setting.settingId}`, { zoneId: this.zoneId, settingId: setting.settingId, value: setting.value }, inCloudflare);
            }
            for (const spec of rulesetSpecs(config)) {
                rulesetIds[spec.phase] = new cloudflare.Ruleset(`${name}-${spec.phase}`, {
                    zoneId: this.zoneId,
                    kind: "zone",
                    phase: spec.phase,
                    name: spec.name,
                    description: spec.description,
                    rules: spec.rules,
                }, inCloudflare).id;
            }
        }
        this.rulesetIds = pulumi.all(rulesetIds);

        this.origin = hosts.length > 0 ? this.originCertificate(name, args, hosts, inCloudflare) : undefined;
        this.registerOutputs({ zoneId: this.zoneId, hostnames: this.hostnames, rulesetIds: this.rulesetIds });
    }

    /**
     * What a public tier's Ingress needs: the origin certificate as a TLS Secret in the tier's namespace,
     * and the annotations that demand Cloudflare's client certificate. Called once per public tier, with
     * its namespace: the tiers' namespaces are created after the edge, and the Secret must wait for it.
     */
    originTlsFor(tierName: string, namespaceReady: pulumi.Resource): TierIngressSettings {
        const tier = this.publicTiers.get(tierName);
        if (tier === undefined || this.origin === undefined) {
            throw new Error(`tier "${tierName}" is not among the edge's public tiers (${[...this.publicTiers.keys()].join(", ")}): Cloudflare serves none of its hosts`);
        }
        // Prefixed like every other child, so that two Edge components cannot collide; the alias keeps the unprefixed name's state.
        const tlsSecret = new kubernetes.core.v1.Secret(`${this.baseName}-${tier.name}-origin-tls`, {
            metadata: { name: tlsSecretName, namespace: tier.namespace, labels: edgeLabels },
            type: "kubernetes.io/tls",
            stringData: { "tls.crt": this.origin.certificatePem, "tls.key": this.origin.privateKeyPem },
        }, { parent: this, dependsOn: [namespaceReady], aliases: [{ name: `${tier.name}-origin-tls` }] });
        return { tlsSecretName: tlsSecret.metadata.name, ingressAnnotations: this.origin.ingressAnnotations };
    }

    /** tls key → CSR → Origin CA certificate (each tier's Secret comes from originTlsFor); the origin-pull CA beside the controller. */
    private originCertificate(name: string, args: EdgeArgs, hosts: string[], inCloudflare: pulumi.CustomResourceOptions): OriginCertificate {
        const { keyAlgorithm, validityDays } = args.config.originCertificate;
        const rsa = keyAlgorithm === "RSA-2048";
        const key = new tls.PrivateKey(`${name}-origin-key`, rsa ? { algorithm: "RSA", rsaBits: 2048 } : { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent: this });
        const csr = new tls.CertRequest(`${name}-origin-csr`, {
            privateKeyPem: key.privateKeyPem,
            // Cloudflare issues its own subject; the CSR's common name only has to be a valid one (at most 64 characters).
            subject: { commonName: hosts.find((host) => host.length <= 64) ?? args.config.zone.name },
            dnsNames: hosts,
        }, { parent: this });
        const certificate = new cloudflare.OriginCaCertificate(`${name}-origin-certificate`, {
            csr: csr.certRequestPem,
            hostnames: hosts,
            requestType: rsa ? "origin-rsa" : "origin-ecc",
            requestedValidity: validityDays,
        }, inCloudflare);

        // One CA Secret serves every Ingress: ingress-nginx reads auth-tls-secret as "<namespace>/<name>" from any namespace.
        const caSecret = args.config.authenticatedOriginPulls ? new kubernetes.core.v1.Secret(`${name}-origin-pull-ca`, {
            metadata: { name: originPullCaSecretName, namespace: args.ingress.controllerNamespace, labels: edgeLabels },
            type: "Opaque",
            stringData: { "ca.crt": originPullCaPem },
        }, { parent: this }) : undefined;
        const ingressAnnotations = caSecret === undefined ? pulumi.output<Record<string, string>>({})
            : pulumi.all([caSecret.metadata.namespace, caSecret.metadata.name]).apply(([namespace, secret]) => clientCertificateAnnotations(`${namespace}/${secret}`));

        return { certificatePem: certificate.certificate, privateKeyPem: key.privateKeyPem, ingressAnnotations };
    }
}

interface OriginCertificate {
    readonly certificatePem: pulumi.Output<string>;
    readonly privateKeyPem: pulumi.Output<string>;
    readonly ingressAnnotations: pulumi.Output<Record<string, string>>;
}

const edgeLabels = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "groundwork-edge" };

/** A for an IPv4 address, AAAA for IPv6, CNAME for a hostname. */
export function dnsRecordTypeOf(address: string | undefined): "A" | "AAAA" | "CNAME" {
    if (address === undefined || address === "") {
        throw new Error("The ingress controller has no load-balancer address, so no DNS record can point at it: the edge needs the controller's "
            + "Service of type LoadBalancer (groundwork:addons.ingressNginx.serviceType) and an address assigned by the cloud");
    }
    if (isIPv4(address)) {
        return "A";
    }
    if (isIPv6(address)) {
        return "AAAA";
    }
    if (/^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z][-a-z0-9]{0,61}[a-z0-9]$/i.test(address)) {
        return "CNAME";
    }
    throw new Error(`The ingress load-balancer address ${JSON.stringify(address)} is neither an IP address nor a hostname, so no DNS record can point at it: `
        + "check status.loadBalancer of the ingress controller's Service");
}
