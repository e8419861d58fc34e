import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { platform } from "../../components/program";
import type { Manifest } from "../../tools/network/matrix";
import { AliasSpec, aliasUrn, childUrn, lookup, requestFor, settle, startMockRun, urnParts } from "./mocks";
import { asEngineConfig, RawConfig, readStackConfig, withCloudflareToken, withOverrides } from "./stack-config";

export { asEngineConfig, committedStacks, readConfigFile, readStackConfig, testReceiverCredentials, testSecretValue, withOverrides, withTestSecrets } from "./stack-config";
export type { AliasSpec } from "./mocks";
export { lookup, revealSecrets, valueOf } from "./mocks";

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
    /** Left in the cluster when Pulumi deletes it. */
    retainOnDelete: boolean;
    /** Input property names whose value the engine receives as a secret. */
    secretInputs: string[];
}

export interface StackRun {
    /** The config the program ran with (a test token added when the edge is on), and its secret keys. */
    config: RawConfig;
    secretKeys: string[];
    resources: RecordedResource[];
    outputs: Record<string, unknown>;
    /** Resources of one type, e.g. "kubernetes:apps/v1:Deployment". */
    ofType(type: string): RecordedResource[];
    /** The one resource with this type and name; throws when there is none. */
    get(type: string, name: string): RecordedResource;
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

/**
 * Runs the program (components/program.ts, as index.ts does) under Pulumi mocks with the given stack's config (plus overrides) and returns
 * every resource it registered. `secretKeys` are the config keys passed as secrets.
 */
export async function runStack(
    stack: string,
    options: { overrides?: RawConfig; config?: RawConfig; secretKeys?: string[]; preview?: boolean } = {},
): Promise<StackRun> {
    const { config, secretKeys } = withCloudflareToken(withOverrides(options.config ?? readStackConfig(stack), options.overrides), options.secretKeys);
    const recorded = await startMockRun(stack, {
        state: (resource) => mockState(resource.type, resource.name, resource.inputs),
        call: mockCall,
        preview: options.preview,
    });
    pulumi.runtime.setAllConfig(
        asEngineConfig(config),
        secretKeys,
    );

    const outputs = await resolveOutputs(platform());
    await settle();

    const resources: RecordedResource[] = recorded.map((resource) => {
        const request = requestFor(resource.type, resource.name);
        return {
            type: resource.type,
            name: resource.name,
            parent: request?.parent ?? "",
            parentUrn: request?.parentUrn ?? "",
            urn: request?.urn ?? "",
            aliases: request?.aliases ?? [],
            aliasSpecs: request?.aliasSpecs ?? [],
            custom: resource.custom,
            inputs: resource.inputs,
            dependencies: request?.dependencies ?? [],
            protect: request?.protect ?? false,
            retainOnDelete: request?.retainOnDelete ?? false,
            secretInputs: request?.secretInputs ?? [],
        };
    });

    return { config, secretKeys, resources, outputs, ...lookup(resources) };
}

/**
 * The Kubernetes objects a run registered, as the provider would render them: apiVersion and kind
 * from the type token (`kubernetes:apps/v1:Deployment`), the rest from the inputs. Charts are left
 * out: mocks render none of their objects.
 */
export function manifestsOf(run: StackRun): Manifest[] {
    return run.resources.flatMap((resource) => {
        const token = /^kubernetes:([^:]+)\/([^:/]+):([A-Za-z]+)$/.exec(resource.type);
        if (!token || !resource.custom || token[1] === "helm.sh") {
            return [];
        }
        const [, group, version, kind] = token;
        return [{ ...resource.inputs, apiVersion: group === "core" ? version : `${group}/${version}`, kind } as Manifest];
    });
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
