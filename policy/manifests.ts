/** Reads Kubernetes YAML (multi-document, `kind: List` included) into the workloads it declares. */
import { parseAllDocuments } from "yaml";
import { apiVersionsOfKind, JsonObject, typeTokenOf, workloadKindOf } from "./core";

export interface WorkloadDocument {
    /** 1-based position of the YAML document in the file. */
    readonly document: number;
    readonly typeToken: string;
    readonly kind: string;
    readonly name: string | null;
    readonly namespace: string | null;
    readonly manifest: JsonObject;
}

/** A file, or a document in it, that cannot be checked. */
export class InputError extends Error {
    constructor(
        readonly file: string,
        readonly reason: string,
    ) {
        super(`${file}: ${reason}`);
        this.name = "InputError";
    }
}

function isObject(value: unknown): value is JsonObject {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalMetadataString(manifest: JsonObject, key: string, where: string, file: string): string | null {
    const metadata = manifest.metadata;
    if (metadata === undefined || metadata === null) {
        return null;
    }
    if (!isObject(metadata)) {
        throw new InputError(file, `${where}: metadata must be an object`);
    }
    const value = metadata[key];
    if (value === undefined || value === null) {
        return null;
    }
    if (typeof value !== "string") {
        throw new InputError(file, `${where}: metadata.${key} must be a string, got ${JSON.stringify(value)}`);
    }
    return value;
}

/**
 * The workload objects of one object (a `List` contributes its items). Objects of other kinds are not
 * workloads and are skipped; an object without apiVersion and kind cannot be classified and is invalid.
 */
function workloadsOf(value: unknown, document: number, where: string, file: string): WorkloadDocument[] {
    if (!isObject(value)) {
        throw new InputError(file, `${where} is not a Kubernetes object (expected a mapping with apiVersion and kind)`);
    }
    const { apiVersion, kind } = value;
    if (typeof apiVersion !== "string" || apiVersion === "" || typeof kind !== "string" || kind === "") {
        throw new InputError(file, `${where} has no apiVersion and kind; every Kubernetes object needs both`);
    }
    if (kind === "List" && !Array.isArray(value.items)) {
        throw new InputError(file, `${where} (List) must have an items list`);
    }
    if (kind.endsWith("List") && Array.isArray(value.items)) {
        return value.items.flatMap((item, index) => workloadsOf(item, document, `${where} item ${index}`, file));
    }
    const typeToken = typeTokenOf(apiVersion, kind);
    if (workloadKindOf(typeToken) === undefined) {
        const known = apiVersionsOfKind(kind);
        if (known !== undefined) {
            const apiVersions = known.map((v) => v.replace(/^core\//, ""));
            throw new InputError(file, `${where}: ${kind} with apiVersion ${apiVersion} is unknown; use one of ${apiVersions.join(", ")}`);
        }
        return [];
    }
    return [{
        document,
        typeToken,
        kind,
        name: optionalMetadataString(value, "name", where, file),
        namespace: optionalMetadataString(value, "namespace", where, file),
        manifest: value,
    }];
}

/** Every workload object in a YAML text. `file` names the source in errors. */
export function readWorkloads(file: string, text: string): WorkloadDocument[] {
    return parseAllDocuments(text).flatMap((parsed, index) => {
        const document = index + 1;
        const where = `document ${document}`;
        const error = parsed.errors[0];
        if (error !== undefined) {
            throw new InputError(file, `${where}: invalid YAML: ${error.message.split("\n")[0]}`);
        }
        let value: unknown;
        try {
            value = parsed.toJS();
        } catch (conversionError) {
            // e.g. an alias bomb beyond the parser's alias limit
            throw new InputError(file, `${where}: invalid YAML: ${conversionError instanceof Error ? conversionError.message : String(conversionError)}`);
        }
        return value === null || value === undefined ? [] : workloadsOf(value, document, where, file);
    });
}
