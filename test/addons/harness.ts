import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import type { PlatformAddons } from "../../components/addons";
import { lookup, readStackConfig, withOverrides } from "../support/program";

/** A resource the add-ons registered under mocks. */
export interface AddonResource {
    type: string;
    name: string;
    inputs: Record<string, any>;
    dependencies: string[];
    /** The names its aliases give: the names whose state a renamed resource keeps. */
    aliasNames: string[];
    /** Dotted paths of the inputs the engine receives as secrets. */
    secretInputs: string[];
}

export interface AddonsRun {
    addons: PlatformAddons;
    resources: AddonResource[];
    get(type: string, name: string): AddonResource;
    ofType(type: string): AddonResource[];
}

export const types = {
    chart: "kubernetes:helm.sh/v4:Chart",
    namespace: "kubernetes:core/v1:Namespace",
    secret: "kubernetes:core/v1:Secret",
    job: "kubernetes:batch/v1:Job",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    clusterIssuer: "kubernetes:cert-manager.io/v1:ClusterIssuer",
    appProject: "kubernetes:argoproj.io/v1alpha1:AppProject",
    applicationSet: "kubernetes:argoproj.io/v1alpha1:ApplicationSet",
    tektonConfig: "kubernetes:operator.tekton.dev/v1alpha1:TektonConfig",
    pipeline: "kubernetes:tekton.dev/v1:Pipeline",
    task: "kubernetes:tekton.dev/v1:Task",
    triggerTemplate: "kubernetes:triggers.tekton.dev/v1beta1:TriggerTemplate",
    eventListener: "kubernetes:triggers.tekton.dev/v1beta1:EventListener",
} as const;

/** Secrets the stack files cannot hold in plaintext; the tests pass them as secret config. */
export const testSecrets: Record<string, string> = {
    cloudflareApiToken: "test-cloudflare-token",
    argocdRepositoryCredentials: JSON.stringify([
        { url: "https://git.example.com/groundwork-platform/deploy.git", username: "ci", password: "repository-token" },
        { url: "git@github.com:acme/Charts.git", sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nkey\n-----END OPENSSH PRIVATE KEY-----" },
    ]),
    ciRegistryCredentials: JSON.stringify({ auths: { "ghcr.io": { auth: "Y2k6dG9rZW4=" } } }),
};

/** What the mocked RandomPassword answers as its bcrypt hash. */
export const mockBcryptHash = "$2a$10$abcdefghijklmnopqrstuuMockHashOfTheAdminPasswordForTests";

const requestsByName = new Map<string, { dependencies: string[]; aliasNames: string[] }>();
const originalRegister = MockMonitor.prototype.registerResource;
MockMonitor.prototype.registerResource = function (this: MockMonitor, req: any, callback: (err: any, res: any) => void) {
    requestsByName.set(`${req.getType()}::${req.getName()}`, {
        dependencies: req.getDependenciesList(),
        aliasNames: req.getAliasesList().map((alias: any) => alias.getSpec()?.getName()).filter(Boolean),
    });
    return originalRegister.call(this, req, callback);
};

/**
 * Builds PlatformAddons under Pulumi mocks from a stack file's config (with overrides, and the
 * test secrets as secret config) and returns what they registered.
 */
export async function runAddons(stack: string, overrides: Record<string, unknown> = {}): Promise<AddonsRun> {
    const recorded: { type: string; name: string; inputs: Record<string, any>; secretInputs: string[] }[] = [];
    requestsByName.clear();
    await pulumi.runtime.setMocks({
        newResource(args) {
            recorded.push({ type: args.type, name: args.name, inputs: unwrapSecrets(args.inputs) as Record<string, any>, secretInputs: secretPaths(args.inputs) });
            const state = args.type === "random:index/randomPassword:RandomPassword"
                ? { ...args.inputs, result: `mock-password-${args.name}`, bcryptHash: mockBcryptHash }
                : args.inputs;
            return { id: args.custom ? `${args.name}-id` : undefined, state };
        },
        call: (args) => args.inputs,
    }, "groundwork", stack, false);

    const { parsePlatformConfig, secretKeys } = await import("../../components/config");
    const { PlatformAddons } = await import("../../components/addons");
    const raw = withOverrides({ ...readStackConfig(stack), ...prefixed(testSecrets) }, overrides);
    const config = parsePlatformConfig(
        Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)])),
        new Set(secretKeys.map((key) => `groundwork:${key}`)),
    );
    const addons = new PlatformAddons("addons", { config });
    await settled(addons);

    const resources: AddonResource[] = recorded.map((resource) => ({
        ...resource,
        ...(requestsByName.get(`${resource.type}::${resource.name}`) ?? { dependencies: [], aliasNames: [] }),
    }));
    return { addons, resources, ...lookup(resources) };
}

const signatureKey = "4dabf18193072939515e22adb298388d";
const secretSignature = "1b47061264138c4ac30d75fd1eb44270";
const outputValueSignature = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

type Wrapped = { [signatureKey]: string; value?: unknown; secret?: boolean };

function isWrapped(value: unknown): value is Wrapped {
    return value !== null && typeof value === "object" && signatureKey in value;
}

/** A secret as plain resources receive it, or an output value marked secret as components (Chart v4) receive it. */
function isSecretValue(value: unknown): boolean {
    return isWrapped(value) && (value[signatureKey] === secretSignature || (value[signatureKey] === outputValueSignature && value.secret === true));
}

/** Mocks hand secrets and output values over wrapped; tests read the plain values (and the paths of the secret ones). */
function unwrapSecrets(value: unknown): unknown {
    if (isWrapped(value)) {
        return unwrapSecrets(value.value);
    }
    if (Array.isArray(value)) {
        return value.map(unwrapSecrets);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, unwrapSecrets(child)]));
    }
    return value;
}

function secretPaths(value: unknown, prefix = ""): string[] {
    if (isSecretValue(value)) {
        return [prefix];
    }
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([key, child]) => secretPaths(child, prefix === "" ? key : `${prefix}.${key}`));
    }
    return [];
}

/** `groundwork:`-prefixed config keys. */
export function prefixed(config: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(config).map(([key, value]) => [`groundwork:${key}`, value]));
}

/** Whether `dependent` was registered with a dependency on `dependency`. */
export function dependsOn(dependent: AddonResource, dependency: AddonResource): boolean {
    return dependent.dependencies.some((urn) => urn.endsWith(`::${dependency.type}::${dependency.name}`) || urn.endsWith(`$${dependency.type}::${dependency.name}`));
}

export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

async function settled(addons: PlatformAddons): Promise<void> {
    await Promise.all([addons.argocdUrl, addons.eventListenerUrl, addons.clusterIssuer, addons.ingress.className].map(valueOf));
    // Registrations finish on later ticks than the outputs the component exposes.
    await new Promise((resolve) => setTimeout(resolve, 50));
}
