import { isIP } from "node:net";
import { z } from "zod";
import { replicaCount, resourceName, resourcesSchema } from "../../fields";
import { DeepReadonly } from "../../readonly";
import { chartValues, sized } from "../helm-addon/config";

/**
 * Cloudflare's published edge ranges (cloudflare.com/ips-v4 and /ips-v6). Only connections from
 * these may set the client address through `CF-Connecting-IP`; refresh them when Cloudflare does.
 */
const cloudflareEdgeRanges = [
    "173.245.48.0/20", "103.21.244.0/22", "103.22.200.0/22", "103.31.4.0/22", "141.101.64.0/18",
    "108.162.192.0/18", "190.93.240.0/20", "188.114.96.0/20", "197.234.240.0/22", "198.41.128.0/17",
    "162.158.0.0/15", "104.16.0.0/13", "104.24.0.0/14", "172.64.0.0/13", "131.0.72.0/22",
    "2400:cb00::/32", "2606:4700::/32", "2803:f800::/32", "2405:b500::/32", "2405:8100::/32",
    "2a06:98c0::/29", "2c0f:f248::/32",
] as const;

const ipCidr = z.string().refine((value) => {
    const [address, bits, ...rest] = value.split("/");
    const family = isIP(address ?? "");
    return rest.length === 0 && family !== 0 && /^\d{1,3}$/.test(bits ?? "") && Number(bits) <= (family === 4 ? 32 : 128);
}, "must be an IPv4 or IPv6 CIDR such as \"173.245.48.0/20\" or \"2400:cb00::/32\"");

/** `groundwork:addons.ingressNginx`. */
export const ingressNginxSchema = z.strictObject({
    enabled: z.boolean().describe("Install ingress-nginx. false: nothing of it is installed; public tiers' Ingresses use `addons.ingressClass`, served by the existing controller in `existing.namespace`.").default(true),
    existing: z.strictObject({
        namespace: resourceName.describe("Namespace of the existing controller's pods: public tiers admit traffic from it alone (NetworkPolicy)."),
        loadBalancerAddress: z.string().min(1).describe("IP or hostname of the existing controller's load balancer: the edge's DNS records point at it.").optional(),
    }).describe("The ingress controller already in the cluster, when `enabled` is false: needed by public tiers and by Argo CD's and the EventListener's hosts.").optional(),
    namespace: resourceName.default("ingress-nginx"),
    serviceType: z.enum(["LoadBalancer", "NodePort", "ClusterIP"]).describe("Type of the controller Service; NodePort or ClusterIP where no load balancer exists.").default("LoadBalancer"),
    externalTrafficPolicy: z.enum(["Local", "Cluster"]).describe("\"Local\" keeps the client (Cloudflare) address as the source, which real-IP trust needs.").default("Local"),
    replicas: replicaCount.describe("Defaults to 1, and to 2 in production.").optional(),
    resources: resourcesSchema.default(sized(["100m", "128Mi"], ["1", "512Mi"])),
    cloudflare: z.strictObject({
        realClientIp: z.boolean().describe("Take the client address from CF-Connecting-IP, trusting only `trustedRanges`.").default(true),
        trustedRanges: z.array(ipCidr).min(1, "must list at least one range").describe("Sources allowed to set the client address: Cloudflare's published ranges.").default([...cloudflareEdgeRanges]),
        verifyOriginPull: z.boolean().describe("Require Cloudflare's origin-pull client certificate on public tiers (the edge supplies its CA).").default(false),
    }).default({ realClientIp: true, trustedRanges: [...cloudflareEdgeRanges], verifyOriginPull: false }),
    values: chartValues,
});

export type IngressNginxSettings = DeepReadonly<z.output<typeof ingressNginxSchema>>;
