import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";

/**
 * The one place the tests patch Pulumi's MockMonitor. Whole-stack runs (support/program.ts) and
 * component runs (addons/harness.ts) both read what it records here, and unwrap secrets with the
 * helpers below.
 */

/** An alias as the engine receives it: a whole URN, or the parts of one, where "" is the resource's own name or type. */
export type AliasSpec = { urn: string } | {
    name: string;
    type: string;
    /** The engine's URN of the former parent: "" for none, undefined for the resource's current parent. */
    parent?: string;
};

/** What the engine receives with one registration, beyond the inputs the mocks' `newResource` sees. */
export interface RecordedRequest {
    /** The mock monitor's URN of its parent. */
    parent: string;
    /** The engine's URN of its parent; "" directly under the stack. */
    parentUrn: string;
    /** The URN the engine gives it: the parents' types chained. */
    urn: string;
    /** The URNs its aliases name. */
    aliases: string[];
    /** Its aliases as the engine receives them. */
    aliasSpecs: AliasSpec[];
    /** The names its aliases give (aliases given by name only). */
    aliasNames: string[];
    dependencies: string[];
    protect: boolean;
    /** Left in the cluster when Pulumi deletes it. */
    retainOnDelete: boolean;
    /** Input property names whose value the engine receives as a secret. */
    secretInputs: string[];
}

let inFlight = 0;
const requests = new Map<string, RecordedRequest>();
/** `type::name` → the key in `requests` of the first registration with that type and name. */
const firstKeyByName = new Map<string, string>();
/** The mock monitor's URNs (it chains only the parent's last type) → the engine's. */
const engineUrns = new Map<string, string>();

/** The URN of a resource under `parentUrn` (the engine's; "" for none): the parents' types chained. */
export function childUrn(stack: string, parentUrn: string, type: string, name: string): string {
    return `urn:pulumi:${stack}::groundwork::${parentUrn ? `${urnParts(parentUrn).qualifiedType}$` : ""}${type}::${name}`;
}

export function urnParts(urn: string): { qualifiedType: string; type: string; name: string } {
    const [, , qualifiedType, ...name] = urn.split("::");
    return { qualifiedType, type: qualifiedType.slice(qualifiedType.lastIndexOf("$") + 1), name: name.join("::") };
}

/** The engine's URN of the parent the mock monitor calls `mockUrn`; resources directly under the stack carry no parent type. */
function engineParent(mockUrn: string): string {
    const urn = engineUrns.get(mockUrn);
    return urn !== undefined && urnParts(urn).qualifiedType !== "pulumi:pulumi:Stack" ? urn : "";
}

function aliasSpecOf(alias: any): AliasSpec {
    if (alias.getUrn()) {
        return { urn: alias.getUrn() };
    }
    const spec = alias.getSpec();
    const parent = spec.getNoparent() ? "" : spec.getParenturn() ? engineParent(spec.getParenturn()) : undefined;
    return { name: spec.getName(), type: spec.getType(), ...(parent === undefined ? {} : { parent }) };
}

/** The URN an alias names; a parent that took over a former URN by an alias of its own stands there (`formerUrns`). */
export function aliasUrn(spec: AliasSpec, resource: { parentUrn: string; type: string; name: string }, formerUrns: ReadonlyMap<string, string> = new Map()): string {
    if ("urn" in spec) {
        return spec.urn;
    }
    const parent = spec.parent === undefined ? resource.parentUrn : formerUrns.get(spec.parent) ?? spec.parent;
    return childUrn(pulumi.getStack(), parent, spec.type || resource.type, spec.name || resource.name);
}

/*
 * The mock monitor hands `newResource` only the inputs; parents, aliases, dependencies, protection
 * and which inputs are secret are read from the request itself.
 */
const originalRegister = MockMonitor.prototype.registerResource;
MockMonitor.prototype.registerResource = function (this: MockMonitor, req: any, callback: (err: any, res: any) => void) {
    inFlight++;
    const name = `${req.getType()}::${req.getName()}`;
    const key = `${name}::${req.getParent()}`;
    const resource = { parentUrn: engineParent(req.getParent()), type: req.getType(), name: req.getName() };
    const urn = childUrn(pulumi.getStack(), resource.parentUrn, resource.type, resource.name);
    const aliasSpecs: AliasSpec[] = req.getAliasesList().map(aliasSpecOf);
    requests.set(key, {
        parent: req.getParent(),
        parentUrn: resource.parentUrn,
        urn,
        aliases: aliasSpecs.map((spec) => aliasUrn(spec, resource)),
        aliasSpecs,
        aliasNames: aliasSpecs.flatMap((spec) => ("name" in spec && spec.name ? [spec.name] : [])),
        dependencies: req.getDependenciesList(),
        protect: req.getProtect?.() ?? false,
        retainOnDelete: req.getRetainondelete?.() ?? false,
        secretInputs: secretPropertyNames(req.getObject()?.toJavaScript() ?? {}),
    });
    if (!firstKeyByName.has(name)) {
        firstKeyByName.set(name, key);
    }
    return originalRegister.call(this, req, (err: any, res: any) => {
        if (res) {
            engineUrns.set(res.getUrn(), urn);
        }
        inFlight--;
        callback(err, res);
    });
};

