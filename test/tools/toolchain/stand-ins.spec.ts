// @peculiar/x509 needs the Reflect metadata API before it loads (see tools/toolchain/stand-ins/tls.ts).
import "reflect-metadata";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { X509Certificate, createHash, createPrivateKey, createPublicKey } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    AuthorityKeyIdentifierExtension,
    BasicConstraintsExtension,
    ExtendedKeyUsageExtension,
    KeyUsageFlags,
    KeyUsagesExtension,
    Pkcs10CertificateRequest,
    SubjectAlternativeNameExtension,
    SubjectKeyIdentifierExtension,
    X509Certificate as PeculiarCertificate,
} from "@peculiar/x509";
import { deserializeProperties, isRpcSecret, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import bcrypt from "bcryptjs";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { PropertyMap, STAND_IN_VERSIONS, StandInProvider, isSecret, reveal, secret } from "../../../tools/toolchain/stand-ins/provider-base";
import {
    DEFAULT_SPECIAL_CHARACTERS,
    LOWER_CHARACTERS,
    NUMERIC_CHARACTERS,
    PasswordPolicy,
    RANDOM_PASSWORD_TYPE,
    RandomStandInProvider,
    UPPER_CHARACTERS,
    generatePassword,
} from "../../../tools/toolchain/stand-ins/random";
import { ALLOWED_USES, CERT_REQUEST_TYPE, PRIVATE_KEY_TYPE, SELF_SIGNED_CERT_TYPE, TlsStandInProvider } from "../../../tools/toolchain/stand-ins/tls";

const urnOf = (type: string) => `urn:pulumi:test::groundwork::${type}::example`;

/** check then create, as the engine does: the state (outputs as the engine gets them), its id, and the same revealed. */
async function deploy(provider: StandInProvider, type: string, inputs: PropertyMap) {
    const checked = await provider.check(urnOf(type), {}, inputs);
    assert.deepEqual(checked.failures, [], `${type} check failed`);
    const { id, outs } = await provider.create(urnOf(type), checked.inputs);
    return { id, state: outs as PropertyMap, outputs: reveal(outs) as Record<string, any> };
}

async function checkFailures(provider: StandInProvider, type: string, inputs: PropertyMap) {
    return (await provider.check(urnOf(type), {}, inputs)).failures ?? [];
}

/** What the engine receives for these properties: the provider server's Struct encoding, decoded the SDK's way. */
function overTheWire(properties: PropertyMap): Record<string, unknown> {
    return deserializeProperties(Struct.fromJavaScript(properties as Record<string, any>));
}

const random = new RandomStandInProvider();
const tls = new TlsStandInProvider();

describe("stand-in providers", () => {
    it("answer to the plugin versions the installed SDKs ask the engine for", () => {
        const sdkVersion = (name: string) => JSON.parse(fs.readFileSync(require.resolve(`@pulumi/${name}/package.json`), "utf8")).version;
        assert.deepEqual({ random: random.version, tls: tls.version }, { random: sdkVersion("random"), tls: sdkVersion("tls") });
        assert.deepEqual({ random: random.version, tls: tls.version }, STAND_IN_VERSIONS);
    });

    it("refuse resource types they do not implement, saying they are stand-ins", async () => {
        await assert.rejects(random.check(urnOf("random:index/randomString:RandomString"), {}, { length: 8 }), /stand-in random provider.*implements only random:index\/randomPassword:RandomPassword/);
        await assert.rejects(tls.create(urnOf("tls:index/locallySignedCert:LocallySignedCert"), {}), /stand-in tls provider.*not the real pulumi-resource-tls/);
    });

    it("tls loads its certificate library only to build a certificate, not to start or check", () => {
        const script = [
            `const { TlsStandInProvider, SELF_SIGNED_CERT_TYPE } = require(${JSON.stringify(path.resolve(__dirname, "../../../tools/toolchain/stand-ins/tls.ts"))});`,
            "const loaded = () => Object.keys(require.cache).some((file) => file.includes(`${require('node:path').sep}@peculiar${require('node:path').sep}x509${require('node:path').sep}`));",
            "const started = loaded();",
            "new TlsStandInProvider().check('urn:pulumi:test::groundwork::tls:index/selfSignedCert:SelfSignedCert::ca', {}, { privateKeyPem: 'x', validityPeriodHours: 1, allowedUses: ['cert_signing'], isCaCertificate: true, subject: {} })",
            "    .then((checked) => console.log(JSON.stringify({ started, checked: loaded(), failures: checked.failures.map((failure) => failure.property) })));",
        ].join("\n");
        const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: path.resolve(__dirname, "../../.."), encoding: "utf8" });
        assert.equal(run.status, 0, run.stderr);
        // The check still refuses a CA certificate without a subject (and the unusable key), without the library.
        assert.deepEqual(JSON.parse(run.stdout), { started: false, checked: false, failures: ["privateKeyPem", "subject"] });
    });
});

