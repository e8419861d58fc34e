import { z } from "zod";
import { decodedJson, gitRepositoryUrl, hostname, resourceName, resourcesSchema } from "../../fields";
import { DeepReadonly } from "../../readonly";
import { chartValues, sized } from "../helm-addon/config";

/** Application kinds in sync-wave order. */
export const applicationKinds = ["crds", "operator", "app"] as const;
export type ApplicationKind = (typeof applicationKinds)[number];

/** An Argo CD duration: whole seconds, minutes or hours, such as "10s". */
const argoDuration = z.string().regex(/^[1-9]\d*[smh]$/, "must be a duration in whole seconds, minutes or hours such as \"10s\"");

/** `groundwork:addons.argocd`. */
export const argoCdSchema = z.strictObject({
    enabled: z.boolean().describe("Install Argo CD. false: no Argo CD, no projects and no Applications; `applications`, `host`, `sourceRepositories` and groundwork:argocdRepositoryCredentials must then be unset.").default(true),
    namespace: resourceName.default("argocd"),
    host: hostname.describe("Public host of the Argo CD UI and API, served through the ingress with TLS; unset keeps Argo CD in-cluster.").optional(),
    highAvailability: z.boolean().describe("High availability (redis-ha, several replicas, disruption budgets); on in production by default.").optional(),
    resources: resourcesSchema.default(sized(["100m", "256Mi"], ["1", "1Gi"])),
    sourceRepositories: z.array(gitRepositoryUrl).describe("Repositories the environment's AppProject may deploy from, besides those of `applications`.").default([]),
    applications: z.array(z.strictObject({
        name: resourceName,
        repository: gitRepositoryUrl,
        path: z.string().min(1).regex(/^[^/].*$|^\.$/, "must be a path inside the repository such as \"deploy/backend\" (no leading \"/\")"),
        revision: z.string().min(1).default("HEAD"),
        namespace: resourceName.describe("A tier namespace: Argo CD deploys only into namespaces Groundwork guards."),
        kind: z.enum(applicationKinds).describe("Sync wave and project: \"crds\" first (its project admits CustomResourceDefinitions alone), then \"operator\" "
            + "(CRDs, ClusterRoles, ClusterRoleBindings and admission webhooks), then \"app\" (nothing cluster-scoped).").default("app"),
    })).describe("Applications: the children of one app-of-apps Application, which Argo CD syncs in waves (CRDs, operators, apps), each wave once the one before is Healthy.").default([]),
    sync: z.strictObject({
        prune: z.boolean().describe("Delete what left the repository (never CRDs: deleting one deletes every instance).").default(true),
        selfHeal: z.boolean().describe("Undo changes made in the cluster by hand.").default(true),
        retry: z.strictObject({
            limit: z.int("must be a whole number").min(1, "must be at least 1").max(20, "must be at most 20").default(5),
            backoff: z.strictObject({
                duration: argoDuration.default("10s"),
                factor: z.int("must be a whole number").min(1, "must be at least 1").max(10, "must be at most 10").default(2),
                maxDuration: argoDuration.default("5m"),
            }).default({ duration: "10s", factor: 2, maxDuration: "5m" }),
        }).describe("Retries of a failed sync (an operator whose CRDs are still being created), with exponential backoff.")
            .default({ limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "5m" } }),
    }).describe("Automated sync of every application.").default({ prune: true, selfHeal: true, retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "5m" } } }),
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
