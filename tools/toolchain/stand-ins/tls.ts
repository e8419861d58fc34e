/**
 * Groundwork's STAND-IN for the Pulumi tls provider plugin (resource-tls): not the real pulumi-resource-tls, which
 * cannot be built on our machines. It implements only PrivateKey, SelfSignedCert and CertRequest, the way the real
 * plugin's upstream, terraform-provider-tls, does: same inputs, defaults and validation, the same key, certificate
 * and OpenSSH formats, private keys as secrets, and replacement on any input change but SelfSignedCert's
 * earlyRenewalHours (which upstream updates in place).
 *
 * Keys come from node:crypto; certificates and CSRs are built by @peculiar/x509, signed through node:crypto.
 *
 * Run as a plugin (the toolchain's launcher does): node -r ts-node/register/transpile-only tls.ts [engine address]
 */
import { KeyObject, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, webcrypto } from "node:crypto";
import { createRequire } from "node:module";
import { isIP } from "node:net";
import * as provider from "@pulumi/pulumi/provider";
import type * as X509 from "@peculiar/x509";
import type { Extension, JsonAttributeObject, JsonGeneralName, JsonNameParams } from "@peculiar/x509";
import { CheckOutcome, InputValidator, PropertyMap, StandInProvider, StandInResource } from "./provider-base";

const load = createRequire(__filename);
let loadedX509: typeof X509 | undefined;

/**
 * @peculiar/x509, loaded when the first certificate or request is built: a preview only checks and diffs, and
 * loading it (with tsyringe and the ASN.1 schemas) costs about 0.12 s of CPU on every start of the plugin.
 */
function x509(): typeof X509 {
    if (loadedX509 === undefined) {
        // @peculiar/x509 resolves its parts through tsyringe, which needs the Reflect metadata API in place before it loads.
        load("reflect-metadata");
        const loaded = load("@peculiar/x509") as typeof X509;
        loaded.cryptoProvider.set(webcrypto);
        // The signature formatter splits an ECDSA signature into r and s by the curve's size, and knows no P-224.
        loaded.AsnEcSignatureFormatter.namedCurveSize.set("P-224", 28);
        loadedX509 = loaded;
    }
    return loadedX509;
}

export const PRIVATE_KEY_TYPE = "tls:index/privateKey:PrivateKey";
export const SELF_SIGNED_CERT_TYPE = "tls:index/selfSignedCert:SelfSignedCert";
export const CERT_REQUEST_TYPE = "tls:index/certRequest:CertRequest";

const ALGORITHMS = ["RSA", "ECDSA", "ED25519"] as const;
type Algorithm = (typeof ALGORITHMS)[number];

/**
 * Upstream's ECDSA curves: node's name for each, the name a KeyObject reports (OpenSSL's), the hash Go's x509 signs
 * with, and the OpenSSH name. P224 has none: golang.org/x/crypto/ssh cannot encode it, so upstream leaves its
 * OpenSSH outputs empty.
 */
const CURVES = {
    P224: { nodeName: "P-224", opensslName: "secp224r1", hash: "SHA-256", sshName: undefined },
    P256: { nodeName: "P-256", opensslName: "prime256v1", hash: "SHA-256", sshName: "nistp256" },
    P384: { nodeName: "P-384", opensslName: "secp384r1", hash: "SHA-384", sshName: "nistp384" },
    P521: { nodeName: "P-521", opensslName: "secp521r1", hash: "SHA-512", sshName: "nistp521" },
} as const;
type EcdsaCurve = keyof typeof CURVES;
const ECDSA_CURVES = Object.keys(CURVES) as EcdsaCurve[];

/** Go's crypto/rsa, which upstream is built with, refuses smaller keys (Go 1.24 and later). */
const MINIMUM_RSA_BITS = 1024;

