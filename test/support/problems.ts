import * as assert from "node:assert/strict";
import { ConfigError, parsePlatformConfig, PlatformConfig } from "../../components/config";
import { asEngineConfig, RawConfig, withCloudflareToken } from "./stack-config";

/**
 * Validates `config` as the program receives it from Pulumi: encoded as the engine passes it, the
 * `secretKeys` stored as secrets, and (unless `addToken` is false) a Cloudflare token stored as a
 * secret when the edge is on and the config holds none.
 */
export function parseStack(config: RawConfig, secretKeys: readonly string[] = [], addToken = true): PlatformConfig {
    const withToken = addToken ? withCloudflareToken(config, secretKeys) : { config, secretKeys };
    return parsePlatformConfig(asEngineConfig(withToken.config), new Set(withToken.secretKeys));
}

/** Every problem parseStack reports for `config`; empty when it is valid. */
export function problemsOf(config: RawConfig, secretKeys: readonly string[] = [], addToken = true): string[] {
    try {
        parseStack(config, secretKeys, addToken);
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
        return [...error.problems];
    }
    return [];
}

/** Fails unless some validation problem starts with `expected`, listing every problem found. */
export function assertProblem(problems: readonly string[], expected: string): void {
    assert.ok(problems.some((problem) => problem.startsWith(expected)),
        `expected a problem starting with:\n  ${expected}\ngot:\n  ${problems.join("\n  ") || "(none)"}`);
}
