import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { platform } from "../../components/program";
import { RawConfig, readStackConfig, withOverrides } from "./stack-config";

export { readStackConfig, withOverrides } from "./stack-config";

export const repoRoot = path.resolve(__dirname, "..", "..");

/** One resource the program registered under mocks, with what the engine would have received. */
export interface RecordedResource {
    type: string;
    name: string;
    /** The URN the engine gives it: the parents' types chained, as `urn:pulumi:<stack>::groundwork::<A$B$type>::<name>`. */
    urn: string;
    /** The URNs its aliases name: a resource renamed or moved keeps its state through one of them. */
    aliases: string[];
    /** Its aliases as the engine receives them; see deployedUrnsTakenOver. */
    aliasSpecs: AliasSpec[];
    /** The mock monitor's URN of its parent. */
    parent: string;
    /** The engine's URN of its parent; "" directly under the stack. */
    parentUrn: string;
    custom: boolean;
    inputs: Record<string, unknown>;
    dependencies: string[];
    protect: boolean;
    /** Input property names whose value the engine receives as a secret. */
    secretInputs: string[];
}

export interface StackRun {
    resources: RecordedResource[];
    outputs: Record<string, unknown>;
    /** Resources of one type, e.g. "kubernetes:apps/v1:Deployment". */
    ofType(type: string): RecordedResource[];
    /** The one resource with this type and name; throws when there is none. */
    get(type: string, name: string): RecordedResource;
}

/** An alias as the engine receives it: a whole URN, or the parts of one, where "" is the resource's own name or type. */
export type AliasSpec = { urn: string } | {
    name: string;
    type: string;
    /** The engine's URN of the former parent: "" for none, undefined for the resource's current parent. */
    parent?: string;
};

interface RecordedRequest {
    parent: string;
    parentUrn: string;
    urn: string;
    aliases: string[];
    aliasSpecs: AliasSpec[];
    dependencies: string[];
    protect: boolean;
    secretInputs: string[];
}

let inFlight = 0;
const requests = new Map<string, RecordedRequest>();
/** The mock monitor's URNs (it chains only the parent's last type) → the engine's. */
const engineUrns = new Map<string, string>();

/** The URN of a resource under `parentUrn` (the engine's; "" for none): the parents' types chained. */
function childUrn(stack: string, parentUrn: string, type: string, name: string): string {
    return `urn:pulumi:${stack}::groundwork::${parentUrn ? `${urnParts(parentUrn).qualifiedType}$` : ""}${type}::${name}`;
}

