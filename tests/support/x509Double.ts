import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { webcrypto } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/**
 * A test double for the TLS provider that issues real X.509 certificates from the arguments the program
 * passes, honouring the CA flag, path length, key usages, validity, subject and subject key id, so that real
 * tooling (openssl) can check the chain the program designs.
 */
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
const crypto = webcrypto;
x509.cryptoProvider.set(crypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const rsa = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]) };

/** Secret inputs reach mocks wrapped; the double needs the value. */
function plain<T>(value: unknown): T {
    const record = value as Record<string, unknown> | null;
    if (record && typeof record === "object" && record[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) return record.value as T;
    return value as T;
}

export interface CaSpec {
    readonly subject: string;
    readonly isCa: boolean;
    readonly pathLength?: number;
    readonly usages: readonly string[];
    readonly validityHours: number;
    readonly subjectKeyId: boolean;
}

const usageFlags: Record<string, x509.KeyUsageFlags> = {
    cert_signing: x509.KeyUsageFlags.keyCertSign,
    crl_signing: x509.KeyUsageFlags.cRLSign,
    digital_signature: x509.KeyUsageFlags.digitalSignature,
    key_encipherment: x509.KeyUsageFlags.keyEncipherment,
};

export class X509Double {
    private readonly keys = new Map<string, CryptoKeyPair>();
    private readonly requests = new Map<string, { keyPem: string; subject: string }>();
    private serial = 1;
    /** Every resource's inputs with secrets unwrapped, by resource name: what the cluster would receive. */
    public readonly inputsByName = new Map<string, Record<string, unknown>>();

    async newKey(bits = 2048): Promise<{ pem: string; keys: CryptoKeyPair }> {
        const keys = (await crypto.subtle.generateKey({ ...rsa, modulusLength: bits }, true, ["sign", "verify"])) as CryptoKeyPair;
        const der = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
        const pem = x509.PemConverter.encode(der, "PRIVATE KEY");
        this.keys.set(pem, keys);
        return { pem, keys };
    }

    private extensions(spec: CaSpec, publicKey: CryptoKey) {
        const flags = spec.usages.reduce((all, u) => all | (usageFlags[u] ?? 0), 0);
        return Promise.all([
            new x509.BasicConstraintsExtension(spec.isCa, spec.pathLength, true),
            new x509.KeyUsagesExtension(flags, true),
            ...(spec.subjectKeyId ? [x509.SubjectKeyIdentifierExtension.create(publicKey)] : []),
        ]);
    }

    async selfSigned(keyPem: string, spec: CaSpec): Promise<string> {
        const keys = this.keyFor(keyPem);
        const now = Date.now();
        const cert = await x509.X509CertificateGenerator.createSelfSigned({
            serialNumber: (this.serial++).toString(16).padStart(2, "0"),
            name: spec.subject,
            notBefore: new Date(now - 60_000),
            notAfter: new Date(now + spec.validityHours * 3_600_000),
            keys,
            signingAlgorithm: rsa,
            extensions: await this.extensions(spec, keys.publicKey),
        });
        return cert.toString("pem") + "\n";
    }

    async signed(subjectKeyPem: string, issuerCertPem: string, issuerKeyPem: string, spec: CaSpec): Promise<string> {
        const subjectKeys = this.keyFor(subjectKeyPem);
        const issuer = new x509.X509Certificate(issuerCertPem);
        const now = Date.now();
        const cert = await x509.X509CertificateGenerator.create({
            serialNumber: (this.serial++).toString(16).padStart(2, "0"),
            subject: spec.subject,
            issuer: issuer.subject,
            notBefore: new Date(now - 60_000),
            notAfter: new Date(now + spec.validityHours * 3_600_000),
            publicKey: subjectKeys.publicKey,
            signingKey: this.keyFor(issuerKeyPem).privateKey,
            signingAlgorithm: rsa,
            extensions: [...(await this.extensions(spec, subjectKeys.publicKey)), await x509.AuthorityKeyIdentifierExtension.create(issuer)],
        });
        return cert.toString("pem") + "\n";
    }

    private keyFor(pem: string): CryptoKeyPair {
        const keys = this.keys.get(pem);
        if (!keys) throw new Error("X509Double: unknown key");
        return keys;
    }

    /** The mock engine's view of a provider: outputs for the TLS resources, inputs kept for every resource. */
    readonly computed = async ({ type, name, inputs }: { type: string; name: string; inputs: Record<string, unknown> }): Promise<Record<string, unknown>> => {
        const unwrapped = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, plain(v)]));
        if (unwrapped.stringData) unwrapped.stringData = Object.fromEntries(Object.entries(plain<Record<string, unknown>>(unwrapped.stringData)).map(([k, v]) => [k, plain(v)]));
        this.inputsByName.set(name, unwrapped);
        const spec = (subject: unknown): CaSpec => ({
            subject: `CN=${(plain<{ commonName: string }>(subject)).commonName}`,
            isCa: unwrapped.isCaCertificate === true,
            // As the real tls provider: a path length of 0 (or none) issues no pathlen at all, since it never sets Go's MaxPathLenZero.
            ...(typeof unwrapped.maxPathLength === "number" && unwrapped.maxPathLength > 0 ? { pathLength: unwrapped.maxPathLength } : {}),
            usages: unwrapped.allowedUses as string[],
            validityHours: unwrapped.validityPeriodHours as number,
            subjectKeyId: unwrapped.setSubjectKeyId === true,
        });
        switch (type) {
            case "tls:index/privateKey:PrivateKey": {
                const { pem } = await this.newKey((unwrapped.rsaBits as number) ?? 2048);
                return { privateKeyPem: pem };
            }
            case "tls:index/selfSignedCert:SelfSignedCert":
                return { certPem: await this.selfSigned(unwrapped.privateKeyPem as string, spec(unwrapped.subject)) };
            case "tls:index/certRequest:CertRequest": {
                const token = `CSR ${name}`;
                this.requests.set(token, { keyPem: unwrapped.privateKeyPem as string, subject: (plain<{ commonName: string }>(unwrapped.subject)).commonName });
                return { certRequestPem: token };
            }
            case "tls:index/locallySignedCert:LocallySignedCert": {
                const request = this.requests.get(unwrapped.certRequestPem as string);
                if (!request) throw new Error(`X509Double: unknown CSR for ${name}`);
                const certSpec = spec({ commonName: request.subject });
                return { certPem: await this.signed(request.keyPem, unwrapped.caCertPem as string, unwrapped.caPrivateKeyPem as string, certSpec) };
            }
        }
        if (type.endsWith(":Gateway")) return { status: { addresses: [{ type: "IPAddress", value: "192.0.2.1" }] } };
        return {};
    };
}