/** Upstream's key usages, each by the name of its KeyUsageFlags bit. */
const KEY_USAGES: Readonly<Record<string, keyof typeof X509.KeyUsageFlags>> = {
    digital_signature: "digitalSignature",
    content_commitment: "nonRepudiation",
    key_encipherment: "keyEncipherment",
    data_encipherment: "dataEncipherment",
    key_agreement: "keyAgreement",
    cert_signing: "keyCertSign",
    crl_signing: "cRLSign",
    encipher_only: "encipherOnly",
    decipher_only: "decipherOnly",
};

const EXTENDED_KEY_USAGES: Readonly<Record<string, string>> = {
    any_extended: "2.5.29.37.0",
    server_auth: "1.3.6.1.5.5.7.3.1",
    client_auth: "1.3.6.1.5.5.7.3.2",
    code_signing: "1.3.6.1.5.5.7.3.3",
    email_protection: "1.3.6.1.5.5.7.3.4",
    ipsec_end_system: "1.3.6.1.5.5.7.3.5",
    ipsec_tunnel: "1.3.6.1.5.5.7.3.6",
    ipsec_user: "1.3.6.1.5.5.7.3.7",
    timestamping: "1.3.6.1.5.5.7.3.8",
    ocsp_signing: "1.3.6.1.5.5.7.3.9",
    microsoft_server_gated_crypto: "1.3.6.1.4.1.311.10.3.3",
    netscape_server_gated_crypto: "2.16.840.1.113730.4.1",
    microsoft_commercial_code_signing: "1.3.6.1.4.1.311.2.1.22",
    microsoft_kernel_code_signing: "1.3.6.1.4.1.311.61.1.1",
};

/** Upstream's allowedUses values, in its order (sorted). */
export const ALLOWED_USES = [...Object.keys(KEY_USAGES), ...Object.keys(EXTENDED_KEY_USAGES)].sort();

const EMAIL_ADDRESS_OID = "1.2.840.113549.1.9.1";

/** The subject's attributes in the order Go's pkix.Name writes them, which upstream's certificates follow. */
const SUBJECT_ATTRIBUTES = [
    { property: "country", oid: "2.5.4.6" },
    { property: "province", oid: "2.5.4.8" },
    { property: "locality", oid: "2.5.4.7" },
    { property: "streetAddresses", oid: "2.5.4.9" },
    { property: "postalCode", oid: "2.5.4.17" },
    { property: "organization", oid: "2.5.4.10" },
    { property: "organizationalUnit", oid: "2.5.4.11" },
    { property: "commonName", oid: "2.5.4.3" },
    { property: "serialNumber", oid: "2.5.4.5" },
    { property: "emailAddress", oid: EMAIL_ADDRESS_OID },
] as const;

/** The SDK's SelfSignedCertSubject and CertRequestSubject. */
interface CertificateSubject {
    commonName?: string;
    country?: string;
    emailAddress?: string;
    locality?: string;
    organization?: string;
    organizationalUnit?: string;
    postalCode?: string;
    province?: string;
    serialNumber?: string;
    streetAddresses?: string[];
}

interface PrivateKeyInputs {
    algorithm: Algorithm;
    rsaBits: number;
    ecdsaCurve: EcdsaCurve;
}

/** The SDK's CertRequestArgs. */
interface CertRequestInputs {
    privateKeyPem: string;
    subject?: CertificateSubject;
    dnsNames?: string[];
    ipAddresses?: string[];
    uris?: string[];
}

/** The SDK's SelfSignedCertArgs after check, with upstream's defaults. */
interface SelfSignedCertInputs extends CertRequestInputs {
    allowedUses: string[];
    validityPeriodHours: number;
    earlyRenewalHours: number;
    isCaCertificate: boolean;
    setSubjectKeyId: boolean;
    setAuthorityKeyId: boolean;
    maxPathLength?: number;
}

/** A private key of a kind upstream handles. */
interface KeyPair {
    privateKey: KeyObject;
    publicKey: KeyObject;
    algorithm: Algorithm;
    /** For ECDSA keys. */
    curve?: EcdsaCurve;
}

