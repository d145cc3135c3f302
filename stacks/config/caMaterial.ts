import * as fs from "node:fs";
import * as path from "node:path";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { CaRole, setKeyCommand } from "./caChoice";
import { ConfigError, quoteValue, settingName } from "./errors";
import { MeshSpec } from "./load";
import { caFacts, certificateBlocks, certifiesKey, identity, issuedBy, isVersion1 } from "./x509";

/** One intermediate brought from outside, read and checked. */
export interface GivenCa {
    /** The setting its certificate came from, for messages found later (at deploy). */
    readonly setting: string;
    /** The intermediate and any CAs between it and the root, PEM, without the root: what tls.crt holds. */
    readonly chainPem: string;
    /** Its key, PEM; provided CAs only. Held as a Pulumi secret by the program. */
    readonly keyPem?: string;
    /** External signing: the rotation of the CSR it was signed from. */
    readonly rotation: number;
}

/** The CA material of a `provided` or `external` stack, every certificate checked. */
export interface GivenCas {
    readonly mode: "provided" | "external";
    /** The root certificate, PEM: bundle.crt and root-cert.pem. */
    readonly rootCertPem: string;
    readonly clusters: Readonly<Record<string, Partial<Record<CaRole, GivenCa>>>>;
    /** Certificates that expire inside the renewal window: warnings, not errors. */
    readonly warnings: readonly string[];
}

const day = 24 * 60 * 60 * 1000;
const guideConf = "the guide's intermediate-ca.cnf";

/**
 * Reads the root and every given intermediate (PEM text or a file relative to `cwd`) and checks each, before
 * anything is registered: the first failure is one ConfigError naming the setting and the certificate (subject
 * and serial, never a key). `now` is only compared against, never put into any input, so plans do not change
 * with the clock. Undefined for `generated` stacks.
 */
export function checkGivenCas(spec: MeshSpec, options: { readonly cwd: string; readonly now: Date }): GivenCas | undefined {
    const { pki } = spec;
    if (pki.ca === "generated" || pki.rootCert === undefined) return undefined;
    const warnings: string[] = [];
    const rootSetting = settingName(["pki", "rootCert"]);
    const rootBlocks = certificates(rootSetting, pki.rootCert, options.cwd);
    if (rootBlocks.length !== 1) {
        throw new ConfigError(rootSetting, `holds ${rootBlocks.length} certificates`, "give the root certificate only (root-ca.crt): SPIRE takes every certificate in bundle.crt as a trust root");
    }
    const root = rootBlocks[0];
    if (isVersion1(root)) {
        // What the guide's `openssl req -x509 -config root-ca.cnf` makes: -x509 reads x509_extensions, not the
        // cnf's req_extensions. Go (SPIRE, istiod) lets a v1 certificate sign; openssl verify does not.
        warnings.push(`${rootSetting}: ${identity(root)} is an X.509 v1 certificate without extensions; SPIRE and istiod accept it as a root, openssl verify does not. Fix: add x509_extensions = v3_req to root-ca.cnf's [req] and issue the root again (the guide leaves it out)`);
    } else {
        checkCa(rootSetting, root, { caBelow: 2 });
    }
    checkDates(rootSetting, root, options.now, pki.earlyRenewalDays, warnings);

    const clusters: Record<string, Partial<Record<CaRole, GivenCa>>> = {};
    for (const [cluster, cas] of Object.entries(pki.clusters ?? {})) {
        for (const role of ["spire", "istio"] as const) {
            const given = cas[role];
            if (!given) continue;
            const setting = settingName(["pki", "clusters", cluster, role, "cert"]);
            // A trailing copy of the root (the guide's ca-chain.pem) is dropped: tls.crt stops below the root.
            const chain = certificates(setting, given.cert, options.cwd).filter((c) => c.fingerprint256 !== root.fingerprint256);
            if (chain.length === 0) throw new ConfigError(setting, `holds only the root ${identity(root)}`, "give the cluster's intermediate certificate (e.g. cluster1-ca.crt)");
            // SPIRE mints its own signing CA below its upstream one; istiod signs workloads directly.
            checkCa(setting, chain[0], { caBelow: role === "spire" ? 1 : 0 });
            chain.forEach((cert, i) => {
                const issuer = chain[i + 1] ?? root;
                if (!issuedBy(cert, issuer)) {
                    throw new ConfigError(
                        setting,
                        `${identity(cert)} is not signed by ${i + 1 < chain.length ? "the next certificate in it," : `the root in ${rootSetting}`} ${identity(issuer)}; its issuer is ${quoteValue(cert.issuer.split("\n").join(", "))}`,
                        i + 1 < chain.length ? "give the chain in order, intermediate first" : `sign it with that root (openssl x509 -req -CA root-ca.crt -CAkey root-ca.key …), or give the root it was signed with in ${rootSetting}`,
                    );
                }
                checkDates(setting, cert, options.now, pki.earlyRenewalDays, warnings);
            });
            let keyPem: string | undefined;
            if (given.key !== undefined) {
                const keySetting = settingName(["pki", "clusters", cluster, role, "key"]);
                keyPem = readKey(keySetting, given.key, options.cwd, cluster, role);
                if (!certifiesKey(chain[0], keyPem)) {
                    throw new ConfigError(setting, `${identity(chain[0])} does not match the key in ${keySetting}`, "give the key the certificate was issued for: openssl x509 -noout -pubkey -in <crt> and openssl pkey -pubout -in <key> must print the same");
                }
            }
            (clusters[cluster] ??= {})[role] = {
                setting,
                chainPem: chain.map((c) => c.toString().trimEnd() + "\n").join(""),
                ...(keyPem !== undefined ? { keyPem } : {}),
                rotation: given.rotation ?? 0,
            };
        }
    }
    return { mode: pki.ca, rootCertPem: root.toString(), clusters, warnings };
}

