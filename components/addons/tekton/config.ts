import { z } from "zod";
import { decodedJson, gitRepositoryUrl, hostname, imageReference, resourceName, resourcesSchema } from "../../fields";
import { DeepReadonly } from "../../readonly";
import { chartValues, sized } from "../helm-addon/config";
import { repositoryTektonFields } from "./repository-config";

/** An image repository without tag or digest: the pipeline tags each build with the commit. */
const imageRepository = z.string().regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+$/,
    "must be an image repository without tag, such as \"ghcr.io/acme/backend\"");

/** A directory inside the repository, without a leading "/" or "..". */
const repositoryPath = z.string().regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._\-/]+$/, "must be a directory inside the repository such as \"deploy\" (no leading \"/\", no \"..\")");

/** A CustomResourceDefinition's name: `<plural>.<group>`. */
const crdName = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, "must be a CRD name <plural>.<group> such as \"widgets.example.com\"");

/** `groundwork:addons.tekton`. */
export const tektonSchema = z.strictObject({
    enabled: z.boolean().describe("Install the Tekton operator, Pipelines and Triggers and the CI namespace. false: no pipelines; `pipelines`, `webhookHost` and groundwork:ciRegistryCredentials must then be unset.").default(true),
    operatorNamespace: resourceName.default("tekton-operator"),
    pipelinesNamespace: resourceName.describe("Where the operator installs Tekton Pipelines and Triggers.").default("tekton-pipelines"),
    ciNamespace: resourceName.describe("Where the CI pipelines, their runs and the EventListener live.").default("ci"),
    webhookHost: hostname.describe("Public host of the GitHub webhook EventListener, served through the ingress with TLS; unset keeps it in-cluster.").optional(),
    resources: resourcesSchema.default(sized(["50m", "128Mi"], ["500m", "512Mi"])),
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
        deploy: z.strictObject({
            manifests: repositoryPath.describe("Directory of the tier's Kubernetes manifests in its repository, applied by the deploy pipeline and removed by the cleanup pipeline.").default("deploy"),
            crds: z.array(crdName).describe("CustomResourceDefinitions the manifests use: deploy waits until each is Established and NamesAccepted; cleanup removes them only when no instance is left, or when forced.").default([]),
            rolloutTimeout: z.string().regex(/^[1-9]\d*[sm]$/, "must be a duration in whole seconds or minutes such as \"5m\"").describe("How long deploy waits for the tier's Deployment to roll out.").default("5m"),
        }).describe("The tier's deploy and cleanup pipelines, started by GitHub deployment webhooks (task \"deploy\" or \"cleanup\").")
            .default({ manifests: "deploy", crds: [], rolloutTimeout: "5m" }),
    })).describe("Per app tier: a CI pipeline (clone, test, rootless image build, push) started by push webhooks, and deploy and cleanup pipelines.").default([]),
    ...repositoryTektonFields,
    concurrentRuns: z.int("must be a whole number").min(1, "must be at least 1").max(20, "must be at most 20").describe("Pipeline runs the CI namespace's quota admits at once.").default(2),
    keepRuns: z.int("must be a whole number").min(1, "must be at least 1").max(50, "must be at most 50").describe("Finished runs kept per pipeline; each CI run keeps its 2Gi workspace volume until pruned, and the quota counts them.").default(5),
    values: chartValues,
});

export type TektonSettings = DeepReadonly<z.output<typeof tektonSchema>>;

/** groundwork:ciRegistryCredentials (a secret): the Docker config the CI pipelines push with. */
export const registryCredentialsSchema = decodedJson(z.looseObject({
    auths: z.record(z.string(), z.unknown(), "must map registries to credentials"),
}, "must be Docker config JSON such as {\"auths\": {\"ghcr.io\": {\"auth\": \"<base64 user:token>\"}}}"));

export type RegistryCredentials = DeepReadonly<z.output<typeof registryCredentialsSchema>>;
