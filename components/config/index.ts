export { ConfigError, loadPlatformConfig, parsePlatformConfig, PlatformConfig, Tier } from "./load";
export { environments } from "../platform/environment";
export { platformSchema, secretKeys } from "./schema";
