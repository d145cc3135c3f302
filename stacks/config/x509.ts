import { createPublicKey, KeyObject, X509Certificate } from "node:crypto";

/**
 * What the CA checks need from a certificate that node's X509Certificate does not say: the basicConstraints
 * path length and the keyUsage bits (its `keyUsage` is the extended key usage). Read from the DER with a
 * minimal TLV walk: Certificate → tbsCertificate → [3] extensions.
 */
interface Tlv {
    readonly tag: number;
    readonly start: number;
    readonly end: number;
}

function readTlv(der: Buffer, pos: number): Tlv {
    const tag = der[pos];
    let length = der[pos + 1];
    let start = pos + 2;
    if (length & 0x80) {
        const bytes = length & 0x7f;
        length = 0;
        for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i];
        start += bytes;
    }
    return { tag, start, end: start + length };
}

function children(der: Buffer, parent: Tlv): Tlv[] {
    const out: Tlv[] = [];
    for (let pos = parent.start; pos < parent.end; ) {
        const child = readTlv(der, pos);
        out.push(child);
        pos = child.end;
    }
    return out;
}

const oidBasicConstraints = "551d13";
const oidKeyUsage = "551d0f";
const keyCertSignBit = 0x04; // bit 5 of the first keyUsage byte

/** The extension values by OID (hex of the OID's content bytes), each the content of its OCTET STRING. */
function extensions(der: Buffer): Map<string, Buffer> {
    const found = new Map<string, Buffer>();
    const tbs = children(der, readTlv(der, 0))[0];
    const explicit = children(der, tbs).find((t) => t.tag === 0xa3);
    if (!explicit) return found;
    for (const extension of children(der, children(der, explicit)[0])) {
        const parts = children(der, extension);
        const value = parts[parts.length - 1];
        found.set(der.subarray(parts[0].start, parts[0].end).toString("hex"), der.subarray(value.start, value.end));
    }
    return found;
}

/** X.509 version 1 (no extensions at all): tbsCertificate has no [0] version field. */
export function isVersion1(cert: X509Certificate): boolean {
    const der = cert.raw;
    const tbs = children(der, readTlv(der, 0))[0];
    return children(der, tbs)[0]?.tag !== 0xa0;
}

export interface CaFacts {
    /** basicConstraints cA. */
    readonly isCa: boolean;
    /** basicConstraints pathLenConstraint; undefined: none. */
    readonly pathLength: number | undefined;
    /** keyUsage has keyCertSign; false when keyUsage is absent. */
    readonly keyCertSign: boolean;
}

export function caFacts(cert: X509Certificate): CaFacts {
    const found = extensions(cert.raw);
    let pathLength: number | undefined;
    // Read here, not from X509Certificate.ca: openssl's answer also fails a CA whose keyUsage lacks keyCertSign.
    let isCa = false;
    const constraints = found.get(oidBasicConstraints);
    if (constraints) {
        for (const part of children(constraints, readTlv(constraints, 0))) {
            if (part.tag === 0x01) isCa = constraints[part.start] !== 0;
            if (part.tag !== 0x02) continue;
            pathLength = 0;
            for (let i = part.start; i < part.end; i++) pathLength = pathLength * 256 + constraints[i];
        }
    }
    const usage = found.get(oidKeyUsage);
    const bits = usage ? readTlv(usage, 0) : undefined;
    // A BIT STRING: one byte of unused-bit count, then the bits.
    const keyCertSign = bits !== undefined && bits.end - bits.start > 1 && (usage![bits.start + 1] & keyCertSignBit) !== 0;
    return { isCa, pathLength, keyCertSign };
}

/** Every certificate in a PEM text, in order. */
export function certificateBlocks(text: string): string[] {
    return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** How a message names a certificate: its subject and serial, never anything secret. */
export function identity(cert: X509Certificate): string {
    return `certificate ${JSON.stringify(cert.subject.split("\n").join(", "))} (serial ${cert.serialNumber})`;
}

/** The DER of a public key, for comparing keys of different origins. */
export function spki(key: KeyObject): Buffer {
    return key.export({ type: "spki", format: "der" });
}

/** Whether `cert` certifies the public half of `keyPem` (a private or public key, PEM). */
export function certifiesKey(cert: X509Certificate, keyPem: string): boolean {
    return spki(cert.publicKey).equals(spki(createPublicKey(keyPem)));
}

/** `cert` names `issuer` as its issuer and carries its signature. */
export function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}
