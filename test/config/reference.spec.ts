import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { readmePath, readmeWithReference } from "../../tools/config-reference";

describe("README configuration reference", () => {
    it("matches the schema (run `npm run docs:config` after changing it)", () => {
        const readme = fs.readFileSync(readmePath, "utf8");
        assert.equal(readme, readmeWithReference(readme));
    });
});
