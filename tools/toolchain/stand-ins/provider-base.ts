/**
 * Shared machinery of Groundwork's STAND-IN resource provider plugins (random.ts and tls.ts beside this file).
 *
 * They are stand-ins, not the real pulumi-resource-random and pulumi-resource-tls plugins: those cannot be built on
 * our machines, so the toolchain installs these under the real plugins' names and versions for the engine to load.
 * Each implements only the resources Groundwork uses, with the real provider's type tokens, property names,
 * defaults, secret outputs and replacement rules (those of the Terraform providers they bridge), so that a stack
 * deployed with a stand-in behaves the same once the real plugin takes over.
 *
 * This file holds what does not depend on the resource: the engine's encoding of secrets and of values not known
 * yet, input validation, and the Provider methods built from a table of resources.
 */
import { isDeepStrictEqual } from "node:util";
import * as provider from "@pulumi/pulumi/provider";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { toolchainVersions } from "../versions";

/** The plugin versions the stand-ins answer to: the toolchain's table, equal to the npm SDKs', by which the engine loads plugins. */
export const STAND_IN_VERSIONS = toolchainVersions.standIns;

export type StandInPackage = keyof typeof STAND_IN_VERSIONS;

export type PropertyMap = Record<string, unknown>;

/**
 * A secret as the engine sends it and expects it back: the provider server passes properties through
 * `Struct.fromJavaScript`, so this object reaches the engine as the signature it decodes into a secret.
 */
export interface SecretValue {
    readonly [specialSigKey]: typeof specialSecretSig;
    readonly value: unknown;
}

function isPlainObject(value: unknown): value is PropertyMap {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isSecret(value: unknown): value is SecretValue {
    return isPlainObject(value) && value[specialSigKey] === specialSecretSig;
}

export function secret(value: unknown): SecretValue {
    return { [specialSigKey]: specialSecretSig, value: reveal(value) };
}

/** The value with every secret wrapper removed, at any depth: what the resources compute with. */
export function reveal(value: unknown): unknown {
    if (isSecret(value)) {
        return reveal(value.value);
    }
    if (Array.isArray(value)) {
        return value.map(reveal);
    }
    if (isPlainObject(value)) {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, reveal(item)]));
    }
    return value;
}

function revealProperties(properties: PropertyMap): PropertyMap {
    return reveal(properties) as PropertyMap;
}

/** Whether the value, or anything in it, is not known yet: during a preview, outputs of resources still to be created are. */
function containsUnknown(value: unknown): boolean {
    if (value === unknownValue) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.some(containsUnknown);
    }
    return isPlainObject(value) && Object.values(value).some(containsUnknown);
}

/** Null and absent mean the same to the engine: both leave an optional input unset. */
function isAbsent(value: unknown): value is null | undefined {
    return value === undefined || value === null;
}

function withoutAbsent(properties: PropertyMap): PropertyMap {
    return Object.fromEntries(Object.entries(properties).filter(([, value]) => !isAbsent(value)));
}

/** A property path as check failures name it: `subject.commonName`, `allowedUses[2]`. */
function propertyPath(prefix: string, name: string): string {
    return prefix ? `${prefix}.${name}` : name;
}

/**
 * Validates inputs for `check`, collecting a failure per problem; each reason says what is wrong and how to fix it.
 * The typed readers return a property's value when it is present, known and valid, and undefined otherwise, so that
 * rules about a value not known yet wait for the check the engine makes before create.
 */
export class InputValidator {
    constructor(
        private readonly inputs: PropertyMap,
        readonly failures: provider.CheckFailure[] = [],
        private readonly pathPrefix = "",
    ) {}

    fail(property: string, reason: string): void {
        this.failures.push({ property: propertyPath(this.pathPrefix, property), reason });
    }

    require(...properties: string[]): void {
        for (const property of properties.filter((name) => isAbsent(this.inputs[name]))) {
            this.fail(property, "is required");
        }
    }

    isUnknown(property: string): boolean {
        return containsUnknown(this.inputs[property]);
    }

    /** The raw value when present and known. */
    private known(property: string): unknown {
        const value = this.inputs[property];
        return isAbsent(value) || containsUnknown(value) ? undefined : value;
    }

    boolean(property: string): boolean | undefined {
        const value = this.known(property);
        if (value === undefined || typeof value === "boolean") {
            return value;
        }
        this.fail(property, `must be true or false, not ${JSON.stringify(value)}`);
        return undefined;
    }

