import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { webcrypto } from "node:crypto";

/**
 * Real CAs for verify's tests: ECDSA P-256 (fast to generate), with the basicConstraints path length asked
 * for (0 included, which the tls provider cannot issue but a hand-made CA can) and any validity window.
 */
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const ecdsa = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };

export interface TestCa {
    readonly subject: string;
    readonly certPem: string;
    readonly keyPem: string;
    readonly keys: webcrypto.CryptoKeyPair;
}

export interface CaOptions {
    /** Common name. */
    readonly name: string;
    /** basicConstraints pathlen; undefined: none. */
    readonly pathLength?: number;
    /** Signed by this CA; undefined: self-signed (a root). */
    readonly issuer?: TestCa;
    /** Days from now the certificate expires. Default: 365. */
    readonly validDays?: number;
    /** No extensions at all, as the guide's root (`openssl req -x509` with only req_extensions). Default: false. */
    readonly bare?: boolean;
}

let serial = 1;

export async function makeCa(options: CaOptions): Promise<TestCa> {
    const keys = (await webcrypto.subtle.generateKey(ecdsa, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
    const now = Date.now();
    const subject = `CN=${options.name}`;
    const extensions = options.bare ? [] : [
        new x509.BasicConstraintsExtension(true, options.pathLength, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ];
    const common = {
        serialNumber: (serial++).toString(16).padStart(2, "0"),
        notBefore: new Date(now - 60_000),
        notAfter: new Date(now + (options.validDays ?? 365) * 86_400_000),
        signingAlgorithm: ecdsa,
    };
    const cert = options.issuer
        ? await x509.X509CertificateGenerator.create({
              ...common,
              subject,
              issuer: options.issuer.subject,
              publicKey: keys.publicKey,
              signingKey: options.issuer.keys.privateKey,
              extensions: [...extensions, await x509.AuthorityKeyIdentifierExtension.create(new x509.X509Certificate(options.issuer.certPem))],
          })
        : await x509.X509CertificateGenerator.createSelfSigned({ ...common, name: subject, keys, extensions });
    const keyPem = x509.PemConverter.encode(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey), "PRIVATE KEY");
    return { subject, certPem: cert.toString("pem") + "\n", keyPem, keys };
}
