import * as assert from "node:assert/strict";
import * as path from "node:path";
import { REPO_ROOT } from "../../../tools/cli/paths";
import { PackageSchema, SdkResource, readSdkResources, schemaDifferences } from "../../support/sdk-schema";

/**
 * The check test/engine/random-provider.spec.ts runs against the bridged random provider: that it
 * reads what @pulumi/random sends, and that each kind of disagreement with a schema is reported.
 */
const sdkDir = (name: string) => path.join(REPO_ROOT, "node_modules", "@pulumi", name);

describe("sdk-schema: what a generated SDK sends", () => {
    const random = readSdkResources(sdkDir("random"));
    const password = random.find((resource) => resource.name === "RandomPassword") as SdkResource;

    it("finds every resource of @pulumi/random under its token", () => {
        assert.deepEqual(
            random.map((resource) => resource.token),
            ["Bytes", "Id", "Integer", "Password", "Pet", "Shuffle", "String", "Uuid", "Uuid4", "Uuid7"].map(
                (name) => `random:index/random${name}:Random${name}`,
            ),
        );
    });

    it("reads RandomPassword's inputs, outputs and secret outputs", () => {
        assert.deepEqual(password.inputs, ["keepers", "length", "lower", "minLower", "minNumeric", "minSpecial", "minUpper", "number", "numeric", "overrideSpecial", "special", "upper"]);
        assert.deepEqual(password.outputs, [...password.inputs, "bcryptHash", "result"].sort());
        assert.deepEqual(password.secretOutputs, ["bcryptHash", "result"]);
        assert.deepEqual(password.secretInputs, []);
    });

    it("reads secret inputs (@pulumi/tls wraps the private key it is given)", () => {
        const certRequest = readSdkResources(sdkDir("tls")).find((resource) => resource.name === "CertRequest") as SdkResource;
        assert.equal(certRequest.token, "tls:index/certRequest:CertRequest");
        assert.deepEqual(certRequest.secretInputs, ["privateKeyPem"]);
    });
});

describe("sdk-schema: differences from a provider's schema", () => {
    const sdk = readSdkResources(sdkDir("random"));
    const token = "random:index/randomPassword:RandomPassword";

    /** The schema a provider that agrees with the SDK in every checked respect would give. */
    function agreeingSchema(): Required<PackageSchema> {
        const properties = (names: readonly string[], secrets: readonly string[]) => Object.fromEntries(names.map((name) => [name, secrets.includes(name) ? { secret: true } : {}]));
        return {
            resources: Object.fromEntries(
                sdk.map((resource) => [resource.token, { inputProperties: properties(resource.inputs, resource.secretInputs), properties: properties(resource.outputs, resource.secretOutputs) }]),
            ),
        };
    }

    it("reports nothing for a schema that agrees", () => assert.deepEqual(schemaDifferences(sdk, agreeingSchema()), []));

    const cases: { name: string; change: (schema: Required<PackageSchema>) => void; expected: string[] }[] = [
        {
            name: "a resource the provider lacks",
            change: (schema) => delete schema.resources[token],
            expected: [`${token} (RandomPassword): not in the provider's schema`],
        },
        {
            name: "a resource the SDK lacks",
            change: (schema) => (schema.resources["random:index/randomThing:RandomThing"] = {}),
            expected: ["random:index/randomThing:RandomThing: in the provider's schema, not in the SDK"],
        },
        {
            name: "an input under the Terraform name",
            change: (schema) => {
                const inputs = schema.resources[token].inputProperties as Record<string, object>;
                inputs.min_lower = inputs.minLower;
                delete inputs.minLower;
            },
            expected: [`${token}: inputs only the SDK has: minLower`, `${token}: inputs only the provider has: min_lower`],
        },
        {
            name: "an output the provider does not keep secret",
            change: (schema) => ((schema.resources[token].properties as Record<string, object>).bcryptHash = {}),
            expected: [`${token}: secret outputs only the SDK has: bcryptHash`],
        },
        {
            name: "an input the provider keeps secret and the SDK does not",
            change: (schema) => ((schema.resources[token].inputProperties as Record<string, object>).overrideSpecial = { secret: true }),
            expected: [`${token}: secret inputs only the provider has: overrideSpecial`],
        },
    ];
    for (const { name, change, expected } of cases) {
        it(`reports ${name}`, () => {
            const schema = agreeingSchema();
            change(schema);
            assert.deepEqual(schemaDifferences(sdk, schema), expected);
        });
    }
});