    /** A whole number no smaller than `minimum`; `why` explains the minimum when it is not obvious. */
    integer(property: string, minimum: number, why = ""): number | undefined {
        const value = this.known(property);
        if (value === undefined) {
            return undefined;
        }
        if (typeof value !== "number" || !Number.isInteger(value) || value < minimum) {
            this.fail(property, `must be a whole number of at least ${minimum}${why ? ` (${why})` : ""}, not ${JSON.stringify(value)}`);
            return undefined;
        }
        return value;
    }

    string(property: string, allowed?: readonly string[]): string | undefined {
        const value = this.known(property);
        if (value === undefined) {
            return undefined;
        }
        if (typeof value !== "string") {
            this.fail(property, `must be a string, not ${JSON.stringify(value)}`);
            return undefined;
        }
        if (allowed && !allowed.includes(value)) {
            this.fail(property, `${JSON.stringify(value)} is not supported: use one of ${allowed.join(", ")}`);
            return undefined;
        }
        return value;
    }

    /** A list of strings, each one in `allowed` when given, and each one passing `checkItem` (which returns a reason, or undefined). */
    stringList(property: string, allowed?: readonly string[], checkItem?: (item: string) => string | undefined): string[] | undefined {
        const value = this.known(property);
        if (value === undefined) {
            return undefined;
        }
        if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
            this.fail(property, `must be a list of strings, not ${JSON.stringify(value)}`);
            return undefined;
        }
        let valid = true;
        value.forEach((item: string, index) => {
            const reason = allowed && !allowed.includes(item) ? `${JSON.stringify(item)} is not supported: use any of ${allowed.join(", ")}` : checkItem?.(item);
            if (reason) {
                this.fail(`${property}[${index}]`, reason);
                valid = false;
            }
        });
        return valid ? value : undefined;
    }

    /** A map from strings to strings. */
    stringMap(property: string): Record<string, string> | undefined {
        const value = this.known(property);
        if (value === undefined) {
            return undefined;
        }
        if (!isPlainObject(value) || !Object.values(value).every((item) => typeof item === "string")) {
            this.fail(property, `must be a map of strings, not ${JSON.stringify(value)}`);
            return undefined;
        }
        return value as Record<string, string>;
    }

    /** A validator for the properties of a nested object (its failures are named `property.name`), or undefined when absent or not known yet. */
    object(property: string): InputValidator | undefined {
        const value = this.inputs[property];
        if (isAbsent(value) || value === unknownValue) {
            return undefined;
        }
        if (!isPlainObject(value)) {
            this.fail(property, `must be an object, not ${JSON.stringify(value)}`);
            return undefined;
        }
        return new InputValidator(value, this.failures, propertyPath(this.pathPrefix, property));
    }
}

/** What `check` makes of a resource's inputs. */
export interface CheckOutcome {
    /** Upstream's defaults; only those of absent inputs are applied. */
    readonly defaults: PropertyMap;
    readonly failures: provider.CheckFailure[];
}

/**
 * One resource type of a stand-in provider. Its methods see inputs and state with secrets revealed; the provider
 * wraps the secret properties again on the way out.
 */
export interface StandInResource<Inputs extends object = PropertyMap> {
    /** Every input property. Upstream replaces the resource when any of them changes, except those in `updatableInputs`. */
    readonly inputProperties: readonly string[];
    /** Inputs upstream changes in place: only the state changes, nothing is generated again. */
    readonly updatableInputs?: readonly string[];
    /** The properties upstream marks sensitive; the provider returns them as secrets, in checked inputs and in outputs. */
    readonly secretProperties: readonly string[];
    /** Validates the inputs; a value not known yet (a preview) is left for the check before create. */
    check(inputs: PropertyMap): CheckOutcome;
    /** Creates the resource from checked inputs, with defaults applied: its id and computed outputs (inputs are echoed). */
    create(inputs: Inputs): Promise<{ id: string; outputs: PropertyMap }>;
    /** Outputs that depend on the current time, computed again from the state on read and update. */
    timeDependentOutputs?(state: PropertyMap): PropertyMap;
    /** Outputs whose state forces a replacement on this diff, whatever the inputs (a certificate due for renewal). */
    replacementTriggers?(state: PropertyMap, inputs: PropertyMap): string[];
}