function keyPairOf(privateKey: KeyObject): KeyPair {
    const publicKey = createPublicKey(privateKey);
    switch (privateKey.asymmetricKeyType) {
        case "rsa":
            return { privateKey, publicKey, algorithm: "RSA" };
        case "ed25519":
            return { privateKey, publicKey, algorithm: "ED25519" };
        case "ec": {
            const opensslName = privateKey.asymmetricKeyDetails?.namedCurve;
            const curve = ECDSA_CURVES.find((name) => CURVES[name].opensslName === opensslName);
            if (curve) {
                return { privateKey, publicKey, algorithm: "ECDSA", curve };
            }
            throw new Error(`the ECDSA curve ${opensslName} is not supported: use one of ${ECDSA_CURVES.join(", ")}`);
        }
        default:
            throw new Error(`${privateKey.asymmetricKeyType} keys are not supported: use RSA, ECDSA or ED25519`);
    }
}

const PRIVATE_KEY_PEM_LABELS = ["RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY"];

/** Reads privateKeyPem as upstream does: an RSA, EC or PKCS#8 PEM block, as tls.PrivateKey's privateKeyPem and privateKeyPemPkcs8 are. */
function parsePrivateKeyPem(text: string): KeyPair {
    const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1];
    if (!label || !PRIVATE_KEY_PEM_LABELS.includes(label)) {
        throw new Error(`must hold a PEM block of type ${PRIVATE_KEY_PEM_LABELS.join(", ")}; it holds ${label ? `a ${label}` : "none"}`);
    }
    return keyPairOf(createPrivateKey(text));
}

/** PEM as Go's encoding/pem writes it, 64 columns and a final newline, which upstream's outputs keep. */
function pem(label: string, der: Uint8Array): string {
    const lines = Buffer.from(der).toString("base64").match(/.{1,64}/g) ?? [];
    return [`-----BEGIN ${label}-----`, ...lines, `-----END ${label}-----`, ""].join("\n");
}

function sha1Hex(data: Uint8Array): string {
    return createHash("sha1").update(data).digest("hex");
}

// OpenSSH keys are in the SSH wire format (RFC 4251 section 5), not ASN.1.

function sshUint32(value: number): Buffer {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(value);
    return bytes;
}

function sshString(data: Uint8Array | string): Buffer {
    const bytes = Buffer.from(data);
    return Buffer.concat([sshUint32(bytes.length), bytes]);
}

/** An unsigned big-endian integer as an mpint: without leading zeros, and with one zero byte when the top bit is set, so it stays positive. */
function sshMpint(magnitude: Buffer): Buffer {
    const firstDigit = magnitude.findIndex((byte) => byte !== 0);
    const digits = firstDigit === -1 ? Buffer.alloc(0) : magnitude.subarray(firstDigit);
    return sshString(digits.length > 0 && digits[0] & 0x80 ? Buffer.concat([Buffer.from([0]), digits]) : digits);
}

/** A key as OpenSSH encodes it (RFC 4253, RFC 5656, RFC 8709), field by field as golang.org/x/crypto/ssh does. */
interface SshKey {
    type: string;
    /** The public key blob of authorized_keys lines and fingerprints. */
    publicBlob: Buffer;
    /** The key's fields in an openssh-key-v1 private key, before the comment. */
    privateFields: Buffer;
}

