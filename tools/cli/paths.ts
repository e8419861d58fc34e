/**
 * The places and names every tool shares: the clone it runs in, the engine's state there, the local
 * stacks and their passphrase. Defined once here so that no tool derives the root from its own depth
 * in tools/ and no copy of the passphrase can drift (Pulumi.local.yaml's encryption salt was made with it).
 */
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** The file backend every engine run uses: the clone's own, never a login. */
export const STATE_DIR = path.join(REPO_ROOT, ".pulumi-state");
/**
 * Loads TypeScript from a content-keyed cache (`node -r TRANSPILE_LOADER file.ts`), for the processes
 * the engine starts on every preview, where ts-node's start would dominate.
 */
export const TRANSPILE_LOADER = path.join(REPO_ROOT, "tools", "transpile.mjs");

export const LOCAL_STACK = "local";
/** The local stack deployed into the loopback control plane (`npm run local -- --cluster`). */
export const LOCAL_CLUSTER_STACK = "local-cluster";
/**
 * The local stacks' secrets never leave the machine, so they have a fixed default passphrase; every
 * other stack must get PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) from the environment.
 */
export const LOCAL_STACK_PASSPHRASE = "groundwork-local";
