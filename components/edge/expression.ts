import { isIPv4, isIPv6 } from "node:net";
import { cheapestPlan, EnterpriseAddOn, Plan, planLimits, plans } from "./planLimits";
import {
    arrayReducers, comparisonOperators, FieldType, fields, functions, logicalOperators, managedLists,
    maxExpressionLength, operatorWords, symbolicComparisons,
} from "./rulesLanguage";

/**
 * An offline checker for Cloudflare Rules language expressions: a tokenizer and a recursive-descent
 * parser over the tables in rulesLanguage.ts. It catches what makes the API refuse a ruleset (unknown
 * fields and functions, bad literals, unbalanced parentheses or quotes, fields the plan lacks) while
 * config is validated, so a typo fails the preview with its column instead of failing a deployment.
 */

/** Where an expression is used; each place allows different fields. */
export type ExpressionUse = "custom rule" | "rate limit" | "rate-limit counting expression";

export interface ExpressionContext {
    readonly plan: Plan;
    readonly addOns: readonly EnterpriseAddOn[];
    readonly use: ExpressionUse;
}

export interface ExpressionProblem {
    /** 1-based column of the offending character in the expression. */
    readonly column: number;
    readonly message: string;
}

/** Every problem found, in order; empty when the expression is usable in `context`. */
export function checkExpression(source: string, context: ExpressionContext): ExpressionProblem[] {
    if (source.length > maxExpressionLength) {
        return [{ column: maxExpressionLength + 1, message: `is ${source.length} characters long; Cloudflare accepts at most ${maxExpressionLength}` }];
    }
    const lexed = tokenize(source);
    if ("problem" in lexed) {
        return [lexed.problem];
    }
    const parser = new Parser(lexed.tokens, context);
    try {
        parser.parseWhole();
    } catch (error) {
        if (!(error instanceof SyntaxProblem)) {
            throw error;
        }
        parser.problems.push({ column: error.column, message: error.message });
    }
    return parser.problems;
}

/** One line per problem, for config error messages: `column 9: unknown field …`. */
export function describeProblems(problems: readonly ExpressionProblem[]): string {
    return problems.map((problem) => `column ${problem.column}: ${problem.message}`).join("; ");
}

// ---------------------------------------------------------------------------------------------
// Tokenizer

type TokenKind = "word" | "string" | "number" | "ip" | "listRef" | "symbol" | "end";

export interface Token {
    readonly kind: TokenKind;
    readonly text: string;
    readonly column: number;
}

const wordPattern = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*/;
const ipv4Pattern = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?:\/\d{1,2})?/;
const ipv6Pattern = /^[0-9A-Fa-f]*:[0-9A-Fa-f:.]*(?:\/\d{1,3})?/;
const numberPattern = /^-?\d+/;
const listRefPattern = /^\$[A-Za-z0-9_.]+/;
const symbols = ["==", "!=", "<=", ">=", "&&", "||", "^^", "..", "<", ">", "~", "!", "(", ")", "{", "}", "[", "]", ",", "*"];