/** The OpenSSH encoding of a key, or undefined for the one upstream cannot encode (ECDSA P224). */
function sshKeyOf(key: KeyPair): SshKey | undefined {
    const sshCurve = key.curve && CURVES[key.curve].sshName;
    if (key.algorithm === "ECDSA" && !sshCurve) {
        return undefined;
    }
    const jwk = key.privateKey.export({ format: "jwk" });
    const field = (name: "n" | "e" | "d" | "p" | "q" | "qi" | "x" | "y") => Buffer.from(jwk[name] ?? "", "base64url");
    switch (key.algorithm) {
        case "RSA":
            return {
                type: "ssh-rsa",
                publicBlob: Buffer.concat([sshString("ssh-rsa"), sshMpint(field("e")), sshMpint(field("n"))]),
                // The private fields list n before e, and the CRT coefficient before the primes.
                privateFields: Buffer.concat([sshString("ssh-rsa"), ...(["n", "e", "d", "qi", "p", "q"] as const).map((name) => sshMpint(field(name)))]),
            };
        case "ECDSA": {
            const type = `ecdsa-sha2-${sshCurve}`;
            const uncompressedPoint = Buffer.concat([Buffer.from([4]), field("x"), field("y")]);
            const publicBlob = Buffer.concat([sshString(type), sshString(sshCurve!), sshString(uncompressedPoint)]);
            return { type, publicBlob, privateFields: Buffer.concat([publicBlob, sshMpint(field("d"))]) };
        }
        case "ED25519": {
            const publicBlob = Buffer.concat([sshString("ssh-ed25519"), sshString(field("x"))]);
            // OpenSSH's Ed25519 private key is the 32-byte seed followed by the public key.
            return { type: "ssh-ed25519", publicBlob, privateFields: Buffer.concat([publicBlob, sshString(Buffer.concat([field("d"), field("x")]))]) };
        }
    }
}

/** The openssh-key-v1 format, unencrypted and with an empty comment, as golang.org/x/crypto/ssh.MarshalPrivateKey writes it. */
function openSshPrivateKeyPem(ssh: SshKey): string {
    const checkInt = randomBytes(4);
    const keys = Buffer.concat([checkInt, checkInt, ssh.privateFields, sshString("")]);
    const padding = Buffer.from(Array.from({ length: (8 - (keys.length % 8)) % 8 }, (_, index) => index + 1));
    const body = Buffer.concat([
        Buffer.from("openssh-key-v1\0"),
        sshString("none"), // cipher
        sshString("none"), // key derivation function
        sshString(""), // its options
        sshUint32(1), // one key
        sshString(ssh.publicBlob),
        sshString(Buffer.concat([keys, padding])),
    ]);
    return pem("OPENSSH PRIVATE KEY", body);
}

/** The public key outputs upstream computes for any key (its setPublicKeyAttributes), the OpenSSH ones empty for P224. */
function publicKeyOutputs(key: KeyPair): PropertyMap {
    const ssh = sshKeyOf(key);
    const md5 = ssh ? createHash("md5").update(ssh.publicBlob).digest("hex") : "";
    return {
        publicKeyPem: key.publicKey.export({ type: "spki", format: "pem" }).toString(),
        publicKeyOpenssh: ssh ? `${ssh.type} ${ssh.publicBlob.toString("base64")}\n` : "",
        publicKeyFingerprintMd5: md5.match(/../g)?.join(":") ?? "",
        publicKeyFingerprintSha256: ssh ? `SHA256:${createHash("sha256").update(ssh.publicBlob).digest("base64").replace(/=+$/, "")}` : "",
    };
}

function generateKeyPair({ algorithm, rsaBits, ecdsaCurve }: PrivateKeyInputs): KeyPair {
    switch (algorithm) {
        case "RSA":
            return keyPairOf(generateKeyPairSync("rsa", { modulusLength: rsaBits, publicExponent: 0x10001 }).privateKey);
        case "ECDSA":
            return keyPairOf(generateKeyPairSync("ec", { namedCurve: CURVES[ecdsaCurve].nodeName }).privateKey);
        case "ED25519":
            return keyPairOf(generateKeyPairSync("ed25519").privateKey);
    }
}

function checkPrivateKey(inputs: PropertyMap): CheckOutcome {
    const validator = new InputValidator(inputs);
    validator.require("algorithm");
    const algorithm = validator.string("algorithm", ALGORITHMS);
    validator.string("ecdsaCurve", ECDSA_CURVES);
    if (algorithm === "RSA") {
        validator.integer("rsaBits", MINIMUM_RSA_BITS, "Go's crypto/rsa, which the real provider is built with, refuses smaller keys");
    }
    return { defaults: { rsaBits: 2048, ecdsaCurve: "P224" }, failures: validator.failures };
}

