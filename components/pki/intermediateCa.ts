import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { caCertificateArgs, defaultKeySpec, KeySpec, privateKeyArgs } from "./keySpec";

/** The CA that signs an intermediate: its certificate and key (a secret). */
export interface SigningCa {
    readonly certPem: pulumi.Input<string>;
    readonly privateKeyPem: pulumi.Input<string>;
    /** Validity of the signer in days; an intermediate may not outlive it. */
    readonly validityDays: number;
}

export interface IntermediateCaArgs {
    /** The CA that signs this one (usually a RootCa). Required. */
    readonly issuer: SigningCa;
    /** Subject common name. Required: the guide names one per cluster ("SPIRE <cluster> CA"). */
    readonly commonName: string;
    /** Subject organization. Default: none. */
    readonly organization?: string;
    /**
     * basicConstraints pathlen. Default: 1 — SPIRE mints its own CA under its upstream intermediate, so 0 would
     * break the chain. Istio's plug-in CA signs workload certificates directly and may use 0.
     */
    readonly maxPathLength?: number;
    /** Key algorithm and size. Default: RSA 2048. */
    readonly key?: KeySpec;
    /** Validity in days. Default: 1825 (the guide's); must not exceed the issuer's validity. */
    readonly validityDays?: number;
    /** Days before expiry from which `pulumi up` replaces the certificate. Default: 30. */
    readonly earlyRenewalDays?: number;
    /**
     * Bumping this number replaces the key, the request and the certificate on the next `pulumi up` (rotation).
     * Default: 0.
     */
    readonly rotation?: number;
}

export const intermediateCaDefaults = { maxPathLength: 1, validityDays: 1825, earlyRenewalDays: 30, rotation: 0 } as const;

/** A CA signed by another: key, CSR and certificate, all replaced together on rotation. */
export class IntermediateCa extends pulumi.ComponentResource {
    /** This CA's certificate, PEM. */
    public readonly certPem: pulumi.Output<string>;
    /** This CA's key, PEM. A Pulumi secret. */
    public readonly privateKeyPem: pulumi.Output<string>;
    /** This certificate followed by its issuer's: what `cert-chain.pem` holds. */
    public readonly chainPem: pulumi.Output<string>;
    public readonly validityDays: number;

    constructor(name: string, args: IntermediateCaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ambient-spire:pki:IntermediateCa", name, {}, opts);
        const validityDays = args.validityDays ?? intermediateCaDefaults.validityDays;
        if (validityDays > args.issuer.validityDays) {
            // Config validation reports this for users; the check here keeps the component safe on its own.
            throw new Error(
                `IntermediateCa ${name}: validityDays ${validityDays} exceeds its issuer's ${args.issuer.validityDays}`,
            );
        }
        // The trigger string is part of the plan: bumping rotation changes it and the engine replaces all three.
        const replacementTrigger = `rotation-${args.rotation ?? intermediateCaDefaults.rotation}`;
        const childOpts = { parent: this, replacementTrigger };
        const key = new tls.PrivateKey(`${name}-key`, privateKeyArgs(args.key ?? defaultKeySpec), childOpts);
        const csr = new tls.CertRequest(
            `${name}-csr`,
            {
                privateKeyPem: key.privateKeyPem,
                subject: {
                    commonName: args.commonName,
                    ...(args.organization ? { organization: args.organization } : {}),
                },
            },
            childOpts,
        );
        const cert = new tls.LocallySignedCert(
            `${name}-cert`,
            {
                certRequestPem: csr.certRequestPem,
                caCertPem: args.issuer.certPem,
                caPrivateKeyPem: args.issuer.privateKeyPem,
                ...caCertificateArgs({
                    maxPathLength: args.maxPathLength ?? intermediateCaDefaults.maxPathLength,
                    validityDays,
                    earlyRenewalDays: args.earlyRenewalDays ?? intermediateCaDefaults.earlyRenewalDays,
                }),
            },
            childOpts,
        );
        this.certPem = cert.certPem;
        this.privateKeyPem = pulumi.secret(key.privateKeyPem);
        this.chainPem = joinPem(cert.certPem, args.issuer.certPem);
        this.validityDays = validityDays;
        this.registerOutputs({ certPem: this.certPem, chainPem: this.chainPem });
    }
}

/** Concatenates PEM blocks, one newline between them, whatever trailing newlines each has. */
export function joinPem(...pems: pulumi.Input<string>[]): pulumi.Output<string> {
    return pulumi.all(pems).apply((blocks) => blocks.map((b) => b.trimEnd() + "\n").join(""));
}
