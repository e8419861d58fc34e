/** The pack's settings: defaults, validation messages, namespace levels, the JSON Schema and the generator. */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CONTROL_IDS, DEFAULT_SETTINGS, levelForNamespace, parseSettings, SETTINGS_SCHEMA } from "../../policy/config";
import { globMatches } from "../../policy/core";
import { expandPackConfig } from "../../policy/pack-config";
import { PACK_ARGS } from "../../policy/policies";

const SOURCE = 'policy "pss-privileged" config';

describe("policy: settings", function () {
    it("fills in fail-closed defaults", function () {
        assert.deepStrictEqual(parseSettings({}, SOURCE), DEFAULT_SETTINGS);
        assert.strictEqual(DEFAULT_SETTINGS.defaultLevel, "restricted");
        assert.strictEqual(DEFAULT_SETTINGS.unknownValues, "deny");
        assert.strictEqual(DEFAULT_SETTINGS.allowAnnotationExemptions, false);
    });

    it("keeps every schema default equal to the parser's default", function () {
        for (const [key, schema] of Object.entries(SETTINGS_SCHEMA.properties)) {
            assert.deepStrictEqual(schema.default, DEFAULT_SETTINGS[key as keyof typeof DEFAULT_SETTINGS], key);
        }
    });

    it("accepts a full configuration", function () {
        const settings = parseSettings({
            defaultLevel: "baseline",
            namespaceLevels: { apps: "restricted", "ingress-nginx": "baseline" },
            version: "v1.33",
            unknownValues: "advisory",
            allowAnnotationExemptions: true,
            exemptions: [{ controls: ["hostPorts", "probes"], namespaces: ["ingress-nginx"], names: ["*-controller"], images: ["registry.k8s.io/*"], reason: " binds node ports " }],
            requests: ["memory"],
            limits: [],
            requireDigest: true,
            probes: ["readiness"],
        }, SOURCE);
        assert.strictEqual(settings.exemptions[0].reason, "binds node ports");
        assert.deepStrictEqual(settings.limits, []);
        assert.deepStrictEqual(settings.probes, ["readiness"]);
    });

    const invalid: [string, unknown, RegExp][] = [
        ["a typo in a key", { namespaceLevel: {} }, /namespaceLevel is not a setting; use one of defaultLevel, namespaceLevels/],
        ["an unknown level", { defaultLevel: "strict" }, /defaultLevel is "strict"; use one of privileged, baseline, restricted/],
        ["a bad namespace level", { namespaceLevels: { apps: 3 } }, /namespaceLevels\["apps"\] is 3; use one of/],
        ["a bad version", { version: "1.30" }, /version is "1\.30"; use "latest" or "v1\.N"/],
        ["a bad unknown-value mode", { unknownValues: "allow" }, /unknownValues is "allow"; use one of deny, advisory/],
        ["an exemption without a reason", { exemptions: [{ controls: ["hostPorts"], namespaces: ["a"] }] }, /exemptions\[0\]\.reason is undefined; every exemption needs a reason/],
        ["an exemption with a blank reason", { exemptions: [{ controls: ["hostPorts"], namespaces: ["a"], reason: "  " }] }, /exemptions\[0\]\.reason is "  "/],
        ["an exemption for an unknown control", { exemptions: [{ controls: ["hostport"], namespaces: ["a"], reason: "r" }] }, /exemptions\[0\]\.controls\[0\] is "hostport", not a control id; use one of windowsHostProcess/],
        ["an exemption selecting nothing", { exemptions: [{ controls: ["hostPorts"], reason: "r" }] }, /exemptions\[0\] selects no workload; add namespaces, names or images/],
        ["an exemption with a typo", { exemptions: [{ controls: ["hostPorts"], namespace: ["a"], reason: "r" }] }, /exemptions\[0\]\.namespace is not a setting/],
        ["an empty selector list", { exemptions: [{ controls: ["hostPorts"], images: [], reason: "r" }] }, /exemptions\[0\]\.images is \[\]; use a non-empty list of strings/],
        ["an unknown probe", { probes: ["health"] }, /probes\[0\] is "health"; use one of liveness, readiness, startup/],
    ];
    for (const [what, raw, message] of invalid) {
        it(`rejects ${what}`, function () {
            assert.throws(() => parseSettings(raw, SOURCE), (error: Error) => error.message.startsWith(`${SOURCE}: `) && message.test(error.message));
        });
    }

    it("picks the namespace's level, the default level, or the strictest level for an unknown namespace", function () {
        const settings = parseSettings({ defaultLevel: "privileged", namespaceLevels: { apps: "baseline", tools: "privileged" } }, SOURCE);
        assert.strictEqual(levelForNamespace(settings, "apps"), "baseline");
        assert.strictEqual(levelForNamespace(settings, "other"), "privileged");
        assert.strictEqual(levelForNamespace(settings, undefined), "baseline");
    });

    it("lists every control id in the schema's exemption enum", function () {
        const items = SETTINGS_SCHEMA.properties.exemptions.items as { properties: { controls: { items: { enum: string[] } } } };
        assert.deepStrictEqual(items.properties.controls.items.enum, [...CONTROL_IDS]);
        assert.ok(CONTROL_IDS.includes("capabilities_restricted") && CONTROL_IDS.includes("imagePinned"));
    });

    const globs: [string, string, boolean][] = [
        ["registry.k8s.io/ingress-nginx/*", "registry.k8s.io/ingress-nginx/controller:v1.12.0", true],
        ["registry.k8s.io/ingress-nginx/*", "registry.k8s.io/ingress-nginx", false],
        ["web-?", "web-1", true],
        ["web-?", "web-10", false],
        ["a.b", "axb", false],
        ["*", "", true],
    ];
    for (const [pattern, value, matches] of globs) {
        it(`${matches ? "matches" : "does not match"} ${JSON.stringify(value)} with the glob ${JSON.stringify(pattern)}`, function () {
            assert.strictEqual(globMatches(pattern, value), matches);
        });
    }
});

