import { z } from "zod";
import { repeatedIndexes, ReportIssue } from "../fields";
import { DeepReadonly } from "../readonly";
import { promqlErrors } from "../platform/promql";

/**
 * `groundwork:tiers[].alertRules`: alert rules of the tier's own, beside the ones every metered tier
 * gets (components/apps/monitoring.ts), for what only the tier's system knows to watch. The PromQL is
 * parsed with Prometheus' grammar at validation, so a typo fails before Prometheus would drop the rule.
 */

const alertRuleSchema = z.strictObject({
    alert: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an alert name such as \"KasAuthenticationFailures\" (letters, digits and _)"),
    expr: z.string().trim().min(1, "must be a PromQL expression").superRefine((expr, ctx) => {
        const [error] = promqlErrors(expr);
        if (error !== undefined) {
            ctx.addIssue({ code: "custom", message: `is not PromQL (${error}): check it in Prometheus' expression browser` });
        }
    }).describe("PromQL; the alert fires for every series it returns."),
    for: z.string().regex(/^\d+[smh]$/, "must be a duration in whole seconds, minutes or hours such as \"5m\"").default("0m")
        .describe("How long the expression must hold before the alert fires."),
    severity: z.enum(["warning", "critical"], "must be \"warning\" or \"critical\" (the severities Alertmanager routes by)"),
    summary: z.string().trim().min(1, "must say what is wrong, for whoever is paged"),
});

export const alertRulesSchema = z.array(alertRuleSchema).default([])
    .describe("Alert rules of the tier's own ({alert, expr, for, severity, summary}), added to its PrometheusRule; needs addons.monitoring.enabled.");

export type AlertRuleConfig = DeepReadonly<z.output<typeof alertRuleSchema>>;

/** Unique alert names; that a Prometheus loads them is checked with the add-ons (components/config/checks.ts). */
export function checkAlertRules(rules: readonly AlertRuleConfig[], at: (string | number)[], report: ReportIssue): void {
    repeatedIndexes(rules.map((rule) => rule.alert)).forEach((r) =>
        report([...at, r, "alert"], "is already the name of another of the tier's alert rules: give each its own"));
}
