/**
 * What verify needs of X.509, with node's crypto only: PEM splitting, issuer checks, the basicConstraints path
 * length (node exposes `ca` but not pathLenConstraint, so the extension is read from the DER), key matching.
 */
import { createPrivateKey, createPublicKey, X509Certificate } from "crypto";

/** Every certificate of a PEM bundle, in order. */
export function parseCertificates(pem: string): X509Certificate[] {
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    return blocks.map((block) => new X509Certificate(block));
}

/** True when `issuer` signed `cert`: names match and the signature verifies with the issuer's key. */
export function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

/** A short name for messages: the subject's CN (or the whole subject). */
export function subjectName(cert: X509Certificate): string {
    const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1];
    return JSON.stringify(cn ?? cert.subject.replace(/\n/g, ", "));
}

export function fingerprint(cert: X509Certificate): string {
    return cert.fingerprint256.replace(/:/g, "").toLowerCase();
}

/** basicConstraints: `ca` and the path length; pathLength undefined = no constraint. */
export interface BasicConstraints {
    readonly ca: boolean;
    readonly pathLength?: number;
}

const basicConstraintsOid = "551d13"; // 2.5.29.19, DER-encoded

/** Reads basicConstraints from the certificate's DER; undefined when the extension is absent. */
export function basicConstraints(cert: X509Certificate): BasicConstraints | undefined {
    const certificate = children(cert.raw)[0]; // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }
    const tbs = children(children(certificate.content)[0].content);
    const extensionsField = tbs.find((field) => field.tag === 0xa3); // [3] EXPLICIT Extensions
    if (!extensionsField) return undefined;
    for (const extension of children(children(extensionsField.content)[0].content)) {
        const [oid, ...rest] = children(extension.content);
        if (oid.tag !== 0x06 || oid.content.toString("hex") !== basicConstraintsOid) continue;
        const value = rest[rest.length - 1]; // OCTET STRING (after the optional `critical` BOOLEAN)
        const fields = children(children(value.content)[0].content);
        let ca = false;
        let pathLength: number | undefined;
        for (const field of fields) {
            if (field.tag === 0x01) ca = field.content[0] !== 0;
            if (field.tag === 0x02) pathLength = field.content.reduce((n, byte) => n * 256 + byte, 0);
        }
        return { ca, ...(pathLength !== undefined ? { pathLength } : {}) };
    }
    return undefined;
}

/** True when the private key (PEM) is the key of `cert`; never returns or logs the key. */
export function keyMatches(privateKeyPem: string, cert: X509Certificate): boolean {
    const fromKey = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: "spki", format: "der" });
    return fromKey.equals(cert.publicKey.export({ type: "spki", format: "der" }));
}

interface Tlv {
    readonly tag: number;
    readonly content: Buffer;
}

/** The DER elements directly inside `buffer`. */
function children(buffer: Buffer): Tlv[] {
    const out: Tlv[] = [];
    let at = 0;
    while (at < buffer.length) {
        const tag = buffer[at];
        let length = buffer[at + 1];
        let header = 2;
        if (length & 0x80) {
            const bytes = length & 0x7f;
            length = 0;
            for (let i = 0; i < bytes; i++) length = length * 256 + buffer[at + 2 + i];
            header += bytes;
        }
        out.push({ tag, content: buffer.subarray(at + header, at + header + length) });
        at += header + length;
    }
    return out;
}
