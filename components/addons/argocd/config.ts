import { z } from "zod";
import { decodedJson, DeepReadonly, gitRepositoryUrl, hostname, resourceName } from "../../fields";
import { chartValues, resources, sized } from "../helm-addon/config";

/** `groundwork:addons.argocd`. */
export const argoCdSchema = z.strictObject({
    namespace: resourceName.default("argocd"),
    host: hostname.describe("Public host of the Argo CD UI and API, served through the ingress with TLS; unset keeps Argo CD in-cluster.").optional(),
    highAvailability: z.boolean().describe("High availability (redis-ha, several replicas, disruption budgets); on in production by default.").optional(),
    resources: resources.default(sized(["100m", "256Mi"], ["1", "1Gi"])),
    sourceRepositories: z.array(gitRepositoryUrl).describe("Repositories the environment's AppProject may deploy from, besides those of `applications`.").default([]),
    applications: z.array(z.strictObject({
        name: resourceName,
        repository: gitRepositoryUrl,
        path: z.string().min(1).regex(/^[^/].*$|^\.$/, "must be a path inside the repository such as \"deploy/backend\" (no leading \"/\")"),
        revision: z.string().min(1).default("HEAD"),
        namespace: resourceName.describe("A tier namespace: Argo CD deploys only into namespaces Groundwork guards."),
    })).describe("Applications of the environment's ApplicationSet (repository, path, revision, tier namespace).").default([]),
    values: chartValues,
});

export type ArgoCdSettings = DeepReadonly<z.output<typeof argoCdSchema>>;

/** groundwork:argocdRepositoryCredentials (a secret): the repositories Argo CD may pull from, with their credentials. */
export const repositoryCredentialsSchema = decodedJson(z.array(z.strictObject({
    url: z.string().regex(/^(https:\/\/|ssh:\/\/|git@|oci:\/\/)[^\s]+$/, "must be a repository URL (https://, ssh://, git@ or oci://)"),
    type: z.enum(["git", "helm", "oci"]).default("git"),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    sshPrivateKey: z.string().includes("PRIVATE KEY", { message: "must be a PEM or OpenSSH private key" }).optional(),
}), "must be a JSON list such as [{\"url\": \"https://github.com/acme/deploy.git\", \"username\": \"x\", \"password\": \"…\"}]"));

export type RepositoryCredentials = DeepReadonly<z.output<typeof repositoryCredentialsSchema>>;

/**
 * The repository's host and path as a Kubernetes name, e.g. "github.com-acme-deploy" for
 * "git@github.com:acme/deploy.git": names derived from it survive reordering the credentials list.
 */
export function repositoryKey(url: string): string {
    return url.toLowerCase()
        .replace(/^[a-z]+:\/\//, "")
        .replace(/^[^@/]*@/, "")
        .replace(/(\.git)?\/*$/, "")
        .replace(/[^a-z0-9]+/g, (run) => (run === "." ? "." : "-"))
        .replace(/^[-.]+|[-.]+$/g, "");
}
