import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { caCertificateArgs, defaultKeySpec, KeySpec, privateKeyArgs } from "./keySpec";

export interface RootCaArgs {
    /** Subject common name. Default: "SPIRE Root CA" (the guide's root-ca.cnf). */
    readonly commonName?: string;
    /** Key algorithm and size. Default: RSA 2048. */
    readonly key?: KeySpec;
    /** Validity in days. Default: 3650 (the guide's `-days 3650`). */
    readonly validityDays?: number;
    /**
     * basicConstraints pathlen. Default: 2 — root → cluster intermediate (pathlen 1) → SPIRE's own CA → leaf.
     */
    readonly maxPathLength?: number;
    /**
     * Days before expiry from which `pulumi up` replaces the certificate (the tls provider's early renewal).
     * Default: 30.
     */
    readonly earlyRenewalDays?: number;
    /**
     * Protect the key and certificate so that `pulumi destroy` (or an accidental replace) cannot remove the
     * mesh's root of trust. Default: true.
     */
    readonly protect?: boolean;
}

export const rootCaDefaults = {
    commonName: "SPIRE Root CA",
    validityDays: 3650,
    maxPathLength: 2,
    earlyRenewalDays: 30,
    protect: true,
} as const;

/**
 * The mesh's root of trust: a self-signed CA whose key never leaves Pulumi state. It is not written into any
 * cluster; only its certificate is.
 */
export class RootCa extends pulumi.ComponentResource {
    /** The root certificate, PEM. Public. */
    public readonly certPem: pulumi.Output<string>;
    /** The root key, PEM. A Pulumi secret. */
    public readonly privateKeyPem: pulumi.Output<string>;
    /** Validity of the root in days, for callers that must not issue certificates outliving it. */
    public readonly validityDays: number;

    constructor(name: string, args: RootCaArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("ambient-spire:pki:RootCa", name, {}, opts);
        const validityDays = args.validityDays ?? rootCaDefaults.validityDays;
        const protect = args.protect ?? rootCaDefaults.protect;
        const key = new tls.PrivateKey(`${name}-key`, privateKeyArgs(args.key ?? defaultKeySpec), {
            parent: this,
            protect,
        });
        const cert = new tls.SelfSignedCert(
            `${name}-cert`,
            {
                privateKeyPem: key.privateKeyPem,
                subject: { commonName: args.commonName ?? rootCaDefaults.commonName },
                ...caCertificateArgs({
                    maxPathLength: args.maxPathLength ?? rootCaDefaults.maxPathLength,
                    validityDays,
                    earlyRenewalDays: args.earlyRenewalDays ?? rootCaDefaults.earlyRenewalDays,
                }),
            },
            { parent: this, protect },
        );
        this.certPem = cert.certPem;
        this.privateKeyPem = pulumi.secret(key.privateKeyPem);
        this.validityDays = validityDays;
        this.registerOutputs({ certPem: this.certPem });
    }
}
