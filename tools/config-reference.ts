/**
 * Generates docs/configuration.md from the config schema itself, so that the documentation cannot
 * drift from what the program accepts. `--write` updates the file; without it, prints the document.
 * test/config/reference.spec.ts fails when the file is stale.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { platformSchema, secretKeys } from "../components/config/schema";
import { defineCommand, runAsMain, UsageError } from "./cli/command-line";
import { REPO_ROOT } from "./cli/paths";

export const configurationDocPath = path.join(REPO_ROOT, "docs", "configuration.md");

interface JsonSchema {
    type?: string | string[];
    properties?: Record<string, JsonSchema>;
    additionalProperties?: JsonSchema | boolean;
    required?: string[];
    items?: JsonSchema;
    enum?: unknown[];
    default?: unknown;
    description?: string;
    minimum?: number;
    maximum?: number;
    minItems?: number;
    anyOf?: JsonSchema[];
    oneOf?: JsonSchema[];
}

/** A union of objects (such as edge: {enabled: false} | {enabled: true, …}) documented as its widest variant. */
function widestVariant(schema: JsonSchema): JsonSchema {
    const variants = (schema.oneOf ?? []).filter((variant) => variant.properties);
    if (variants.length === 0) {
        return schema;
    }
    const widest = variants.reduce((best, variant) => Object.keys(variant.properties!).length > Object.keys(best.properties!).length ? variant : best);
    return { ...widest, default: schema.default, description: schema.description };
}

function typeOf(schema: JsonSchema): string {
    if (schema.enum) {
        return schema.enum.map((value) => `\`${JSON.stringify(value)}\``).join(" \\| ");
    }
    if (schema.anyOf) {
        return schema.anyOf.map(typeOf).join(" \\| ");
    }
    if (schema.type === "array") {
        return `list of ${schema.items ? typeOf(schema.items) : "values"}`;
    }
    if (schema.type === "object" && schema.additionalProperties && typeof schema.additionalProperties === "object") {
        return `map of ${typeOf(schema.additionalProperties)}`;
    }
    return Array.isArray(schema.type) ? schema.type.join(" \\| ") : schema.type ?? "any";
}

function range(schema: JsonSchema): string {
    const safe = (value?: number) => value !== undefined && Math.abs(value) < Number.MAX_SAFE_INTEGER;
    if (safe(schema.minimum) && safe(schema.maximum)) {
        return `${schema.minimum}–${schema.maximum}`;
    }
    return safe(schema.minimum) ? `≥ ${schema.minimum}` : "";
}

function rows(union: JsonSchema, keyPath: string, required: boolean, out: string[]): void {
    const schema = widestVariant(union);
    const topLevelKey = keyPath.replace(/^groundwork:/, "");
    const description = [schema.description ?? "", range(schema)].filter(Boolean).join(" ");
    const secret = (secretKeys as readonly string[]).includes(topLevelKey) ? " (secret)" : "";
    const defaultValue = schema.default === undefined ? "" : `\`${JSON.stringify(schema.default)}\``;
    const isLeaf = !(schema.properties || schema.items?.properties);
    if (isLeaf || keyPath.split(".").length === 1) {
        out.push(`| \`${keyPath}\`${secret} | ${isLeaf ? typeOf(schema) : schema.type === "array" ? "list" : "object"} | ${required ? "yes" : ""} | ${defaultValue} | ${description} |`);
    }
    const object = schema.type === "array" ? schema.items : schema;
    const prefix = schema.type === "array" ? `${keyPath}[]` : keyPath;
    for (const [name, child] of Object.entries(object?.properties ?? {})) {
        rows(child, `${prefix}.${name}`, (object?.required ?? []).includes(name) && child.default === undefined, out);
    }
}

function renderConfigReference(): string {
    const schema = z.toJSONSchema(platformSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
    const out = [
        "| key | type | required | default | notes |",
        "| --- | --- | --- | --- | --- |",
    ];
    for (const [name, child] of Object.entries(schema.properties ?? {})) {
        rows(child, `groundwork:${name}`, (schema.required ?? []).includes(name), out);
    }
    return out.join("\n");
}

/** The whole of docs/configuration.md: everything in it is generated, so none of it can go stale by hand. */
export function configurationDocument(): string {
    return [
        "# Configuration reference",
        "",
        "<!-- generated from the config schema by `npm run docs:config`; do not edit -->",
        "",
        "Every `groundwork:*` key a stack file (`Pulumi.<stack>.yaml`) may set, with its type, whether it is",
        "required, its default and what it does. The environment's defaults are in [tiers.md](tiers.md#environments);",
        "the add-ons', the edge's and monitoring's keys are explained in [addons.md](addons.md), [edge.md](edge.md)",
        "and [monitoring.md](monitoring.md). A key marked (secret) is refused in plaintext: set it with",
        "`pulumi config set --secret`.",
        "",
        renderConfigReference(),
        "",
    ].join("\n");
}

export const configReferenceCommand = defineCommand({
    name: "config-reference",
    usage: `usage: ts-node tools/config-reference.ts [--write]

Prints docs/configuration.md, the configuration reference generated from the config schema.
  --write  write it to docs/configuration.md instead (npm run docs:config)
  --help   this text`,
    options: { write: { type: "boolean" } },
    interpret({ write = false }, positionals) {
        if (positionals.length > 0) {
            throw new UsageError(`unexpected argument ${positionals[0]}`);
        }
        return { write };
    },
});

if (require.main === module) {
    void runAsMain(configReferenceCommand, ({ write }) => {
        if (write) {
            fs.writeFileSync(configurationDocPath, configurationDocument());
            console.log(`wrote the config reference to ${path.relative(process.cwd(), configurationDocPath)}`);
        } else {
            process.stdout.write(configurationDocument());
        }
        return 0;
    });
}
