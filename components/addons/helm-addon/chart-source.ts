import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { versions } from "../../versions";
import { ChartKey, ChartsSettings } from "./config";

/** Where the charts come from, as validated config plus the mirror's password (a secret). */
export interface ChartSource extends ChartsSettings {
    readonly password?: string;
}

type ChartLocation = Pick<k8s.helm.v4.ChartArgs, "chart" | "version" | "repositoryOpts">;

/**
 * The Chart v4 arguments that locate one pinned chart. Exactly the configured source is used:
 * a chart missing from a mirror fails the deployment instead of being fetched upstream.
 */
export function locateChart(key: ChartKey, source: ChartSource): ChartLocation {
    const pinned = versions.charts[key];
    const credentials = source.username === undefined ? {} : {
        username: source.username,
        password: source.password === undefined ? undefined : pulumi.secret(source.password),
    };
    switch (source.source) {
        case "upstream":
            return fromRepository(pinned.repository, pinned.name, pinned.version, {});
        case "repository":
        case "oci":
            return fromRepository(requireSetting(source.url, "url", source.source), pinned.name, pinned.version, credentials);
        case "local":
            return { chart: path.resolve(requireSetting(source.directory, "directory", source.source), pinned.name), version: pinned.version };
    }
}

function fromRepository(repository: string, name: string, version: string, credentials: k8s.types.input.helm.v4.RepositoryOpts): ChartLocation {
    if (repository.startsWith("oci://")) {
        const hasCredentials = Object.keys(credentials).length > 0;
        return { chart: `${repository.replace(/\/+$/, "")}/${name}`, version, ...(hasCredentials ? { repositoryOpts: credentials } : {}) };
    }
    return { chart: name, version, repositoryOpts: { repo: repository, ...credentials } };
}

function requireSetting(value: string | undefined, key: string, source: string): string {
    if (value === undefined) {
        throw new Error(`groundwork:charts.${key} is required when charts.source is "${source}"`);
    }
    return value;
}