describe("stand-in RandomPassword", () => {
    const policy = (overrides: Partial<PasswordPolicy>): PasswordPolicy => ({
        length: 200,
        upper: true,
        lower: true,
        numeric: true,
        special: true,
        minUpper: 0,
        minLower: 0,
        minNumeric: 0,
        minSpecial: 0,
        ...overrides,
    });
    const classOf = (character: string) =>
        UPPER_CHARACTERS.includes(character) ? "upper" : LOWER_CHARACTERS.includes(character) ? "lower" : NUMERIC_CHARACTERS.includes(character) ? "numeric" : "special";
    const count = (password: string, characterClass: string) => Array.from(password).filter((character) => classOf(character) === characterClass).length;

    describe("draws only from the enabled classes, and from each of them", () => {
        const classes = ["upper", "lower", "numeric", "special"] as const;
        // Every combination with at least one class: 200 characters leave no real chance of missing an enabled one.
        for (let mask = 1; mask < 16; mask++) {
            const enabled = classes.filter((_, index) => mask & (1 << index));
            it(enabled.join(" + "), () => {
                const password = generatePassword(policy(Object.fromEntries(classes.map((name) => [name, enabled.includes(name)]))));
                assert.equal(password.length, 200);
                assert.deepEqual([...new Set(Array.from(password, classOf))].sort(), [...enabled].sort());
            });
        }
    });

    const minimumCases: { name: string; overrides: Partial<PasswordPolicy>; atLeast: Record<string, number> }[] = [
        { name: "every class at its minimum", overrides: { length: 12, minUpper: 3, minLower: 3, minNumeric: 3, minSpecial: 3 }, atLeast: { upper: 3, lower: 3, numeric: 3, special: 3 } },
        { name: "minimums that fill the whole length", overrides: { length: 6, minNumeric: 4, minSpecial: 2 }, atLeast: { numeric: 4, special: 2 } },
        // Upstream draws a minimum from its class even when the class is disabled; the rest never comes from it.
        { name: "a minimum of a disabled class", overrides: { length: 40, upper: false, minUpper: 5 }, atLeast: { upper: 5 } },
    ];
    for (const { name, overrides, atLeast } of minimumCases) {
        it(`meets the minimums: ${name}`, () => {
            for (let attempt = 0; attempt < 20; attempt++) {
                const password = generatePassword(policy(overrides));
                for (const [characterClass, minimum] of Object.entries(atLeast)) {
                    assert.ok(count(password, characterClass) >= minimum, `${password}: fewer than ${minimum} ${characterClass}`);
                }
                if (overrides.upper === false) {
                    assert.equal(count(password, "upper"), overrides.minUpper);
                }
            }
        });
    }

    it("draws special characters from overrideSpecial, counting a multi-byte character once", () => {
        const password = generatePassword(policy({ length: 50, upper: false, lower: false, numeric: false, overrideSpecial: "€_" }));
        assert.equal(Array.from(password).length, 50);
        assert.match(password, /^[€_]+$/);
        assert.ok(Array.from(generatePassword(policy({ upper: false, lower: false, numeric: false }))).every((character) => DEFAULT_SPECIAL_CHARACTERS.includes(character)));
    });

    for (const length of [1, 16, 100]) {
        it(`creates a password of length ${length} with a bcrypt hash of it, as secrets`, async () => {
            const { id, state, outputs } = await deploy(random, RANDOM_PASSWORD_TYPE, { length, special: false });
            assert.equal(id, "none");
            assert.equal(Array.from(outputs.result as string).length, length);
            assert.match(outputs.result, /^[A-Za-z0-9]+$/);
            // Go's bcrypt, which upstream uses: version 2a, cost 10.
            assert.match(outputs.bcryptHash, /^\$2a\$10\$/);
            assert.ok(bcrypt.compareSync(outputs.result, outputs.bcryptHash));
            const wire = overTheWire(state);
            assert.ok(isRpcSecret(wire.result) && isRpcSecret(wire.bcryptHash), "result and bcryptHash reach the engine as secrets");
            assert.ok(!isRpcSecret(wire.length) && !isRpcSecret(wire.special), "inputs stay plain");
        });
    }

    it("fills upstream's defaults in check, keeping number and numeric equal", async () => {
        const { inputs } = await random.check(urnOf(RANDOM_PASSWORD_TYPE), {}, { length: 8 });
        assert.deepEqual(inputs, { length: 8, upper: true, lower: true, numeric: true, number: true, special: true, minUpper: 0, minLower: 0, minNumeric: 0, minSpecial: 0 });
        const deprecated = await random.check(urnOf(RANDOM_PASSWORD_TYPE), {}, { length: 8, number: false });
        assert.equal(deprecated.inputs.numeric, false);
    });

    const failureCases: { name: string; inputs: PropertyMap; property: string; reason: RegExp }[] = [
        { name: "no length", inputs: {}, property: "length", reason: /required/ },
        { name: "a length of 0", inputs: { length: 0 }, property: "length", reason: /at least 1/ },
        { name: "a fractional length", inputs: { length: 8.5 }, property: "length", reason: /whole number/ },
        { name: "a length given as a string", inputs: { length: "8" }, property: "length", reason: /whole number/ },
        { name: "a negative minimum", inputs: { length: 8, minUpper: -1 }, property: "minUpper", reason: /at least 0/ },
        { name: "minimums summing past length", inputs: { length: 8, minUpper: 3, minNumeric: 3, minSpecial: 3 }, property: "length", reason: /less than .* = 9: raise length or lower the minimums/ },
        { name: "every class disabled", inputs: { length: 8, upper: false, lower: false, numeric: false, special: false }, property: "numeric", reason: /no characters to draw from/ },
        { name: "every class disabled, numeric through number", inputs: { length: 8, upper: false, lower: false, number: false, special: false }, property: "numeric", reason: /set at least one of them to true/ },
        { name: "number and numeric set apart", inputs: { length: 8, number: true, numeric: false }, property: "number", reason: /set only numeric/ },
        { name: "keepers that are not strings", inputs: { length: 8, keepers: { version: 2 } }, property: "keepers", reason: /map of strings/ },
    ];
    for (const { name, inputs, property, reason } of failureCases) {
        it(`check rejects ${name}`, async () => {
            const failures = await checkFailures(random, RANDOM_PASSWORD_TYPE, inputs);
            assert.deepEqual(failures.map((failure) => failure.property), [property]);
            assert.match(failures[0].reason, reason);
        });
    }

    it("check leaves values not known yet (a preview) for later", async () => {
        const { inputs, failures } = await random.check(urnOf(RANDOM_PASSWORD_TYPE), {}, { length: unknownValue, minUpper: 5, upper: false, lower: false, numeric: unknownValue, special: false });
        assert.deepEqual(failures, []);
        assert.equal(inputs.length, unknownValue);
        assert.equal(inputs.number, unknownValue, "number follows numeric, known or not");
    });

    it("accepts secret inputs", async () => {
        const { outputs, state } = await deploy(random, RANDOM_PASSWORD_TYPE, { length: secret(24), keepers: { rotation: secret("2024") } });
        assert.equal(outputs.result.length, 24);
        assert.ok(isSecret(state.length), "a secret input stays secret in the state");
    });

    describe("diff", () => {
        let state: PropertyMap;
        const base = { length: 16, keepers: { rotation: "1" } };
        before(async () => {
            ({ state } = await deploy(random, RANDOM_PASSWORD_TYPE, base));
        });
        const diffWith = async (inputs: PropertyMap) => random.diff("none", urnOf(RANDOM_PASSWORD_TYPE), state, (await random.check(urnOf(RANDOM_PASSWORD_TYPE), {}, inputs)).inputs);

        it("finds no change in the same inputs, secret or not", async () => {
            assert.deepEqual(await diffWith(base), { changes: false, replaces: [], deleteBeforeReplace: false });
            assert.equal((await diffWith({ length: secret(16), keepers: { rotation: secret("1") } })).changes, false);
        });

        const changes: { name: string; change: PropertyMap; replaces: string[] }[] = [
            { name: "another length", change: { length: 17 }, replaces: ["length"] },
            { name: "special turned off", change: { special: false }, replaces: ["special"] },
            { name: "upper turned off", change: { upper: false }, replaces: ["upper"] },
            { name: "lower turned off", change: { lower: false }, replaces: ["lower"] },
            { name: "numeric turned off (number follows)", change: { numeric: false }, replaces: ["number", "numeric"] },
            { name: "another minUpper", change: { minUpper: 1 }, replaces: ["minUpper"] },
            { name: "another minLower", change: { minLower: 1 }, replaces: ["minLower"] },
            { name: "another minNumeric", change: { minNumeric: 1 }, replaces: ["minNumeric"] },
            { name: "another minSpecial", change: { minSpecial: 1 }, replaces: ["minSpecial"] },
            { name: "an overrideSpecial", change: { overrideSpecial: "!" }, replaces: ["overrideSpecial"] },
            { name: "a changed keeper", change: { keepers: { rotation: "2" } }, replaces: ["keepers"] },
            { name: "an added keeper", change: { keepers: { rotation: "1", owner: "ops" } }, replaces: ["keepers"] },
            { name: "keepers removed", change: { keepers: undefined }, replaces: ["keepers"] },
            { name: "a length not known yet", change: { length: unknownValue }, replaces: ["length"] },
        ];
        for (const { name, change, replaces } of changes) {
            it(`replaces the password for ${name}`, async () => {
                assert.deepEqual(await diffWith({ ...base, ...change }), { changes: true, replaces, deleteBeforeReplace: false });
            });
        }

        it("has nothing to update in place", async () => {
            await assert.rejects(random.update("none", urnOf(RANDOM_PASSWORD_TYPE), state, { ...state, length: 17 }), /cannot change length in place/);
        });

        it("reads the state back unchanged, and deletes nothing", async () => {
            assert.deepEqual(await random.read("none", urnOf(RANDOM_PASSWORD_TYPE), state), { id: "none", props: state });
            await random.delete();
        });
    });
});

