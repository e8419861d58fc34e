import { z } from "zod";
import { ReportIssue } from "./fields";

export const edgeSchema = z.strictObject({
    enabled: z.boolean().default(false),
}).default({ enabled: false });

type EdgeConfig = z.output<typeof edgeSchema>;

export function checkEdge(config: { edge: EdgeConfig; cloudflareApiToken?: string }, report: ReportIssue): void {
    if (config.edge.enabled && config.cloudflareApiToken === undefined) {
        report(["cloudflareApiToken"], "is required when edge.enabled is true: pulumi config set --secret groundwork:cloudflareApiToken <token>");
    }
}
