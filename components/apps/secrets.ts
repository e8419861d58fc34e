import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** A tier's application secrets: the names it reads, and their values from the secret config. */
export interface AppSecretsArgs {
    names: readonly string[];
    /** Secret values by name; wrapped as a secret here too, so they never reach state or previews in plaintext. */
    values: pulumi.Input<Readonly<Record<string, string>>>;
}

/**
 * The Secret holding a tier's application secrets, and the variables reading them through
 * secretKeyRef. Auto-named, so that a changed value creates a new Secret and rolls the pods.
 */
export function appSecretEnv(
    name: string,
    secrets: AppSecretsArgs | undefined,
    metadata: { namespace: pulumi.Input<string>; labels: Record<string, string> },
    parent: pulumi.Resource,
): k8s.types.input.core.v1.EnvVar[] {
    if (!secrets || secrets.names.length === 0) {
        return [];
    }
    const names = [...secrets.names];
    const secret = new k8s.core.v1.Secret(`${name}-secrets`, {
        metadata,
        type: "Opaque",
        stringData: pulumi.secret(pulumi.output(secrets.values).apply((values) => Object.fromEntries(names.map((key) => [key, values[key]])))),
    }, { parent });
    return names.map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: secret.metadata.name, key } } }));
}