/** Reads SSH wire-format values (RFC 4251 section 5) one after the other. */
class SshReader {
    private offset = 0;
    constructor(private readonly data: Buffer) {}
    uint32(): number {
        this.offset += 4;
        return this.data.readUInt32BE(this.offset - 4);
    }
    string(): Buffer {
        const length = this.uint32();
        this.offset += length;
        return this.data.subarray(this.offset - length, this.offset);
    }
    rest(): Buffer {
        return this.data.subarray(this.offset);
    }
}

/** A field of an OpenSSH key: text, bytes, or an mpint (compared without its leading zeros). */
type SshField = string | Buffer | { mpint: Buffer };

const withoutLeadingZeros = (bytes: Buffer) => bytes.subarray(bytes.findIndex((byte) => byte !== 0));

/** Reads as many fields as `expected` has, each in the form of the expected one, for deepEqual. */
function readSshFields(reader: SshReader, expected: readonly SshField[]): SshField[] {
    return expected.map((field) => {
        const value = reader.string();
        return typeof field === "string" ? value.toString() : Buffer.isBuffer(field) ? value : { mpint: withoutLeadingZeros(value) };
    });
}

/** The fields OpenSSH's formats (RFC 4253, RFC 5656, RFC 8709, PROTOCOL.key) give a key, taken from its PEM. */
function expectedSshFields(keyType: string, sshType: string, privateKeyPem: string): { publicFields: SshField[]; privateFields: SshField[] } {
    const jwk = createPrivateKey(privateKeyPem).export({ format: "jwk" });
    const bytes = (name: "n" | "e" | "d" | "p" | "q" | "qi" | "x" | "y") => Buffer.from(jwk[name]!, "base64url");
    const mpint = (name: "n" | "e" | "d" | "p" | "q" | "qi") => ({ mpint: withoutLeadingZeros(bytes(name)) });
    if (keyType === "rsa") {
        return { publicFields: [sshType, mpint("e"), mpint("n")], privateFields: [sshType, mpint("n"), mpint("e"), mpint("d"), mpint("qi"), mpint("p"), mpint("q")] };
    }
    if (keyType === "ec") {
        const curve = sshType.replace("ecdsa-sha2-", "");
        const point = Buffer.concat([Buffer.from([4]), bytes("x"), bytes("y")]);
        return { publicFields: [sshType, curve, point], privateFields: [sshType, curve, point, mpint("d")] };
    }
    return { publicFields: [sshType, bytes("x")], privateFields: [sshType, bytes("x"), Buffer.concat([bytes("d"), bytes("x")])] };
}

