import * as assert from "node:assert/strict";
import { ConfigError, parsePlatformConfig, PlatformConfig } from "../../components/config";
import { asEngineConfig, readStackConfig } from "../support/program";

/** The Cloudflare token every edge-enabled stack needs, passed as a secret like `pulumi config set --secret`. */
export const tokenKey = "groundwork:cloudflareApiToken";

type Raw = Record<string, unknown>;

/** A stack file's config with the token added and `change` applied to a copy of it. */
export function stackConfig(stack: string, change: (config: any) => void = () => undefined): Raw {
    const config = structuredClone({ ...readStackConfig(stack), [tokenKey]: "test-token" }) as any;
    change(config);
    return config;
}

/** The production edge section of a config copy, for `change` callbacks. */
export const edgeOf = (config: any) => config["groundwork:edge"];

export function parse(config: Raw): PlatformConfig {
    return parsePlatformConfig(asEngineConfig(config), new Set([tokenKey]));
}

/** Every problem validation reports for `config`; empty when it is valid. */
export function problemsOf(config: Raw): string[] {
    try {
        parse(config);
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
        return [...error.problems];
    }
    return [];
}
