import type { PlatformAddons } from "../../components/addons";
import { lookup, requestFor, secretPaths, settle, startMockRun, unwrapValues, valueOf } from "../support/mocks";
import { anEdge, aStack, aTier, Environment, RawConfig } from "../support/builders";
import { asEngineConfig, withOverrides } from "../support/stack-config";

export { valueOf } from "../support/mocks";

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
    application: "kubernetes:argoproj.io/v1alpha1:Application",
    tektonConfig: "kubernetes:operator.tekton.dev/v1alpha1:TektonConfig",
    pipeline: "kubernetes:tekton.dev/v1:Pipeline",
    task: "kubernetes:tekton.dev/v1:Task",
    triggerTemplate: "kubernetes:triggers.tekton.dev/v1beta1:TriggerTemplate",
    eventListener: "kubernetes:triggers.tekton.dev/v1beta1:EventListener",
} as const;

/** Secrets a stack file cannot hold in plaintext; the tests pass them as secret config. */
export const testSecrets: Record<string, string> = {
    cloudflareApiToken: "test-cloudflare-token",
    argocdRepositoryCredentials: JSON.stringify([
        { url: "https://git.example.com/groundwork-platform/deploy.git", username: "ci", password: "repository-token" },
        { url: "git@git.example.org:acme/Charts.git", sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nkey\n-----END OPENSSH PRIVATE KEY-----" },
    ]),
    ciRegistryCredentials: JSON.stringify({ auths: { "ghcr.io": { auth: "Y2k6dG9rZW4=" } } }),
};

/** The tiers of everyAddon()'s stack; Argo CD deploys each, Tekton builds each. */
export const tierNames = ["backend", "ai-engine", "executor"] as const;

/** Where everyAddon()'s stack serves the tiers' API, Argo CD and the Tekton EventListener. */
export const hosts = { api: "api.example.com", argocd: "argocd.example.com", webhook: "ci.example.com" };

/** The repository Argo CD deploys every tier from: the first of testSecrets' repository credentials. */
export const deployRepository = "https://git.example.com/groundwork-platform/deploy.git";

/** The repository a tier's CI pipeline builds and deploys from. */
export const repositoryOf = (tier: string) => `https://git.example.com/groundwork-platform/${tier}.git`;

/**
 * A stack with all five add-ons on behind an edge that checks origin pulls: ingress-nginx trusting
 * Cloudflare's client address, Let's Encrypt's staging issuer, an Argo CD Application and a Tekton
 * pipeline per tier, and monitoring. `change` edits its groundwork:addons.
 */
export function everyAddon(environment: Environment = "staging", change: (addons: any) => void = () => undefined): RawConfig {
    const addons: any = {
        defaultIssuer: "letsencrypt-staging",
        ingressNginx: { serviceType: "LoadBalancer", cloudflare: { realClientIp: true, verifyOriginPull: true } },
        certManager: { acmeEmail: "platform@example.com" },
        argocd: {
            host: hosts.argocd,
            applications: tierNames.map((tier) => ({ name: tier, repository: deployRepository, path: `${environment}/${tier}`, revision: "main", namespace: tier })),
        },
        monitoring: { enabled: true },
        tekton: {
            webhookHost: hosts.webhook,
            pipelines: tierNames.map((tier) => ({
                tier, repository: repositoryOf(tier), image: `registry.example.com/${tier}`, test: { image: "docker.io/library/node:24.9.0", command: "npm test" },
            })),
        },
    };
    change(addons);
    const [api, ...others] = tierNames.map((tier) => aTier(tier));
    return aStack(environment)
        .withTier(api.public(hosts.api), ...others)
        .withEdge(anEdge({ zoneOwner: false, authenticatedOriginPulls: true }))
        .withAddons(addons)
        .build();
}

/** What the mocked RandomPassword answers as its bcrypt hash. */
export const mockBcryptHash = "$2a$10$abcdefghijklmnopqrstuuMockHashOfTheAdminPasswordForTests";

/**
 * Builds PlatformAddons under Pulumi mocks from `config` (with overrides, and the test secrets as
 * secret config), in a stack named after its environment, and returns what they registered.
 */
export async function runAddons(config: RawConfig, overrides: RawConfig = {}): Promise<AddonsRun> {
    const recorded = await startMockRun(String(config["groundwork:environment"]), {
        state: (resource) => resource.type === "random:index/randomPassword:RandomPassword"
            ? { ...resource.inputs, result: `mock-password-${resource.name}`, bcryptHash: mockBcryptHash }
            : resource.inputs,
    });

    const { parsePlatformConfig, secretKeys } = await import("../../components/config");
    const { PlatformAddons } = await import("../../components/addons");
    const raw = withOverrides({ ...config, ...prefixed(testSecrets) }, overrides);
    const parsed = parsePlatformConfig(
        asEngineConfig(raw),
        new Set(secretKeys.map((key) => `groundwork:${key}`)),
    );
    const addons = new PlatformAddons("addons", { config: parsed });
    await settled(addons);

    const resources: AddonResource[] = recorded.map((resource) => {
        const request = requestFor(resource.type, resource.name);
        return {
            type: resource.type,
            name: resource.name,
            inputs: unwrapValues(resource.inputs) as Record<string, any>,
            secretInputs: secretPaths(resource.inputs),
            dependencies: request?.dependencies ?? [],
            aliasNames: request?.aliasNames ?? [],
        };
    });
    return { addons, resources, ...lookup(resources) };
}

/** `groundwork:`-prefixed config keys. */
export function prefixed(config: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(config).map(([key, value]) => [`groundwork:${key}`, value]));
}

/** Whether `dependent` was registered with a dependency on `dependency`. */
export function dependsOn(dependent: AddonResource, dependency: AddonResource): boolean {
    return dependent.dependencies.some((urn) => urn.endsWith(`::${dependency.type}::${dependency.name}`) || urn.endsWith(`$${dependency.type}::${dependency.name}`));
}

async function settled(addons: PlatformAddons): Promise<void> {
    // Add-ons switched off expose nothing to wait for.
    await Promise.all([addons.argocdUrl, addons.eventListenerUrl, addons.clusterIssuer, addons.ingress?.className].flatMap((output) => (output ? [valueOf(output)] : [])));
    // Registrations finish on later ticks than the outputs the component exposes.
    await settle();
}
