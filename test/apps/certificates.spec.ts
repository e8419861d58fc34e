import * as assert from "node:assert/strict";
import { aStack, aTier } from "../support/builders";
import { runStack, StackRun } from "../support/program";
import { assertProblem, problemsOf } from "../support/problems";

const brokerLink = {
    name: "broker-client",
    mountPath: "/etc/atb/tls",
    dnsNames: ["executor.executor.svc", "executor.executor.svc.cluster.local"],
};

/** A local stack whose executor (tiers[1]) holds `certificates`, called by backend (tiers[0]), which holds none. */
function withCertificates(change: (certificates: any[], tier: any) => void = () => undefined): Record<string, unknown> {
    const config = aStack("local").withTier(aTier("backend"), aTier("executor").calledBy("backend")).build() as any;
    const tier = config["groundwork:tiers"][1];
    tier.certificates = [structuredClone(brokerLink)];
    change(tier.certificates, tier);
    return config;
}

/** Whether `dependent` waits for `dependency` (dependencies are recorded as the mock monitor names them). */
function waitsFor(dependent: { dependencies: string[] }, dependency: { type: string; name: string }): boolean {
    return dependent.dependencies.some((urn) => urn.endsWith(`::${dependency.type}::${dependency.name}`) || urn.endsWith(`$${dependency.type}::${dependency.name}`));
}

const at = "groundwork:tiers[1].certificates";
const certificateType = "kubernetes:cert-manager.io/v1:Certificate";
const badConfigs: { name: string; change: (certificates: any[], tier: any) => void; expected: string }[] = [
    { name: "a DNS name with an underscore", change: (certificates) => { certificates[0].dnsNames = ["broker_link.atb.svc"]; },
        expected: `${at}[0].dnsNames[0] ("broker_link.atb.svc") must be a lower-case DNS name` },
    { name: "a bare service name", change: (certificates) => { certificates[0].dnsNames = ["broker"]; },
        expected: `${at}[0].dnsNames[0] ("broker") must be a lower-case DNS name` },
    { name: "no DNS name", change: (certificates) => { certificates[0].dnsNames = []; },
        expected: `${at}[0].dnsNames ([]) must list at least one DNS name, such as "broker.atb.svc.cluster.local"` },
    { name: "a usage cert-manager does not know", change: (certificates) => { certificates[0].usages = ["clientAuth"]; },
        expected: `${at}[0].usages[0] ("clientAuth") must be one of "signing", "digital signature"` },
    ...["cert sign", "crl sign", "any"].map((usage) => ({
        name: `the ${usage} usage`, change: (certificates: any[]) => { certificates[0].usages = ["client auth", usage]; },
        expected: `${at}[0].usages[1] ("${usage}") would let the tier's certificate sign or act as any other: remove it (the issuing CA signs)`,
    })),
    { name: "usages no TLS peer accepts", change: (certificates) => { certificates[0].usages = ["digital signature"]; },
        expected: `${at}[0].usages (["digital signature"]) has neither client auth nor server auth` },
    { name: "a relative mount path", change: (certificates) => { certificates[0].mountPath = "etc/tls"; },
        expected: `${at}[0].mountPath ("etc/tls") must be an absolute path such as "/tmp"` },
    { name: "a mount path inside a writable path", change: (certificates) => { certificates[0].mountPath = "/tmp/tls"; },
        expected: `${at}[0].mountPath ("/tmp/tls") overlaps the writable path /tmp: the certificate is mounted read-only` },
    { name: "two certificates at one path", change: (certificates) => { certificates.push({ ...brokerLink, name: "second" }); },
        expected: `${at}[1].mountPath ("/etc/atb/tls") is already the mount path of another certificate` },
    { name: "two certificates with one name", change: (certificates) => { certificates.push({ ...brokerLink, mountPath: "/etc/other" }); },
        expected: `${at}[1].name ("broker-client") is already used by another certificate of this tier` },
    { name: "a name that is no DNS label", change: (certificates) => { certificates[0].name = "Broker"; },
        expected: `${at}[0].name ("Broker") must be a lower-case RFC 1123 label` },
    { name: "an issuer given as a bare name", change: (certificates) => { certificates[0].issuer = "broker-ca"; },
        expected: `${at}[0].issuer ("broker-ca") must be a map` },
    { name: "an issuer with both a CA Secret and a ClusterIssuer", change: (certificates) => { certificates[0].issuer = { caSecret: "broker-ca", clusterIssuer: "vault" }; },
        expected: `${at}[0].issuer ({"caSecret":"broker-ca","clusterIssuer":"vault"}) must set exactly one of caSecret (a CA Secret in the tier's namespace) or clusterIssuer` },
    { name: "an issuer with neither", change: (certificates) => { certificates[0].issuer = {}; },
        expected: `${at}[0].issuer ({}) must set exactly one of caSecret` },
    { name: "an issuer kind Groundwork does not know", change: (certificates) => { certificates[0].issuer = { vault: "pki" }; },
        expected: `${at}[0].issuer.vault is not a known key` },
    { name: "a CA Secret name that is no DNS label", change: (certificates) => { certificates[0].issuer = { caSecret: "Broker_CA" }; },
        expected: `${at}[0].issuer.caSecret ("Broker_CA") must be a lower-case RFC 1123 label` },
    { name: "the internal CA named as issuer", change: (certificates) => { certificates[0].issuer = { clusterIssuer: "internal-ca" }; },
        expected: `${at}[0].issuer.clusterIssuer ("internal-ca") is the internal CA, which signs when issuer is unset: remove issuer` },
    { name: "the self-signed issuer", change: (certificates) => { certificates[0].issuer = { clusterIssuer: "selfsigned" }; },
        expected: `${at}[0].issuer.clusterIssuer ("selfsigned") signs each certificate with its own key, so no peer's CA vouches for it: name the ClusterIssuer of the peer's CA, or use caSecret` },
    { name: "a public ACME issuer", change: (certificates) => { certificates[0].issuer = { clusterIssuer: "letsencrypt-production" }; },
        expected: `${at}[0].issuer.clusterIssuer ("letsencrypt-production") is a public ACME CA: it proves public hostnames only` },
    { name: "a Secret name the CA Secret has", change: (certificates) => { certificates[0].issuer = { caSecret: "broker-ca" }; certificates[0].secretName = "broker-ca"; },
        expected: `${at}[0].secretName ("broker-ca") is the CA Secret an issuer of this tier signs with: cert-manager would overwrite the CA` },
    { name: "two certificates writing one Secret", change: (certificates) => {
        certificates[0].secretName = "broker-tls";
        certificates.push({ ...brokerLink, name: "second", mountPath: "/etc/other", secretName: "broker-tls" });
    }, expected: `${at}[1].secretName ("broker-tls") writes the Secret broker-tls, which certificate "broker-client" writes too: set a secretName of its own` },
    { name: "a Secret name that defaults onto another's", change: (certificates) => {
        certificates[0].secretName = "executor-second-tls";
        certificates.push({ ...brokerLink, name: "second", mountPath: "/etc/other" });
    }, expected: `${at}[1].name ("second") writes the Secret executor-second-tls, which certificate "broker-client" writes too` },
    { name: "the public hosts' certificate Secret", change: (certificates, tier) => {
        certificates[0].secretName = "executor-tls";
        tier.public = { hosts: ["executor.example.com"] };
    }, expected: `${at}[0].secretName ("executor-tls") writes the Secret executor-tls, which holds the certificate of the tier's public hosts: choose another secretName` },
];

