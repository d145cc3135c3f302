import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { spawnSync } from "node:child_process";
import { webcrypto } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The guide's openssl steps ("Prepare SPIRE certificates"), run for real in a directory: root-ca.cnf and
 * intermediate-ca.cnf as the guide writes them, the root, and per cluster an intermediate signed by it. Options
 * bend one step, for the negative cases.
 */
const rootCnf = `[req]
distinguished_name = req_distinguished_name
req_extensions = v3_req
prompt = no

[req_distinguished_name]
CN = SPIRE Root CA

[v3_req]
keyUsage = critical, keyCertSign, cRLSign
basicConstraints = critical, CA:true, pathlen:2
subjectKeyIdentifier = hash
`;

export interface IntermediateOptions {
    /** basicConstraints; default the guide's `critical, CA:true, pathlen:1`. */
    readonly basicConstraints?: string;
    /** keyUsage; default the guide's `critical, keyCertSign, cRLSign`. */
    readonly keyUsage?: string;
    /** Default 1825, the guide's. */
    readonly days?: number;
    /** Sign with this root directory's root instead (default "root-ca"). */
    readonly root?: string;
}

function intermediateCnf(options: IntermediateOptions): string {
    return `[req]
distinguished_name = req_distinguished_name
req_extensions = v3_req
prompt = no

[req_distinguished_name]
CN = SPIRE Intermediate CA

[v3_req]
keyUsage = ${options.keyUsage ?? "critical, keyCertSign, cRLSign"}
basicConstraints = ${options.basicConstraints ?? "critical, CA:true, pathlen:1"}
subjectKeyIdentifier = hash
`;
}

export class GuidePki {
    constructor(public readonly dir: string) {
        fs.mkdirSync(dir, { recursive: true });
    }

