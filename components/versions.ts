/**
 * Every pinned version in Groundwork: Helm charts, container images, the Pod Security
 * Standards version written into namespace labels, and the Pulumi toolchain.
 *
 * The npm SDK versions in package.json must equal the plugin versions here: the engine
 * loads the plugin whose version the SDK reports. `scripts/toolchain` reads this table.
 */
export const versions = {
    /** Pod Security Admission `*-version` label value and the default policy-pack version. */
    podSecurity: "v1.35",
    toolchain: {
        pulumi: "3.259.0",
        plugins: {
            kubernetes: "4.32.0",
            random: "4.21.1",
            tls: "5.5.1",
            cloudflare: "6.17.0",
        },
    },
    images: {
        postgres: "docker.io/library/postgres:17.6-alpine3.22",
        redis: "docker.io/library/redis:8.2.1-alpine3.22",
    },
} as const;