function urnParts(urn: string): { qualifiedType: string; type: string; name: string } {
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
function aliasUrn(spec: AliasSpec, resource: { parentUrn: string; type: string; name: string }, formerUrns: ReadonlyMap<string, string> = new Map()): string {
    if ("urn" in spec) {
        return spec.urn;
    }
    const parent = spec.parent === undefined ? resource.parentUrn : formerUrns.get(spec.parent) ?? spec.parent;
    return childUrn(pulumi.getStack(), parent, spec.type || resource.type, spec.name || resource.name);
}

/**
 * The deployed URN whose state each resource takes over, found as the engine's step generator finds
 * it (pkg/resource/deploy/step_generator.go, getOldResource and generateAliases): the resource's
 * URN, else its aliases, whose parent is the parent's former URN when the parent itself was found
 * by an alias, else the aliases it inherits from such a parent: the parent's former URN with the
 * child's type, and the child's name with the parent's former name as prefix where it had the
 * parent's name as prefix. Resources come in registration order, so a parent comes before its children.
 */
export function deployedUrnsTakenOver(resources: readonly RecordedResource[], deployed: ReadonlySet<string>): Map<RecordedResource, string> {
    const formerUrns = new Map<string, string>();
    const takenOver = new Map<RecordedResource, string>();
    for (const resource of resources) {
        const own = resource.aliasSpecs.map((spec) => aliasUrn(spec, resource, formerUrns));
        const formerParent = formerUrns.get(resource.parentUrn);
        const inherited = formerParent === undefined ? [] : [{ type: resource.type, name: resource.name }, ...own.map(urnParts)].map(({ type, name }) => {
            const parentName = urnParts(resource.parentUrn).name;
            const formerName = name.startsWith(parentName) ? `${urnParts(formerParent).name}${name.slice(parentName.length)}` : name;
            return childUrn(pulumi.getStack(), formerParent, type, formerName);
        });
        const found = [resource.urn, ...own, ...inherited].find((urn) => deployed.has(urn));
        if (found !== undefined) {
            takenOver.set(resource, found);
            if (found !== resource.urn) {
                formerUrns.set(resource.urn, found);
            }
        }
    }
    return takenOver;
}

/*
 * The mock monitor hands `newResource` only the inputs; parents, dependencies, protection and
 * which inputs are secret are read from the request itself, so tests can assert ordering and secrecy.
 */
const originalRegister = MockMonitor.prototype.registerResource;
MockMonitor.prototype.registerResource = function (this: MockMonitor, req: any, callback: (err: any, res: any) => void) {
    inFlight++;
    const key = `${req.getType()}::${req.getName()}::${req.getParent()}`;
    const resource = { parentUrn: engineParent(req.getParent()), type: req.getType(), name: req.getName() };
    const urn = childUrn(pulumi.getStack(), resource.parentUrn, resource.type, resource.name);
    const aliasSpecs: AliasSpec[] = req.getAliasesList().map(aliasSpecOf);
    requests.set(key, {
        parent: req.getParent(),
        parentUrn: resource.parentUrn,
        urn,
        aliases: aliasSpecs.map((spec) => aliasUrn(spec, resource)),
        aliasSpecs,
        dependencies: req.getDependenciesList(),
        protect: req.getProtect?.() ?? false,
        secretInputs: secretPropertyNames(req.getObject()?.toJavaScript() ?? {}),
    });
    return originalRegister.call(this, req, (err: any, res: any) => {
        if (res) {
            engineUrns.set(res.getUrn(), urn);
        }
        inFlight--;
        callback(err, res);
    });
};

/** How the mock monitor marks a secret value: `{[secretSignatureKey]: secretSignature, value}`. */
const secretSignatureKey = "4dabf18193072939515e22adb298388d";
const secretSignature = "1b47061264138c4ac30d75fd1eb44270";

function isSecretWrapper(record: Record<string, unknown>): boolean {
    return record[secretSignatureKey] === secretSignature;
}

/** Recorded inputs with every secret wrapper replaced by its value, as the engine would apply them. */
export function revealSecrets(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(revealSecrets);
    }
    if (value === null || typeof value !== "object") {
        return value;
    }
    const record = value as Record<string, unknown>;
    if (isSecretWrapper(record)) {
        return revealSecrets(record.value);
    }
    return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, revealSecrets(inner)]));
}

function secretPropertyNames(object: Record<string, unknown>): string[] {
    return Object.entries(object).filter(([, value]) => containsSecret(value)).map(([name]) => name);
}

function containsSecret(value: unknown): boolean {
    if (value === null || typeof value !== "object") {
        return false;
    }
    const record = value as Record<string, unknown>;
    if (isSecretWrapper(record)) {
        return true;
    }
    return Object.values(record).some(containsSecret);
}

/** Waits until every registration the program started has been answered. */
async function settle(): Promise<void> {
    let quietTicks = 0;
    while (quietTicks < 5) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        quietTicks = inFlight === 0 ? quietTicks + 1 : 0;
    }
}

/**
 * Runs the program (components/program.ts, as index.ts does) under Pulumi mocks with the given stack's config (plus overrides) and returns
 * every resource it registered. `secretKeys` are the config keys passed as secrets.
 */
