/** Builders shared by the policy pack's tests: pods, workload wrappers and fake CrossGuard arguments. */
import * as policySdk from "@pulumi/policy";
import { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { JsonObject } from "../../policy/core";

/** A pod spec that passes restricted at the latest version; tests mutate a fresh copy. */
export function restrictedSpec(): JsonObject {
    const containerSecurity = () => ({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    return {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        initContainers: [{ name: "init", image: "registry.example/init:1.0", securityContext: containerSecurity() }],
        containers: [{ name: "app", image: "registry.example/app:1.0", securityContext: containerSecurity() }],
    };
}

export function podManifest(spec: JsonObject, metadata: JsonObject = { name: "web" }): JsonObject {
    return { apiVersion: "v1", kind: "Pod", metadata, spec };
}

export interface WorkloadShape {
    readonly kind: string;
    readonly typeToken: string;
    /** Prefix of the pod spec's path inside the wrapped document. */
    readonly specPath: string;
    readonly wrap: (pod: JsonObject) => JsonObject;
}

function template(pod: JsonObject): JsonObject {
    return { metadata: pod.metadata, spec: pod.spec };
}

function controller(apiVersion: string, kind: string, extra: JsonObject = {}) {
    return (pod: JsonObject): JsonObject => ({
        apiVersion,
        kind,
        metadata: pod.metadata,
        spec: { ...extra, template: template(pod) },
    });
}

/** The bare Pod and every kind that embeds a pod template, as PodSecurity extracts them. */
export const WORKLOAD_SHAPES: readonly WorkloadShape[] = [
    { kind: "Pod", typeToken: "kubernetes:core/v1:Pod", specPath: "spec", wrap: (pod) => pod },
    {
        kind: "PodTemplate",
        typeToken: "kubernetes:core/v1:PodTemplate",
        specPath: "template.spec",
        wrap: (pod) => ({ apiVersion: "v1", kind: "PodTemplate", metadata: pod.metadata, template: template(pod) }),
    },
    { kind: "ReplicationController", typeToken: "kubernetes:core/v1:ReplicationController", specPath: "spec.template.spec", wrap: controller("v1", "ReplicationController") },
    { kind: "ReplicaSet", typeToken: "kubernetes:apps/v1:ReplicaSet", specPath: "spec.template.spec", wrap: controller("apps/v1", "ReplicaSet") },
    { kind: "Deployment", typeToken: "kubernetes:apps/v1:Deployment", specPath: "spec.template.spec", wrap: controller("apps/v1", "Deployment") },
    { kind: "StatefulSet", typeToken: "kubernetes:apps/v1:StatefulSet", specPath: "spec.template.spec", wrap: controller("apps/v1", "StatefulSet", { serviceName: "web" }) },
    { kind: "DaemonSet", typeToken: "kubernetes:apps/v1:DaemonSet", specPath: "spec.template.spec", wrap: controller("apps/v1", "DaemonSet") },
    { kind: "Job", typeToken: "kubernetes:batch/v1:Job", specPath: "spec.template.spec", wrap: controller("batch/v1", "Job") },
    {
        kind: "CronJob",
        typeToken: "kubernetes:batch/v1:CronJob",
        specPath: "spec.jobTemplate.spec.template.spec",
        wrap: (pod) => ({
            apiVersion: "batch/v1",
            kind: "CronJob",
            metadata: pod.metadata,
            spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: template(pod) } } },
        }),
    },
];

/** The SDK wraps props in this proxy; its typings (1.21.0) omit it, so tests reach it here. */
const unknownCheckingProxy = (policySdk as unknown as { unknownCheckingProxy: <T extends object>(props: T) => T }).unknownCheckingProxy;

/** The sentinels the engine sends for values unknown during preview (from @pulumi/policy's proxy module). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const UNKNOWN_STRING: string = require("@pulumi/policy/proxy").unknownStringValue;
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const UNKNOWN_OBJECT: string = require("@pulumi/policy/proxy").unknownObjectValue;

export class NotApplicable extends Error {}

export interface FakeResource {
    readonly type: string;
    readonly props: JsonObject;
    readonly config?: JsonObject;
    readonly name?: string;
    readonly providerNamespace?: string;
    readonly parent?: string;
}

/** ResourceValidationArgs as @pulumi/policy 1.21.0 builds them, props behind the unknown-checking proxy. */
export function fakeArgs(resource: FakeResource): ResourceValidationArgs {
    const name = resource.name ?? "web";
    return {
        type: resource.type,
        props: unknownCheckingProxy(resource.props),
        urn: `urn:pulumi:test::groundwork::${resource.type}::${name}`,
        name,
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
            parent: resource.parent,
        },
        provider: resource.providerNamespace === undefined
            ? undefined
            : { type: "pulumi:providers:kubernetes", props: unknownCheckingProxy({ namespace: resource.providerNamespace }), urn: "urn:provider", name: "k8s" },
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => (resource.config ?? {}) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
}

/** Runs a policy the way the SDK does and returns the violation messages, or "not applicable". */
export async function runPolicy(policy: ResourceValidationPolicy, resource: FakeResource): Promise<string[] | "not applicable"> {
    const messages: string[] = [];
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    try {
        for (const validate of validations) {
            await validate?.(fakeArgs(resource), (message) => messages.push(message));
        }
    } catch (error) {
        if (error instanceof NotApplicable) {
            return "not applicable";
        }
        throw error;
    }
    return messages;
}
