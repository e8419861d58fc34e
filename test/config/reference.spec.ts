import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { configurationDocPath, configurationDocument } from "../../tools/config-reference";

describe("docs/configuration.md", () => {
    it("matches the schema (run `npm run docs:config` after changing it)", () => {
        assert.equal(fs.readFileSync(configurationDocPath, "utf8"), configurationDocument());
    });
});