/** OpenSSH's own tool reads what the stand-in writes; the tests that need it are skipped on machines without it. */
const hasSshKeygen = !spawnSync("ssh-keygen", ["-?"]).error;

/** Runs ssh-keygen in `dir` and returns all it printed. */
function sshKeygen(dir: string, args: string[], input?: string): string {
    const result = spawnSync("ssh-keygen", args, { cwd: dir, input, encoding: "utf8" });
    assert.equal(result.status, 0, `ssh-keygen ${args.join(" ")}: ${result.stderr}`);
    return result.stdout + result.stderr;
}

const keyCases = [
    { name: "RSA, 2048 bits by default", args: { algorithm: "RSA" }, keyType: "rsa", details: { modulusLength: 2048 }, pemLabel: "RSA PRIVATE KEY", sshType: "ssh-rsa" },
    { name: "RSA, 1024 bits", args: { algorithm: "RSA", rsaBits: 1024 }, keyType: "rsa", details: { modulusLength: 1024 }, pemLabel: "RSA PRIVATE KEY", sshType: "ssh-rsa" },
    // Upstream's default curve, which OpenSSH cannot encode: its OpenSSH outputs are empty.
    { name: "ECDSA, P224 by default", args: { algorithm: "ECDSA" }, keyType: "ec", details: { namedCurve: "secp224r1" }, pemLabel: "EC PRIVATE KEY", sshType: undefined },
    { name: "ECDSA P256", args: { algorithm: "ECDSA", ecdsaCurve: "P256" }, keyType: "ec", details: { namedCurve: "prime256v1" }, pemLabel: "EC PRIVATE KEY", sshType: "ecdsa-sha2-nistp256" },
    { name: "ECDSA P384", args: { algorithm: "ECDSA", ecdsaCurve: "P384" }, keyType: "ec", details: { namedCurve: "secp384r1" }, pemLabel: "EC PRIVATE KEY", sshType: "ecdsa-sha2-nistp384" },
    { name: "ECDSA P521", args: { algorithm: "ECDSA", ecdsaCurve: "P521" }, keyType: "ec", details: { namedCurve: "secp521r1" }, pemLabel: "EC PRIVATE KEY", sshType: "ecdsa-sha2-nistp521" },
    { name: "ED25519", args: { algorithm: "ED25519" }, keyType: "ed25519", details: {}, pemLabel: "PRIVATE KEY", sshType: "ssh-ed25519" },
];

/** The keys of keyCases, made once: certificate and CSR tests sign with them. */
const keys = new Map<string, Awaited<ReturnType<typeof deploy>>>();

