import { Resources } from "../../platform/sizing";
import { versions } from "../../versions";
import { restrictedContainer, restrictedPod } from "../helm-addon";
import { TektonSettings } from "../tekton/config";

/** The specs of the Tasks and Pipelines the CI namespace holds: plain data, so that tests read them as they are applied. */

export type PipelineSettings = TektonSettings["pipelines"][number];

/** The UID every CI step but the image build runs as; the workspace volume is group-writable for it. */
export const ciUser = 65532;

/** The pods of runs whose steps all run as ciUser (deliveries, webhook runs): restricted, the workspace theirs by group. */
export const ciUserPodSecurityContext = { ...restrictedPod, runAsUser: ciUser, runAsGroup: ciUser, fsGroup: ciUser };

/** Every step but the image build. */
export const ciStepResources: Resources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "1Gi" } };
/** The rootless BuildKit step: the largest pod a pipeline run starts. */
export const buildStepResources: Resources = { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "4Gi" } };
/** Each CI run's workspace claim (clone, test, build share it across their pods). */
export const workspaceSize = "2Gi";

const restrictedStep = {
    securityContext: { ...restrictedContainer, runAsUser: ciUser, runAsGroup: ciUser },
    computeResources: ciStepResources,
};

const shell = (...lines: string[]) => ["#!/bin/sh", "set -eu", ...lines].join("\n");

/** A step that checks out `$URL` at `$REVISION` into its working directory. */
function cloneStep(workingDir: string) {
    return {
        name: "clone",
        image: versions.images.git,
        ...restrictedStep,
        env: [{ name: "HOME", value: "/tekton/home" }, { name: "URL", value: "$(params.url)" }, { name: "REVISION", value: "$(params.revision)" }],
        workingDir,
        script: shell(
            "git init -q .",
            "git remote add origin \"$URL\"",
            "git fetch -q --depth 1 origin \"$REVISION\"",
            "git checkout -q FETCH_HEAD",
        ),
    };
}

export function ciTaskSpecs(): Record<"clone" | "test" | "build", Record<string, unknown>> {
    return {
        clone: {
            params: [{ name: "url", type: "string" }, { name: "revision", type: "string" }],
            workspaces: [{ name: "source" }],
            steps: [cloneStep("$(workspaces.source.path)")],
        },
        test: {
            params: [{ name: "image", type: "string" }, { name: "command", type: "string" }],
            workspaces: [{ name: "source" }],
            steps: [{
                name: "test",
                image: "$(params.image)",
                ...restrictedStep,
                securityContext: { ...restrictedStep.securityContext, readOnlyRootFilesystem: false },
                env: [{ name: "HOME", value: "/tekton/home" }, { name: "TEST_COMMAND", value: "$(params.command)" }],
                workingDir: "$(workspaces.source.path)",
                script: "#!/bin/sh\nset -eu\nexec sh -c \"$TEST_COMMAND\"",
            }],
        },
        build: {
            params: [
                { name: "image", type: "string" },
                { name: "context", type: "string" },
                { name: "dockerfile", type: "string" },
            ],
            workspaces: [{ name: "source" }, { name: "dockerconfig", optional: true, readOnly: true }],
            steps: [{
                name: "build",
                image: versions.images.buildkitRootless,
                computeResources: buildStepResources,
                // Rootless BuildKit: UID 1000, no privileges, but it needs its own user namespace and mounts.
                securityContext: {
                    runAsNonRoot: true,
                    runAsUser: 1000,
                    runAsGroup: 1000,
                    seccompProfile: { type: "Unconfined" },
                    appArmorProfile: { type: "Unconfined" },
                },
                env: [
                    { name: "BUILDKITD_FLAGS", value: "--oci-worker-no-process-sandbox" },
                    { name: "DOCKER_CONFIG", value: "$(workspaces.dockerconfig.path)" },
                    { name: "IMAGE", value: "$(params.image)" },
                    { name: "CONTEXT", value: "$(params.context)" },
                    { name: "DOCKERFILE", value: "$(params.dockerfile)" },
                ],
                workingDir: "$(workspaces.source.path)",
                script: shell(
                    "exec buildctl-daemonless.sh build --frontend dockerfile.v0 \\",
                    "  --local context=\"$CONTEXT\" --local dockerfile=\"$(dirname \"$CONTEXT/$DOCKERFILE\")\" \\",
                    "  --opt filename=\"$(basename \"$DOCKERFILE\")\" \\",
                    "  --output type=image,name=\"$IMAGE\",push=true",
                ),
                volumeMounts: [{ name: "buildkit-state", mountPath: "/home/user/.local/share/buildkit" }],
            }],
            volumes: [{ name: "buildkit-state", emptyDir: {} }],
        },
    };
}

