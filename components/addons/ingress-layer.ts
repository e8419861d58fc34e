import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/**
 * What the platform needs from an ingress controller. ingress-nginx implements it today; since
 * ingress-nginx is retired upstream, another controller (e.g. a Gateway API implementation with
 * an Ingress compatibility class) can replace it by providing the same outputs.
 */
export interface IngressLayer {
    /** The IngressClass name. It resolves once the controller and its admission webhook are ready, so Ingresses using it wait for them. */
    readonly className: pulumi.Output<string>;
    /** Namespace of the controller pods: the one namespace admitted to public workloads. */
    readonly namespace: pulumi.Output<string>;
    /** The load balancer's IP or hostname; undefined for NodePort and ClusterIP, or until the cloud assigns one. */
    readonly loadBalancerAddress: pulumi.Output<string | undefined>;
    /** Annotations every public Ingress carries, e.g. the origin-pull client-certificate check. */
    readonly publicAnnotations: pulumi.Output<Record<string, string>>;
}

/** An ingress controller the stack does not install: it serves `className` from pods in `namespace`. */
export function existingIngressLayer(className: string, existing: { namespace: string; loadBalancerAddress?: string }): IngressLayer {
    return {
        className: pulumi.output(className),
        namespace: pulumi.output(existing.namespace),
        loadBalancerAddress: pulumi.output(existing.loadBalancerAddress),
        // The origin-pull client-certificate check is ingress-nginx's, with its CA in Groundwork's controller namespace.
        publicAnnotations: pulumi.output<Record<string, string>>({}),
    };
}

/** How an add-on's public host is served; absent when the stack has no ingress layer or no issuer. */
export interface EndpointServing {
    ingress?: IngressLayer;
    clusterIssuer?: pulumi.Input<string>;
}

/** The ingress layer and issuer of a configured host; validation makes sure both exist whenever the host is set. */
export function servingOf(key: string, serving: EndpointServing): { ingress: IngressLayer; clusterIssuer: pulumi.Input<string> } {
    if (serving.ingress === undefined || serving.clusterIssuer === undefined) {
        throw new Error(`${key} is set, but the stack has no ${serving.ingress === undefined ? "ingress controller" : "cluster issuer"} to serve it`);
    }
    return { ingress: serving.ingress, clusterIssuer: serving.clusterIssuer };
}

export interface PublicEndpointArgs {
    host: string;
    namespace: pulumi.Input<string>;
    serviceName: pulumi.Input<string>;
    servicePort: number;
    ingress: IngressLayer;
    /** cert-manager issues the endpoint's certificate from this ClusterIssuer. */
    clusterIssuer: pulumi.Input<string>;
    labels: Record<string, string>;
}

/** An HTTPS endpoint for an in-cluster Service: an Ingress of the ingress layer with a cert-manager certificate. */
export function publicEndpoint(name: string, args: PublicEndpointArgs, opts: pulumi.CustomResourceOptions): k8s.networking.v1.Ingress {
    return new k8s.networking.v1.Ingress(name, {
        metadata: {
            name: args.serviceName,
            namespace: args.namespace,
            labels: args.labels,
            annotations: pulumi.all([args.ingress.publicAnnotations, args.clusterIssuer]).apply(([annotations, issuer]) => ({
                ...annotations,
                "cert-manager.io/cluster-issuer": issuer,
                "nginx.ingress.kubernetes.io/ssl-redirect": "true",
            })),
        },
        spec: {
            ingressClassName: args.ingress.className,
            tls: [{ hosts: [args.host], secretName: pulumi.interpolate`${args.serviceName}-tls` }],
            rules: [{
                host: args.host,
                http: {
                    paths: [{
                        path: "/",
                        pathType: "Prefix",
                        backend: { service: { name: args.serviceName, port: { number: args.servicePort } } },
                    }],
                },
            }],
        },
    }, opts);
}