export async function runStack(
    stack: string,
    options: { overrides?: RawConfig; config?: RawConfig; secretKeys?: string[]; preview?: boolean } = {},
): Promise<StackRun> {
    const config = withOverrides(options.config ?? readStackConfig(stack), options.overrides);
    // Stack files never hold the Cloudflare token (it is an encrypted secret); tests pass one in.
    const tokenKey = "groundwork:cloudflareApiToken";
    const edgeOn = (config["groundwork:edge"] as { enabled?: boolean } | undefined)?.enabled === true;
    if (edgeOn && !(tokenKey in config)) {
        config[tokenKey] = "test-cloudflare-token";
    }
    const secretKeys = [...(options.secretKeys ?? []), ...(edgeOn ? [tokenKey] : [])];
    const recorded: { type: string; name: string; inputs: Record<string, unknown>; custom: boolean; urnSuffix: string }[] = [];
    requests.clear();
    engineUrns.clear();

    await pulumi.runtime.setMocks({
        newResource(args) {
            recorded.push({ type: args.type, name: args.name, inputs: args.inputs, custom: args.custom ?? false, urnSuffix: `${args.type}::${args.name}` });
            return { id: args.custom ? `${args.name}-id` : undefined, state: mockState(args.type, args.name, args.inputs) };
        },
        call(args) {
            return mockCall(args.token, args.inputs);
        },
    }, "groundwork", stack, options.preview ?? false);
    pulumi.runtime.setAllConfig(
        Object.fromEntries(Object.entries(config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)])),
        secretKeys,
    );

    const outputs = await resolveOutputs(platform());
    await settle();

    const resources: RecordedResource[] = recorded.map((resource) => {
        const request = [...requests.entries()].find(([key]) => key.startsWith(`${resource.urnSuffix}::`));
        return {
            type: resource.type,
            name: resource.name,
            parent: request?.[1].parent ?? "",
            parentUrn: request?.[1].parentUrn ?? "",
            urn: request?.[1].urn ?? "",
            aliases: request?.[1].aliases ?? [],
            aliasSpecs: request?.[1].aliasSpecs ?? [],
            custom: resource.custom,
            inputs: resource.inputs,
            dependencies: request?.[1].dependencies ?? [],
            protect: request?.[1].protect ?? false,
            secretInputs: request?.[1].secretInputs ?? [],
        };
    });

    return { resources, outputs, ...lookup(resources) };
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

/** State the fake engine answers with: the inputs plus the few outputs the program reads. */
function mockState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const metadata = inputs.metadata as Record<string, unknown> | undefined;
    if (type.startsWith("kubernetes:") && metadata && metadata.name === undefined) {
        // The provider auto-names objects that set no name: the resource name plus a random suffix.
        return { ...inputs, metadata: { ...metadata, name: `${name}-a1b2c3d4` } };
    }
    switch (type) {
        case "random:index/randomPassword:RandomPassword":
            return { ...inputs, result: `mock-password-${inputs.length ?? 16}`, bcryptHash: "$2a$10$mockbcrypthashmockbcrypthashmockbcrypthashmockbcryptha" };
        case "tls:index/certRequest:CertRequest":
            return { ...inputs, certRequestPem: "-----BEGIN CERTIFICATE REQUEST-----\nmock\n-----END CERTIFICATE REQUEST-----\n" };
        case "cloudflare:index/originCaCertificate:OriginCaCertificate":
            return { ...inputs, certificate: "-----BEGIN CERTIFICATE-----\nmock\n-----END CERTIFICATE-----\n" };
        case "tls:index/privateKey:PrivateKey":
            return { ...inputs, privateKeyPem: "-----BEGIN PRIVATE KEY-----\nmock\n-----END PRIVATE KEY-----\n", publicKeyPem: "mock-public-key" };
        default:
            return inputs;
    }
}

function mockCall(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
    if (token === "cloudflare:index/getZone:getZone") {
        return { id: "mock-zone-id", zoneId: "mock-zone-id", name: (inputs.filter as { name?: string } | undefined)?.name };
    }
    return { ...inputs, token };
}

async function resolveOutputs(program: Record<string, unknown>): Promise<Record<string, unknown>> {
    const entries = await Promise.all(Object.entries(program).map(async ([name, value]) => {
        if (pulumi.Output.isInstance(value) || (value !== null && typeof value === "object")) {
            const resolved = await new Promise<unknown>((resolve) => pulumi.output(value).apply(resolve));
            return [name, resolved] as const;
        }
        return [name, value] as const;
    }));
    return Object.fromEntries(entries);
}

/** The unwrapped value of an Output (for assertions on component outputs). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}
