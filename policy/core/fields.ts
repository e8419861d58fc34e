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

/** Where a value's parent sits: its path, or an object that builds the path on demand. */
export type Place = string | { path(): string };

/** `<place><suffix>[<index>]<tail>`, the index part left out when `index` is negative. */
export function pathAt(place: Place, suffix = "", index = -1, tail = ""): string {
    const base = typeof place === "string" ? place : place.path();
    return index < 0 ? `${base}${suffix}${tail}` : `${base}${suffix}[${index}]${tail}`;
}

/*
 * The readers below take the value itself and where it sits: a place (the parent's path, or an
 * object that builds it) plus constant suffixes. The Pod Security checks read every container of
 * every pod template the pack sees, with constant property names the engine can cache, and almost
 * all values are well-formed: the path string is only built when a read fails.
 */

export function objectAt(value: unknown, place: Place, suffix = "", index = -1, tail = ""): JsonObject | undefined {
    if (isUnset(value)) {
        return undefined;
    }
    if (typeof value !== "object" || Array.isArray(value)) {
        throw new ManifestError(pathAt(place, suffix, index, tail), "an object", value);
    }
    return value as JsonObject;
}

export function listAt(value: unknown, place: Place, suffix = ""): readonly unknown[] | undefined {
    if (isUnset(value)) {
        return undefined;
    }
    if (!Array.isArray(value)) {
        throw new ManifestError(pathAt(place, suffix), "a list", value);
    }
    return value;
}

export function booleanAt(value: unknown, place: Place, suffix = ""): boolean | undefined {
    if (isUnset(value)) {
        return undefined;
    }
    if (typeof value !== "boolean") {
        throw new ManifestError(pathAt(place, suffix), "a boolean", value);
    }
    return value;
}

export function stringAt(value: unknown, place: Place, suffix = "", index = -1, tail = ""): string | undefined {
    if (isUnset(value)) {
        return undefined;
    }
    if (typeof value !== "string") {
        throw new ManifestError(pathAt(place, suffix, index, tail), "a string", value);
    }
    return value;
}

export function integerAt(value: unknown, place: Place, suffix = "", index = -1, tail = ""): number | undefined {
    if (isUnset(value)) {
        return undefined;
    }
    if (typeof value !== "number" || !Number.isInteger(value)) {
        throw new ManifestError(pathAt(place, suffix, index, tail), "an integer", value);
    }
    return value;
}

/*
 * Readers by property name, for code outside the hot path (the hardening extras, exemptions): `path`
 * is the path of `object`, and the field's path is built only when reporting an error.
 */

export function childObject(object: JsonObject | undefined, key: string, path: string): JsonObject | undefined {
    const value = object === undefined ? undefined : object[key];
    if (isUnset(value)) {
        return undefined;
    }
    return typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : objectAt(value, path, `.${key}`);
}

export function childBoolean(object: JsonObject | undefined, key: string, path: string): boolean | undefined {
    const value = object === undefined ? undefined : object[key];
    if (isUnset(value)) {
        return undefined;
    }
    return typeof value === "boolean" ? value : booleanAt(value, path, `.${key}`);
}

export function childString(object: JsonObject | undefined, key: string, path: string): string | undefined {
    const value = object === undefined ? undefined : object[key];
    if (isUnset(value)) {
        return undefined;
    }
    return typeof value === "string" ? value : stringAt(value, path, `.${key}`);
}

/** `true` when `object[key]` is set to anything but null: Kubernetes' "pointer is non-nil". */
export function hasChild(object: JsonObject | undefined, key: string): boolean {
    return object !== undefined && !isUnset(object[key]);
}
