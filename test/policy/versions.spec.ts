/** Versioned semantics and the workload table. */
import * as assert from "assert";
import {
    activeChecks,
    checkWorkload,
    ManifestError,
    NEWEST_MINOR,
    parseVersion,
    podSpecOf,
    typeTokenOf,
    WORKLOAD_TYPE_TOKENS,
    workloadKindOf,
} from "../../policy/core";
import { podManifest, restrictedSpec, WORKLOAD_SHAPES } from "./helpers";

const ids = (level: "baseline" | "restricted", version: string) => activeChecks(level, parseVersion(version)).map((c) => c.control.id).sort();

describe("policy: versions", function () {
    it("resolves latest and versions past the newest check to the newest checks", function () {
        assert.strictEqual(NEWEST_MINOR, 37);
        assert.deepStrictEqual(parseVersion("latest"), { label: "latest", minor: 37 });
        assert.deepStrictEqual(parseVersion("v1.99"), { label: "v1.99", minor: 37 });
        assert.deepStrictEqual(parseVersion("v1.0"), { label: "v1.0", minor: 0 });
    });

    for (const bad of ["1.30", "v1.030", "v2.0", "v1.", "newest", ""]) {
        it(`rejects the version ${JSON.stringify(bad)}`, function () {
            assert.throws(() => parseVersion(bad), /use "latest" or "v1\.N"/);
        });
    }

    const table: [string, "baseline" | "restricted", string[], string[]][] = [
        ["v1.0", "baseline", ["seccompProfile_baseline", "procMount"], ["hostProbesAndHostLifecycle"]],
        ["v1.0", "restricted", ["capabilities_baseline", "seccompProfile_baseline", "restrictedVolumes", "runAsNonRoot"], ["hostPathVolumes", "allowPrivilegeEscalation", "runAsUser"]],
        ["v1.8", "restricted", ["allowPrivilegeEscalation"], ["seccompProfile_restricted"]],
        ["v1.19", "restricted", ["seccompProfile_restricted", "capabilities_baseline"], ["seccompProfile_baseline"]],
        ["v1.22", "restricted", ["capabilities_restricted"], ["capabilities_baseline", "runAsUser"]],
        ["v1.23", "restricted", ["runAsUser"], []],
        ["v1.34", "baseline", ["hostProbesAndHostLifecycle"], []],
        ["v1.35", "restricted", ["procMount_restricted"], ["procMount"]],
        ["latest", "baseline", ["procMount", "seccompProfile_baseline", "capabilities_baseline", "hostPathVolumes"], ["runAsNonRoot"]],
    ];
    for (const [version, level, present, absent] of table) {
        it(`runs the right checks at ${level} ${version}`, function () {
            const active = ids(level, version);
            for (const id of present) {
                assert.ok(active.includes(id), `${id} should run at ${level} ${version}: ${active.join(", ")}`);
            }
            for (const id of absent) {
                assert.ok(!active.includes(id), `${id} should not run at ${level} ${version}`);
            }
        });
    }

    it("runs nothing at privileged", function () {
        assert.deepStrictEqual(ids("privileged" as "baseline", "latest"), []);
        const spec = { ...restrictedSpec(), hostNetwork: true };
        assert.deepStrictEqual(checkWorkload("kubernetes:core/v1:Pod", podManifest(spec), { level: "privileged" }), []);
    });
});

describe("policy: workloads", function () {
    for (const shape of WORKLOAD_SHAPES) {
        it(`finds the pod template of a ${shape.kind} at ${shape.specPath}`, function () {
            const pod = podSpecOf(shape.typeToken, shape.wrap(podManifest({ ...restrictedSpec(), hostPID: true })));
            assert.strictEqual(pod?.specPath, shape.specPath);
            const [violation] = checkWorkload(shape.typeToken, shape.wrap(podManifest({ ...restrictedSpec(), hostPID: true })), { level: "baseline" });
            assert.strictEqual(violation.path, `${shape.specPath}.hostPID`);
        });
    }

    it("knows the legacy API groups and maps manifests to type tokens", function () {
        assert.strictEqual(typeTokenOf("v1", "Pod"), "kubernetes:core/v1:Pod");
        assert.strictEqual(typeTokenOf("apps/v1", "Deployment"), "kubernetes:apps/v1:Deployment");
        for (const token of ["kubernetes:extensions/v1beta1:Deployment", "kubernetes:apps/v1beta2:DaemonSet", "kubernetes:batch/v1beta1:CronJob"]) {
            assert.ok(WORKLOAD_TYPE_TOKENS.includes(token), token);
        }
    });

    for (const token of ["kubernetes:core/v1:Service", "kubernetes:apps/v1:DeploymentPatch", "kubernetes:helm.sh/v4:Chart", "kubernetes:argoproj.io/v1alpha1:Rollout", "aws:s3/bucket:Bucket"]) {
        it(`treats ${token} as holding no pod template`, function () {
            assert.strictEqual(workloadKindOf(token), undefined);
            assert.deepStrictEqual(checkWorkload(token, { spec: { hostNetwork: true } }, { level: "restricted" }), []);
        });
    }

    it("reports a workload without a template or with mistyped fields as an invalid manifest", function () {
        assert.throws(() => podSpecOf("kubernetes:apps/v1:Deployment", { spec: { replicas: 1 } }), (error: unknown) => error instanceof ManifestError && error.path === "spec.template");
        assert.throws(() => podSpecOf("kubernetes:batch/v1:CronJob", { spec: { jobTemplate: "x" } }), /spec\.jobTemplate must be an object/);
        const spec = restrictedSpec();
        (spec.containers as { securityContext: object }[])[0].securityContext = { privileged: "true" };
        assert.throws(
            () => checkWorkload("kubernetes:core/v1:Pod", podManifest(spec), { level: "baseline" }),
            /spec\.containers\[0\]\.securityContext\.privileged must be a boolean, got string "true"/,
        );
    });
});
