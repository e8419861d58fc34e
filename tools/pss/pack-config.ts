/**
 * The command line of the pack's settings expander (policy/pack-config.ts), which CI runs before
 * every preview: `npm run --silent pss:pack-config -- SETTINGS.json > pack-config.json`.
 */
import { readFileSync } from "fs";
import { resolve } from "path";
import { expandPackConfig } from "../../policy/pack-config";
import { defineCommand, EXIT_INVALID, runAsMain, UsageError } from "../cli/command-line";

export const packConfigCommand = defineCommand({
    name: "pack-config",
    usage: `usage: npm run --silent pss:pack-config -- SETTINGS.json > pack-config.json

Writes the --policy-pack-config JSON for one settings file (policy/pack-settings.json is the project's).
  --help  this text`,
    options: {},
    interpret(_values, files) {
        if (files.length !== 1) {
            throw new UsageError(`expected one settings file, got ${files.length}`);
        }
        return files[0];
    },
});

if (require.main === module) {
    void runAsMain(packConfigCommand, (file) => {
        try {
            const text = readFileSync(resolve(process.env.INIT_CWD ?? process.cwd(), file), "utf8");
            process.stdout.write(`${JSON.stringify(expandPackConfig(JSON.parse(text), file), null, 2)}\n`);
            return 0;
        } catch (error) {
            process.stderr.write(`pack-config: ${error instanceof Error ? error.message : String(error)}\n`);
            return EXIT_INVALID;
        }
    });
}
