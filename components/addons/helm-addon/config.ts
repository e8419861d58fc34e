import { z } from "zod";
import { resourcesSchema } from "../../fields";
import { DeepReadonly } from "../../readonly";
import { versions } from "../../versions";

/** What every Helm add-on's settings share, and where all their charts come from (`groundwork:charts`). */

export type ChartKey = keyof typeof versions.charts;

/** Where every add-on chart comes from; one source for all charts, never a silent fallback. */
export const chartsSchema = z.strictObject({
    source: z.enum(["upstream", "repository", "oci", "local"]).describe("One source for every chart: the upstream repositories, an HTTP mirror, an OCI mirror or a local directory; never a fallback from one to another.").default("upstream"),
    url: z.string().url("must be a URL such as \"https://charts.example.com\" or \"oci://registry.example.com/charts\"").describe("HTTP(S) Helm repository URL (source \"repository\") or OCI registry URL (source \"oci\").").optional(),
    directory: z.string().min(1).describe("Directory holding one unpacked chart per sub-directory named like the chart (source \"local\").").optional(),
    username: z.string().min(1).describe("User for the mirror's basic auth or OCI login; the password is the secret groundwork:chartRepositoryPassword.").optional(),
}).default({ source: "upstream" });

export type ChartsSettings = DeepReadonly<z.output<typeof chartsSchema>>;

/** An add-on's default requests and limits, for its `resources` (resourcesSchema in fields.ts). */
export function sized(requests: [string, string], limits: [string, string]): z.output<typeof resourcesSchema> {
    return { requests: { cpu: requests[0], memory: requests[1] }, limits: { cpu: limits[0], memory: limits[1] } };
}

/** Chart values merged last over what Groundwork sets: the escape hatch for settings not modelled here. */
export const chartValues = z.record(z.string(), z.unknown()).describe("Chart values merged last over what Groundwork sets (the escape hatch); secrets never belong here.").default({});
