/**
 * The CrossGuard wiring, called with fake validation arguments shaped as @pulumi/policy 1.21.0 builds
 * them. Never imports policy/index.ts: constructing the PolicyPack starts the analyzer server.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { JsonObject, PSS_CONTROLS } from "../../policy/core";
import { PACK_ARGS, PACK_NAME } from "../../policy/policies";
import { EXEMPTIONS_POLICY } from "../../policy/policies/exemptions";
import { FakeResource, podManifest, restrictedSpec, runPolicy, UNKNOWN_OBJECT, UNKNOWN_STRING, WORKLOAD_SHAPES } from "./helpers";

function policy(name: string): ResourceValidationPolicy {
    const found = PACK_ARGS.policies.find((p) => p.name === name);
    assert.ok(found, `the pack has a policy named ${name}`);
    return found as ResourceValidationPolicy;
}

type Spec = ReturnType<typeof restrictedSpec> & { containers: JsonObject[] };

function deployment(mutate: (spec: Spec) => void, metadata: JsonObject = { name: "web", namespace: "apps" }): FakeResource {
    const spec = restrictedSpec() as Spec;
    mutate(spec);
    return { type: "kubernetes:apps/v1:Deployment", props: { apiVersion: "apps/v1", kind: "Deployment", metadata, spec: { template: { spec } } } };
}

const hostPort = (spec: Spec) => {
    spec.containers[0].ports = [{ containerPort: 80, hostPort: 80 }];
};
const noSeccomp = (spec: Spec) => {
    delete (spec.securityContext as JsonObject).seccompProfile;
};

describe("policy: CrossGuard pack metadata", function () {
    it("names the pack and every policy as the Pulumi engine requires", function () {
        assert.match(PACK_NAME, /^[a-zA-Z0-9-_.]{1,100}$/);
        const names = PACK_ARGS.policies.map((p) => p.name);
        assert.strictEqual(new Set(names).size, names.length, "policy names are unique");
        for (const p of PACK_ARGS.policies) {
            assert.match(p.name, /^[A-Za-z0-9._-]+$/);
            assert.notStrictEqual(p.name, "all");
            assert.ok(!("enforcementLevel" in (p.configSchema?.properties ?? {})), `${p.name}: enforcementLevel is not a config property`);
            assert.ok(!(p.configSchema?.required ?? []).includes("enforcementLevel"));
            assert.match(p.description, /\.$/, `${p.name} describes itself in a sentence`);
        }
    });

    it("has one mandatory policy per Pod Security Standards control and advisory extras", function () {
        for (const control of PSS_CONTROLS) {
            assert.strictEqual(policy(control.policyName).enforcementLevel, "mandatory");
        }
        for (const name of ["pss-extra-resources", "pss-extra-image-pinned", "pss-extra-read-only-root-filesystem", "pss-extra-service-account-token", "pss-extra-probes", "pss-exemptions"]) {
            assert.strictEqual(policy(name).enforcementLevel, "advisory");
        }
    });

    it("is a real CrossGuard pack directory with a versioned package.json and PulumiPolicy.yaml", function () {
        const packDirectory = path.resolve(__dirname, "../../policy");
        const packageJson = JSON.parse(fs.readFileSync(path.join(packDirectory, "package.json"), "utf8"));
        assert.match(packageJson.version, /^\d+\.\d+\.\d+$/);
        assert.ok(packageJson.dependencies["@pulumi/policy"]);
        assert.match(fs.readFileSync(path.join(packDirectory, "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
        assert.strictEqual(packageJson.main, "index.ts");
    });
});

describe("policy: CrossGuard validation", function () {
    it("passes a restricted workload of every kind", async function () {
        for (const shape of WORKLOAD_SHAPES) {
            for (const p of PACK_ARGS.policies.filter((candidate) => candidate.name.startsWith("pss-") && !candidate.name.startsWith("pss-extra"))) {
                const messages = await runPolicy(p as ResourceValidationPolicy, { type: shape.typeToken, props: shape.wrap(podManifest(restrictedSpec(), { name: "web", namespace: "apps" })) });
                assert.deepStrictEqual(messages, [], `${p.name} on ${shape.kind}`);
            }
        }
    });

    it("reports each finding with the workload, the fix, the path and the level", async function () {
        const messages = await runPolicy(policy("pss-host-ports"), deployment(hostPort));
        assert.strictEqual(messages.length, 1);
        assert.match(
            (messages as string[])[0],
            /^Deployment apps\/web: container "app" binds hostPort 80; remove hostPort .* \[spec\.template\.spec\.containers\[0\]\.ports\[0\]\.hostPort\] \(level restricted, version latest\)$/,
        );
    });

    it("reports nothing for resources without a pod template", async function () {
        assert.strictEqual(await runPolicy(policy("pss-host-namespaces"), { type: "kubernetes:core/v1:Service", props: { spec: { hostNetwork: true } } }), "not applicable");
    });

    it("checks a Helm v4 chart's child from its raw manifest", async function () {
        const props = { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "agent", namespace: "monitoring" }, spec: { template: { spec: { ...restrictedSpec(), hostNetwork: true } } } };
        const messages = await runPolicy(policy("pss-host-namespaces"), {
            type: "kubernetes:apps/v1:DaemonSet",
            props,
            name: "agent:monitoring/agent",
            parent: "urn:pulumi:test::groundwork::kubernetes:helm.sh/v4:Chart::agent",
        });
        assert.match((messages as string[])[0], /^DaemonSet monitoring\/agent: pod sets hostNetwork=true/);
    });

    it("chooses the level per namespace, then the default level", async function () {
        const config = { defaultLevel: "baseline", namespaceLevels: { apps: "restricted", "ingress-nginx": "privileged" } };
        const seccomp = policy("pss-seccomp-restricted");
        assert.strictEqual((await runPolicy(seccomp, { ...deployment(noSeccomp), config })).length, 2);
        assert.deepStrictEqual(await runPolicy(seccomp, { ...deployment(noSeccomp, { name: "web", namespace: "other" }), config }), []);
        assert.deepStrictEqual(await runPolicy(policy("pss-host-ports"), { ...deployment(hostPort, { name: "c", namespace: "ingress-nginx" }), config }), []);
    });

    it("uses the provider's namespace, then default, when the workload names none", async function () {
        const config = { defaultLevel: "baseline", namespaceLevels: { team: "restricted", default: "privileged" } };
        const seccomp = policy("pss-seccomp-restricted");
        const unnamespaced = deployment(noSeccomp, { name: "web" });
        assert.strictEqual((await runPolicy(seccomp, { ...unnamespaced, config, providerNamespace: "team" })).length, 2);
        assert.deepStrictEqual(await runPolicy(policy("pss-host-ports"), { ...deployment(hostPort, { name: "web" }), config }), []);
    });

    it("honours the configured version", async function () {
        const probeHost = (spec: Spec) => {
            spec.containers[0].livenessProbe = { httpGet: { host: "example.com", port: 80 } };
        };
        assert.strictEqual((await runPolicy(policy("pss-host-probes"), deployment(probeHost))).length, 1);
        assert.deepStrictEqual(await runPolicy(policy("pss-host-probes"), { ...deployment(probeHost), config: { version: "v1.33" } }), []);
    });

    it("keeps the baseline capabilities policy quiet where the restricted one replaces it", async function () {
        const netRaw = (spec: Spec) => {
            spec.containers[0].securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["NET_RAW"] } };
        };
        assert.deepStrictEqual(await runPolicy(policy("pss-capabilities-baseline"), deployment(netRaw)), []);
        assert.strictEqual((await runPolicy(policy("pss-capabilities-restricted"), deployment(netRaw))).length, 1);
        assert.strictEqual((await runPolicy(policy("pss-capabilities-baseline"), { ...deployment(netRaw), config: { defaultLevel: "baseline" } })).length, 1);
    });

    it("rejects invalid settings with a message naming the key, the value and the fix", async function () {
        await assert.rejects(
            runPolicy(policy("pss-privileged"), { ...deployment(() => undefined), config: { namespaceLevels: { apps: "strict" } } }),
            /policy "pss-privileged" config: namespaceLevels\["apps"\] is "strict"; use one of privileged, baseline, restricted/,
        );
    });

    it("reports a mistyped security field as an invalid manifest instead of passing it", async function () {
        const messages = await runPolicy(policy("pss-privileged"), deployment((spec) => {
            spec.containers[0].securityContext = { privileged: "yes" };
        }));
        assert.match((messages as string[])[0], /cannot verify Privileged Containers: invalid manifest: .*privileged must be a boolean, got string "yes"/);
    });
});

describe("policy: unknown values during preview", function () {
    const unknownPrivileged = deployment((spec) => {
        spec.containers[0].securityContext = { allowPrivilegeEscalation: false, privileged: UNKNOWN_STRING };
    });

    it("fails closed by default: an unknown security field is a violation", async function () {
        const messages = await runPolicy(policy("pss-privileged"), unknownPrivileged);
        assert.strictEqual(messages.length, 1);
        assert.match((messages as string[])[0], /cannot verify Privileged Containers: .*can't be known during preview; the value cannot be verified, so it is denied/);
    });

    it("leaves the unknown to the engine when configured advisory", async function () {
        await assert.rejects(runPolicy(policy("pss-privileged"), { ...unknownPrivileged, config: { unknownValues: "advisory" } }), /can't be known during preview/);
    });

    it("does not let an unknown value in an unrelated field block other controls", async function () {
        const unknownImage = deployment((spec) => {
            spec.containers[0].image = UNKNOWN_STRING;
            (spec.securityContext as JsonObject).fsGroup = UNKNOWN_STRING;
        }, { name: "web", namespace: "apps", annotations: { checksum: UNKNOWN_STRING } });
        for (const control of PSS_CONTROLS) {
            assert.deepStrictEqual(await runPolicy(policy(control.policyName), unknownImage), [], control.policyName);
        }
    });

    it("checks at the strictest configured level when the namespace is unknown", async function () {
        const config = { defaultLevel: "baseline", namespaceLevels: { apps: "restricted" } };
        const messages = await runPolicy(policy("pss-seccomp-restricted"), { ...deployment(noSeccomp, { name: "web", namespace: UNKNOWN_STRING }), config });
        assert.strictEqual(messages.length, 2);
        assert.match((messages as string[])[0], /^Deployment <namespace unknown during preview>\/web: .*level restricted \(the strictest configured level/);
    });

    it("treats an unknown pod template as unverifiable", async function () {
        const messages = await runPolicy(policy("pss-host-namespaces"), { type: "kubernetes:apps/v1:Deployment", props: { metadata: { name: "web" }, spec: { template: UNKNOWN_OBJECT } } });
        assert.match((messages as string[])[0], /cannot verify Host Namespaces: Object value at \.spec\.template can't be known during preview/);
    });
});

describe("policy: exemptions", function () {
    const exemption = { controls: ["hostPorts"], namespaces: ["ingress-nginx"], images: ["registry.k8s.io/ingress-nginx/controller:*"], reason: "the controller binds :80 and :443 on edge nodes" };
    const controller = (image: string, namespace = "ingress-nginx") =>
        deployment((spec) => {
            hostPort(spec);
            spec.containers[0].image = image;
        }, { name: "ingress-nginx-controller", namespace });

    it("waives a control for a matching namespace and image, and shows the reason in the exemptions report", async function () {
        const config = { exemptions: [exemption] };
        const resource = { ...controller("registry.k8s.io/ingress-nginx/controller:v1.12.0"), config };
        assert.deepStrictEqual(await runPolicy(policy("pss-host-ports"), resource), []);
        const report = await runPolicy(EXEMPTIONS_POLICY, resource);
        assert.strictEqual(report.length, 1);
        assert.match((report as string[])[0], /pss-host-ports \(hostPorts\) is exempted because: the controller binds :80 and :443 on edge nodes\. Waived finding: container "app" binds hostPort 80/);
    });

    const nonMatching: [string, FakeResource][] = [
        ["another namespace", controller("registry.k8s.io/ingress-nginx/controller:v1.12.0", "apps")],
        ["another image", controller("docker.io/evil/controller:v1")],
        ["an image unknown during preview", controller(UNKNOWN_STRING)],
    ];
    for (const [what, resource] of nonMatching) {
        it(`does not waive it for ${what}`, async function () {
            assert.strictEqual((await runPolicy(policy("pss-host-ports"), { ...resource, config: { exemptions: [exemption] } })).length, 1);
        });
    }

    it("waives by workload name pattern, only for the listed controls", async function () {
        const config = { exemptions: [{ controls: ["seccompProfile_restricted"], names: ["legacy-*"], reason: "vendor image crashes under RuntimeDefault; ticket OPS-12" }] };
        assert.deepStrictEqual(await runPolicy(policy("pss-seccomp-restricted"), { ...deployment(noSeccomp, { name: "legacy-billing", namespace: "apps" }), config }), []);
        assert.strictEqual((await runPolicy(policy("pss-seccomp-restricted"), { ...deployment(noSeccomp, { name: "billing", namespace: "apps" }), config })).length, 2);
        assert.strictEqual((await runPolicy(policy("pss-host-ports"), { ...deployment(hostPort, { name: "legacy-billing", namespace: "apps" }), config })).length, 1);
    });

    it("ignores self-exemption annotations unless the pack allows them", async function () {
        const annotated = deployment(hostPort, { name: "web", namespace: "apps", annotations: { "pss-exempt.groundwork.dev/hostPorts": "needs the node port for the legacy agent" } });
        assert.strictEqual((await runPolicy(policy("pss-host-ports"), annotated)).length, 1);
        const allowed = { ...annotated, config: { allowAnnotationExemptions: true } };
        assert.deepStrictEqual(await runPolicy(policy("pss-host-ports"), allowed), []);
        assert.match((await runPolicy(EXEMPTIONS_POLICY, allowed) as string[])[0], /because: needs the node port for the legacy agent \(exempted by the workload's own annotation\)/);
    });

    it("does not accept an annotation without a reason", async function () {
        const annotated = deployment(hostPort, { name: "web", namespace: "apps", annotations: { "pss-exempt.groundwork.dev/hostPorts": " " } });
        assert.strictEqual((await runPolicy(policy("pss-host-ports"), { ...annotated, config: { allowAnnotationExemptions: true } })).length, 1);
    });
});

describe("policy: hardening extras", function () {
    it("flags missing resources, unpinned images, writable roots, token automount and probes", async function () {
        const resource = deployment((spec) => {
            spec.containers[0].image = "nginx:latest";
        });
        const expectations: [string, RegExp][] = [
            ["pss-extra-resources", /container "init" sets no requests for cpu, memory/],
            ["pss-extra-image-pinned", /image "nginx:latest", which is not pinned/],
            ["pss-extra-read-only-root-filesystem", /container "init" has a writable root filesystem/],
            ["pss-extra-service-account-token", /set automountServiceAccountToken=false/],
            ["pss-extra-probes", /container "app" defines no liveness or readiness probe/],
        ];
        for (const [name, pattern] of expectations) {
            const messages = (await runPolicy(policy(name), resource)) as string[];
            assert.ok(messages.some((message) => pattern.test(message)), `${name}: ${messages.join(" | ")}`);
        }
    });

    it("passes a hardened workload and skips probes for Jobs", async function () {
        const hardened = (spec: Spec) => {
            spec.automountServiceAccountToken = false;
            for (const container of [...spec.containers, ...(spec.initContainers as JsonObject[])]) {
                container.image = "registry.example/app@sha256:0123";
                container.resources = { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } };
                (container.securityContext as JsonObject).readOnlyRootFilesystem = true;
            }
            spec.containers[0].livenessProbe = { httpGet: { port: 80 } };
            spec.containers[0].readinessProbe = { httpGet: { port: 80 } };
        };
        for (const name of ["pss-extra-resources", "pss-extra-image-pinned", "pss-extra-read-only-root-filesystem", "pss-extra-service-account-token", "pss-extra-probes"]) {
            assert.deepStrictEqual(await runPolicy(policy(name), { ...deployment(hardened), config: { requireDigest: true } }), [], name);
        }
        const job = { type: "kubernetes:batch/v1:Job", props: { metadata: { name: "migrate" }, spec: { template: { spec: restrictedSpec() } } } };
        assert.deepStrictEqual(await runPolicy(policy("pss-extra-probes"), job), []);
    });
});
