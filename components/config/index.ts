export { ConfigError, loadPlatformConfig, parsePlatformConfig, PlatformConfig, Tier } from "./load";
export { environments, secretKeys } from "./schema";
