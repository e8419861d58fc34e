/**
 * A real Kubernetes control plane on 127.0.0.1, from the toolchain's binaries: etcd,
 * kube-apiserver (with the admission plugins of a real cluster), kube-controller-manager,
 * kube-scheduler, and kwok, whose fake nodes make pods Running and Ready and bind volume claims, so
 * that Deployments and StatefulSets pass Pulumi's normal await logic.
 *
 * Controllers that neither runs (a cloud's load balancers, the add-ons' operators) are emulated by
 * ./emulation.ts. Every process is a child of this one and is stopped, and waited for, by `stop()`;
 * an exit of this process (normal, error, SIGINT, SIGTERM) stops them too. NetworkPolicies are
 * stored but not enforced: there is no CNI.
 */
import { ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import * as YAML from "yaml";
import { formatElapsed } from "../toolchain/toolchain";
import { EmulationApi, KubeObject, startEmulation } from "./emulation";

/** Groundwork's own kwok stages, played beside kwok's. */
const GROUNDWORK_STAGES = path.join(__dirname, "stages");

export interface ControlPlaneBinaries {
    etcd: string;
    "kube-apiserver": string;
    "kube-controller-manager": string;
    "kube-scheduler": string;
    kwok: string;
    /** The directory of kwok's stage definitions (node, pod and volume lifecycles) and its StorageClass. */
    kwokStages: string;
}

export interface ControlPlaneOptions {
    binaries: ControlPlaneBinaries;
    /**
     * Where etcd's data, the keys and the kubeconfig live. A directory that already holds a cluster
     * is started again with its objects, keys and port (the local stack's cluster); a new one gets
     * free ports and fresh keys.
     */
    dataDir: string;
    /** Fake nodes and their capacity: enough for the platform at its peak. */
    nodes?: number;
    /**
     * Labels the fake nodes carry besides kwok's, each key's values spread over the nodes in turn:
     * the ones a stack's placements select, so that the scheduler really places those pods.
     */
    nodeLabels?: Readonly<Record<string, readonly string[]>>;
    /** StorageClasses a stack names besides kwok's: each provisioned and bound like kwok's own. */
    storageClasses?: readonly string[];
    report?: (line: string) => void;
}

export interface ControlPlane {
    /** A kubeconfig file with an admin token; its content stays the same across restarts of the same data directory. */
    kubeconfig: string;
    server: string;
    /** PIDs of the processes it runs, for callers that check nothing is left behind. */
    pids: number[];
    /** How many fake nodes it runs: a stack deployed into it sizes per-node workloads (node-exporter) by it. */
    nodes: number;
    /** Reads the API server with the admin token. */
    api: ApiClient;
    stop(): Promise<void>;
}


/** The stable parts of a cluster kept in its data directory. */
interface ClusterIdentity {
    apiserverPort: number;
    token: string;
}

const NODE_CAPACITY = { cpu: "32", memory: "128Gi", pods: "110", "ephemeral-storage": "500Gi" };
const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
    const report = options.report ?? (() => undefined);
    const started = Date.now();
    const dirs = {
        etcd: path.join(options.dataDir, "etcd"),
        certs: path.join(options.dataDir, "certs"),
        logs: path.join(options.dataDir, "logs"),
    };
    Object.values(dirs).forEach((dir) => fs.mkdirSync(dir, { recursive: true, mode: 0o700 }));
    const identity = await clusterIdentity(options.dataDir, dirs.certs);
    const server = `https://127.0.0.1:${identity.apiserverPort}`;
    const kubeconfig = writeKubeconfig(options.dataDir, server, identity.token);
    const processes: ChildProcess[] = [];
    let emulation: { stop(): Promise<void> } | undefined;
    // However this process ends, the control plane ends with it.
    const killOnExit = () => processes.forEach((child) => child.exitCode === null && child.kill("SIGKILL"));
    // Ctrl-C (or a SIGTERM) stops the control plane, then ends this process as the signal would have;
    // `exit` handlers (temporary directories) still run.
    const stopOnSignal = (signal: NodeJS.Signals) => {
        void stop().finally(() => process.exit(128 + (signal === "SIGINT" ? 2 : 15)));
    };
    // The signal listeners stay until the processes are gone: a library that exits on a signal when
    // no other listener is left (signal-exit, under the Automation API's execa) must not cut the stop short.
    let stopping: Promise<void> | undefined;
    const stop = () => (stopping ??= (async () => {
        await emulation?.stop();
        await stopAll(processes);
        process.off("exit", killOnExit);
        process.off("SIGINT", stopOnSignal);
        process.off("SIGTERM", stopOnSignal);
    })());
    process.on("exit", killOnExit);
    process.on("SIGINT", stopOnSignal);
    process.on("SIGTERM", stopOnSignal);
    const run = (name: string, binary: string, args: string[]) => {
        const log = fs.openSync(path.join(dirs.logs, `${name}.log`), "w");
        const child = spawn(binary, args, { stdio: ["ignore", log, log] });
        fs.closeSync(log);
        processes.push(child);
        return child;
    };

    try {
        const [etcdClient, etcdPeer] = await freePorts(2);
        const etcd = run("etcd", options.binaries.etcd, [
            `--data-dir=${dirs.etcd}`,
            `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
            `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
            `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
            `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
            `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
            "--unsafe-no-fsync=true",
        ]);
        await waitFor("etcd", etcd, dirs.logs, () => httpOk(`http://127.0.0.1:${etcdClient}/health`));

        const apiserver = run("kube-apiserver", options.binaries["kube-apiserver"], [
            `--etcd-servers=http://127.0.0.1:${etcdClient}`,
            `--secure-port=${identity.apiserverPort}`,
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            // The default reconciler refuses a loopback address for the `kubernetes` Endpoints.
            "--endpoint-reconciler-type=none",
            `--cert-dir=${dirs.certs}`,
            `--service-account-key-file=${path.join(dirs.certs, "service-account.key")}`,
            `--service-account-signing-key-file=${path.join(dirs.certs, "service-account.key")}`,
            "--service-account-issuer=https://kubernetes.default.svc",
            `--token-auth-file=${path.join(dirs.certs, "tokens.csv")}`,
            "--authorization-mode=RBAC",
            "--service-cluster-ip-range=10.96.0.0/16",
            // As real clusters do, so that Pod Security admission, not this flag, is what refuses privileged pods.
            "--allow-privileged=true",
            "--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,ResourceQuota,PodSecurity",
        ]);
        await waitFor("kube-apiserver", apiserver, dirs.logs, () => httpOk(`${server}/readyz`, identity.token));

        run("kube-controller-manager", options.binaries["kube-controller-manager"], [
            `--kubeconfig=${kubeconfig}`,
            `--service-account-private-key-file=${path.join(dirs.certs, "service-account.key")}`,
            `--root-ca-file=${path.join(dirs.certs, "apiserver.crt")}`,
            "--use-service-account-credentials=false",
            "--leader-elect=false",
            "--secure-port=0",
        ]);
        run("kube-scheduler", options.binaries["kube-scheduler"], [`--kubeconfig=${kubeconfig}`, "--leader-elect=false", "--secure-port=0"]);
        run("kwok", options.binaries.kwok, [
            `--kubeconfig=${kubeconfig}`,
            `--config=${writeKwokConfig([options.binaries.kwokStages, GROUNDWORK_STAGES], options.dataDir, options.storageClasses ?? [])}`,
            "--manage-all-nodes=false",
            "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
            `--server-address=127.0.0.1:${(await freePorts(1))[0]}`,
        ]);
        const client = new ApiClient(server, identity.token);
        await waitForCondition("the default service account", dirs.logs, processes, () => client.exists("/api/v1/namespaces/default/serviceaccounts/default"));
        const nodes = options.nodes ?? 3;
        for (let index = 0; index < nodes; index++) {
            const labels = Object.fromEntries(Object.entries(options.nodeLabels ?? {}).map(([key, values]) => [key, values[index % values.length]]));
            await client.applyLabels("/api/v1/nodes", fakeNode(`kwok-node-${index}`, labels));
        }
        const kwokClass = storageClassOf(options.binaries.kwokStages);
        await client.apply("/apis/storage.k8s.io/v1/storageclasses", kwokClass);
        for (const name of options.storageClasses ?? []) {
            await client.apply("/apis/storage.k8s.io/v1/storageclasses", { ...kwokClass, metadata: { name } });
        }
        const emulationLog = fs.openSync(path.join(dirs.logs, "emulation.log"), "a");
        const emulated = startEmulation(client, (line) => fs.writeSync(emulationLog, `${new Date().toISOString()} ${line}\n`));
        emulation = { stop: () => emulated.stop().finally(() => fs.closeSync(emulationLog)) };
        report(`control plane ready on ${server} in ${formatElapsed(Date.now() - started)} (logs: ${dirs.logs})`);
        return {
            kubeconfig,
            server,
            pids: processes.map((child) => child.pid ?? -1),
            nodes,
            api: client,
            stop,
        };
    } catch (error) {
        await stop();
        throw error;
    }
}

/** The data directory's port, token and service-account key; chosen once, then reused. */
async function clusterIdentity(dataDir: string, certDir: string): Promise<ClusterIdentity> {
    const file = path.join(dataDir, "cluster.json");
    let identity: ClusterIdentity;
    if (fs.existsSync(file)) {
        identity = JSON.parse(fs.readFileSync(file, "utf8")) as ClusterIdentity;
        if (!(await portIsFree(identity.apiserverPort))) {
            throw new Error(`port ${identity.apiserverPort} of the cluster in ${dataDir} is taken: stop what listens there (another cluster run?), or delete ${dataDir} to start afresh`);
        }
    } else {
        identity = { apiserverPort: (await freePorts(1))[0], token: randomBytes(24).toString("hex") };
        fs.writeFileSync(file, `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o600 });
    }
    const key = path.join(certDir, "service-account.key");
    if (!fs.existsSync(key)) {
        fs.writeFileSync(key, generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    }
    fs.writeFileSync(path.join(certDir, "tokens.csv"), `${identity.token},groundwork-admin,groundwork-admin,"system:masters"\n`, { mode: 0o600 });
    return identity;
}

function writeKubeconfig(dataDir: string, server: string, token: string): string {
    const file = path.join(dataDir, "kubeconfig");
    const kubeconfig = {
        apiVersion: "v1",
        kind: "Config",
        // The API server signs its own serving certificate at start; the token is what authenticates.
        clusters: [{ name: "groundwork-local", cluster: { server, "insecure-skip-tls-verify": true } }],
        users: [{ name: "groundwork-admin", user: { token } }],
        contexts: [{ name: "groundwork-local", context: { cluster: "groundwork-local", user: "groundwork-admin" } }],
        "current-context": "groundwork-local",
    };
    fs.writeFileSync(file, YAML.stringify(kubeconfig), { mode: 0o600 });
    return file;
}

function fakeNode(name: string, extraLabels: Record<string, string>): { metadata: { name: string; annotations: Record<string, string>; labels: Record<string, string> }; [field: string]: unknown } {
    return {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
            name,
            annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
            labels: { ...extraLabels, "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", type: "kwok", "topology.kubernetes.io/zone": `zone-${name.at(-1)}` },
        },
        status: { capacity: NODE_CAPACITY, allocatable: NODE_CAPACITY },
    };
}

function stageDocuments(stagesDir: string): Record<string, unknown>[] {
    return fs.readdirSync(stagesDir).filter((file) => file.endsWith(".yaml")).sort()
        .flatMap((file) => YAML.parseAllDocuments(fs.readFileSync(path.join(stagesDir, file), "utf8")).map((document) => document.toJS() as Record<string, unknown>));
}

/** kwok takes its stages as one multi-document file; the StorageClass beside them goes to the API server instead. */
function writeKwokConfig(stagesDirs: string[], dataDir: string, storageClasses: readonly string[]): string {
    const file = path.join(dataDir, "kwok-stages.yaml");
    const stages = stagesDirs.flatMap(stageDocuments).filter((document) => document.kind === "Stage").map((stage) => provisioningAlso(stage, storageClasses));
    fs.writeFileSync(file, stages.map((document) => YAML.stringify(document)).join("---\n"));
    return file;
}

/** kwok's own class, the one its claim stage selects by name. */
const kwokClassCondition = "self.spec.storageClassName == 'kwok-volume'";

/**
 * kwok's claim-provisioning stage widened from its own class to `storageClasses` too (a stack's
 * `fast-ssd`, say), so that their claims bind as a provisioner would bind them.
 */
function provisioningAlso(stage: Record<string, unknown>, storageClasses: readonly string[]): Record<string, unknown> {
    const text = JSON.stringify(stage);
    if (storageClasses.length === 0 || (stage.metadata as { name?: string }).name !== "pvc-provision") {
        return stage;
    }
    if (!text.includes(kwokClassCondition)) {
        throw new Error(`kwok's pvc-provision stage no longer selects claims by \`${kwokClassCondition}\`: update provisioningAlso in tools/cluster/control-plane.ts to the stage's new selector`);
    }
    const classes = ["kwok-volume", ...storageClasses].map((name) => `'${name}'`).join(", ");
    return JSON.parse(text.replace(kwokClassCondition, `self.spec.storageClassName in [${classes}]`)) as Record<string, unknown>;
}

/** The StorageClass kwok's volume stages provision for, marked as the default class. */
function storageClassOf(stagesDir: string): Record<string, unknown> {
    const storageClass = stageDocuments(stagesDir).find((document) => document.kind === "StorageClass");
    if (!storageClass) {
        throw new Error(`${stagesDir} holds no StorageClass: rebuild kwok with \`npm run toolchain\``);
    }
    return storageClass;
}

/** The few API calls the start, the emulation and the readiness count need, with the admin token. */
export class ApiClient implements EmulationApi {
    constructor(private readonly server: string, private readonly token: string) {}

    exists(apiPath: string): Promise<boolean> {
        return this.request("GET", apiPath).then(({ status }) => status === 200);
    }

    async get<T>(apiPath: string): Promise<T> {
        const { status, body } = await this.request("GET", apiPath);
        if (status !== 200) {
            throw new Error(`reading ${apiPath}: HTTP ${status}: ${body}`);
        }
        return JSON.parse(body) as T;
    }

    async list(collection: string): Promise<KubeObject[] | undefined> {
        const { status, body } = await this.request("GET", collection);
        if (status === 404) {
            return undefined;
        }
        if (status !== 200) {
            throw new Error(`listing ${collection}: HTTP ${status}: ${body}`);
        }
        return (JSON.parse(body) as { items: KubeObject[] }).items;
    }

    /** A JSON merge patch; an object deleted meanwhile (404) is left alone. */
    async patch(objectPath: string, body: Record<string, unknown>): Promise<void> {
        const response = await this.request("PATCH", objectPath, body, "application/merge-patch+json");
        if (response.status !== 200 && response.status !== 404) {
            throw new Error(`patching ${objectPath}: HTTP ${response.status}: ${response.body}`);
        }
    }

    /** Creates the object; one that exists already (a restarted cluster) is left as it is. */
    async apply(collection: string, object: Record<string, unknown>): Promise<void> {
        const { status, body } = await this.request("POST", collection, object);
        if (status !== 201 && status !== 409) {
            throw new Error(`creating ${collection}: HTTP ${status}: ${body}`);
        }
    }

    /** Creates the object, or merges its labels into the one that exists (a cluster started again with other placements). */
    async applyLabels(collection: string, object: { metadata: { name: string; labels: Record<string, string> } }): Promise<void> {
        const { status, body } = await this.request("POST", collection, object);
        if (status === 409) {
            const patched = await this.request("PATCH", `${collection}/${object.metadata.name}`, { metadata: { labels: object.metadata.labels } }, "application/merge-patch+json");
            if (patched.status !== 200) {
                throw new Error(`labelling ${collection}/${object.metadata.name}: HTTP ${patched.status}: ${patched.body}`);
            }
        } else if (status !== 201) {
            throw new Error(`creating ${collection}: HTTP ${status}: ${body}`);
        }
    }

    private request(method: string, apiPath: string, body?: unknown, contentType?: string): Promise<{ status: number; body: string }> {
        return httpRequest(`${this.server}${apiPath}`, method, this.token, body, contentType);
    }
}

export function httpRequest(url: string, method: string, token?: string, body?: unknown, contentType = "application/json"): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const headers: Record<string, string> = { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(payload ? { "Content-Type": contentType } : {}) };
        const transport = url.startsWith("https:") ? https : http;
        const request = transport.request(url, { method, headers, rejectUnauthorized: false, timeout: 5_000 }, (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        });
        request.on("timeout", () => request.destroy(new Error(`${method} ${url} timed out`)));
        request.on("error", reject);
        request.end(payload);
    });
}

