/** Each Pod Security Standards control on pass and fail cases of our own, as a Deployment. */
import * as assert from "assert";
import { activeChecks, CheckedLevel, checkWorkload, JsonObject, parseVersion, podSpecOf, Violation } from "../../policy/core";
import { ContainerScan, PodScan } from "../../policy/core/pod";
import { restrictedSpec } from "./helpers";

type Mutation = (spec: JsonObject & { containers: JsonObject[]; initContainers: JsonObject[] }) => void;

interface Case {
    readonly name: string;
    readonly level: CheckedLevel;
    readonly version?: string;
    readonly mutate: Mutation;
    readonly metadata?: JsonObject;
    /** Expected violations as `control@path`; empty when the pod must pass. */
    readonly expect: readonly string[];
}

const app = (spec: Parameters<Mutation>[0]) => spec.containers[0] as { securityContext: JsonObject } & JsonObject;
const init = (spec: Parameters<Mutation>[0]) => spec.initContainers[0] as { securityContext: JsonObject } & JsonObject;
const podContext = (spec: Parameters<Mutation>[0]) => spec.securityContext as JsonObject;
const S = "spec.template.spec";
const C0 = `${S}.containers[0]`;
const I0 = `${S}.initContainers[0]`;

const CASES: readonly Case[] = [
    { name: "the restricted reference pod", level: "restricted", mutate: () => undefined, expect: [] },
    { name: "hostProcess on the pod", level: "baseline", mutate: (s) => { podContext(s).windowsOptions = { hostProcess: true }; }, expect: [`windowsHostProcess@${S}.securityContext.windowsOptions.hostProcess`] },
    { name: "hostProcess=false on a container", level: "baseline", mutate: (s) => { app(s).securityContext.windowsOptions = { hostProcess: false }; }, expect: [] },
    { name: "host network and PID", level: "baseline", mutate: (s) => { s.hostNetwork = true; s.hostPID = true; s.hostIPC = false; }, expect: [`hostNamespaces@${S}.hostNetwork`, `hostNamespaces@${S}.hostPID`] },
    { name: "a privileged init container", level: "baseline", mutate: (s) => { init(s).securityContext.privileged = true; }, expect: [`privileged@${I0}.securityContext.privileged`] },
    { name: "a privileged ephemeral container", level: "baseline", mutate: (s) => { s.ephemeralContainers = [{ name: "debug", image: "busybox:1", securityContext: { privileged: true } }]; }, expect: [`privileged@${S}.ephemeralContainers[0].securityContext.privileged`] },
    { name: "NET_RAW at baseline", level: "baseline", mutate: (s) => { app(s).securityContext.capabilities = { add: ["NET_RAW", "CHOWN"] }; }, expect: [`capabilities_baseline@${C0}.securityContext.capabilities.add`] },
    { name: "default capabilities at baseline", level: "baseline", mutate: (s) => { app(s).securityContext.capabilities = { add: ["CHOWN", "NET_BIND_SERVICE"] }; }, expect: [] },
    { name: "CHOWN at restricted (replaced by the restricted check)", level: "restricted", mutate: (s) => { app(s).securityContext.capabilities = { drop: ["ALL"], add: ["CHOWN"] }; }, expect: [`capabilities_restricted@${C0}.securityContext.capabilities.add`] },
    { name: "lowercase drop all", level: "restricted", mutate: (s) => { app(s).securityContext.capabilities = { drop: ["all"] }; }, expect: [`capabilities_restricted@${C0}.securityContext.capabilities.drop`] },
    { name: "NET_BIND_SERVICE at restricted", level: "restricted", mutate: (s) => { app(s).securityContext.capabilities = { drop: ["ALL"], add: ["NET_BIND_SERVICE"] }; }, expect: [] },
    { name: "a hostPath volume at baseline", level: "baseline", mutate: (s) => { s.volumes = [{ name: "host", hostPath: { path: "/" } }]; }, expect: [`hostPathVolumes@${S}.volumes[0].hostPath`] },
    { name: "a hostPath volume at restricted", level: "restricted", mutate: (s) => { s.volumes = [{ name: "host", hostPath: { path: "/" } }]; }, expect: [`restrictedVolumes@${S}.volumes[0].hostPath`] },
    { name: "an nfs volume at baseline", level: "baseline", mutate: (s) => { s.volumes = [{ name: "share", nfs: { server: "nfs", path: "/" } }]; }, expect: [] },
    { name: "an nfs volume at restricted", level: "restricted", mutate: (s) => { s.volumes = [{ name: "share", nfs: { server: "nfs", path: "/" } }]; }, expect: [`restrictedVolumes@${S}.volumes[0].nfs`] },
    { name: "a future volume source at restricted", level: "restricted", mutate: (s) => { s.volumes = [{ name: "new", futureSource: {} }]; }, expect: [`restrictedVolumes@${S}.volumes[0].futureSource`] },
    { name: "allowed volumes and an implicit emptyDir", level: "restricted", mutate: (s) => { s.volumes = [{ name: "implicit" }, { name: "cm", configMap: { name: "c" } }, { name: "img", image: { reference: "x:1" } }]; }, expect: [] },
    { name: "a host port", level: "baseline", mutate: (s) => { app(s).ports = [{ containerPort: 80 }, { containerPort: 443, hostPort: 8443 }]; }, expect: [`hostPorts@${C0}.ports[1].hostPort`] },
    { name: "hostPort 0", level: "baseline", mutate: (s) => { app(s).ports = [{ containerPort: 80, hostPort: 0 }]; }, expect: [] },
    { name: "an unconfined AppArmor field and annotation", level: "baseline", metadata: { annotations: { "container.apparmor.security.beta.kubernetes.io/app": "unconfined", "other": "x" } }, mutate: (s) => { app(s).securityContext.appArmorProfile = { type: "Unconfined" }; }, expect: [`appArmorProfile@${C0}.securityContext.appArmorProfile.type`, 'appArmorProfile@spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]'] },
    { name: "allowed AppArmor profiles", level: "baseline", metadata: { annotations: { "container.apparmor.security.beta.kubernetes.io/app": "localhost/custom" } }, mutate: (s) => { podContext(s).appArmorProfile = { type: "Localhost", localhostProfile: "custom" }; }, expect: [] },
    { name: "SELinux type, user and role", level: "baseline", mutate: (s) => { podContext(s).seLinuxOptions = { type: "spc_t", user: "root", role: "sysadm_r" }; }, expect: [`seLinuxOptions@${S}.securityContext.seLinuxOptions.type`, `seLinuxOptions@${S}.securityContext.seLinuxOptions.user`, `seLinuxOptions@${S}.securityContext.seLinuxOptions.role`] },
    { name: "container_engine_t before v1.31", level: "baseline", version: "v1.30", mutate: (s) => { app(s).securityContext.seLinuxOptions = { type: "container_engine_t" }; }, expect: [`seLinuxOptions@${C0}.securityContext.seLinuxOptions.type`] },
    { name: "container_engine_t from v1.31", level: "baseline", version: "v1.31", mutate: (s) => { app(s).securityContext.seLinuxOptions = { type: "container_engine_t", level: "s0:c1" }; }, expect: [] },
    { name: "an unmasked /proc", level: "baseline", mutate: (s) => { app(s).securityContext.procMount = "Unmasked"; }, expect: [`procMount@${C0}.securityContext.procMount`] },
    { name: "an unmasked /proc in a user namespace at baseline", level: "baseline", mutate: (s) => { s.hostUsers = false; app(s).securityContext.procMount = "Unmasked"; }, expect: [] },
    { name: "an unmasked /proc in a user namespace at restricted", level: "restricted", mutate: (s) => { s.hostUsers = false; app(s).securityContext.procMount = "Unmasked"; }, expect: [`procMount_restricted@${C0}.securityContext.procMount`] },
    { name: "an unconfined seccomp profile at baseline", level: "baseline", mutate: (s) => { init(s).securityContext.seccompProfile = { type: "Unconfined" }; }, expect: [`seccompProfile_baseline@${I0}.securityContext.seccompProfile.type`] },
    { name: "seccomp annotations before v1.19", level: "baseline", version: "v1.18", metadata: { annotations: { "seccomp.security.alpha.kubernetes.io/pod": "unconfined", "container.seccomp.security.alpha.kubernetes.io/app": "runtime/default" } }, mutate: () => undefined, expect: ['seccompProfile_baseline@spec.template.metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]'] },
    { name: "seccomp annotations are ignored from v1.19", level: "baseline", version: "v1.19", metadata: { annotations: { "seccomp.security.alpha.kubernetes.io/pod": "unconfined" } }, mutate: () => undefined, expect: [] },
    { name: "an unsafe sysctl", level: "baseline", mutate: (s) => { podContext(s).sysctls = [{ name: "net.ipv4.tcp_rmem", value: "1" }, { name: "kernel.msgmax", value: "1" }]; }, expect: [`sysctls@${S}.securityContext.sysctls[1].name`] },
    { name: "tcp_rmem before v1.32", level: "baseline", version: "v1.31", mutate: (s) => { podContext(s).sysctls = [{ name: "net.ipv4.tcp_rmem", value: "1" }]; }, expect: [`sysctls@${S}.securityContext.sysctls[0].name`] },
    { name: "a probe and a hook targeting another host", level: "baseline", mutate: (s) => { app(s).livenessProbe = { httpGet: { host: "evil.example", port: 80 } }; app(s).lifecycle = { preStop: { tcpSocket: { host: "10.0.0.1", port: 1 } } }; }, expect: [`hostProbesAndHostLifecycle@${C0}.livenessProbe.httpGet.host`, `hostProbesAndHostLifecycle@${C0}.lifecycle.preStop.tcpSocket.host`] },
    { name: "probe hosts before v1.34", level: "baseline", version: "v1.33", mutate: (s) => { app(s).readinessProbe = { tcpSocket: { host: "evil.example", port: 80 } }; }, expect: [] },
    { name: "privilege escalation unset and true", level: "restricted", mutate: (s) => { delete app(s).securityContext.allowPrivilegeEscalation; init(s).securityContext.allowPrivilegeEscalation = true; }, expect: [`allowPrivilegeEscalation@${I0}.securityContext.allowPrivilegeEscalation`, `allowPrivilegeEscalation@${C0}.securityContext.allowPrivilegeEscalation`] },
    { name: "privilege escalation unset before v1.8", level: "restricted", version: "v1.7", mutate: (s) => { delete app(s).securityContext.allowPrivilegeEscalation; }, expect: [] },
    { name: "runAsNonRoot only on one container", level: "restricted", mutate: (s) => { delete podContext(s).runAsNonRoot; app(s).securityContext.runAsNonRoot = true; }, expect: [`runAsNonRoot@${I0}.securityContext.runAsNonRoot`] },
    { name: "runAsNonRoot=false on a container", level: "restricted", mutate: (s) => { app(s).securityContext.runAsNonRoot = false; }, expect: [`runAsNonRoot@${C0}.securityContext.runAsNonRoot`] },
    { name: "runAsNonRoot unset in a user namespace", level: "restricted", mutate: (s) => { delete podContext(s).runAsNonRoot; s.hostUsers = false; }, expect: [] },
    { name: "runAsUser 0", level: "restricted", mutate: (s) => { podContext(s).runAsUser = 0; app(s).securityContext.runAsUser = 1000; }, expect: [`runAsUser@${S}.securityContext.runAsUser`] },
    { name: "runAsUser 0 before v1.23", level: "restricted", version: "v1.22", mutate: (s) => { podContext(s).runAsUser = 0; }, expect: [] },
    { name: "seccomp only on one container", level: "restricted", mutate: (s) => { delete podContext(s).seccompProfile; app(s).securityContext.seccompProfile = { type: "Localhost", localhostProfile: "p.json" }; }, expect: [`seccompProfile_restricted@${I0}.securityContext.seccompProfile.type`] },
    { name: "a Windows pod without Linux-only fields", level: "restricted", mutate: (s) => { s.os = { name: "windows" }; delete podContext(s).seccompProfile; delete app(s).securityContext.capabilities; delete init(s).securityContext.allowPrivilegeEscalation; }, expect: [] },
    { name: "a Windows pod before v1.25", level: "restricted", version: "v1.24", mutate: (s) => { s.os = { name: "windows" }; delete podContext(s).seccompProfile; }, expect: [`seccompProfile_restricted@${I0}.securityContext.seccompProfile.type`, `seccompProfile_restricted@${C0}.securityContext.seccompProfile.type`] },
];

