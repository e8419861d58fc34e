import { parser } from "@prometheus-io/lezer-promql";

export { promqlErrors } from "../../components/platform/promql";

/** A comparison in a PromQL expression: its operator and, when the right side is a number, that number. */
export interface Comparison {
    operator: string;
    left: string;
    right: string;
    threshold?: number;
}

const comparisonOperators = new Set(["Gtr", "Gte", "Lss", "Lte", "Eql", "Neq"]);

/** Every comparison in `expr`, outermost first. */
export function comparisons(expr: string): Comparison[] {
    const found: Comparison[] = [];
    parser.parse(expr).iterate({
        enter: (node) => {
            if (node.name !== "BinaryExpr") {
                return;
            }
            let child = node.node.firstChild;
            const parts: { name: string; text: string }[] = [];
            while (child) {
                parts.push({ name: child.name, text: expr.slice(child.from, child.to) });
                child = child.nextSibling;
            }
            const op = parts.find((part) => comparisonOperators.has(part.name));
            if (op === undefined) {
                return;
            }
            const operands = parts.filter((part) => part !== op && !["Bool", "BoolModifier", "MatchingModifierClause"].includes(part.name));
            const right = operands[operands.length - 1].text;
            const number = Number(right);
            found.push({ operator: op.text, left: operands[0].text, right, ...(Number.isFinite(number) && right.trim() !== "" ? { threshold: number } : {}) });
        },
    });
    return found;
}