function httpOk(url: string, token?: string): Promise<boolean> {
    return httpRequest(url, "GET", token).then(({ status }) => status === 200, () => false);
}

/** Polls until `ready`, failing at once with the log's tail when the process exits. */
async function waitFor(name: string, child: ChildProcess, logDir: string, ready: () => Promise<boolean>): Promise<void> {
    await waitForCondition(name, logDir, [child], ready);
}

async function waitForCondition(what: string, logDir: string, children: readonly ChildProcess[], ready: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
        const exited = children.find((child) => child.exitCode !== null || child.signalCode !== null);
        if (exited) {
            const name = path.basename(exited.spawnfile);
            const logFile = path.join(logDir, `${name}.log`);
            const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").trim().split("\n").slice(-15).join("\n") : "";
            throw new Error(`${name} exited (${exited.exitCode ?? exited.signalCode}) while waiting for ${what}; its log (${logFile}) ends:\n${tail}`);
        }
        if (await ready()) {
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${what} was not ready within ${READY_TIMEOUT_MS / 1000} s; see the logs in ${logDir}`);
}

/** SIGTERM to every process, in reverse start order, and wait for each; SIGKILL what does not exit in time. */
async function stopAll(processes: ChildProcess[]): Promise<void> {
    for (const child of [...processes].reverse()) {
        if (child.exitCode !== null || child.signalCode !== null) {
            continue;
        }
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
    }
}

async function freePorts(count: number): Promise<number[]> {
    const servers = await Promise.all(Array.from({ length: count }, () => new Promise<net.Server>((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve(server));
    })));
    const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    return ports;
}

function portIsFree(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const server = net.createServer();
        server.once("error", () => resolve(false));
        server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
}