function summary(violations: readonly Violation[]): string[] {
    return violations.map((v) => `${v.control}@${v.path}`);
}

/**
 * Counts the paths built while `work` runs. Checks build a path only for a finding or a read error,
 * so a passing, well-formed pod must cost none (nor the messages and findings that go with them).
 */
function pathsBuiltDuring(work: () => void): string[] {
    type Methods = Record<string, (this: unknown, ...args: unknown[]) => string>;
    const spied: readonly (readonly [Methods, string])[] = [
        [PodScan.prototype as unknown as Methods, "path"],
        [PodScan.prototype as unknown as Methods, "annotationPath"],
        [ContainerScan.prototype as unknown as Methods, "path"],
    ];
    const built: string[] = [];
    const originals = spied.map(([methods, name]) => methods[name]);
    spied.forEach(([methods, name], index) => {
        methods[name] = function (...args) {
            const path = originals[index].apply(this, args);
            built.push(path);
            return path;
        };
    });
    try {
        work();
    } finally {
        spied.forEach(([methods, name], index) => {
            methods[name] = originals[index];
        });
    }
    return built;
}

describe("policy: Pod Security Standards controls", function () {
    for (const testCase of CASES) {
        it(`${testCase.expect.length === 0 ? "allows" : "denies"} ${testCase.name} (${testCase.level}, ${testCase.version ?? "latest"})`, function () {
            const spec = restrictedSpec() as Parameters<Mutation>[0];
            testCase.mutate(spec);
            const deployment = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { template: { metadata: testCase.metadata, spec } } };
            const options = { level: testCase.level, version: testCase.version };
            let violations: Violation[] = [];
            const pathsBuilt = pathsBuiltDuring(() => {
                violations = checkWorkload("kubernetes:apps/v1:Deployment", deployment, options);
            });
            assert.deepStrictEqual(summary(violations), testCase.expect);
            for (const violation of violations) {
                assert.match(violation.message, /;/, `the message of ${violation.control} says how to fix it: ${violation.message}`);
            }
            if (testCase.expect.length === 0) {
                assert.deepStrictEqual(pathsBuilt, [], "a passing pod builds no paths");
            }
            // The single pass over the containers reports what each control finds on its own, in table order.
            const pod = podSpecOf("kubernetes:apps/v1:Deployment", deployment)!;
            const oneByOne = activeChecks(testCase.level, parseVersion(testCase.version ?? "latest")).flatMap(({ control, check }) =>
                check(pod).map((finding) => ({ control: control.id, ...finding })),
            );
            assert.deepStrictEqual(violations, oneByOne);
        });
    }

    it("names the container of container-level violations and null for pod-level ones", function () {
        const spec = restrictedSpec() as Parameters<Mutation>[0];
        spec.hostIPC = true;
        init(spec).securityContext.privileged = true;
        const violations = checkWorkload("kubernetes:core/v1:Pod", { metadata: { name: "p" }, spec }, { level: "baseline" });
        assert.deepStrictEqual(violations.map((v) => [v.control, v.container]), [["hostNamespaces", null], ["privileged", "init"]]);
    });

    it("points out that capability names are case-sensitive", function () {
        const spec = restrictedSpec() as Parameters<Mutation>[0];
        app(spec).securityContext.capabilities = { drop: ["all"] };
        const [violation] = checkWorkload("kubernetes:core/v1:Pod", { spec }, { level: "restricted" });
        assert.match(violation.message, /case-sensitive: "all" is not "ALL"/);
    });
});
