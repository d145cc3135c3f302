import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { caCertificateArgs, defaultKeySpec, KeySpec, PathLength, privateKeyArgs } from "./keySpec";

/** The CA that signs an intermediate: its certificate and key (a secret). */
export interface SigningCa {
    /** The signer's certificate, PEM. Required. */
    readonly certPem: pulumi.Input<string>;
    /** The signer's key, PEM. Required; must be a Pulumi secret. */
    readonly privateKeyPem: pulumi.Input<string>;
    /** Validity of the signer in days; an intermediate may not outlive it. */
    readonly validityDays: number;
}

/** How an intermediate gets its certificate. */
export type IntermediateSigner =
    | {
          /** Signed here, by a CA whose key this stack holds (one stack owns the whole mesh). */
          readonly issuer: SigningCa;
      }
    | {
          /**
           * Signed by another stack (the `pki` stack) from this CA's requests; its certificates come back through a
           * StackReference, by rotation. The key never leaves this stack and the root key never enters it.
           */
          readonly signedElsewhere: {
              /** Certificates the other stack has signed for this CA, by rotation ("0", "1", …). */
              readonly certPemByRotation: Readonly<Record<string, pulumi.Input<string>>>;
              /** The signer's certificate, PEM (the root). */
              readonly issuerCertPem: pulumi.Input<string>;
          };
      };

export interface IntermediateCaArgs {
    /** Who signs this CA. Required. */
    readonly signer: IntermediateSigner;
    /** Subject common name. Required: the guide names one per cluster ("SPIRE <cluster> CA"). */
    readonly commonName: string;
    /** Subject organization. Default: none. */
    readonly organization?: string;
    /**
     * basicConstraints pathlen, or null for none. Default: 1 — SPIRE mints its own CA under its upstream
     * intermediate, so 0 would break the chain. Istio's plug-in CA signs workload certificates directly; it would
     * take 0, which the tls provider cannot issue (see PathLength), so it asks for none. Signed here only: a
     * signer elsewhere decides it (the `pki` stack uses the pathlen the request is exported with).
     */
    readonly maxPathLength?: PathLength;
    /** Key algorithm and size. Default: RSA 2048. */
    readonly key?: KeySpec;
    /** Validity in days. Default: 1825 (the guide's); must not exceed the issuer's validity. Signed here only. */
    readonly validityDays?: number;
    /** Days before expiry from which `pulumi up` replaces the certificate. Default: 30. Signed here only. */
    readonly earlyRenewalDays?: number;
    /**
     * Bumping this number replaces the key, the request and the certificate on the next `pulumi up` (rotation).
     * Signed here: through a replacement trigger. Signed elsewhere: the key and request carry the number in
     * their names, so the old key stays in use until the new request is signed. Default: 0.
     */
    readonly rotation?: number;
}

export const intermediateCaDefaults = { maxPathLength: 1, validityDays: 1825, earlyRenewalDays: 30, rotation: 0 } as const;

/** The subject and key of a CA request. */
export interface RequestSubject {
    readonly commonName: string;
    readonly organization?: string;
    readonly key?: KeySpec;
}

/** A key and a certificate request for it: what a CA needs before anyone signs it. */
export function keyAndRequest(name: string, subject: RequestSubject, opts: pulumi.CustomResourceOptions): { key: tls.PrivateKey; csr: tls.CertRequest } {
    const key = new tls.PrivateKey(`${name}-key`, privateKeyArgs(subject.key ?? defaultKeySpec), opts);
    const csr = new tls.CertRequest(
        `${name}-csr`,
        {
            privateKeyPem: key.privateKeyPem,
            subject: { commonName: subject.commonName, ...(subject.organization ? { organization: subject.organization } : {}) },
        },
        opts,
    );
    return { key, csr };
}

/** What signing a CA request decides besides the request itself. */
export interface CaSigning {
    readonly issuer: SigningCa;
    readonly maxPathLength: PathLength;
    readonly validityDays: number;
    readonly earlyRenewalDays: number;
}

/** Signs a CA request with `issuer`: the one place an intermediate certificate is made, in either stack shape. */
export function signRequest(name: string, certRequestPem: pulumi.Input<string>, signing: CaSigning, opts: pulumi.CustomResourceOptions): tls.LocallySignedCert {
    if (signing.validityDays > signing.issuer.validityDays) {
        // Config validation reports this for users; the check here keeps the components safe on their own.
        throw new Error(`${name}: validityDays ${signing.validityDays} exceeds its issuer's ${signing.issuer.validityDays}`);
    }
    return new tls.LocallySignedCert(
        name,
        {
            certRequestPem,
            caCertPem: signing.issuer.certPem,
            caPrivateKeyPem: signing.issuer.privateKeyPem,
            ...caCertificateArgs({ maxPathLength: signing.maxPathLength, validityDays: signing.validityDays, earlyRenewalDays: signing.earlyRenewalDays }),
        },
        opts,
    );
}

/** A signed CA: what SPIRE's upstream secret and Istio's plug-in CA are made of. */
export interface SignedCaMaterial {
    /** This CA's certificate, PEM. */
    readonly certPem: pulumi.Output<string>;
    /** This CA's key, PEM. A Pulumi secret. */
    readonly privateKeyPem: pulumi.Output<string>;
    /** This certificate followed by its issuer's: what `cert-chain.pem` holds. */
    readonly chainPem: pulumi.Output<string>;
}