describe("policy: pack-config generator", function () {
    const settingsText = fs.readFileSync(path.resolve(__dirname, "../../policy/pack-settings.json"), "utf8");
    const example = JSON.parse(settingsText);

    it("is shown in policy/README.md exactly as the file reads", function () {
        const readme = fs.readFileSync(path.resolve(__dirname, "../../policy/README.md"), "utf8");
        assert.ok(readme.includes("```json\n" + settingsText + "```"), "policy/README.md's first example differs from policy/pack-settings.json; paste the file into it");
    });

    it("expands the pack settings into one entry per policy with the same settings", function () {
        const config = expandPackConfig(example, "pack-settings.json");
        assert.strictEqual(config.all, "mandatory");
        const policyNames = PACK_ARGS.policies.map((p) => p.name);
        assert.deepStrictEqual(Object.keys(config).filter((key) => key !== "all"), policyNames);
        for (const name of policyNames) {
            const entry = config[name] as Record<string, unknown>;
            assert.deepStrictEqual(entry.namespaceLevels, example.settings.namespaceLevels, name);
            assert.deepStrictEqual(parseSettings(Object.fromEntries(Object.entries(entry).filter(([key]) => key !== "enforcementLevel")), name).exemptions.length, 3);
        }
        assert.strictEqual((config["pss-extra-probes"] as Record<string, unknown>).enforcementLevel, "advisory");
        assert.ok(!("enforcementLevel" in (config["pss-privileged"] as Record<string, unknown>)));
    });

    const invalid: [string, unknown, RegExp][] = [
        ["an unknown policy", { policies: { "pss-hostports": "advisory" } }, /f\.json: policies\.pss-hostports is not a policy of the pack; use one of pss-host-process/],
        ["a bad enforcement level", { all: "blocking" }, /f\.json: all is "blocking"; use one of advisory, mandatory, remediate, disabled/],
        ["bad settings", { settings: { defaultLevel: "none" } }, /f\.json settings: defaultLevel is "none"/],
        ["an unknown top-level key", { setting: {} }, /f\.json: setting is not a key of the settings file/],
    ];
    for (const [what, input, message] of invalid) {
        it(`rejects ${what}`, function () {
            assert.throws(() => expandPackConfig(input, "f.json"), message);
        });
    }
});