/** What the registration of the resource with this type and name sent (the first, if several share them). */
export function requestFor(type: string, name: string): RecordedRequest | undefined {
    const key = firstKeyByName.get(`${type}::${name}`);
    return key === undefined ? undefined : requests.get(key);
}

/** Waits until every registration started has been answered. */
export async function settle(): Promise<void> {
    let quietTicks = 0;
    while (quietTicks < 5) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        quietTicks = inFlight === 0 ? quietTicks + 1 : 0;
    }
}

/** A resource as the mocks' `newResource` saw it. */
export interface MockedResource {
    type: string;
    name: string;
    inputs: Record<string, any>;
    custom: boolean;
}

/**
 * Installs Pulumi mocks for `stack` with a fresh record: `state` answers each resource's state
 * (its inputs by default), `call` each invoke. Returns the list the resources land in, in registration order.
 */
export async function startMockRun(
    stack: string,
    handlers: { state?: (resource: MockedResource) => Record<string, unknown>; call?: (token: string, inputs: Record<string, any>) => Record<string, unknown>; preview?: boolean },
): Promise<MockedResource[]> {
    const recorded: MockedResource[] = [];
    requests.clear();
    firstKeyByName.clear();
    engineUrns.clear();
    await pulumi.runtime.setMocks({
        newResource(args) {
            const resource = { type: args.type, name: args.name, inputs: args.inputs, custom: args.custom ?? false };
            recorded.push(resource);
            return { id: resource.custom ? `${args.name}-id` : undefined, state: handlers.state?.(resource) ?? args.inputs };
        },
        call(args) {
            return handlers.call ? handlers.call(args.token, args.inputs) : args.inputs;
        },
    }, "groundwork", stack, handlers.preview ?? false);
    return recorded;
}

/** Finding recorded resources by type token and resource name. */
export function lookup<T extends { type: string; name: string }>(resources: T[]): {
    ofType(type: string): T[];
    get(type: string, name: string): T;
} {
    return {
        ofType: (type) => resources.filter((resource) => resource.type === type),
        get(type, name) {
            const found = resources.find((resource) => resource.type === type && resource.name === name);
            if (!found) {
                const names = resources.filter((resource) => resource.type === type).map((resource) => resource.name);
                throw new Error(`no ${type} named "${name}" (registered: ${names.join(", ") || "none"})`);
            }
            return found;
        },
    };
}

/** The unwrapped value of an Output (for assertions on component outputs). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

// Secrets. The mock monitor hands a secret over as `{[signatureKey]: secretSignature, value}`, and
// an output value (as components such as Chart v4 receive them) as `{[signatureKey]: outputValueSignature, value, secret}`.
const signatureKey = "4dabf18193072939515e22adb298388d";
const secretSignature = "1b47061264138c4ac30d75fd1eb44270";
const outputValueSignature = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

type Wrapped = { [signatureKey]: string; value?: unknown; secret?: boolean };

function isWrapped(value: unknown): value is Wrapped {
    return value !== null && typeof value === "object" && signatureKey in value;
}

function isSecretWrapper(value: unknown): value is Wrapped {
    return isWrapped(value) && value[signatureKey] === secretSignature;
}

/** A secret as plain resources receive it, or an output value marked secret as components receive it. */
function isSecretValue(value: unknown): boolean {
    return isSecretWrapper(value) || (isWrapped(value) && value[signatureKey] === outputValueSignature && value.secret === true);
}

/** Recorded inputs with every secret wrapper replaced by its value, as the engine would apply them. */
export function revealSecrets(value: unknown): unknown {
    return unwrap(value, isSecretWrapper);
}

/** Recorded inputs with every wrapper (secrets and output values) replaced by its value. */
export function unwrapValues(value: unknown): unknown {
    return unwrap(value, isWrapped);
}

function unwrap(value: unknown, wrapped: (value: unknown) => boolean): unknown {
    if (Array.isArray(value)) {
        return value.map((inner) => unwrap(inner, wrapped));
    }
    if (value === null || typeof value !== "object") {
        return value;
    }
    if (wrapped(value)) {
        return unwrap((value as Wrapped).value, wrapped);
    }
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, unwrap(inner, wrapped)]));
}

/** Top-level input names whose value holds a secret. */
function secretPropertyNames(object: Record<string, unknown>): string[] {
    return Object.entries(object).filter(([, value]) => secretPaths(value).length > 0).map(([name]) => name);
}

/** Dotted paths of the secret values inside `value`. */
export function secretPaths(value: unknown, prefix = ""): string[] {
    if (isSecretValue(value)) {
        return [prefix];
    }
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([key, child]) => secretPaths(child, prefix === "" ? key : `${prefix}.${key}`));
    }
    return [];
}
