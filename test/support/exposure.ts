import { prefixMatches } from "../../components/apps/checks";
import { kinds } from "./kinds";
import type { RecordedResource } from "./program";

const inputsOf = (resources: readonly RecordedResource[], type: string): any[] => resources.filter((resource) => resource.type === type).map((resource) => resource.inputs as any);

/**
 * Every public route to a metrics endpoint, read from what the program registered as an ingress
 * controller reads it: each Ingress path leads to a Service port, that port to a container port of
 * the pods the Service selects, and a pod that Prometheus scrapes on that container port (its
 * prometheus.io annotations) under that path prefix serves its metrics to the internet.
 * Each route reads "<namespace>/<ingress>: <host><prefix> reaches <metrics path> on port <n>".
 */
export function publicMetricsRoutes(resources: readonly RecordedResource[]): string[] {
    const services = inputsOf(resources, "kubernetes:core/v1:Service");
    const pods = [...inputsOf(resources, kinds.deployment), ...inputsOf(resources, kinds.statefulSet)]
        .map((workload) => ({ namespace: workload.metadata.namespace as string, template: workload.spec.template }));
    return inputsOf(resources, kinds.ingress).flatMap((ingress) => {
        const namespace = ingress.metadata.namespace;
        return (ingress.spec.rules as any[]).flatMap((rule) => (rule.http.paths as any[]).flatMap((route) => {
            const backend = route.backend.service;
            const service = services.find((candidate) => candidate.metadata.namespace === namespace && candidate.metadata.name === backend.name);
            const servicePort = (service?.spec.ports as any[] | undefined)?.find((port) => port.name === backend.port.name || port.port === backend.port.number);
            if (servicePort === undefined) {
                return [];
            }
            const selected = pods.filter((pod) => pod.namespace === namespace
                && Object.entries(service.spec.selector as Record<string, string>).every(([key, value]) => pod.template.metadata.labels[key] === value));
            return selected.flatMap((pod) => {
                const annotations = pod.template.metadata.annotations ?? {};
                const target = servicePort.targetPort ?? servicePort.port;
                const containerPorts = (pod.template.spec.containers as any[]).flatMap((container) => container.ports ?? []);
                const containerPort = typeof target === "number" ? target : containerPorts.find((port) => port.name === target)?.containerPort;
                const metricsPath = annotations["prometheus.io/path"];
                const exposed = annotations["prometheus.io/scrape"] === "true" && String(containerPort) === annotations["prometheus.io/port"]
                    && (route.pathType === "Exact" ? route.path === metricsPath : prefixMatches(route.path, metricsPath));
                return exposed ? [`${namespace}/${ingress.metadata.name}: ${rule.host}${route.path} reaches ${metricsPath} on port ${containerPort}`] : [];
            });
        }));
    });
}