/** The resource type in a URN: `urn:pulumi:<stack>::<project>::<parent type>$<type>::<name>`. */
function resourceTypeOf(urn: string): string {
    const qualifiedType = urn.split("::")[2] ?? "";
    return qualifiedType.split("$").pop() ?? "";
}

/** A Provider for the engine built from a table of stand-in resources keyed by type token. */
export class StandInProvider implements provider.Provider {
    readonly version: string;
    private readonly label: string;

    constructor(
        packageName: StandInPackage,
        private readonly resources: Readonly<Record<string, StandInResource<any>>>,
    ) {
        this.version = STAND_IN_VERSIONS[packageName];
        this.label = `Groundwork's stand-in ${packageName} provider (not the real pulumi-resource-${packageName})`;
    }

    private resourceOf(urn: string): StandInResource {
        const type = resourceTypeOf(urn);
        const resource = this.resources[type];
        if (!resource) {
            throw new Error(
                `${this.label} implements only ${Object.keys(this.resources).join(", ")}; ${type} needs the real plugin ` +
                    `(install it, or add the resource to tools/toolchain/stand-ins)`,
            );
        }
        return resource;
    }

    private withSecrets(resource: StandInResource, properties: PropertyMap): PropertyMap {
        const secrets = resource.secretProperties.filter((name) => !isAbsent(properties[name]));
        return { ...properties, ...Object.fromEntries(secrets.map((name) => [name, secret(properties[name])])) };
    }

    /** The input properties whose new value differs from the state's, or is not known yet (so may differ). */
    private changedInputs(resource: StandInResource, state: PropertyMap, news: PropertyMap): string[] {
        return resource.inputProperties.filter((name) => {
            if (containsUnknown(news[name])) {
                return true;
            }
            const [before, after] = [state[name], news[name]];
            return !(isAbsent(before) && isAbsent(after)) && !isDeepStrictEqual(reveal(before), reveal(after));
        });
    }

    async check(urn: string, _olds: PropertyMap, news: PropertyMap): Promise<provider.CheckResult> {
        const resource = this.resourceOf(urn);
        const { defaults, failures } = resource.check(revealProperties(news));
        return { inputs: this.withSecrets(resource, { ...defaults, ...withoutAbsent(news) }), failures };
    }

    async diff(_id: string, urn: string, state: PropertyMap, news: PropertyMap): Promise<provider.DiffResult> {
        const resource = this.resourceOf(urn);
        const changed = this.changedInputs(resource, state, news);
        const replaces = [
            ...changed.filter((name) => !resource.updatableInputs?.includes(name)),
            ...(resource.replacementTriggers?.(revealProperties(state), revealProperties(news)) ?? []),
        ];
        return { changes: changed.length > 0 || replaces.length > 0, replaces, deleteBeforeReplace: false };
    }

    async create(urn: string, inputs: PropertyMap): Promise<provider.CreateResult> {
        const resource = this.resourceOf(urn);
        const { id, outputs } = await resource.create(revealProperties(inputs));
        return { id, outs: this.withSecrets(resource, { ...inputs, ...outputs }) };
    }

    /** Nothing lives outside the state, so reading gives the state back, with its time-dependent outputs brought up to date. */
    async read(id: string, urn: string, state: PropertyMap): Promise<provider.ReadResult> {
        const resource = this.resourceOf(urn);
        return { id, props: this.withSecrets(resource, { ...state, ...resource.timeDependentOutputs?.(revealProperties(state)) }) };
    }

    /** Only inputs upstream changes in place reach update: diff asks for a replacement for any other change. */
    async update(_id: string, urn: string, state: PropertyMap, news: PropertyMap): Promise<provider.UpdateResult> {
        const resource = this.resourceOf(urn);
        const type = resourceTypeOf(urn);
        const needReplacement = this.changedInputs(resource, state, news).filter((name) => !resource.updatableInputs?.includes(name));
        if (needReplacement.length > 0) {
            throw new Error(`${this.label}: ${type} cannot change ${needReplacement.join(", ")} in place; it must be replaced, as the real provider does`);
        }
        const outputs = Object.fromEntries(Object.entries(state).filter(([name]) => !resource.inputProperties.includes(name)));
        const updated = { ...outputs, ...news };
        return { outs: this.withSecrets(resource, { ...updated, ...resource.timeDependentOutputs?.(revealProperties(updated)) }) };
    }

    /** The resources exist only in the state, so there is nothing to delete. */
    async delete(): Promise<void> {}
}