describe("tier certificates (mutual TLS)", function () {
    this.timeout(60000);

    describe("validation", () => {
        it("accepts a client certificate for service DNS names", () => {
            assert.deepEqual(problemsOf(withCertificates()), []);
        });

        for (const { name, change, expected } of badConfigs) {
            it(`rejects ${name}`, () => {
                const problems = problemsOf(withCertificates(change));
                assertProblem(problems, expected);
            });
        }
    });

    describe("under mocks", () => {
        let run: StackRun;
        before(async () => {
            run = await runStack("local", { config: withCertificates() });
        });

        it("requests the certificate from the internal CA for the configured names, with client auth by default", () => {
            const certificate = run.get(certificateType, "executor-certificates-broker-client").inputs as any;
            assert.deepEqual(certificate.metadata.name, "executor-broker-client");
            assert.equal(certificate.metadata.namespace, "executor");
            assert.deepEqual(certificate.spec.issuerRef, { group: "cert-manager.io", kind: "ClusterIssuer", name: "internal-ca" });
            assert.deepEqual(certificate.spec.dnsNames, brokerLink.dnsNames);
            assert.deepEqual(certificate.spec.usages, ["digital signature", "client auth"]);
            assert.equal(certificate.spec.secretName, "executor-broker-client-tls");
            assert.deepEqual(certificate.spec.privateKey, { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" });
        });

        it("mounts the certificate's Secret read-only at its path, readable by the pod's group only", () => {
            const pod = (run.get("kubernetes:apps/v1:Deployment", "executor-deployment").inputs as any).spec.template.spec;
            const volume = pod.volumes.find((candidate: any) => candidate.secret?.secretName === "executor-broker-client-tls");
            assert.ok(volume, "no volume holds the certificate's Secret");
            assert.equal(volume.secret.defaultMode, 0o440);
            assert.deepEqual(pod.containers[0].volumeMounts.filter((mount: any) => mount.name === volume.name), [{ name: volume.name, mountPath: "/etc/atb/tls", readOnly: true }]);
            assert.equal(pod.securityContext.fsGroup, pod.securityContext.runAsGroup);
        });

        it("issues after the internal CA's ClusterIssuer exists, and starts the tier after both", () => {
            const issuer = run.get("kubernetes:cert-manager.io/v1:ClusterIssuer", "addons-cert-manager-internal-ca");
            const certificate = run.get(certificateType, "executor-certificates-broker-client");
            assert.ok(waitsFor(certificate, issuer), `the Certificate must wait for the issuer: ${certificate.dependencies.join(", ")}`);
            const deployment = run.get("kubernetes:apps/v1:Deployment", "executor-deployment");
            assert.ok(waitsFor(deployment, certificate), "the Deployment must wait for the Certificate");
            assert.ok(waitsFor(deployment, issuer), "the Deployment must wait for the issuer");
        });

        it("gives no certificate to the tiers that declare none", () => {
            assert.deepEqual(run.ofType(certificateType).filter((resource) => resource.parentUrn.includes("TierCertificates")).map((resource) => resource.name),
                ["executor-certificates-broker-client"]);
            const backend = (run.get("kubernetes:apps/v1:Deployment", "backend-deployment").inputs as any).spec.template.spec;
            assert.ok(backend.volumes.every((volume: any) => volume.secret === undefined));
        });
    });

    it("issues from a CA the owner supplies: a CA Issuer per CA Secret, or a named ClusterIssuer, into the Secret named", async () => {
        const run = await runStack("local", { config: withCertificates((certificates) => {
            Object.assign(certificates[0], { issuer: { caSecret: "broker-ca" }, secretName: "broker-link-tls" });
            certificates.push({ ...brokerLink, name: "peer", mountPath: "/etc/peer", issuer: { caSecret: "broker-ca" } });
            certificates.push({ ...brokerLink, name: "vault", mountPath: "/etc/vault", issuer: { clusterIssuer: "vault-pki" } });
        }) });
        const issuers = run.ofType("kubernetes:cert-manager.io/v1:Issuer").map((resource) => resource.inputs as any);
        assert.deepEqual(issuers.map((issuer) => [issuer.metadata.namespace, issuer.metadata.name, issuer.spec]), [["executor", "broker-ca", { ca: { secretName: "broker-ca" } }]]);
        const spec = (certificate: string) => (run.get(certificateType, `executor-certificates-${certificate}`).inputs as any).spec;
        assert.deepEqual([spec("broker-client").issuerRef, spec("broker-client").secretName], [{ group: "cert-manager.io", kind: "Issuer", name: "broker-ca" }, "broker-link-tls"]);
        assert.deepEqual([spec("peer").issuerRef, spec("peer").secretName], [{ group: "cert-manager.io", kind: "Issuer", name: "broker-ca" }, "executor-peer-tls"]);
        assert.deepEqual(spec("vault").issuerRef, { group: "cert-manager.io", kind: "ClusterIssuer", name: "vault-pki" });
        const issuer = run.get("kubernetes:cert-manager.io/v1:Issuer", "executor-certificates-ca-broker-ca");
        assert.ok(waitsFor(run.get(certificateType, "executor-certificates-broker-client"), issuer), "the Certificate must wait for its Issuer");
        const pod = (run.get("kubernetes:apps/v1:Deployment", "executor-deployment").inputs as any).spec.template.spec;
        assert.ok(pod.volumes.some((volume: any) => volume.secret?.secretName === "broker-link-tls"), "the named Secret is not mounted");
    });

    it("issues each certificate with exactly its usages", async () => {
        const run = await runStack("local", { config: withCertificates((certificates) => { certificates[0].usages = ["digital signature", "key encipherment", "server auth", "client auth"]; }) });
        assert.deepEqual((run.get("kubernetes:cert-manager.io/v1:Certificate", "executor-certificates-broker-client").inputs as any).spec.usages,
            ["digital signature", "key encipherment", "server auth", "client auth"]);
    });
});