    private openssl(...args: string[]): void {
        const result = spawnSync("openssl", args, { cwd: this.dir, encoding: "utf8" });
        if (result.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${result.stderr}`);
    }

    /** `openssl genrsa` + `openssl req -new -x509` of the guide; `name` is the directory (the guide's root-ca). */
    root(name = "root-ca", commonName = "SPIRE Root CA"): { crt: string; key: string } {
        fs.mkdirSync(path.join(this.dir, name), { recursive: true });
        fs.writeFileSync(path.join(this.dir, `${name}.cnf`), rootCnf.replace("CN = SPIRE Root CA", `CN = ${commonName}`));
        this.openssl("genrsa", "-out", `${name}/${name}.key`, "2048");
        this.openssl("req", "-new", "-x509", "-key", `${name}/${name}.key`, "-out", `${name}/${name}.crt`, "-config", `${name}.cnf`, "-days", "3650");
        return { crt: `${name}/${name}.crt`, key: `${name}/${name}.key` };
    }

    /** The guide's per-cluster steps: key, CSR, and `openssl x509 -req` signed by the root. Paths relative to dir. */
    intermediate(file: string, commonName: string, options: IntermediateOptions = {}): { crt: string; key: string; csr: string; chain: string } {
        const root = options.root ?? "root-ca";
        fs.mkdirSync(path.dirname(path.join(this.dir, file)), { recursive: true });
        const cnf = `${file}.cnf`;
        fs.writeFileSync(path.join(this.dir, cnf), intermediateCnf(options));
        this.openssl("genrsa", "-out", `${file}.key`, "2048");
        this.openssl("req", "-new", "-key", `${file}.key`, "-out", `${file}.csr`, "-config", cnf, "-subj", `/CN=${commonName}`);
        this.signCsr(`${file}.csr`, `${file}.crt`, { ...options, root });
        // The guide's ca-chain.pem: intermediate then root.
        fs.writeFileSync(path.join(this.dir, `${file}-chain.pem`), this.read(`${file}.crt`) + this.read(`${root}/${root}.crt`));
        return { crt: `${file}.crt`, key: `${file}.key`, csr: `${file}.csr`, chain: `${file}-chain.pem` };
    }

    /** The signing step alone, as a CA outside Pulumi runs it on an exported CSR. */
    signCsr(csr: string, out: string, options: IntermediateOptions = {}): void {
        const root = options.root ?? "root-ca";
        const cnf = `${out}.ext.cnf`;
        fs.writeFileSync(path.join(this.dir, cnf), intermediateCnf(options));
        this.openssl("x509", "-req", "-in", csr, "-CA", `${root}/${root}.crt`, "-CAkey", `${root}/${root}.key`, "-CAcreateserial", "-out", out, "-days", String(options.days ?? 1825), "-extensions", "v3_req", "-extfile", cnf);
    }

    read(file: string): string {
        return fs.readFileSync(path.join(this.dir, file), "utf8");
    }

    /**
     * An intermediate that expired yesterday, signed by the guide's root (openssl 3.0 cannot backdate): made
     * with @peculiar/x509, otherwise as the guide's.
     */
    async expired(file: string, commonName: string): Promise<{ crt: string; key: string }> {
        x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
        const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
        const der = (pem: string) => x509.PemConverter.decode(pem)[0];
        const rootKey = await webcrypto.subtle.importKey("pkcs8", der(this.read("root-ca/root-ca.key")), alg, false, ["sign"]);
        const root = new x509.X509Certificate(this.read("root-ca/root-ca.crt"));
        const keys = (await webcrypto.subtle.generateKey({ ...alg, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
        const day = 86_400_000;
        const cert = await x509.X509CertificateGenerator.create({
            serialNumber: "0e",
            subject: `CN=${commonName}`,
            issuer: root.subject,
            notBefore: new Date(Date.now() - 10 * day),
            notAfter: new Date(Date.now() - day),
            publicKey: keys.publicKey,
            signingKey: rootKey,
            signingAlgorithm: alg,
            extensions: [new x509.BasicConstraintsExtension(true, 1, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
        });
        fs.mkdirSync(path.dirname(path.join(this.dir, file)), { recursive: true });
        fs.writeFileSync(path.join(this.dir, `${file}.crt`), cert.toString("pem") + "\n");
        fs.writeFileSync(path.join(this.dir, `${file}.key`), x509.PemConverter.encode(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey), "PRIVATE KEY"));
        return { crt: `${file}.crt`, key: `${file}.key` };
    }
}

/** One CA's files as GuidePki writes them, relative to its directory. */
export interface CaFiles {
    readonly crt: string;
    readonly key: string;
}

/** The guide's multicluster material: the root and, per cluster, SPIRE's intermediate and Istio's plug-in CA. */
export interface GuideCas {
    readonly root: CaFiles;
    readonly spire: Readonly<Record<string, CaFiles>>;
    readonly istio: Readonly<Record<string, CaFiles>>;
}

/**
 * The guide's steps for cluster1 and cluster2 in `pki`'s directory (`<cluster>/<cluster>-ca`, CN "SPIRE <cluster> CA",
 * as the guide names them); Istio's plug-in CA from the same root with pathlen 0, enough for istiod, which signs
 * workload certificates directly.
 */
export function guideCas(pki: GuidePki): GuideCas {
    const root = pki.root();
    const spire: Record<string, CaFiles> = {};
    const istio: Record<string, CaFiles> = {};
    for (const cluster of ["cluster1", "cluster2"]) {
        spire[cluster] = pki.intermediate(`${cluster}/${cluster}-ca`, `SPIRE ${cluster} CA`);
        istio[cluster] = pki.intermediate(`${cluster}/${cluster}-istio-ca`, `Istio ${cluster} CA`, { basicConstraints: "critical, CA:true, pathlen:0" });
    }
    return { root, spire, istio };
}

/** A CA as pki.clusters.<cluster>.<spire|istio> takes it: its certificate and key, as absolute file paths. */
export function givenCaFiles(pki: GuidePki, files: CaFiles): { cert: string; key: string } {
    return { cert: path.join(pki.dir, files.crt), key: path.join(pki.dir, files.key) };
}

/** `pki` with ca "provided": the guide's root and the CAs of the first `count` clusters (Istio's for N > 1 only). */
export function providedPki(pki: GuidePki, cas: GuideCas, count: number) {
    const clusters = ["cluster1", "cluster2"].slice(0, count);
    return {
        ca: "provided" as const,
        rootCert: path.join(pki.dir, cas.root.crt),
        clusters: Object.fromEntries(clusters.map((c) => [c, count > 1 ? { spire: givenCaFiles(pki, cas.spire[c]), istio: givenCaFiles(pki, cas.istio[c]) } : { spire: givenCaFiles(pki, cas.spire[c]) }])),
    };
}
