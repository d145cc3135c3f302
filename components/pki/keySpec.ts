/**
 * Key settings shared by every CA in the mesh. The guide uses RSA 2048 for all keys; ECDSA is offered because
 * SPIRE and Istio both accept it and it makes signing cheaper.
 */
export type KeyAlgorithm = "RSA" | "ECDSA";
export type EcdsaCurve = "P256" | "P384";

export interface KeySpec {
    /** Key algorithm. Default: "RSA" (the guide's `openssl genrsa`). */
    readonly algorithm: KeyAlgorithm;
    /** RSA modulus size in bits; only read when algorithm is RSA. Default: 2048 (the guide's). */
    readonly rsaBits?: number;
    /** ECDSA curve; only read when algorithm is ECDSA. Default: "P256". */
    readonly ecdsaCurve?: EcdsaCurve;
}

export const defaultKeySpec: KeySpec = { algorithm: "RSA", rsaBits: 2048 };

/** The subset of tls.PrivateKeyArgs a KeySpec decides, with defaults filled in. */
export function privateKeyArgs(spec: KeySpec): { algorithm: KeyAlgorithm; rsaBits?: number; ecdsaCurve?: EcdsaCurve } {
    return spec.algorithm === "RSA"
        ? { algorithm: "RSA", rsaBits: spec.rsaBits ?? 2048 }
        : { algorithm: "ECDSA", ecdsaCurve: spec.ecdsaCurve ?? "P256" };
}

/** CA certificates may sign certificates and CRLs and nothing else (keyUsage = keyCertSign, cRLSign). */
export const caKeyUsages: readonly string[] = ["cert_signing", "crl_signing"];

export const hoursPerDay = 24;

/**
 * basicConstraints pathlen of a CA, or null for none. There is no 0: the tls provider leaves a path length of 0
 * out of the certificate (Go's x509 needs MaxPathLenZero for it, which the provider never sets), so asking for 0
 * would issue a CA with no limit while the program's inputs claimed one.
 */
export type PathLength = number | null;

/** The certificate arguments every CA in the mesh shares, root or intermediate. */
export function caCertificateArgs(limits: { maxPathLength: PathLength; validityDays: number; earlyRenewalDays: number }) {
    if (limits.maxPathLength === 0) throw new Error("pathlen 0 cannot be issued by the tls provider; use null (no path length) or 1 and more");
    return {
        isCaCertificate: true,
        ...(limits.maxPathLength !== null ? { maxPathLength: limits.maxPathLength } : {}),
        allowedUses: [...caKeyUsages],
        setSubjectKeyId: true,
        validityPeriodHours: limits.validityDays * hoursPerDay,
        earlyRenewalHours: limits.earlyRenewalDays * hoursPerDay,
    };
}