export function ciPipelineSpec(pipeline: PipelineSettings, tasks: Record<"clone" | "test" | "build", string>): Record<string, unknown> {
    const source = [{ name: "source", workspace: "source" }];
    return {
        params: [{ name: "revision", type: "string", default: pipeline.branch }],
        workspaces: [{ name: "source" }, { name: "dockerconfig", optional: true }],
        tasks: [
            {
                name: "clone",
                taskRef: { name: tasks.clone },
                params: [{ name: "url", value: pipeline.repository }, { name: "revision", value: "$(params.revision)" }],
                workspaces: source,
            },
            {
                name: "test",
                runAfter: ["clone"],
                taskRef: { name: tasks.test },
                params: [{ name: "image", value: pipeline.test.image }, { name: "command", value: pipeline.test.command }],
                workspaces: source,
            },
            {
                name: "build-and-push",
                runAfter: ["test"],
                taskRef: { name: tasks.build },
                params: [
                    { name: "image", value: `${pipeline.image}:$(params.revision)` },
                    { name: "context", value: pipeline.context },
                    { name: "dockerfile", value: pipeline.dockerfile },
                ],
                workspaces: [...source, { name: "dockerconfig", workspace: "dockerconfig" }],
            },
        ],
    };
}

/** Where the deploy and cleanup tasks check out the manifests: an emptyDir their steps share. */
const checkout = "/workspace/checkout";

const kubectlStep = (name: string, env: { name: string; value: string }[], ...lines: string[]) => ({
    name,
    image: versions.images.kubectl,
    ...restrictedStep,
    env: [{ name: "HOME", value: "/tekton/home" }, ...env],
    workingDir: checkout,
    script: shell(...lines),
});

const deliveryParams = [
    { name: "url", type: "string" },
    { name: "revision", type: "string" },
    { name: "manifests", type: "string" },
    { name: "namespace", type: "string" },
    { name: "crds", type: "string", description: "CustomResourceDefinition names, separated by spaces" },
];
const paramEnv = (...names: string[]) => names.map((name) => ({ name: name.toUpperCase(), value: `$(params.${name})` }));

/**
 * Deploy, one pod: check out the manifests, verify that every CRD they use is Established and
 * NamesAccepted (an instance applied before that is rejected), apply them server-side into the
 * tier's namespace, and wait for the tier's Deployment to roll out.
 */
export function deployTaskSpec(): Record<string, unknown> {
    return {
        params: [...deliveryParams, { name: "deployment", type: "string" }, { name: "timeout", type: "string" }],
        steps: [
            cloneStep(checkout),
            kubectlStep("verify-crds", paramEnv("crds"),
                "for crd in $CRDS; do",
                "  for condition in Established NamesAccepted; do",
                "    kubectl wait --for=condition=\"$condition\" --timeout=120s \"crd/$crd\" || { echo \"CRD $crd is not $condition: deploy stopped before applying anything\" >&2; exit 1; }",
                "  done",
                "done"),
            kubectlStep("apply", paramEnv("manifests", "namespace"),
                "kubectl apply --server-side --field-manager=groundwork-deploy --namespace \"$NAMESPACE\" --recursive --filename \"$MANIFESTS\""),
            kubectlStep("wait-for-rollout", paramEnv("namespace", "deployment", "timeout"),
                "kubectl rollout status --namespace \"$NAMESPACE\" \"deployment/$DEPLOYMENT\" --timeout=\"$TIMEOUT\""),
        ],
        volumes: [{ name: "checkout", emptyDir: { sizeLimit: "512Mi" } }],
        stepTemplate: { volumeMounts: [{ name: "checkout", mountPath: checkout }] },
    };
}