/** The expression's tokens, or its first lexical problem; tests evaluate rules over exactly these tokens. */
export function tokenize(source: string): { tokens: Token[] } | { problem: ExpressionProblem } {
    const tokens: Token[] = [];
    let i = 0;
    while (i < source.length) {
        const char = source[i];
        const column = i + 1;
        const rest = source.slice(i);
        if (/\s/.test(char)) {
            i++;
            continue;
        }
        if (char === "\"") {
            const scanned = scanString(source, i);
            if ("problem" in scanned) {
                return scanned;
            }
            tokens.push({ kind: "string", text: source.slice(i, scanned.end), column });
            i = scanned.end;
            continue;
        }
        if (char === "r" && /^r#*"/.test(rest)) {
            const hashes = /^r(#*)"/.exec(rest)![1];
            const terminator = `"${hashes}`;
            const close = source.indexOf(terminator, i + 2 + hashes.length);
            if (close < 0) {
                return { problem: { column, message: `raw string is not closed: end it with ${terminator}` } };
            }
            tokens.push({ kind: "string", text: source.slice(i, close + terminator.length), column });
            i = close + terminator.length;
            continue;
        }
        const ipv6 = ipv6Pattern.exec(rest)?.[0];
        const ip = ipv6 !== undefined && (ipv6.match(/:/g) ?? []).length >= 2 ? ipv6 : ipv4Pattern.exec(rest)?.[0];
        if (ip !== undefined) {
            const problem = checkIp(ip, column);
            if (problem) {
                return { problem };
            }
            tokens.push({ kind: "ip", text: ip, column });
            i += ip.length;
            continue;
        }
        const previous = tokens.at(-1);
        const negativeAllowed = previous === undefined || previous.kind === "symbol" && ["(", ",", "{"].includes(previous.text);
        const number = numberPattern.exec(rest);
        if (number && (!number[0].startsWith("-") || negativeAllowed)) {
            tokens.push({ kind: "number", text: number[0], column });
            i += number[0].length;
            continue;
        }
        const word = wordPattern.exec(rest);
        if (word) {
            tokens.push({ kind: "word", text: word[0], column });
            i += word[0].length;
            continue;
        }
        const listRef = listRefPattern.exec(rest);
        if (listRef) {
            tokens.push({ kind: "listRef", text: listRef[0], column });
            i += listRef[0].length;
            continue;
        }
        const symbol = symbols.find((candidate) => rest.startsWith(candidate));
        if (symbol) {
            tokens.push({ kind: "symbol", text: symbol, column });
            i += symbol.length;
            continue;
        }
        const hint = char === "'" ? ": strings use double quotes (\"…\")" : char === "&" || char === "|" ? `: write ${char}${char}` : "";
        return { problem: { column, message: `unexpected character ${JSON.stringify(char)}${hint}` } };
    }
    tokens.push({ kind: "end", text: "end of expression", column: source.length + 1 });
    return { tokens };
}

/** Scans a quoted string from its opening quote; only \" \\ and \xHH escapes exist. */
function scanString(source: string, start: number): { end: number } | { problem: ExpressionProblem } {
    let i = start + 1;
    while (i < source.length) {
        const char = source[i];
        if (char === "\"") {
            return { end: i + 1 };
        }
        if (char === "\\") {
            const next = source[i + 1];
            if (next === "\"" || next === "\\") {
                i += 2;
                continue;
            }
            if (next === "x" && /^[0-9A-Fa-f]{2}$/.test(source.slice(i + 2, i + 4))) {
                i += 4;
                continue;
            }
            return {
                problem: {
                    column: i + 1,
                    message: `unknown escape \\${next ?? ""} in a string: only \\", \\\\ and \\xHH exist; write a raw string r"…" to keep backslashes`,
                },
            };
        }
        i++;
    }
    return { problem: { column: start + 1, message: "string is not closed: add the closing \"" } };
}

function checkIp(text: string, column: number): ExpressionProblem | undefined {
    const [address, prefix] = text.split("/");
    const v4 = isIPv4(address);
    if (!v4 && !isIPv6(address)) {
        return { column, message: `${text} is not a valid IP address` };
    }
    const maxPrefix = v4 ? 32 : 128;
    if (prefix !== undefined && Number(prefix) > maxPrefix) {
        return { column, message: `${text} has a prefix longer than /${maxPrefix}` };
    }
    return undefined;
}

// ---------------------------------------------------------------------------------------------
// Parser

class SyntaxProblem extends Error {
    constructor(readonly column: number, message: string) {
        super(message);
    }
}

type ValueType = FieldType | "unknown";

/** What an operand evaluates to, as far as the checks need. */
interface Operand {
    readonly kind: "field" | "call" | "literal" | "group";
    readonly type: ValueType;
    readonly text: string;
    readonly column: number;
    /** Uses `[*]`, so it is a list of values until any() or all() reduces it. */
    readonly wildcard: boolean;
}

const comparisonWords = Object.keys(comparisonOperators).filter((name) => !name.includes(" "));
const planRank = (plan: Plan) => plans.indexOf(plan);

class Parser {
    readonly problems: ExpressionProblem[] = [];
    private position = 0;
    private reducerDepth = 0;

    constructor(private readonly tokens: readonly Token[], private readonly context: ExpressionContext) {}

    parseWhole(): void {
        this.parseLogical(0);
        const next = this.peek();
        if (next.kind !== "end") {
            const hint = next.text === ")" ? "this ) closes no (" : "expected and, or, xor or the end of the expression";
            throw new SyntaxProblem(next.column, `unexpected ${describe(next)}: ${hint}`);
        }
    }

    /** or → xor → and, loosest first; `level` indexes logicalOperators. */
    private parseLogical(level: number): void {
        if (level === logicalOperators.length) {
            this.parseNot();
            return;
        }
        const { name, symbol } = logicalOperators[level];
        this.parseLogical(level + 1);
        while (this.acceptWord(name) || this.acceptSymbol(symbol)) {
            this.parseLogical(level + 1);
        }
    }

    private parseNot(): void {
        if (this.acceptWord("not") || this.acceptSymbol("!")) {
            this.parseNot();
            return;
        }
        const operand = this.parseOperand();
        this.finishComparison(operand, false);
    }

    /** A comparison after its left operand, or the operand alone when it is a condition (or a value, in arguments). */
    private finishComparison(left: Operand, valueAllowed: boolean): void {
        const operator = this.acceptComparison();
        if (operator === undefined) {
            if (!valueAllowed && left.type !== "boolean" && left.type !== "unknown") {
                this.problem(left.column, `${left.text} is ${article(left.type)}, not a condition: compare it (for example ${left.text} eq …) or use a boolean field`);
            }
            if (!valueAllowed) {
                this.requireReduced(left);
            }
            return;
        }
        if (left.kind === "literal") {
            this.problem(left.column, `the left side of ${operator.name} must be a field or a function, not the value ${left.text}`);
        }
        if (left.kind === "group") {
            this.problem(left.column, `the left side of ${operator.name} must be a field or a function, not a parenthesized condition`);
        }
        if (operator.name === "matches" && !planLimits[this.context.plan].customRules.regex) {
            this.problem(operator.column, `matches (regular expressions) needs the ${cheapestPlan((limits) => limits.customRules.regex)} plan or above; this zone is on ${this.context.plan}: use contains, wildcard or starts_with()`);
        }
        if (left.type === "map" || left.type === "array") {
            this.problem(left.column, `${left.text} is ${article(left.type)}: index it first, for example ${left.text}${left.type === "map" ? "[\"name\"][*]" : "[*]"} inside any(…)`);
        }
        if (operator.name === "in") {
            this.parseSetOperand(left);
        } else {
            this.parseValue(left, operator.name);
        }
        this.requireReduced(left);
    }

    private requireReduced(operand: Operand): void {
        if (operand.wildcard && this.reducerDepth === 0) {
            this.problem(operand.column, `${operand.text} uses [*], which yields a list: wrap the comparison in any(…) or all(…)`);
        }
    }

    private parseOperand(): Operand {
        const token = this.peek();
        if (this.acceptSymbol("(")) {
            this.parseLogical(0);
            this.expectClosing(")", token);
            return { kind: "group", type: "boolean", text: "(…)", column: token.column, wildcard: false };
        }
        if (token.kind === "string" || token.kind === "number" || token.kind === "ip") {
            this.position++;
            const type: ValueType = token.kind === "string" ? "string" : token.kind === "number" ? "number" : "ip";
            return { kind: "literal", type, text: token.text, column: token.column, wildcard: false };
        }
        if (token.kind === "listRef") {
            throw new SyntaxProblem(token.column, `the list ${token.text} can only follow in (for example ip.src in ${token.text})`);
        }
        if (token.kind !== "word") {
            throw new SyntaxProblem(token.column, `expected a field, a function or a value, found ${describe(token)}`);
        }
        this.position++;
        if (token.text === "true" || token.text === "false") {
            return { kind: "literal", type: "boolean", text: token.text, column: token.column, wildcard: false };
        }
        if (operatorWords.includes(token.text.toLowerCase())) {
            const lower = token.text.toLowerCase();
            throw new SyntaxProblem(token.column, lower === token.text
                ? `expected a field, a function or a value, found the operator ${token.text}`
                : `operators are lower case: write ${lower}, not ${token.text}`);
        }
        if (this.peek().text === "(" && this.peek().kind === "symbol") {
            return this.parseCall(token);
        }
        return this.parseField(token);
    }

    private parseField(token: Token): Operand {
        const definition = fields[token.text];
        if (definition === undefined) {
            const suggestion = nearest(token.text, Object.keys(fields));
            this.problem(token.column, `unknown field ${token.text}${suggestion ? ` (did you mean ${suggestion}?)` : ""}`);
            return this.parseIndexes({ kind: "field", type: "unknown", text: token.text, column: token.column, wildcard: false });
        }
        if (definition.unusable) {
            this.problem(token.column, `${token.text} ${definition.unusable}`);
        }
        this.checkAvailability(token, definition.plan, definition.addOn);
        this.checkFieldForUse(token, definition.response === true);
        return this.parseIndexes({ kind: "field", type: definition.type, text: token.text, column: token.column, wildcard: false });
    }

    private checkAvailability(token: Token, plan: Plan | undefined, addOn: EnterpriseAddOn | undefined): void {
        const { plan: zonePlan, addOns } = this.context;
        if (plan !== undefined && planRank(zonePlan) < planRank(plan)) {
            this.problem(token.column, `${token.text} needs the ${plan} plan or above; this zone is on ${zonePlan}`);
        } else if (addOn !== undefined && !addOns.includes(addOn)) {
            this.problem(token.column, `${token.text} needs the Enterprise ${addOn} add-on: list it in edge.enterpriseAddOns once the zone has it`);
        }
    }

    private checkFieldForUse(token: Token, isResponseField: boolean): void {
        const { use, plan } = this.context;
        if (isResponseField && use !== "rate-limit counting expression") {
            this.problem(token.column, `${token.text} is a response field: only a rate limit's countingExpression can use it`);
            return;
        }
        const allowed = planLimits[plan].rateLimits.ruleFields;
        if (use === "rate limit" && allowed !== "any" && !allowed.includes(token.text)) {
            this.problem(token.column, `${token.text} cannot be used in a rate-limit rule on the ${plan} plan: allowed fields are ${allowed.join(", ")}`);
        }
    }

    private parseCall(name: Token): Operand {
        const open = this.next();
        const definition = functions[name.text];
        if (definition === undefined) {
            const suggestion = nearest(name.text, Object.keys(functions));
            this.problem(name.column, `unknown function ${name.text}()${suggestion ? ` (did you mean ${suggestion}()?)` : ""}`);
        } else {
            if (definition.unusable) {
                this.problem(name.column, `${name.text}() ${definition.unusable}`);
            }
            this.checkAvailability(name, definition.plan, undefined);
        }
        const reducer = arrayReducers.includes(name.text);
        this.reducerDepth += reducer ? 1 : 0;
        let argumentCount = 0;
        let wildcard = false;
        if (!this.acceptSymbol(")")) {
            do {
                const argument = this.parseArgument();
                wildcard ||= argument.wildcard;
                argumentCount++;
            } while (this.acceptSymbol(","));
            this.expectClosing(")", open);
        }
        this.reducerDepth -= reducer ? 1 : 0;
        if (definition !== undefined && (argumentCount < definition.minArgs || argumentCount > definition.maxArgs)) {
            const expected = definition.minArgs === definition.maxArgs ? `${definition.minArgs}`
                : definition.maxArgs === Number.MAX_SAFE_INTEGER ? `at least ${definition.minArgs}` : `${definition.minArgs} to ${definition.maxArgs}`;
            this.problem(name.column, `${name.text}() takes ${expected} argument(s), not ${argumentCount}`);
        }
        const operand: Operand = {
            kind: "call", type: definition?.returns ?? "unknown", text: `${name.text}(…)`, column: name.column, wildcard: wildcard && !reducer,
        };
        return this.parseIndexes(operand);
    }

    /** A function argument: a value, or a comparison (as inside any() and all()). */
    private parseArgument(): Operand {
        const token = this.peek();
        if (token.kind === "word" && token.text === "not" || token.kind === "symbol" && token.text === "!") {
            this.parseNot();
            return { kind: "group", type: "boolean", text: "not …", column: token.column, wildcard: false };
        }
        const operand = this.parseOperand();
        if (this.peekComparison()) {
            this.finishComparison(operand, true);
            return { kind: "group", type: "boolean", text: operand.text, column: operand.column, wildcard: false };
        }
        return operand;
    }

    /** `[“key”]`, `[0]` and `[*]` after a field or a call. */
    private parseIndexes(operand: Operand): Operand {
        let current = operand;
        while (this.peek().kind === "symbol" && this.peek().text === "[") {
            const open = this.next();
            const index = this.next();
            const isKey = index.kind === "string";
            const isPosition = index.kind === "number" && !index.text.startsWith("-");
            const isWildcard = index.kind === "symbol" && index.text === "*";
            if (!isKey && !isPosition && !isWildcard) {
                throw new SyntaxProblem(index.column, `an index is a quoted key, a position such as 0, or *; found ${describe(index)}`);
            }
            if (current.type === "map" && !isKey) {
                this.problem(index.column, `${current.text} is a map: index it with a quoted lower-case name such as ["user-agent"]`);
            } else if (current.type !== "map" && current.type !== "array" && current.type !== "unknown" && current.kind === "field") {
                this.problem(open.column, `${current.text} is ${article(current.type)} and cannot be indexed`);
            }
            if (isKey && current.text.startsWith("http.request.headers") && index.text !== index.text.toLowerCase()) {
                this.problem(index.column, `header names are lower case in http.request.headers: write ${index.text.toLowerCase()}`);
            }
            this.expectClosing("]", open);
            const type: ValueType = current.type === "map" ? "array" : current.type === "array" ? "string" : "unknown";
            current = { ...current, type, text: `${current.text}[${index.text}]`, wildcard: current.wildcard || isWildcard };
        }
        return current;
    }

    /** The right side of `in`: a literal list `{…}` or a list reference `$name`. */
    private parseSetOperand(left: Operand): void {
        const token = this.next();
        if (token.kind === "listRef") {
            const name = token.text.slice(1);
            if (name.startsWith("cf.") && !managedLists.includes(name)) {
                this.problem(token.column, `${token.text} is not a Cloudflare managed list (known: ${managedLists.map((list) => `$${list}`).join(", ")})`);
            } else if (!name.startsWith("cf.") && !/^[a-z0-9_]{1,50}$/.test(name)) {
                this.problem(token.column, `${token.text} is not a valid list name: lower-case letters, digits and _ only`);
            }
            return;
        }
        if (token.kind !== "symbol" || token.text !== "{") {
            throw new SyntaxProblem(token.column, `in needs a list such as {"GET" "HEAD"} or a list reference such as $office_ips, found ${describe(token)}`);
        }
        let items = 0;
        while (!this.acceptSymbol("}")) {
            const item = this.next();
            if (item.kind === "end") {
                throw new SyntaxProblem(token.column, "this { is not closed: add }");
            }
            if (item.kind !== "string" && item.kind !== "number" && item.kind !== "ip") {
                throw new SyntaxProblem(item.column, `a list holds values separated by spaces (strings, numbers, IP addresses or ranges), found ${describe(item)}`);
            }
            this.checkValueType(left, item, "in");
            if (this.acceptSymbol("..")) {
                const end = this.next();
                if (item.kind !== "number" || end.kind !== "number" || Number(end.text) < Number(item.text)) {
                    throw new SyntaxProblem(item.column, "a range is two numbers, lowest first, such as 8000..8099");
                }
            }
            items++;
        }
        if (items === 0) {
            this.problem(token.column, "the list is empty");
        }
    }

    private parseValue(left: Operand, operator: string): void {
        const token = this.next();
        if (token.kind === "word" && (token.text === "true" || token.text === "false")) {
            if (left.type !== "boolean" && left.type !== "unknown") {
                this.problem(token.column, `${left.text} is ${article(left.type)}; it cannot be compared with ${token.text}`);
            }
            return;
        }
        if (token.kind !== "string" && token.kind !== "number" && token.kind !== "ip") {
            const what = token.kind === "word" ? `the field or word ${token.text} (the right side must be a value)` : describe(token);
            throw new SyntaxProblem(token.column, `expected a value after ${operator}, found ${what}`);
        }
        if (["contains", "wildcard", "strict wildcard", "matches"].includes(operator) && token.kind !== "string") {
            this.problem(token.column, `${operator} needs a quoted string on its right side`);
            return;
        }
        this.checkValueType(left, token, operator);
    }

    private checkValueType(left: Operand, value: Token, operator: string): void {
        const valueType = value.kind === "string" ? "string" : value.kind === "number" ? "number" : "ip";
        const expected: Partial<Record<ValueType, string>> = { string: "string", bytes: "string", number: "number", ip: "ip" };
        const wanted = expected[left.type];
        if (wanted !== undefined && wanted !== valueType) {
            const example = wanted === "string" ? "a quoted string" : wanted === "number" ? "a number" : "an IP address or CIDR";
            this.problem(value.column, `${left.text} is ${article(left.type)}: ${operator} needs ${example}, not ${value.text}`);
        }
    }

    private peekComparison(): boolean {
        const token = this.peek();
        return token.kind === "word" && (comparisonWords.includes(token.text) || token.text === "strict")
            || token.kind === "symbol" && symbolicComparisons[token.text] !== undefined;
    }

    private acceptComparison(): { name: string; column: number } | undefined {
        const token = this.peek();
        if (!this.peekComparison()) {
            if (token.kind === "word" && operatorWords.includes(token.text.toLowerCase()) && token.text !== token.text.toLowerCase()) {
                throw new SyntaxProblem(token.column, `operators are lower case: write ${token.text.toLowerCase()}, not ${token.text}`);
            }
            return undefined;
        }
        this.position++;
        if (token.text === "strict") {
            if (!this.acceptWord("wildcard")) {
                throw new SyntaxProblem(this.peek().column, "strict must be followed by wildcard (strict wildcard)");
            }
            return { name: "strict wildcard", column: token.column };
        }
        return { name: token.kind === "symbol" ? symbolicComparisons[token.text] : token.text, column: token.column };
    }

    private expectClosing(closing: string, opening: Token): void {
        if (this.acceptSymbol(closing)) {
            return;
        }
        const token = this.peek();
        throw new SyntaxProblem(token.kind === "end" ? opening.column : token.column, token.kind === "end"
            ? `this ${opening.text} is not closed: add ${closing}`
            : `expected ${closing} to close the ${opening.text} at column ${opening.column}, found ${describe(token)}`);
    }

    private acceptWord(word: string): boolean {
        return this.accept("word", word);
    }

    private acceptSymbol(symbol: string): boolean {
        return this.accept("symbol", symbol);
    }

    /** Consumes the next token when it is `text` of `kind`. */
    private accept(kind: TokenKind, text: string): boolean {
        const token = this.peek();
        if (token.kind === kind && token.text === text) {
            this.position++;
            return true;
        }
        return false;
    }

    private peek(): Token {
        return this.tokens[this.position];
    }

    private next(): Token {
        const token = this.tokens[this.position];
        if (token.kind !== "end") {
            this.position++;
        }
        return token;
    }

    private problem(column: number, message: string): void {
        this.problems.push({ column, message });
    }
}

function article(type: ValueType): string {
    return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describe(token: Token): string {
    return token.kind === "end" ? "the end of the expression" : JSON.stringify(token.text);
}

/** The closest known name, when it is close enough to be a typo. */
function nearest(name: string, candidates: readonly string[]): string | undefined {
    let best: { candidate: string; distance: number } | undefined;
    for (const candidate of candidates) {
        const distance = editDistance(name, candidate);
        if (best === undefined || distance < best.distance) {
            best = { candidate, distance };
        }
    }
    return best !== undefined && best.distance <= Math.max(2, Math.floor(name.length / 5)) ? best.candidate : undefined;
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}