/** A CA request, for a signer elsewhere (public material). */
export interface CaRequest {
    /** The rotation this request belongs to. */
    readonly rotation: number;
    /** The certificate request, PEM. */
    readonly certRequestPem: pulumi.Output<string>;
}

/**
 * A CA signed by another: key, CSR and certificate. Signed here, all three are replaced together on rotation.
 * Signed elsewhere, the key and request of each rotation are kept apart (`<name>-r<rotation>-key`): the newest
 * signed rotation not newer than `rotation` is in use, and a newer one waits for its signature beside it.
 */
export class IntermediateCa extends pulumi.ComponentResource {
    /** The signed CA; undefined only while a CA signed elsewhere awaits its first signature. */
    public readonly material: SignedCaMaterial | undefined;
    /** The rotation in use; undefined while awaiting the first signature. */
    public readonly rotationInUse: number | undefined;
    /** Every request this CA holds (the one in use and one awaiting its signature); empty when signed here. */
    public readonly requests: readonly CaRequest[];
    /**
     * The public half of the key in use, PEM (public), when signed elsewhere: for a caller to check that the
     * certificate it was given certifies this key (a signer outside Pulumi may sign the wrong CSR). Undefined
     * when signed here or while awaiting the first signature.
     */
    public readonly publicKeyPem: pulumi.Output<string> | undefined;

    constructor(name: string, args: IntermediateCaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ambient-spire:pki:IntermediateCa", name, {}, opts);
        const validityDays = args.validityDays ?? intermediateCaDefaults.validityDays;
        const rotation = args.rotation ?? intermediateCaDefaults.rotation;
        const subject: RequestSubject = { commonName: args.commonName, ...(args.organization ? { organization: args.organization } : {}), ...(args.key ? { key: args.key } : {}) };
        if (("issuer" in args.signer) === ("signedElsewhere" in args.signer)) {
            // Other languages build the signer from a schema object, so this is checked here, not by types.
            throw new Error(`${name}: signer needs exactly one of issuer and signedElsewhere`);
        }
        if ("issuer" in args.signer) {
            // The trigger string is part of the plan: bumping rotation changes it and the engine replaces all three.
            const childOpts = { parent: this, replacementTrigger: `rotation-${rotation}` };
            const { key, csr } = keyAndRequest(name, subject, childOpts);
            const signing = {
                issuer: args.signer.issuer,
                maxPathLength: args.maxPathLength === undefined ? intermediateCaDefaults.maxPathLength : args.maxPathLength,
                validityDays,
                earlyRenewalDays: args.earlyRenewalDays ?? intermediateCaDefaults.earlyRenewalDays,
            };
            const certPem = signRequest(`${name}-cert`, csr.certRequestPem, signing, childOpts).certPem;
            this.material = { certPem, privateKeyPem: pulumi.secret(key.privateKeyPem), chainPem: joinPem(certPem, args.signer.issuer.certPem) };
            this.rotationInUse = rotation;
            this.requests = [];
            this.publicKeyPem = undefined;
        } else {
            const { certPemByRotation, issuerCertPem } = args.signer.signedElsewhere;
            const signed = Object.keys(certPemByRotation).map(Number).filter((r) => Number.isInteger(r) && r <= rotation);
            this.rotationInUse = signed.length > 0 ? Math.max(...signed) : undefined;
            const requests: CaRequest[] = [];
            this.material = undefined;
            let publicKeyPem: pulumi.Output<string> | undefined;
            for (const r of new Set([...(this.rotationInUse !== undefined ? [this.rotationInUse] : []), rotation])) {
                const { key, csr } = keyAndRequest(rotatedName(name, r), subject, { parent: this });
                requests.push({ rotation: r, certRequestPem: csr.certRequestPem });
                if (r === this.rotationInUse) {
                    const certPem = pulumi.output(certPemByRotation[String(r)]);
                    publicKeyPem = key.publicKeyPem;
                    this.material = { certPem, privateKeyPem: pulumi.secret(key.privateKeyPem), chainPem: joinPem(certPem, issuerCertPem) };
                }
            }
            this.requests = requests;
            this.publicKeyPem = publicKeyPem;
        }
        this.registerOutputs({ certPem: this.material?.certPem });
    }
}

/** Names of a key and request signed elsewhere: one pair per rotation, so two can coexist while one awaits its signature. */
export function rotatedName(name: string, rotation: number): string {
    return `${name}-r${rotation}`;
}

/**
 * The `pki` stack's side of a request signed elsewhere: the certificate for another stack's CA request,
 * made by the root whose key only the `pki` stack holds.
 */
export class IntermediateSignature extends pulumi.ComponentResource {
    public readonly certPem: pulumi.Output<string>;

    constructor(name: string, args: { readonly certRequestPem: pulumi.Input<string>; readonly signing: CaSigning }, opts?: pulumi.ComponentResourceOptions) {
        super("ambient-spire:pki:IntermediateSignature", name, {}, opts);
        this.certPem = signRequest(`${name}-cert`, args.certRequestPem, args.signing, { parent: this }).certPem;
        this.registerOutputs({ certPem: this.certPem });
    }
}

/** Concatenates PEM blocks, one newline between them, whatever trailing newlines each has. */
export function joinPem(...pems: pulumi.Input<string>[]): pulumi.Output<string> {
    return pulumi.all(pems).apply((blocks) => blocks.map((b) => b.trimEnd() + "\n").join(""));
}
