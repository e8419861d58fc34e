import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { z } from "zod";
import { platformSchema } from "../../components/config/schema";

interface ProjectConfigType {
    type: string;
    items?: { type: string };
    description?: string;
    default?: unknown;
}

interface JsonSchema {
    type?: string;
    items?: JsonSchema;
    description?: string;
    required?: string[];
    properties?: Record<string, JsonSchema>;
}

/**
 * The CLI requires every key Pulumi.yaml declares without a default, so the block must declare
 * exactly the keys the program requires, typed as the program types them. (The CLI's own check
 * of the committed stack files against it runs in the engine tests.)
 */
describe("Pulumi.yaml project config", () => {
    const project = YAML.parse(fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.yaml"), "utf8")) as { config: Record<string, ProjectConfigType> };
    const schema = z.toJSONSchema(platformSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;

    it("declares exactly the keys the program requires", () => {
        assert.deepEqual(Object.keys(project.config).sort(), (schema.required ?? []).map((key) => `groundwork:${key}`).sort());
    });

    for (const key of schema.required ?? []) {
        it(`types groundwork:${key} as the schema does, with its description and no default`, () => {
            const declared = project.config[`groundwork:${key}`];
            const expected = schema.properties![key];
            assert.equal(declared.type, expected.type);
            assert.equal(declared.items?.type, expected.items?.type);
            assert.equal(declared.description, expected.description);
            assert.equal(declared.default, undefined);
        });
    }
});