/**
 * Cleanup, one pod: delete the tier's manifests and wait; objects held by finalizers are listed and
 * the run fails, unless `force` is "true", which clears their finalizers. Then each CRD is removed
 * only when no instance of it is left anywhere in the cluster (deleting a CRD deletes every
 * instance), unless forced.
 */
export function cleanupTaskSpec(): Record<string, unknown> {
    return {
        params: [...deliveryParams, { name: "force", type: "string", default: "false" }],
        steps: [
            cloneStep(checkout),
            kubectlStep("delete-manifests", paramEnv("manifests", "namespace", "force"),
                "if kubectl delete --namespace \"$NAMESPACE\" --recursive --filename \"$MANIFESTS\" --ignore-not-found --wait --timeout=120s; then exit 0; fi",
                "stuck=$(kubectl get --namespace \"$NAMESPACE\" --recursive --filename \"$MANIFESTS\" --ignore-not-found -o name)",
                "[ -z \"$stuck\" ] && exit 0",
                "if [ \"$FORCE\" != true ]; then",
                "  echo \"still terminating, held by finalizers (rerun with force=true to clear them):\" >&2",
                "  kubectl get --namespace \"$NAMESPACE\" $stuck -o custom-columns=NAME:.metadata.name,KIND:.kind,FINALIZERS:.metadata.finalizers >&2",
                "  exit 1",
                "fi",
                "for object in $stuck; do kubectl patch --namespace \"$NAMESPACE\" \"$object\" --type=merge -p '{\"metadata\":{\"finalizers\":null}}'; done"),
            kubectlStep("remove-crds", paramEnv("crds", "force"),
                "for crd in $CRDS; do",
                "  kubectl get \"crd/$crd\" >/dev/null 2>&1 || continue",
                "  instances=$(kubectl get \"$crd\" --all-namespaces --no-headers --ignore-not-found | wc -l)",
                "  if [ \"$instances\" -gt 0 ] && [ \"$FORCE\" != true ]; then",
                "    echo \"CRD $crd still has $instances instance(s): not removed (rerun with force=true to delete them with it)\" >&2",
                "    exit 1",
                "  fi",
                "  kubectl delete \"crd/$crd\" --wait --timeout=120s",
                "done"),
        ],
        volumes: [{ name: "checkout", emptyDir: { sizeLimit: "512Mi" } }],
        stepTemplate: { volumeMounts: [{ name: "checkout", mountPath: checkout }] },
    };
}

/** A pipeline of the one delivery task, its parameters passed through; the tier's settings are the defaults. */
export function deliveryPipelineSpec(kind: "deploy" | "cleanup", pipeline: PipelineSettings, tierNamespace: string, task: string): Record<string, unknown> {
    const fixed: Record<string, string> = {
        url: pipeline.repository,
        manifests: pipeline.deploy.manifests,
        namespace: tierNamespace,
        crds: pipeline.deploy.crds.join(" "),
        ...(kind === "deploy" ? { deployment: pipeline.tier, timeout: pipeline.deploy.rolloutTimeout } : {}),
    };
    const runtime = kind === "deploy" ? ["revision"] : ["revision", "force"];
    return {
        params: [
            { name: "revision", type: "string", default: pipeline.branch },
            ...(kind === "cleanup" ? [{ name: "force", type: "string", default: "false" }] : []),
        ],
        tasks: [{
            name: kind,
            taskRef: { name: task },
            params: [
                ...runtime.map((name) => ({ name, value: `$(params.${name})` })),
                ...Object.entries(fixed).map(([name, value]) => ({ name, value })),
            ],
        }],
    };
}
