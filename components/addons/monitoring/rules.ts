/** A Prometheus alerting rule as a PrometheusRule holds it; the tiers' and the CI namespace's rules share the shape. */
export interface AlertRule {
    alert: string;
    expr: string;
    for: string;
    labels: { severity: "warning" | "critical" };
    annotations: { summary: string; description: string };
}