/**
 * External signing: the key is made at deploy, so whether the certificate is for it can only be checked then.
 * Returns the check IntermediateCa runs once the key's public half is known; it throws the same one-line error.
 */
export function deployTimeKeyCheck(given: GivenCa, caName: string): (certPem: string, publicKeyPem: string, rotation: number) => void {
    return (certPem, publicKeyPem, rotation) => {
        const cert = new X509Certificate(certPem);
        if (certifiesKey(cert, publicKeyPem)) return;
        throw new ConfigError(
            given.setting,
            `${identity(cert)} was not signed from this stack's CSR of rotation ${rotation} (its public key differs from the key of certificateRequests[${quoteValue(caName)}])`,
            `sign the CSR this stack exports in certificateRequests.${caName} (rotation ${rotation}) and give that certificate`,
        );
    };
}

/** PEM text as given, or the file a path names. */
function textOf(setting: string, value: string, cwd: string, shown: string): string {
    if (value.includes("-----BEGIN")) return value;
    const file = path.resolve(cwd, value);
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
        throw new ConfigError(setting, `${shown} is neither PEM text nor an existing file (looked for ${quoteValue(file)})`, "give PEM text, or the path of the file relative to the project directory");
    }
    return fs.readFileSync(file, "utf8");
}

function certificates(setting: string, value: string, cwd: string): X509Certificate[] {
    const shown = value.includes("-----BEGIN") ? "the PEM text" : quoteValue(value);
    const blocks = certificateBlocks(textOf(setting, value, cwd, shown));
    if (blocks.length === 0) throw new ConfigError(setting, `${shown} holds no PEM certificate`, "give a certificate (-----BEGIN CERTIFICATE-----), or the path of a .crt file holding one");
    return blocks.map((block, i) => {
        try {
            return new X509Certificate(block);
        } catch {
            throw new ConfigError(setting, `${shown}: certificate ${i + 1} is not a valid X.509 certificate`, "give the PEM exactly as openssl wrote it");
        }
    });
}

function readKey(setting: string, value: string, cwd: string, cluster: string, role: CaRole): string {
    // A key's text is never quoted, nor is a value that might be one.
    const text = textOf(setting, value, cwd, "the value");
    try {
        // Parsed only to fail here rather than in SPIRE (an encrypted or malformed key); passed on as given.
        createPrivateKey(text);
        return text;
    } catch {
        throw new ConfigError(setting, "is not a PEM private key (nor a file holding one)", `give the key as openssl genrsa wrote it: ${setKeyCommand(cluster, role)}, or the path of the .key file`);
    }
}

/** `caBelow`: how many CAs must fit below this one (SPIRE mints its own under its upstream CA, itself under the root). */
function checkCa(setting: string, cert: X509Certificate, { caBelow }: { readonly caBelow: number }): void {
    const facts = caFacts(cert);
    if (!facts.isCa) {
        throw new ConfigError(setting, `${identity(cert)} is not a CA (basicConstraints CA:TRUE is missing)`, `issue it with basicConstraints = critical, CA:true (${guideConf})`);
    }
    if (!facts.keyCertSign) {
        throw new ConfigError(setting, `${identity(cert)} does not allow keyCertSign (its keyUsage lacks it, or is missing)`, `issue it with keyUsage = critical, keyCertSign, cRLSign (${guideConf})`);
    }
    if (facts.pathLength !== undefined && facts.pathLength < caBelow) {
        throw new ConfigError(
            setting,
            `${identity(cert)} has pathlen ${facts.pathLength}, but ${caBelow === 1 ? "SPIRE signs its own intermediate CA below it" : "SPIRE's chain has two CAs below the root (the cluster's and SPIRE's own)"}`,
            caBelow === 1
                ? `issue it with basicConstraints = critical, CA:true, pathlen:1 (${guideConf}), or with no pathlen`
                : "issue it with basicConstraints = critical, CA:true, pathlen:2 (the guide's root-ca.cnf), or with no pathlen",
        );
    }
}

function checkDates(setting: string, cert: X509Certificate, now: Date, earlyRenewalDays: number, warnings: string[]): void {
    const from = new Date(cert.validFrom);
    const to = new Date(cert.validTo);
    if (from.getTime() > now.getTime()) {
        throw new ConfigError(setting, `${identity(cert)} is not valid before ${from.toISOString()}`, "check the clock of the machine that signed it, or wait until then");
    }
    if (to.getTime() <= now.getTime()) {
        throw new ConfigError(setting, `${identity(cert)} expired on ${to.toISOString()}`, "issue a new certificate and give it here");
    }
    if (to.getTime() - now.getTime() < earlyRenewalDays * day) {
        warnings.push(`${setting}: ${identity(cert)} expires on ${to.toISOString()}, within pki.earlyRenewalDays (${earlyRenewalDays} days). Renew it: issue a new certificate and give it here before then`);
    }
}
