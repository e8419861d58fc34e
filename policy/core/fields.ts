/**
 * Typed reads of manifest fields with Kubernetes' decoding semantics: an absent field and an explicit
 * `null` both mean "unset", and a value of the wrong JSON type is an invalid manifest (the API server
 * would refuse to decode it), never something a check may silently treat as unset.
 *
 * Reads go through plain property access on purpose: CrossGuard hands policies a proxy that throws
 * when a value is unknown during preview, and that error must reach the policy wiring untouched.
 */

export type JsonObject = Record<string, unknown>;

/** A manifest field holds a value of the wrong type. `path` is the full field path in the document. */
export class ManifestError extends Error {
    constructor(
        readonly path: string,
        readonly expected: string,
        readonly actual: unknown,
    ) {
        super(`${path} must be ${expected}, got ${describe(actual)}`);
        this.name = "ManifestError";
    }
}

function describe(value: unknown): string {
    if (Array.isArray(value)) {
        return "a list";
    }
    if (typeof value === "object") {
        return "an object";
    }
    return `${typeof value} ${JSON.stringify(value)}`;
}

function isUnset(value: unknown): value is null | undefined {
    return value === undefined || value === null;
}

export function optionalObject(value: unknown, path: string): JsonObject | undefined {
    if (isUnset(value)) {
        return undefined;
    }
    if (typeof value !== "object" || Array.isArray(value)) {
        throw new ManifestError(path, "an object", value);
    }
    return value as JsonObject;
}

export function list(value: unknown, path: string): readonly unknown[] {
    if (isUnset(value)) {
        return [];
    }
    if (!Array.isArray(value)) {
        throw new ManifestError(path, "a list", value);
    }
    return value;
}

export function optionalBoolean(value: unknown, path: string): boolean | undefined {
    if (isUnset(value)) {
        return undefined;
    }
    if (typeof value !== "boolean") {
        throw new ManifestError(path, "a boolean", value);
    }
    return value;
}

export function optionalString(value: unknown, path: string): string | undefined {
    if (isUnset(value)) {
        return undefined;
    }
    if (typeof value !== "string") {
        throw new ManifestError(path, "a string", value);
    }
    return value;
}

export function optionalInteger(value: unknown, path: string): number | undefined {
    if (isUnset(value)) {
        return undefined;
    }
    if (typeof value !== "number" || !Number.isInteger(value)) {
        throw new ManifestError(path, "an integer", value);
    }
    return value;
}

/*
 * The child readers below take the parent's path and build the field's path only when reporting an
 * error: checks read many fields of every container, and almost all of them are well-formed.
 */

/** Reads `object[key]` as an object; `path` is the path of `object`. */
export function childObject(object: JsonObject | undefined, key: string, path: string): JsonObject | undefined {
    if (object === undefined) {
        return undefined;
    }
    const value = object[key];
    if (isUnset(value)) {
        return undefined;
    }
    return typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : optionalObject(value, `${path}.${key}`);
}

export function childBoolean(object: JsonObject | undefined, key: string, path: string): boolean | undefined {
    if (object === undefined) {
        return undefined;
    }
    const value = object[key];
    if (isUnset(value)) {
        return undefined;
    }
    return typeof value === "boolean" ? value : optionalBoolean(value, `${path}.${key}`);
}

export function childString(object: JsonObject | undefined, key: string, path: string): string | undefined {
    if (object === undefined) {
        return undefined;
    }
    const value = object[key];
    if (isUnset(value)) {
        return undefined;
    }
    return typeof value === "string" ? value : optionalString(value, `${path}.${key}`);
}

/*
 * The readers below serve the Pod Security checks, which run on every pod template the pack sees:
 * the caller reads the field itself (a constant property name the engine can cache) and passes where
 * it sits as a place plus a constant suffix, so the path string exists only when a read fails.
 */

/** Where a value's parent sits: its path, or an object that builds the path on demand. */
export type Place = string | { path(): string };

/** `<place><suffix>[<index>]<tail>`, the index part left out when `index` is negative. */
export function pathAt(place: Place, suffix: string, index = -1, tail = ""): string {
    const base = typeof place === "string" ? place : place.path();
    return index < 0 ? `${base}${suffix}${tail}` : `${base}${suffix}[${index}]${tail}`;
}

export function objectAt(value: unknown, place: Place, suffix: string, index = -1, tail = ""): JsonObject | undefined {
    if (isUnset(value)) {
        return undefined;
    }
    if (typeof value !== "object" || Array.isArray(value)) {
        throw new ManifestError(pathAt(place, suffix, index, tail), "an object", value);
    }
    return value as JsonObject;
}

export function listAt(value: unknown, place: Place, suffix: string): readonly unknown[] | undefined {
    if (isUnset(value)) {
        return undefined;
    }
    if (!Array.isArray(value)) {
        throw new ManifestError(pathAt(place, suffix), "a list", value);
    }
    return value;
}

export function booleanAt(value: unknown, place: Place, suffix: string): boolean | undefined {
    if (isUnset(value)) {
        return undefined;
    }
    if (typeof value !== "boolean") {
        throw new ManifestError(pathAt(place, suffix), "a boolean", value);
    }
    return value;
}

export function stringAt(value: unknown, place: Place, suffix: string, index = -1, tail = ""): string | undefined {
    if (isUnset(value)) {
        return undefined;
    }
    if (typeof value !== "string") {
        throw new ManifestError(pathAt(place, suffix, index, tail), "a string", value);
    }
    return value;
}

export function integerAt(value: unknown, place: Place, suffix: string, index = -1, tail = ""): number | undefined {
    if (isUnset(value)) {
        return undefined;
    }
    if (typeof value !== "number" || !Number.isInteger(value)) {
        throw new ManifestError(pathAt(place, suffix, index, tail), "an integer", value);
    }
    return value;
}

/** `true` when `object[key]` is set to anything but null: Kubernetes' "pointer is non-nil". */
export function hasChild(object: JsonObject | undefined, key: string): boolean {
    return object !== undefined && !isUnset(object[key]);
}
