import * as assert from "node:assert/strict";
import { BlockList, isIPv6 } from "node:net";
import { Token, tokenize } from "../../components/edge/expression";
import { logicalOperators, symbolicComparisons } from "../../components/edge/rulesLanguage";

/** A request as the WAF rules see it. */
export interface Request {
    readonly path: string;
    readonly query?: string;
    readonly method?: string;
    readonly ip?: string;
    readonly verifiedBot?: boolean;
}

type Value = string | number | boolean;

function fieldsOf(request: Request): Readonly<Record<string, Value>> {
    const uri = request.query === undefined ? request.path : `${request.path}?${request.query}`;
    return {
        "http.request.uri.path": request.path,
        "http.request.uri": uri,
        "raw.http.request.uri": uri,
        "http.request.method": request.method ?? "GET",
        "ip.src": request.ip ?? "203.0.113.5",
        "cf.client.bot": request.verifiedBot ?? false,
    };
}

const functions: Readonly<Record<string, (...args: Value[]) => Value>> = {
    lower: (text) => String(text).toLowerCase(),
    starts_with: (text, prefix) => String(text).startsWith(String(prefix)),
    ends_with: (text, suffix) => String(text).endsWith(String(suffix)),
};

/** A string literal's value: raw strings as written, quoted ones with \" \\ and \xHH decoded. */
function stringValue(text: string): string {
    const raw = /^r(#*)"([\s\S]*)"\1$/.exec(text);
    return raw ? raw[2] : text.slice(1, -1).replace(/\\(x[0-9A-Fa-f]{2}|["\\])/g, (_, escape: string) => (escape.length === 3 ? String.fromCharCode(parseInt(escape.slice(1), 16)) : escape));
}

function inSet(value: Value, members: Token[]): boolean {
    if (members.every((member) => member.kind === "ip")) {
        const addresses = new BlockList();
        for (const member of members) {
            const [address, prefix] = member.text.split("/");
            const family = isIPv6(address) ? "ipv6" : "ipv4";
            if (prefix === undefined) {
                addresses.addAddress(address, family);
            } else {
                addresses.addSubnet(address, Number(prefix), family);
            }
        }
        return addresses.check(String(value), isIPv6(String(value)) ? "ipv6" : "ipv4");
    }
    return members.some((member) => (member.kind === "string" ? stringValue(member.text) : Number(member.text)) === value);
}

/**
 * Whether `expression` matches `request`, for the part of the Rules language the stack files use:
 * and/or/xor/not, eq/ne/contains/in, and lower(), starts_with(), ends_with(). Anything else fails the
 * test with what to add here, so a rule the tests cannot evaluate is never taken as not matching.
 */
export function matches(expression: string, request: Request): boolean {
    const lexed = tokenize(expression);
    assert.ok("tokens" in lexed, `${expression} does not parse: ${JSON.stringify(lexed)}`);
    const tokens = lexed.tokens;
    const fields = fieldsOf(request);
    let position = 0;
    const peek = () => tokens[position];
    const accept = (...texts: string[]) => (texts.includes(peek().text) ? tokens[position++].text : undefined);
    const unsupported = (token: Token): never => assert.fail(`the rules evaluator in test/edge/rules.ts does not know ${token.text} (column ${token.column} of ${expression}): add it`);

    const value = (): Value => {
        const token = tokens[position++];
        if (token.text === "(") {
            const inner = logical(0);
            accept(")");
            return inner;
        }
        if (token.kind === "string") {
            return stringValue(token.text);
        }
        if (token.kind === "number") {
            return Number(token.text);
        }
        if (token.kind !== "word") {
            return unsupported(token);
        }
        if (token.text === "true" || token.text === "false") {
            return token.text === "true";
        }
        if (accept("(")) {
            const args: Value[] = [];
            while (!accept(")")) {
                args.push(value());
                accept(",");
            }
            return (functions[token.text] ?? unsupported(token))(...args);
        }
        return token.text in fields ? fields[token.text] : unsupported(token);
    };
    const comparison = (): boolean => {
        if (accept("not", "!")) {
            return !comparison();
        }
        const left = value();
        const operator = peek().kind === "symbol" || peek().kind === "word" ? peek().text : "";
        const name = symbolicComparisons[operator] ?? operator;
        if (name === "in") {
            position++;
            accept("{");
            const members: Token[] = [];
            while (!accept("}")) {
                members.push(tokens[position++]);
            }
            return inSet(left, members);
        }
        const compare: Record<string, (right: Value) => boolean> = {
            eq: (right) => left === right,
            ne: (right) => left !== right,
            contains: (right) => String(left).includes(String(right)),
        };
        if (!(name in compare)) {
            return typeof left === "boolean" ? left : unsupported(peek());
        }
        position++;
        return compare[name](value());
    };
    const logical = (level: number): boolean => {
        if (level === logicalOperators.length) {
            return comparison();
        }
        const { name, symbol } = logicalOperators[level];
        let result = logical(level + 1);
        while (accept(name, symbol)) {
            const right = logical(level + 1);
            result = name === "or" ? result || right : name === "and" ? result && right : result !== right;
        }
        return result;
    };

    const result = logical(0);
    assert.equal(peek().kind, "end", `the rules evaluator stopped at column ${peek().column} of ${expression}`);
    return result;
}
