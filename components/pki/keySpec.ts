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

/** The certificate arguments every CA in the mesh shares, root or intermediate. */
export function caCertificateArgs(limits: { maxPathLength: number; validityDays: number; earlyRenewalDays: number }) {
    return {
        isCaCertificate: true,
        maxPathLength: limits.maxPathLength,
        allowedUses: [...caKeyUsages],
        setSubjectKeyId: true,
        validityPeriodHours: limits.validityDays * hoursPerDay,
        earlyRenewalHours: limits.earlyRenewalDays * hoursPerDay,
    };
}