const privateKey: StandInResource<PrivateKeyInputs> = {
    inputProperties: ["algorithm", "ecdsaCurve", "rsaBits"],
    secretProperties: ["privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh"],
    check: checkPrivateKey,
    async create(inputs) {
        const key = generateKeyPair(inputs);
        const ssh = sshKeyOf(key);
        // Upstream's privateKeyPem is PKCS#1 for RSA and SEC 1 for ECDSA; Ed25519 has only PKCS#8.
        const privateKeyPemType = { RSA: "pkcs1", ECDSA: "sec1", ED25519: "pkcs8" } as const;
        return {
            // Upstream's id: the SHA-1 of the public key's DER encoding.
            id: sha1Hex(key.publicKey.export({ type: "spki", format: "der" })),
            outputs: {
                privateKeyPem: key.privateKey.export({ type: privateKeyPemType[key.algorithm], format: "pem" }).toString(),
                privateKeyPemPkcs8: key.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
                privateKeyOpenssh: ssh ? openSshPrivateKeyPem(ssh) : "",
                ...publicKeyOutputs(key),
            },
        };
    },
};

/** How upstream's certificates and CSRs are signed with a key (Go's x509 defaults), named as @peculiar/x509 names algorithms. */
function signatureAlgorithm(key: KeyPair): { name: string; hash?: string; namedCurve?: string } {
    switch (key.algorithm) {
        case "RSA":
            return { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
        case "ECDSA":
            return { name: "ECDSA", namedCurve: CURVES[key.curve!].nodeName, hash: CURVES[key.curve!].hash };
        case "ED25519":
            return { name: "Ed25519" };
    }
}

/**
 * What @peculiar/x509's generators need to sign with a key. They sign through a WebCrypto provider, and WebCrypto has
 * no P-224, upstream's default curve; but they only ever call `subtle.exportKey("spki")` and `subtle.sign` with the
 * keys they are given, so this provider answers those two calls with node:crypto, which signs with any curve.
 */
function nodeSigner(key: KeyPair) {
    const algorithm = signatureAlgorithm(key);
    const spki = new Uint8Array(key.publicKey.export({ type: "spki", format: "der" }));
    // Opaque handles: the generators read their `algorithm` and hand them back to the provider below.
    const handle = (type: "public" | "private") => ({ algorithm, type, extractable: false, usages: [type === "private" ? "sign" : "verify"] }) as unknown as webcrypto.CryptoKey;
    const keys = { publicKey: handle("public"), privateKey: handle("private") };
    const digest = algorithm.hash?.replace("-", "").toLowerCase() ?? null;
    const subtle = {
        async exportKey(format: string, keyHandle: unknown): Promise<ArrayBuffer> {
            if (format !== "spki" || keyHandle !== keys.publicKey) {
                throw new Error(`the stand-in's signer exports only its public key as spki, not ${format}`);
            }
            return spki.slice().buffer;
        },
        // WebCrypto's ECDSA signatures are r and s side by side (IEEE P1363), which the generators convert to DER.
        async sign(_algorithm: unknown, _key: unknown, data: ArrayBuffer): Promise<ArrayBuffer> {
            return new Uint8Array(sign(digest, new Uint8Array(data), { key: key.privateKey, dsaEncoding: "ieee-p1363" })).buffer;
        },
    };
    return { algorithm, keys, spki, crypto: { subtle } as unknown as webcrypto.Crypto };
}

/** A directory string as Go's asn1 writes one: PrintableString when the characters allow, UTF8String otherwise. */
function directoryString(value: string): JsonAttributeObject {
    return x509().Name.isPrintableString(value) ? { printableString: value } : { utf8String: value };
}

/** The subject's non-empty values per attribute, in upstream's order (createSubjectDistinguishedNames). */
function subjectValues(subject: CertificateSubject | undefined): { oid: string; values: string[] }[] {
    return SUBJECT_ATTRIBUTES.flatMap(({ property, oid }) => {
        const values = [subject?.[property] ?? []].flat().filter((value) => value !== "");
        return values.length > 0 ? [{ oid, values }] : [];
    });
}

/** The subject's attributes as upstream builds them; empty values are left out. */
function subjectAttributes(subject: CertificateSubject | undefined): JsonNameParams {
    return subjectValues(subject).map(({ oid, values }) => ({
        [oid]: values.map((value) => (oid === EMAIL_ADDRESS_OID ? { ia5String: value } : directoryString(value))),
    }));
}

function subjectAlternativeNames({ dnsNames = [], ipAddresses = [], uris = [] }: CertRequestInputs): JsonGeneralName[] {
    return [
        ...dnsNames.map((value) => ({ type: "dns" as const, value })),
        ...ipAddresses.map((value) => ({ type: "ip" as const, value })),
        ...uris.map((value) => ({ type: "url" as const, value })),
    ];
}

const HOUR_MS = 3_600_000;

/** RFC 3339 in UTC, in whole seconds like the certificate's own validity. */
function rfc3339(date: Date): string {
    return date.toISOString().replace(/\.\d+Z$/, "Z");
}

/** Whether a certificate is in its early renewal window, or past its end: upstream then replaces it on the next update. */
function isReadyForRenewal(validityEndTime: Date, earlyRenewalHours: number, now = new Date()): boolean {
    return now.getTime() >= validityEndTime.getTime() - earlyRenewalHours * HOUR_MS;
}

/** Checks the inputs SelfSignedCert and CertRequest share; returns the subject, and whether all of it is known. */
function checkSharedCertificateInputs(validator: InputValidator): { subjectIsKnown: boolean; subject: CertificateSubject } {
    validator.require("privateKeyPem");
    const privateKeyPem = validator.string("privateKeyPem");
    if (privateKeyPem !== undefined) {
        try {
            parsePrivateKeyPem(privateKeyPem);
        } catch (error) {
            validator.fail("privateKeyPem", `is not a private key upstream can use: ${(error as Error).message}`);
        }
    }
    validator.stringList("dnsNames");
    validator.stringList("ipAddresses", undefined, (address) => {
        const version = isIP(address);
        if (version === 0) {
            return `${JSON.stringify(address)} is not an IP address`;
        }
        // The certificate library cannot read an IPv6 address with an IPv4 part; Go writes ::ffff:a.b.c.d as a.b.c.d anyway.
        return version === 6 && address.includes(".") ? `write ${JSON.stringify(address)} without the IPv4 part (::ffff:a.b.c.d as a.b.c.d)` : undefined;
    });
    validator.stringList("uris", undefined, (uri) => (uri === "" ? "must not be empty" : undefined));

    const subjectValidator = validator.object("subject");
    const subject = Object.fromEntries(
        SUBJECT_ATTRIBUTES.map(({ property }) => [property, property === "streetAddresses" ? subjectValidator?.stringList(property) : subjectValidator?.string(property)]),
    ) as CertificateSubject;
    return { subjectIsKnown: !validator.isUnknown("subject"), subject };
}

function checkSelfSignedCert(inputs: PropertyMap): CheckOutcome {
    const validator = new InputValidator(inputs);
    const { subjectIsKnown, subject } = checkSharedCertificateInputs(validator);
    validator.require("validityPeriodHours", "allowedUses");
    validator.integer("validityPeriodHours", 0);
    validator.integer("earlyRenewalHours", 0);
    validator.integer("maxPathLength", -1);
    validator.stringList("allowedUses", ALLOWED_USES);
    // Absent flags default to false; flags not known yet are left to the check before create.
    const flag = (name: string) => validator.boolean(name) ?? (validator.isUnknown(name) ? undefined : false);
    const [isCaCertificate, setSubjectKeyId, setAuthorityKeyId] = ["isCaCertificate", "setSubjectKeyId", "setAuthorityKeyId"].map(flag);

    // RFC 5280 section 4.1.2.6; upstream refuses to create such a certificate.
    if (isCaCertificate === true && subjectIsKnown && subjectValues(subject).length === 0) {
        validator.fail("subject", "must hold at least one distinguished name when isCaCertificate is true: set subject.commonName, for one");
    }
    // A self-signed certificate's authority key identifier is its own subject key identifier, which upstream sets
    // only for a CA or when asked to.
    if (setAuthorityKeyId === true && isCaCertificate === false && setSubjectKeyId === false) {
        validator.fail("setAuthorityKeyId", "needs a subject key identifier to copy: set setSubjectKeyId (or isCaCertificate) to true as well");
    }
    return {
        defaults: { earlyRenewalHours: 0, isCaCertificate: false, setSubjectKeyId: false, setAuthorityKeyId: false },
        failures: validator.failures,
    };
}

async function certificateExtensions(inputs: SelfSignedCertInputs, spki: Uint8Array, subjectIsEmpty: boolean): Promise<Extension[]> {
    const { allowedUses, isCaCertificate, maxPathLength } = inputs;
    const { AuthorityKeyIdentifierExtension, BasicConstraintsExtension, ExtendedKeyUsageExtension, KeyUsageFlags, KeyUsagesExtension, SubjectAlternativeNameExtension, SubjectKeyIdentifierExtension } = x509();
    const keyUsages = allowedUses.reduce((flags, use) => flags | (use in KEY_USAGES ? KeyUsageFlags[KEY_USAGES[use]] : 0), 0);
    const extendedKeyUsages = allowedUses.flatMap((use) => EXTENDED_KEY_USAGES[use] ?? []);
    const subjectKeyIdentifier =
        isCaCertificate || inputs.setSubjectKeyId ? await SubjectKeyIdentifierExtension.create(spki) : undefined;
    const alternativeNames = subjectAlternativeNames(inputs);
    // In the order, and with the criticality, Go's x509 gives them.
    return [
        ...(keyUsages ? [new KeyUsagesExtension(keyUsages, true)] : []),
        ...(extendedKeyUsages.length > 0 ? [new ExtendedKeyUsageExtension(extendedKeyUsages)] : []),
        // Upstream documents maxPathLength as ignored unless the certificate is a CA; Go leaves out a path length of 0.
        new BasicConstraintsExtension(isCaCertificate, isCaCertificate && maxPathLength && maxPathLength > 0 ? maxPathLength : undefined, true),
        ...(subjectKeyIdentifier ? [subjectKeyIdentifier] : []),
        ...(inputs.setAuthorityKeyId && subjectKeyIdentifier ? [new AuthorityKeyIdentifierExtension(subjectKeyIdentifier.keyId)] : []),
        // RFC 5280 section 4.2.1.6: the alternative names are critical when they are the only names.
        ...(alternativeNames.length > 0 ? [new SubjectAlternativeNameExtension(alternativeNames, subjectIsEmpty)] : []),
    ];
}

function renewalOutputs(state: PropertyMap): PropertyMap {
    const { validityEndTime, earlyRenewalHours } = state;
    return typeof validityEndTime === "string" && typeof earlyRenewalHours === "number"
        ? { readyForRenewal: isReadyForRenewal(new Date(validityEndTime), earlyRenewalHours) }
        : {};
}

const selfSignedCert: StandInResource<SelfSignedCertInputs> = {
    inputProperties: [
        "allowedUses",
        "dnsNames",
        "earlyRenewalHours",
        "ipAddresses",
        "isCaCertificate",
        "maxPathLength",
        "privateKeyPem",
        "setAuthorityKeyId",
        "setSubjectKeyId",
        "subject",
        "uris",
        "validityPeriodHours",
    ],
    // Upstream changes only when the certificate counts as due for renewal; the certificate stays as it is.
    updatableInputs: ["earlyRenewalHours"],
    secretProperties: ["privateKeyPem"],
    check: checkSelfSignedCert,
    async create(inputs) {
        const key = parsePrivateKeyPem(inputs.privateKeyPem);
        const signer = nodeSigner(key);
        const attributes = subjectAttributes(inputs.subject);
        const { Name, X509CertificateGenerator } = x509();
        const subject = new Name(attributes);
        // Whole seconds: a certificate holds no finer time, and validityStartTime should say what it holds.
        const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000);
        const notAfter = new Date(notBefore.getTime() + inputs.validityPeriodHours * HOUR_MS);
        const certificate = await X509CertificateGenerator.create(
            {
                // Upstream's serial: 128 random bits.
                serialNumber: randomBytes(16).toString("hex"),
                subject,
                issuer: subject,
                notBefore,
                notAfter,
                publicKey: signer.spki,
                signingKey: signer.keys.privateKey,
                signingAlgorithm: signer.algorithm,
                extensions: await certificateExtensions(inputs, signer.spki, attributes.length === 0),
            },
            signer.crypto,
        );
        return {
            // Upstream's id: the serial number in decimal.
            id: BigInt(`0x${certificate.serialNumber}`).toString(),
            outputs: {
                certPem: pem("CERTIFICATE", new Uint8Array(certificate.rawData)),
                keyAlgorithm: key.algorithm,
                validityStartTime: rfc3339(notBefore),
                validityEndTime: rfc3339(notAfter),
                readyForRenewal: isReadyForRenewal(notAfter, inputs.earlyRenewalHours),
            },
        };
    },
    timeDependentOutputs: renewalOutputs,
    replacementTriggers(state, inputs) {
        return renewalOutputs({ ...state, earlyRenewalHours: inputs.earlyRenewalHours }).readyForRenewal ? ["readyForRenewal"] : [];
    },
};

