import { z } from "zod";
import { ReportIssue, resourceName } from "./fields";

/** Where every add-on chart comes from; never mixed, never a silent fallback. */
export const chartsSchema = z.strictObject({
    source: z.enum(["upstream", "repository", "oci", "local"]).default("upstream"),
    /** HTTP Helm repository URL (source "repository") or OCI registry URL (source "oci"). */
    url: z.string().url("must be a URL such as \"https://charts.example.com\" or \"oci://registry.example.com/charts\"").optional(),
    /** Directory holding one sub-directory or .tgz per chart (source "local"). */
    directory: z.string().min(1).optional(),
}).default({ source: "upstream" });

export const addonsSchema = z.strictObject({
    ingressClass: resourceName.default("nginx"),
    defaultIssuer: z.enum(["selfsigned", "internal-ca", "letsencrypt-staging", "letsencrypt-production"]).default("selfsigned"),
}).default({ ingressClass: "nginx", defaultIssuer: "selfsigned" });

type ChartsConfig = z.output<typeof chartsSchema>;

export function checkAddons(config: { charts: ChartsConfig }, report: ReportIssue): void {
    const { charts } = config;
    if ((charts.source === "repository" || charts.source === "oci") && charts.url === undefined) {
        report(["charts", "url"], `is required when charts.source is "${charts.source}"`);
    }
    if (charts.source === "local" && charts.directory === undefined) {
        report(["charts", "directory"], "is required when charts.source is \"local\"");
    }
}
