import { parser } from "@prometheus-io/lezer-promql";

/**
 * Parses `expr` with Prometheus' own PromQL grammar (@prometheus-io/lezer-promql) and returns its
 * syntax errors, each with the text around it; an empty list means the expression parses.
 */
export function promqlErrors(expr: string): string[] {
    const errors: string[] = [];
    parser.parse(expr).iterate({
        enter: (node) => {
            if (node.type.isError) {
                errors.push(`syntax error at ${node.from}: …${expr.slice(Math.max(0, node.from - 20), node.from + 20)}…`);
            }
        },
    });
    return errors;
}