function checkCertRequest(inputs: PropertyMap): CheckOutcome {
    const validator = new InputValidator(inputs);
    checkSharedCertificateInputs(validator);
    return { defaults: {}, failures: validator.failures };
}

const certRequest: StandInResource<CertRequestInputs> = {
    inputProperties: ["dnsNames", "ipAddresses", "privateKeyPem", "subject", "uris"],
    secretProperties: ["privateKeyPem"],
    check: checkCertRequest,
    async create(inputs) {
        const key = parsePrivateKeyPem(inputs.privateKeyPem);
        const signer = nodeSigner(key);
        const alternativeNames = subjectAlternativeNames(inputs);
        const { Name, Pkcs10CertificateRequestGenerator, SubjectAlternativeNameExtension } = x509();
        const request = await Pkcs10CertificateRequestGenerator.create(
            {
                name: new Name(subjectAttributes(inputs.subject)),
                // Go's x509 asks for the alternative names as a non-critical extension, whatever the subject.
                extensions: alternativeNames.length > 0 ? [new SubjectAlternativeNameExtension(alternativeNames)] : [],
                signingAlgorithm: signer.algorithm,
                keys: signer.keys,
            },
            signer.crypto,
        );
        const der = new Uint8Array(request.rawData);
        // Upstream's id: the SHA-1 of the request's DER encoding.
        return { id: sha1Hex(der), outputs: { certRequestPem: pem("CERTIFICATE REQUEST", der), keyAlgorithm: key.algorithm } };
    },
};

/** The stand-in tls provider: PrivateKey, SelfSignedCert and CertRequest only. */
export class TlsStandInProvider extends StandInProvider {
    constructor() {
        super("tls", { [PRIVATE_KEY_TYPE]: privateKey, [SELF_SIGNED_CERT_TYPE]: selfSignedCert, [CERT_REQUEST_TYPE]: certRequest });
    }
}

if (require.main === module) {
    provider.main(new TlsStandInProvider(), process.argv.slice(2));
}
