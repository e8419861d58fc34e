import { z } from "zod";
import { decodedJson, DeepReadonly, gitRepositoryUrl, hostname, imageReference, resourceName } from "../../fields";
import { chartValues, resources, sized } from "../helm-addon/config";

/** An image repository without tag or digest: the pipeline tags each build with the commit. */
const imageRepository = z.string().regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+$/,
    "must be an image repository without tag, such as \"ghcr.io/acme/backend\"");

/** `groundwork:addons.tekton`. */
export const tektonSchema = z.strictObject({
    operatorNamespace: resourceName.default("tekton-operator"),
    pipelinesNamespace: resourceName.describe("Where the operator installs Tekton Pipelines and Triggers.").default("tekton-pipelines"),
    ciNamespace: resourceName.describe("Where the CI pipelines, their runs and the EventListener live.").default("ci"),
    webhookHost: hostname.describe("Public host of the GitHub webhook EventListener, served through the ingress with TLS; unset keeps it in-cluster.").optional(),
    resources: resources.default(sized(["50m", "128Mi"], ["500m", "512Mi"])),
    pipelines: z.array(z.strictObject({
        tier: resourceName,
        repository: gitRepositoryUrl,
        branch: z.string().min(1).regex(/^[A-Za-z0-9._\-/]+$/, "must be a branch name such as \"main\"").describe("Pushes to this branch trigger the pipeline.").default("main"),
        context: z.string().min(1).describe("Build context and Dockerfile, relative to the repository root.").default("."),
        dockerfile: z.string().min(1).default("Dockerfile"),
        image: imageRepository.describe("Where the built image is pushed, tagged with the commit SHA."),
        test: z.strictObject({
            image: imageReference,
            command: z.string().min(1).describe("Shell command run in the checked-out source, e.g. \"npm ci && npm test\"."),
        }),
    })).describe("One CI pipeline per app tier: clone, test, rootless image build, push; started by GitHub push webhooks.").default([]),
    values: chartValues,
});

export type TektonSettings = DeepReadonly<z.output<typeof tektonSchema>>;

/** groundwork:ciRegistryCredentials (a secret): the Docker config the CI pipelines push with. */
export const registryCredentialsSchema = decodedJson(z.looseObject({
    auths: z.record(z.string(), z.unknown(), "must map registries to credentials"),
}, "must be Docker config JSON such as {\"auths\": {\"ghcr.io\": {\"auth\": \"<base64 user:token>\"}}}"));

export type RegistryCredentials = DeepReadonly<z.output<typeof registryCredentialsSchema>>;
