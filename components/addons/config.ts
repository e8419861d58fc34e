import { z } from "zod";
import { resourceName } from "../fields";
import { DeepReadonly } from "../readonly";
import { argoCdSchema } from "./argocd/config";
import { certManagerSchema, clusterIssuerNames } from "./cert-manager/config";
import { ingressNginxSchema } from "./ingress-nginx/config";
import { monitoringSchema } from "./monitoring/config";
import { tektonSchema } from "./tekton/config";

/** `groundwork:addons`: what the add-ons share, and one section per add-on, each defined beside its component. */
export const addonsSchema = z.strictObject({
    ingressClass: resourceName.describe("Name of the IngressClass the ingress layer serves (Groundwork's ingress-nginx, or with it off the existing controller); the tiers, Argo CD and the EventListener use it.").default("nginx"),
    defaultIssuer: z.enum(clusterIssuerNames).describe("ClusterIssuer of the tiers', Argo CD's and the EventListener's certificates.").default("selfsigned"),
    ingressNginx: ingressNginxSchema.default(ingressNginxSchema.parse({})),
    certManager: certManagerSchema.default(certManagerSchema.parse({})),
    argocd: argoCdSchema.default(argoCdSchema.parse({})),
    tekton: tektonSchema.default(tektonSchema.parse({})),
    monitoring: monitoringSchema.default(monitoringSchema.parse({})),
}).default(() => addonsDefaults());

function addonsDefaults(): z.output<typeof addonsSchema> {
    return {
        ingressClass: "nginx",
        defaultIssuer: "selfsigned",
        ingressNginx: ingressNginxSchema.parse({}),
        certManager: certManagerSchema.parse({}),
        argocd: argoCdSchema.parse({}),
        tekton: tektonSchema.parse({}),
        monitoring: monitoringSchema.parse({}),
    };
}

export type AddonsSettings = DeepReadonly<z.output<typeof addonsSchema>>;