describe("stand-in PrivateKey", () => {
    before(async () => {
        for (const { name, args } of keyCases) {
            keys.set(name, await deploy(tls, PRIVATE_KEY_TYPE, args));
        }
    });

    for (const { name, keyType, details, pemLabel, sshType } of keyCases) {
        describe(name, () => {
            it("is a key of that algorithm and size, in PEM, PKCS#8 and public PEM", () => {
                const { id, outputs } = keys.get(name)!;
                const key = createPrivateKey(outputs.privateKeyPem);
                assert.equal(key.asymmetricKeyType, keyType);
                assert.deepEqual({ ...key.asymmetricKeyDetails, ...details }, key.asymmetricKeyDetails);
                assert.ok(outputs.privateKeyPem.startsWith(`-----BEGIN ${pemLabel}-----\n`));
                assert.ok(outputs.privateKeyPemPkcs8.startsWith("-----BEGIN PRIVATE KEY-----\n"));
                const publicDer = createPublicKey(key).export({ type: "spki", format: "der" });
                assert.deepEqual(createPublicKey(outputs.privateKeyPemPkcs8).export({ type: "spki", format: "der" }), publicDer);
                assert.deepEqual(createPublicKey(outputs.publicKeyPem).export({ type: "spki", format: "der" }), publicDer);
                assert.equal(id, createHash("sha1").update(publicDer).digest("hex"), "upstream's id: SHA-1 of the public key");
            });

            it("returns the private key outputs as secrets, and only those", () => {
                const wire = overTheWire(keys.get(name)!.state);
                const secrets = Object.keys(wire).filter((property) => isRpcSecret(wire[property])).sort();
                assert.deepEqual(secrets, ["privateKeyOpenssh", "privateKeyPem", "privateKeyPemPkcs8"]);
            });

            if (!sshType) {
                it("has empty OpenSSH outputs, as upstream", () => {
                    const { outputs } = keys.get(name)!;
                    for (const output of ["privateKeyOpenssh", "publicKeyOpenssh", "publicKeyFingerprintMd5", "publicKeyFingerprintSha256"]) {
                        assert.equal(outputs[output], "", output);
                    }
                });
                return;
            }

            it(`has an OpenSSH ${sshType} public key of it, with its MD5 and SHA256 fingerprints`, () => {
                const { outputs } = keys.get(name)!;
                const match = new RegExp(`^${sshType} ([A-Za-z0-9+/]+=*)\\n$`).exec(outputs.publicKeyOpenssh);
                assert.ok(match, outputs.publicKeyOpenssh);
                const blob = Buffer.from(match[1], "base64");
                const { publicFields } = expectedSshFields(keyType, sshType, outputs.privateKeyPem);
                const reader = new SshReader(blob);
                assert.deepEqual(readSshFields(reader, publicFields), publicFields);
                assert.equal(reader.rest().length, 0);
                assert.equal(outputs.publicKeyFingerprintMd5, createHash("md5").update(blob).digest("hex").replace(/(..)(?!$)/g, "$1:"));
                assert.equal(outputs.publicKeyFingerprintSha256, `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`);
            });

            it("has an unencrypted openssh-key-v1 private key of it", () => {
                const { outputs } = keys.get(name)!;
                const match = /^-----BEGIN OPENSSH PRIVATE KEY-----\n([A-Za-z0-9+/=\n]+)-----END OPENSSH PRIVATE KEY-----\n$/.exec(outputs.privateKeyOpenssh);
                assert.ok(match, outputs.privateKeyOpenssh);
                const file = Buffer.from(match[1], "base64");
                assert.equal(file.subarray(0, 15).toString("latin1"), "openssh-key-v1\0");
                const reader = new SshReader(file.subarray(15));
                assert.deepEqual([reader.string(), reader.string(), reader.string()].map(String), ["none", "none", ""], "cipher, key derivation and its options");
                assert.equal(reader.uint32(), 1, "one key");
                assert.equal(reader.string().toString("base64"), outputs.publicKeyOpenssh.split(" ")[1].trim());
                const section = new SshReader(reader.string());
                assert.equal(section.uint32(), section.uint32(), "the two check integers are equal");
                const { privateFields } = expectedSshFields(keyType, sshType, outputs.privateKeyPem);
                assert.deepEqual(readSshFields(section, privateFields), privateFields);
                assert.equal(section.string().length, 0, "an empty comment");
                const padding = [...section.rest()];
                assert.deepEqual(padding, padding.map((_, index) => index + 1), "padding 1, 2, 3...");
                assert.equal(reader.rest().length, 0);
            });

            it("is an OpenSSH private key that ssh-keygen signs with, and the fingerprints are OpenSSH's", function () {
                if (!hasSshKeygen) {
                    this.skip();
                }
                const { outputs } = keys.get(name)!;
                const dir = fs.mkdtempSync(path.join(os.tmpdir(), "groundwork-stand-in-"));
                try {
                    fs.writeFileSync(path.join(dir, "id"), outputs.privateKeyOpenssh, { mode: 0o600 });
                    fs.writeFileSync(path.join(dir, "id.pub"), outputs.publicKeyOpenssh);
                    fs.writeFileSync(path.join(dir, "message"), "groundwork");
                    sshKeygen(dir, ["-Y", "sign", "-f", "id", "-n", "file", "message"]);
                    // The signature carries the key file's public half; it verifies only if the private half matches.
                    const verdict = sshKeygen(dir, ["-Y", "check-novalidate", "-n", "file", "-s", "message.sig"], "groundwork");
                    assert.ok(verdict.startsWith('Good "file" signature with ') && verdict.includes(` key ${outputs.publicKeyFingerprintSha256}\n`), verdict);
                    assert.ok(sshKeygen(dir, ["-l", "-E", "md5", "-f", "id.pub"]).includes(` MD5:${outputs.publicKeyFingerprintMd5} `));
                } finally {
                    fs.rmSync(dir, { recursive: true, force: true });
                }
            });
        });
    }

    const failureCases: { name: string; inputs: PropertyMap; property: string; reason: RegExp }[] = [
        { name: "no algorithm", inputs: {}, property: "algorithm", reason: /required/ },
        { name: "an unknown algorithm", inputs: { algorithm: "DSA" }, property: "algorithm", reason: /"DSA" is not supported: use one of RSA, ECDSA, ED25519/ },
        { name: "an unknown curve", inputs: { algorithm: "ECDSA", ecdsaCurve: "P192" }, property: "ecdsaCurve", reason: /use one of P224, P256, P384, P521/ },
        { name: "an RSA key under 1024 bits", inputs: { algorithm: "RSA", rsaBits: 512 }, property: "rsaBits", reason: /at least 1024 \(Go's crypto\/rsa/ },
    ];
    for (const { name, inputs, property, reason } of failureCases) {
        it(`check rejects ${name}`, async () => {
            const failures = await checkFailures(tls, PRIVATE_KEY_TYPE, inputs);
            assert.deepEqual(failures.map((failure) => failure.property), [property]);
            assert.match(failures[0].reason, reason);
        });
    }

    it("fills upstream's defaults in check", async () => {
        assert.deepEqual((await tls.check(urnOf(PRIVATE_KEY_TYPE), {}, { algorithm: "RSA" })).inputs, { algorithm: "RSA", rsaBits: 2048, ecdsaCurve: "P224" });
    });

    it("is replaced when any input changes", async () => {
        const { id, state } = keys.get("ECDSA P256")!;
        const diffWith = async (inputs: PropertyMap) => tls.diff(id, urnOf(PRIVATE_KEY_TYPE), state, (await tls.check(urnOf(PRIVATE_KEY_TYPE), {}, inputs)).inputs);
        assert.equal((await diffWith({ algorithm: "ECDSA", ecdsaCurve: "P256" })).changes, false);
        assert.deepEqual((await diffWith({ algorithm: "ECDSA", ecdsaCurve: "P384" })).replaces, ["ecdsaCurve"]);
        assert.deepEqual((await diffWith({ algorithm: "RSA", ecdsaCurve: "P256" })).replaces, ["algorithm"]);
        assert.deepEqual((await diffWith({ algorithm: "ECDSA", ecdsaCurve: "P256", rsaBits: 4096 })).replaces, ["rsaBits"]);
    });
});

const HOUR_MS = 3_600_000;

describe("stand-in SelfSignedCert", () => {
    const subject = {
        commonName: "internal-ca.example.com",
        organization: "Groundwork",
        organizationalUnit: "Platform",
        country: "DE",
        streetAddresses: ["1 Main Street", "Floor 2"],
        emailAddress: "platform@example.com",
    };
    const caInputs = (privateKeyPem: unknown) => ({
        privateKeyPem,
        subject,
        dnsNames: ["example.com", "*.example.com"],
        ipAddresses: ["10.0.0.1", "2001:db8::1"],
        uris: ["spiffe://example.com/ca"],
        allowedUses: ["cert_signing", "crl_signing", "digital_signature", "server_auth", "client_auth"],
        validityPeriodHours: 48,
        isCaCertificate: true,
        maxPathLength: 1,
        setAuthorityKeyId: true,
    });

    const signingKeys = [
        { keyName: "RSA, 2048 bits by default", keyAlgorithm: "RSA" },
        { keyName: "ECDSA, P224 by default", keyAlgorithm: "ECDSA" },
        { keyName: "ECDSA P256", keyAlgorithm: "ECDSA" },
        { keyName: "ED25519", keyAlgorithm: "ED25519" },
    ];
    for (const { keyName, keyAlgorithm } of signingKeys) {
        it(`creates the CA certificate asked for, signed by its own ${keyName} key`, async () => {
            const key = keys.get(keyName)!;
            const { id, outputs } = await deploy(tls, SELF_SIGNED_CERT_TYPE, caInputs(key.state.privateKeyPem));

            const certificate = new X509Certificate(outputs.certPem);
            assert.ok(certificate.verify(certificate.publicKey), "the signature verifies with the certificate's own key");
            assert.ok(certificate.checkIssued(certificate));
            assert.equal(certificate.ca, true);
            assert.deepEqual(certificate.publicKey.export({ type: "spki", format: "der" }), createPublicKey(key.outputs.publicKeyPem).export({ type: "spki", format: "der" }));
            assert.equal(certificate.subject, "C=DE\nstreet=1 Main Street + street=Floor 2\nO=Groundwork\nOU=Platform\nCN=internal-ca.example.com\nemailAddress=platform@example.com");
            assert.equal(certificate.subjectAltName, "DNS:example.com, DNS:*.example.com, IP Address:10.0.0.1, IP Address:2001:DB8:0:0:0:0:0:1, URI:spiffe://example.com/ca");
            assert.equal(new Date(certificate.validTo).getTime() - new Date(certificate.validFrom).getTime(), 48 * HOUR_MS);

            const parsed = new PeculiarCertificate(outputs.certPem);
            const basicConstraints = parsed.getExtension(BasicConstraintsExtension)!;
            assert.deepEqual({ ca: basicConstraints.ca, pathLength: basicConstraints.pathLength, critical: basicConstraints.critical }, { ca: true, pathLength: 1, critical: true });
            assert.equal(parsed.getExtension(KeyUsagesExtension)!.usages, KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign | KeyUsageFlags.digitalSignature);
            assert.deepEqual([...parsed.getExtension(ExtendedKeyUsageExtension)!.usages], ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
            const subjectKeyId = parsed.getExtension(SubjectKeyIdentifierExtension)!.keyId;
            assert.equal(parsed.getExtension(AuthorityKeyIdentifierExtension)!.keyId, subjectKeyId, "self-signed: the authority is the subject");
            assert.equal(parsed.getExtension(SubjectAlternativeNameExtension)!.critical, false);

            assert.equal(id, BigInt(`0x${certificate.serialNumber}`).toString(), "upstream's id: the serial number in decimal");
            assert.equal(outputs.keyAlgorithm, keyAlgorithm);
            assert.equal(outputs.validityStartTime, new Date(certificate.validFrom).toISOString().replace(".000Z", "Z"));
            assert.equal(outputs.validityEndTime, new Date(certificate.validTo).toISOString().replace(".000Z", "Z"));
            assert.equal(outputs.readyForRenewal, false);
        });
    }

    it("creates a leaf certificate with the usages asked for and a critical SAN when the subject is empty", async () => {
        const { outputs } = await deploy(tls, SELF_SIGNED_CERT_TYPE, {
            privateKeyPem: keys.get("ECDSA P256")!.outputs.privateKeyPem,
            dnsNames: ["app.example.com"],
            allowedUses: ["key_encipherment", "digital_signature", "server_auth"],
            validityPeriodHours: 1,
        });
        const parsed = new PeculiarCertificate(outputs.certPem);
        assert.ok(await parsed.verify({ signatureOnly: true }), "@peculiar/x509 verifies the signature too");
        assert.equal(parsed.getExtension(BasicConstraintsExtension)!.ca, false);
        assert.equal(parsed.getExtension(KeyUsagesExtension)!.usages, KeyUsageFlags.keyEncipherment | KeyUsageFlags.digitalSignature);
        assert.deepEqual([...parsed.getExtension(ExtendedKeyUsageExtension)!.usages], ["1.3.6.1.5.5.7.3.1"]);
        assert.equal(parsed.getExtension(SubjectKeyIdentifierExtension), null, "no subject key identifier unless asked");
        assert.equal(parsed.getExtension(SubjectAlternativeNameExtension)!.critical, true, "RFC 5280: the only names are critical");
        assert.equal(parsed.subject, "");
    });

    const renewalCases = [
        { name: "a validity period of 0 hours", inputs: { validityPeriodHours: 0 }, ready: true },
        { name: "an early renewal period as long as the validity", inputs: { validityPeriodHours: 24, earlyRenewalHours: 24 }, ready: true },
        { name: "an early renewal period shorter than the validity", inputs: { validityPeriodHours: 24, earlyRenewalHours: 23 }, ready: false },
    ];
    for (const { name, inputs, ready } of renewalCases) {
        it(`${ready ? "is" : "is not"} ready for renewal with ${name}`, async () => {
            const { outputs } = await deploy(tls, SELF_SIGNED_CERT_TYPE, { privateKeyPem: keys.get("ED25519")!.outputs.privateKeyPem, allowedUses: [], ...inputs });
            assert.equal(outputs.readyForRenewal, ready);
        });
    }

    it("takes a secret private key, returns it as a secret, and the certificate in plain", async () => {
        const { state } = await deploy(tls, SELF_SIGNED_CERT_TYPE, caInputs(secret(keys.get("ECDSA P256")!.outputs.privateKeyPem)));
        const wire = overTheWire(state);
        assert.deepEqual(Object.keys(wire).filter((property) => isRpcSecret(wire[property])), ["privateKeyPem"]);
        // The real provider's check marks privateKeyPem secret even when it comes in plain.
        const { inputs } = await tls.check(urnOf(SELF_SIGNED_CERT_TYPE), {}, caInputs(keys.get("ECDSA P256")!.outputs.privateKeyPem));
        assert.ok(isSecret(inputs.privateKeyPem));
    });

    const failureCases: { name: string; inputs: PropertyMap; property: string; reason: RegExp }[] = [
        { name: "an allowed use upstream does not know", inputs: { allowedUses: ["server_auth", "serverAuth"] }, property: "allowedUses[1]", reason: new RegExp(`"serverAuth" is not supported: use any of ${ALLOWED_USES.join(", ")}`) },
        { name: "a negative validity", inputs: { validityPeriodHours: -1 }, property: "validityPeriodHours", reason: /at least 0/ },
        { name: "a negative early renewal", inputs: { earlyRenewalHours: -1 }, property: "earlyRenewalHours", reason: /at least 0/ },
        { name: "a CA without a subject", inputs: { isCaCertificate: true }, property: "subject", reason: /at least one distinguished name/ },
        { name: "an authority key id without a subject key id", inputs: { setAuthorityKeyId: true }, property: "setAuthorityKeyId", reason: /set setSubjectKeyId/ },
        { name: "something that is not an IP address", inputs: { ipAddresses: ["10.0.0.256"] }, property: "ipAddresses[0]", reason: /not an IP address/ },
        { name: "an empty URI", inputs: { uris: [""] }, property: "uris[0]", reason: /must not be empty/ },
        { name: "a subject field that is not a string", inputs: { subject: { commonName: 7 } }, property: "subject.commonName", reason: /must be a string/ },
    ];
    for (const { name, inputs, property, reason } of failureCases) {
        it(`check rejects ${name}`, async () => {
            const valid = { privateKeyPem: keys.get("ECDSA P256")!.outputs.privateKeyPem, allowedUses: ["server_auth"], validityPeriodHours: 1 };
            const failures = await checkFailures(tls, SELF_SIGNED_CERT_TYPE, { ...valid, ...inputs });
            assert.deepEqual(failures.map((failure) => failure.property), [property]);
            assert.match(failures[0].reason, reason);
        });
    }

    it("check rejects a private key upstream could not use", async () => {
        const key = keys.get("ECDSA P256")!.outputs;
        const [failure] = await checkFailures(tls, SELF_SIGNED_CERT_TYPE, { privateKeyPem: key.publicKeyPem, allowedUses: [], validityPeriodHours: 1 });
        assert.deepEqual(failure, { property: "privateKeyPem", reason: "is not a private key upstream can use: must hold a PEM block of type RSA PRIVATE KEY, EC PRIVATE KEY, PRIVATE KEY; it holds a PUBLIC KEY" });
    });

    it("check requires the private key, the validity and the allowed uses, and waits for values not known yet", async () => {
        assert.deepEqual((await checkFailures(tls, SELF_SIGNED_CERT_TYPE, {})).map((failure) => failure.property), ["privateKeyPem", "validityPeriodHours", "allowedUses"]);
        assert.deepEqual(await checkFailures(tls, SELF_SIGNED_CERT_TYPE, { privateKeyPem: unknownValue, subject: unknownValue, isCaCertificate: true, allowedUses: [], validityPeriodHours: 1 }), []);
    });

    describe("diff and update", () => {
        let id: string;
        let state: PropertyMap;
        const inputs = () => ({ privateKeyPem: keys.get("ED25519")!.outputs.privateKeyPem, subject: { commonName: "a" }, allowedUses: ["server_auth"], validityPeriodHours: 24, earlyRenewalHours: 1 });
        before(async () => {
            ({ id, state } = await deploy(tls, SELF_SIGNED_CERT_TYPE, inputs()));
        });
        const diffWith = async (changes: PropertyMap) => tls.diff(id, urnOf(SELF_SIGNED_CERT_TYPE), state, (await tls.check(urnOf(SELF_SIGNED_CERT_TYPE), {}, { ...inputs(), ...changes })).inputs);

        it("finds no change in the same inputs", async () => {
            assert.equal((await diffWith({})).changes, false);
        });

        const replacing: PropertyMap[] = [
            { subject: { commonName: "b" } },
            { dnsNames: ["a.example.com"] },
            { ipAddresses: ["10.0.0.1"] },
            { uris: ["https://example.com"] },
            { allowedUses: ["client_auth"] },
            { validityPeriodHours: 25 },
            { isCaCertificate: true },
            { setSubjectKeyId: true },
            { setAuthorityKeyId: true, setSubjectKeyId: true },
            { maxPathLength: 1 },
        ];
        for (const change of replacing) {
            it(`replaces the certificate for a change of ${Object.keys(change).join(" and ")}`, async () => {
                assert.deepEqual((await diffWith(change)).replaces, Object.keys(change).sort());
            });
        }

        it("replaces the certificate for another private key", async () => {
            assert.deepEqual((await diffWith({ privateKeyPem: keys.get("ECDSA P256")!.outputs.privateKeyPem })).replaces, ["privateKeyPem"]);
        });

        it("updates earlyRenewalHours in place, as upstream, keeping the certificate", async () => {
            const news = (await tls.check(urnOf(SELF_SIGNED_CERT_TYPE), {}, { ...inputs(), earlyRenewalHours: 2 })).inputs;
            assert.deepEqual(await tls.diff(id, urnOf(SELF_SIGNED_CERT_TYPE), state, news), { changes: true, replaces: [], deleteBeforeReplace: false });
            const { outs } = await tls.update(id, urnOf(SELF_SIGNED_CERT_TYPE), state, news);
            assert.equal(outs.earlyRenewalHours, 2);
            assert.equal(outs.certPem, state.certPem);
            assert.equal(outs.readyForRenewal, false);
        });

        it("replaces a certificate that is due for renewal, and says so on read", async () => {
            assert.deepEqual((await diffWith({ earlyRenewalHours: 24 })).replaces, ["readyForRenewal"]);
            const { props } = await tls.read(id, urnOf(SELF_SIGNED_CERT_TYPE), { ...state, earlyRenewalHours: 24 });
            assert.equal(props.readyForRenewal, true);
            assert.deepEqual({ ...props, readyForRenewal: false, earlyRenewalHours: 1 }, state, "read changes nothing else");
        });
    });
});

describe("stand-in CertRequest", () => {
    for (const keyName of ["RSA, 2048 bits by default", "ECDSA P256", "ED25519"]) {
        it(`creates a CSR signed with a ${keyName} key, carrying the subject and alternative names`, async () => {
            const key = keys.get(keyName)!;
            const { id, state, outputs } = await deploy(tls, CERT_REQUEST_TYPE, {
                privateKeyPem: secret(key.outputs.privateKeyPem),
                subject: { commonName: "origin.example.com", organization: "Groundwork" },
                dnsNames: ["origin.example.com", "www.example.com"],
                ipAddresses: ["192.0.2.10"],
            });
            const request = new Pkcs10CertificateRequest(outputs.certRequestPem);
            assert.ok(await request.verify(), "the signature verifies");
            assert.equal(request.subject, "O=Groundwork, CN=origin.example.com");
            const alternativeNames = request.getExtension("2.5.29.17"); // subjectAltName
            assert.ok(alternativeNames instanceof SubjectAlternativeNameExtension);
            assert.deepEqual(alternativeNames.names.toJSON(), [
                { type: "dns", value: "origin.example.com" },
                { type: "dns", value: "www.example.com" },
                { type: "ip", value: "192.0.2.10" },
            ]);
            assert.deepEqual(createPublicKey({ key: Buffer.from(request.publicKey.rawData), format: "der", type: "spki" }).export({ type: "spki", format: "der" }), createPublicKey(key.outputs.publicKeyPem).export({ type: "spki", format: "der" }));
            assert.equal(id, createHash("sha1").update(Buffer.from(request.rawData)).digest("hex"), "upstream's id: SHA-1 of the request");
            assert.equal(outputs.keyAlgorithm, { "RSA, 2048 bits by default": "RSA", "ECDSA P256": "ECDSA", ED25519: "ED25519" }[keyName]);
            const wire = overTheWire(state);
            assert.deepEqual(Object.keys(wire).filter((property) => isRpcSecret(wire[property])), ["privateKeyPem"]);
        });
    }

    it("is replaced when any input changes", async () => {
        const inputs = { privateKeyPem: keys.get("ECDSA P256")!.outputs.privateKeyPem, subject: { commonName: "a" } };
        const { id, state } = await deploy(tls, CERT_REQUEST_TYPE, inputs);
        const diffWith = async (changes: PropertyMap) => tls.diff(id, urnOf(CERT_REQUEST_TYPE), state, (await tls.check(urnOf(CERT_REQUEST_TYPE), {}, { ...inputs, ...changes })).inputs);
        assert.equal((await diffWith({})).changes, false);
        for (const change of [{ subject: { commonName: "b" } }, { dnsNames: ["a"] }, { ipAddresses: ["::1"] }, { uris: ["urn:a"] }, { privateKeyPem: keys.get("ED25519")!.outputs.privateKeyPem }]) {
            assert.deepEqual((await diffWith(change)).replaces, Object.keys(change));
        }
    });

    it("check requires a private key it can use", async () => {
        assert.deepEqual((await checkFailures(tls, CERT_REQUEST_TYPE, {})).map((failure) => failure.property), ["privateKeyPem"]);
        const [failure] = await checkFailures(tls, CERT_REQUEST_TYPE, { privateKeyPem: "not a key" });
        assert.match(failure.reason, /must hold a PEM block of type RSA PRIVATE KEY, EC PRIVATE KEY, PRIVATE KEY; it holds none/);
    });
});
