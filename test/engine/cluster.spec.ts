/**
 * A live control plane on loopback (tools/cluster), started once for this file: the API server,
 * not a mock and not the policy pack, judges admission and quotas.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import { ControlPlane } from "../../tools/cluster/control-plane";
import { REPO_ROOT } from "../../tools/cli/paths";
import * as YAML from "yaml";
import { ClusterAccess } from "../../components/apps/cluster-access";
import { clusterAccessSchema } from "../../components/apps/cluster-access-config";
import { versions } from "../../components/versions";
import { podSecurityLabels } from "../../components/platform/security";
import { controlPlaneBinariesOrSkip, startTestControlPlane, throwawayStack } from "./support";

function processAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

async function eventually(what: string, seconds: number, check: () => boolean): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    while (!check()) {
        if (Date.now() > deadline) {
            throw new Error(`${what}: not within ${seconds} s`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
}

/** A program of one restricted namespace (labelled as the platform labels its tier namespaces) and what `contents` adds to it. */
function inRestrictedNamespace(cluster: ControlPlane, name: string, contents: (namespace: k8s.core.v1.Namespace, provider: k8s.Provider) => void) {
    return async () => {
        const provider = new k8s.Provider("cluster", { kubeconfig: cluster.kubeconfig });
        const namespace = new k8s.core.v1.Namespace(name, { metadata: { name, labels: podSecurityLabels("restricted", versions.podSecurity) } }, { provider });
        contents(namespace, provider);
        return {};
    };
}

describe("engine: a live control plane", () => {
    let cluster: ControlPlane;

    before(async function () {
        cluster = await startTestControlPlane(this, "cluster");
    });

    after(async () => {
        const pids = cluster?.pids ?? [];
        await cluster?.stop();
        assert.deepEqual(pids.filter(processAlive), [], "control-plane processes left running");
    });

    it("Pod Security admission refuses a privileged pod in a restricted namespace, the policy pack off", async function () {
        const { stack } = await throwawayStack(this, "cluster-privileged", { "groundwork:environment": "local", "groundwork:tiers": [] }, inRestrictedNamespace(cluster, "restricted-tier", (namespace, provider) => {
            new k8s.core.v1.Pod("privileged", {
                metadata: { name: "privileged", namespace: namespace.metadata.name },
                spec: { containers: [{ name: "privileged", image: "registry.groundwork.test/fixtures/privileged-demo:0.1.0", securityContext: { privileged: true } }] },
            }, { provider });
        }));
        await assert.rejects(stack.up(), /violates PodSecurity "restricted:v1\.\d+": privileged \(container "privileged" must not set securityContext\.privileged=true\)/);
        await stack.destroy();
    });

    it("a ResourceQuota refuses a claim it does not budget for, as it did Redis's", async function () {
        const { stack } = await throwawayStack(this, "cluster-quota", { "groundwork:environment": "local", "groundwork:tiers": [] }, inRestrictedNamespace(cluster, "no-claims", (namespace, provider) => {
            const quota = new k8s.core.v1.ResourceQuota("quota", {
                metadata: { name: "groundwork-quota", namespace: namespace.metadata.name },
                spec: { hard: { persistentvolumeclaims: "0", "requests.storage": "0" } },
            }, { provider });
            new k8s.core.v1.PersistentVolumeClaim("data", {
                metadata: { name: "data-redis-0", namespace: namespace.metadata.name },
                spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
            }, { provider, dependsOn: [quota] });
        }));
        await assert.rejects(stack.up(), /persistentvolumeclaims "data-redis-0" is forbidden: exceeded quota: groundwork-quota/);
        await stack.destroy();
    });

    it("serves an operator tier's CRDs from its clusterAccess file and binds its ClusterRole, so its custom resources can be created", async function () {
        const access = clusterAccessSchema.parse({
            rules: [{ apiGroups: ["atb.example.com"], resources: ["brokers", "brokers/status"], verbs: ["get", "list", "watch", "update", "patch"] }],
            crds: [{ file: "test/fixtures/crds/brokers.yaml" }],
        })!;
        const { stack } = await throwawayStack(this, "cluster-operator", { "groundwork:environment": "local", "groundwork:tiers": [] }, inRestrictedNamespace(cluster, "operator", (namespace, provider) => {
            const clusterAccess = new ClusterAccess("operator-cluster-access", {
                tierName: "operator", environment: "local", namespace: namespace.metadata.name, access, keepCrds: false,
            }, { provider, dependsOn: [namespace] });
            new k8s.apiextensions.CustomResource("broker", {
                apiVersion: "atb.example.com/v1",
                kind: "Broker",
                metadata: { name: "main", namespace: namespace.metadata.name },
                spec: { replicas: 2 },
            }, { provider, dependsOn: clusterAccess.ready });
        }));
        const result = await stack.up();
        assert.equal(result.summary.result, "succeeded");
        await stack.destroy();
    });

    it("refuses a CRD not named <plural>.<group>, as clusterAccess validation does before any resource", async function () {
        const misnamed = YAML.parse(fs.readFileSync(path.join(REPO_ROOT, "test", "fixtures", "crds", "misnamed.yaml"), "utf8")) as k8s.apiextensions.v1.CustomResourceDefinitionArgs;
        const { stack } = await throwawayStack(this, "cluster-misnamed-crd", { "groundwork:environment": "local", "groundwork:tiers": [] }, async () => {
            new k8s.apiextensions.v1.CustomResourceDefinition("misnamed", misnamed, { provider: new k8s.Provider("cluster", { kubeconfig: cluster.kubeconfig }) });
            return {};
        });
        await assert.rejects(stack.up(), /must be spec\.names\.plural\+"\."\+spec\.group/);
        await stack.destroy();
    });
});

describe("engine: the control plane's lifecycle", () => {
    it("Ctrl-C stops every process it started, and its temporary data directory goes with it", async function () {
        controlPlaneBinariesOrSkip(this);
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(REPO_ROOT, "tools", "cluster", "index.ts"), "--seconds", "600"], {
            cwd: REPO_ROOT,
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        await eventually("the control plane started", 120, () => /^pids: /m.test(stdout));
        const pids = /^pids: (.*)$/m.exec(stdout)![1].split(" ").map(Number);
        const dataDir = path.dirname(/^export KUBECONFIG=(.*)$/m.exec(stdout)![1]);
        assert.equal(pids.filter(processAlive).length, 5, "etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok");
        const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
        child.kill("SIGINT");
        assert.equal(await exited, 130);
        assert.deepEqual(pids.filter(processAlive), []);
        assert.equal(fs.existsSync(dataDir), false, `${dataDir} was left behind`);
    });
});
