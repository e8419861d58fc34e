/**
 * The fixture charts stand in for the real add-ons in a live test cluster (test/engine): they must
 * define every custom kind the program creates, or the API server refuses the object; and every
 * custom object the program awaits must have its controller emulated, or the wait never ends.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { EMULATED } from "../../tools/cluster/emulation";
import { committedStacks, readConfigFile, RecordedResource, repoRoot, runStack, withTestSecrets } from "../support/program";

type Crd = { spec: { group: string; names: { kind: string; plural: string }; versions: { name: string }[] } };

function fixtureCrds(): Map<string, string> {
    const charts = path.join(repoRoot, "test", "fixtures", "charts");
    const plurals = new Map<string, string>();
    for (const chart of fs.readdirSync(charts)) {
        const file = path.join(charts, chart, "templates", "crd.yaml");
        if (!fs.existsSync(file)) {
            continue;
        }
        // A chart may wrap its CRDs in a values guard (`{{- if .Values.crds.enabled }}`); the documents inside are plain YAML.
        const documents = fs.readFileSync(file, "utf8").split("\n").filter((line) => !/^\{\{-?\s*(if|end)\b.*\}\}$/.test(line)).join("\n");
        for (const document of YAML.parseAllDocuments(documents)) {
            const crd = document.toJS() as Crd;
            for (const version of crd.spec.versions) {
                plurals.set(`${crd.spec.group}/${version.name}:${crd.spec.names.kind}`, crd.spec.names.plural);
            }
        }
    }
    return plurals;
}

/** `kubernetes:<group>/<version>:<Kind>` of a kind no Kubernetes release serves (a CustomResource's type). */
function customKind(resource: RecordedResource): string | undefined {
    const match = /^kubernetes:([a-z0-9.-]+\.[a-z]+\/[a-z0-9]+):([A-Za-z]+)$/.exec(resource.type);
    return match && !match[1].split("/")[0].endsWith(".k8s.io") && !match[1].startsWith("helm.sh/") ? `${match[1]}:${match[2]}` : undefined;
}

describe("fixture charts: what a live cluster needs of them", () => {
    const crds = fixtureCrds();
    // Every stack file and example: `npm run local -- --cluster --stack-file` deploys any of them.
    for (const { stack, file } of committedStacks()) {
        it(`${path.relative(repoRoot, file)}: every custom kind the program creates has a fixture CRD, and every awaited one an emulated controller`, async () => {
            const { config, secretKeys } = withTestSecrets(readConfigFile(file));
            const { resources } = await runStack(stack, { config, secretKeys });
            const custom = resources.filter((resource) => customKind(resource) !== undefined);
            // A stack with every add-on off (Circle Core's shared cluster) installs no chart and creates no custom object.
            if (resources.some((resource) => resource.type === "kubernetes:helm.sh/v4:Chart")) {
                assert.ok(custom.length >= 5, `too few custom resources: ${custom.map((resource) => resource.type).join(", ")}`);
            }
            assert.deepEqual([...new Set(custom.map(customKind))].filter((kind) => !crds.has(kind!)), []);
            const awaited = custom.filter((resource) => ((resource.inputs.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {})["pulumi.com/waitFor"] !== undefined);
            assert.ok(awaited.length >= 1 || !resources.some((resource) => customKind(resource) === "operator.tekton.dev/v1alpha1:TektonConfig"), "the TektonConfig waits for Ready");
            const emulated = new Set(EMULATED.map((row) => `${row.groupVersion.replace(/^\/apis\//, "")}/${row.plural}`));
            assert.deepEqual(awaited.map((resource) => customKind(resource)!).filter((kind) => {
                const [groupVersion] = kind.split(":");
                return !emulated.has(`${groupVersion}/${crds.get(kind)}`);
            }), []);
        });
    }
});
