/**
 * The two CAs of a cluster. Istio's plug-in CA (`cacerts`) must chain to the root istiod publishes
 * (`istio-ca-root-cert`), the same root in every cluster: what `istioctl multicluster check` calls the
 * Intermediate Certs Compatibility Check. SPIRE's upstream CA (`spiffe-upstream-ca`), which that check does not
 * read, must chain to its bundle with room for the CA SPIRE mints below it, hold the matching key, and not be
 * inside the renewal window.
 */
import { X509Certificate } from "crypto";
import { ClusterSnapshot, objectKey } from "../snapshot";
import { cacertsSecret, istioNamespace, rootCertConfigMap, spireNamespace, upstreamCaSecret } from "../targets";
import { basicConstraints, fingerprint, issuedBy, keyMatches, parseCertificates, subjectName } from "../x509";
import { CheckResult, fail, found, pass, secretText } from "./result";

const rootWhere = `ConfigMap ${istioNamespace}/${rootCertConfigMap.name}`;

/** The root istiod publishes, or why there is none. */
export function publishedRoot(snapshot: ClusterSnapshot): { root: X509Certificate } | { problem: string } {
    const lookup = snapshot.configMaps[objectKey(istioNamespace, rootCertConfigMap.name)];
    const configMap = found("", lookup, rootWhere);
    if ("result" in configMap) return { problem: `${configMap.result.detail} (istiod publishes it once it runs)` };
    const [root] = parseCertificates(configMap.value.data?.[rootCertConfigMap.key] ?? "");
    return root ? { root } : { problem: `${rootWhere} has no certificate under ${rootCertConfigMap.key}` };
}

/** `cacerts`' ca-cert.pem reaches the published root, through cert-chain.pem's certificates if need be. */
export function cacertsChain(snapshot: ClusterSnapshot): CheckResult {
    const id = "cacerts.chain";
    const secret = found(id, snapshot.secrets[objectKey(istioNamespace, cacertsSecret)], `Secret ${istioNamespace}/${cacertsSecret}`);
    if ("result" in secret) return secret.result;
    const published = publishedRoot(snapshot);
    if ("problem" in published) return fail(id, published.problem);
    const [ca] = parseCertificates(secretText(secret.value, "ca-cert.pem") ?? "");
    if (!ca) return fail(id, `${cacertsSecret} has no certificate in ca-cert.pem`);
    if (!basicConstraints(ca)?.ca) return fail(id, `ca-cert.pem ${subjectName(ca)} is not a CA certificate`);
    const between = parseCertificates(secretText(secret.value, "cert-chain.pem") ?? "");
    if (!chainsTo(ca, between, published.root)) {
        const own = parseCertificates(secretText(secret.value, "root-cert.pem") ?? "")[0];
        const hint = own && fingerprint(own) !== fingerprint(published.root) ? `; cacerts' own root-cert.pem is another root (istiod may have started before cacerts existed: restart it)` : "";
        return fail(id, `ca-cert.pem ${subjectName(ca)} does not chain to the published root ${subjectName(published.root)}${hint}`);
    }
    return pass(id, `ca-cert.pem ${subjectName(ca)} chains to the published root ${subjectName(published.root)} (sha256 ${fingerprint(published.root).slice(0, 16)}…)`);
}

/** Per cluster: its published root is every other cluster's (only checked when the stack has several clusters). */
export function sameRoot(snapshot: ClusterSnapshot, others: readonly ClusterSnapshot[]): CheckResult {
    const id = "cacerts.same-root";
    const mine = publishedRoot(snapshot);
    if ("problem" in mine) return fail(id, mine.problem);
    const differing: string[] = [];
    const unread: string[] = [];
    for (const other of others) {
        const theirs = other.unreachable === undefined ? publishedRoot(other) : { problem: other.unreachable };
        if ("problem" in theirs) unread.push(other.name);
        else if (fingerprint(theirs.root) !== fingerprint(mine.root)) differing.push(`${other.name}'s is sha256 ${fingerprint(theirs.root).slice(0, 16)}…`);
    }
    const prefix = `root sha256 ${fingerprint(mine.root).slice(0, 16)}…`;
    if (differing.length > 0) return fail(id, `${prefix} differs: ${differing.join("; ")}`);
    const compared = others.length - unread.length;
    return pass(id, `${prefix}, the same as ${compared} other cluster(s)${unread.length > 0 ? ` (not compared: ${unread.join(", ")}, whose root could not be read)` : ""}`);
}

/** Walks from `cert` through `between` to `root`; at most a few links, each signature verified. */
function chainsTo(cert: X509Certificate, between: readonly X509Certificate[], root: X509Certificate): boolean {
    let current = cert;
    for (let depth = 0; depth < 5; depth++) {
        if (issuedBy(current, root)) return true;
        const next = between.find((c) => fingerprint(c) !== fingerprint(current) && fingerprint(c) !== fingerprint(root) && issuedBy(current, c));
        if (!next) return false;
        current = next;
    }
    return false;
}

interface UpstreamMaterial {
    readonly chain: readonly X509Certificate[];
    readonly bundle: readonly X509Certificate[];
    readonly keyPem: string | undefined;
}

const upstreamWhere = `Secret ${spireNamespace}/${upstreamCaSecret}`;

/** The four upstream-CA checks: chain, path lengths, key, expiry. */
export function upstreamCaChecks(snapshot: ClusterSnapshot, earlyRenewalDays: number, now: Date): CheckResult[] {
    const ids = ["upstream-ca.chain", "upstream-ca.pathlen", "upstream-ca.key", "upstream-ca.expiry"];
    const secret = found("", snapshot.secrets[objectKey(spireNamespace, upstreamCaSecret)], upstreamWhere);
    if ("result" in secret) return ids.map((id) => fail(id, secret.result.detail));
    const material: UpstreamMaterial = {
        chain: parseCertificates(secretText(secret.value, "tls.crt") ?? ""),
        bundle: parseCertificates(secretText(secret.value, "bundle.crt") ?? ""),
        keyPem: secretText(secret.value, "tls.key"),
    };
    if (material.chain.length === 0) return ids.map((id) => fail(id, `${upstreamWhere} has no certificate in tls.crt`));
    return [upstreamChain(material), upstreamPathLengths(material), upstreamKey(material), upstreamExpiry(material, earlyRenewalDays, now)];
}

/** The bundle certificate that issued the last certificate of tls.crt. */
function anchorOf(material: UpstreamMaterial): X509Certificate | undefined {
    const top = material.chain[material.chain.length - 1];
    return material.bundle.find((root) => issuedBy(top, root));
}

function upstreamChain(material: UpstreamMaterial): CheckResult {
    const id = "upstream-ca.chain";
    if (material.bundle.length === 0) return fail(id, "bundle.crt holds no certificate");
    for (let i = 0; i + 1 < material.chain.length; i++) {
        if (!issuedBy(material.chain[i], material.chain[i + 1])) return fail(id, `tls.crt: ${subjectName(material.chain[i])} is not issued by the next certificate, ${subjectName(material.chain[i + 1])}`);
    }
    const anchor = anchorOf(material);
    if (!anchor) return fail(id, `tls.crt ${subjectName(material.chain[material.chain.length - 1])} is not issued by any certificate of bundle.crt (${material.bundle.map(subjectName).join(", ")})`);
    return pass(id, `tls.crt ${subjectName(material.chain[0])} chains to bundle.crt ${subjectName(anchor)}`);
}

/**
 * SPIRE's server mints its own CA under the upstream CA, and X509-SVIDs under that: the certificate at position
 * i of tls.crt (0 = the upstream CA) must allow i + 1 CAs below it, and the bundle root one more than tls.crt has.
 */
function upstreamPathLengths(material: UpstreamMaterial): CheckResult {
    const id = "upstream-ca.pathlen";
    const anchor = anchorOf(material);
    const path = anchor ? [...material.chain, anchor] : [...material.chain];
    const seen: string[] = [];
    for (const [i, cert] of path.entries()) {
        const constraints = basicConstraints(cert);
        const needed = i + 1;
        // A trust anchor without basicConstraints (the guide's root is an X.509 v1 certificate: its `openssl req
        // -x509` reads no extensions) limits nothing: Go's x509, which SPIRE uses, only holds intermediates to CA:TRUE.
        if (cert === anchor && constraints === undefined) {
            seen.push(`${subjectName(cert)} without basicConstraints (a root such as the guide's X.509 v1 one: Go's x509, which SPIRE uses, accepts it as a trust anchor; openssl verify does not)`);
            continue;
        }
        if (!constraints?.ca) return fail(id, `${subjectName(cert)} is not a CA certificate (no basicConstraints CA:TRUE)`);
        if (constraints.pathLength !== undefined && constraints.pathLength < needed) {
            return fail(id, `${subjectName(cert)} has pathlen ${constraints.pathLength}, but ${needed} CA(s) must fit below it (SPIRE signs its own CA under the upstream CA); it needs pathlen ≥ ${needed} or none`);
        }
        seen.push(`${subjectName(cert)} pathlen ${constraints.pathLength ?? "none"}`);
    }
    return pass(id, `${seen.join(", ")}: room for SPIRE's own CA`);
}

function upstreamKey(material: UpstreamMaterial): CheckResult {
    const id = "upstream-ca.key";
    if (material.keyPem === undefined) return fail(id, `${upstreamWhere} has no tls.key`);
    try {
        return keyMatches(material.keyPem, material.chain[0])
            ? pass(id, `tls.key is the key of ${subjectName(material.chain[0])}`)
            : fail(id, `tls.key is not the key of ${subjectName(material.chain[0])}`);
    } catch {
        // The parser's message could quote the key; say only that it is not one.
        return fail(id, "tls.key is not a readable private key (PEM)");
    }
}

const day = 24 * 60 * 60 * 1000;

function upstreamExpiry(material: UpstreamMaterial, earlyRenewalDays: number, now: Date): CheckResult {
    const id = "upstream-ca.expiry";
    const anchor = anchorOf(material);
    const certs = anchor ? [...material.chain, anchor] : [...material.chain];
    const soonest = certs.reduce((a, b) => (new Date(b.validTo) < new Date(a.validTo) ? b : a));
    const expires = new Date(soonest.validTo);
    const daysLeft = Math.floor((expires.getTime() - now.getTime()) / day);
    const notBefore = certs.find((c) => new Date(c.validFrom) > now);
    if (notBefore) return fail(id, `${subjectName(notBefore)} is not valid before ${new Date(notBefore.validFrom).toISOString()}`);
    if (expires.getTime() <= now.getTime()) return fail(id, `${subjectName(soonest)} expired on ${expires.toISOString()}`);
    if (expires.getTime() - now.getTime() < earlyRenewalDays * day) {
        return fail(id, `${subjectName(soonest)} expires on ${expires.toISOString()} (${daysLeft} days), inside the renewal window of ${earlyRenewalDays} days: run pulumi up to renew it`);
    }
    return pass(id, `${subjectName(soonest)} expires on ${expires.toISOString().slice(0, 10)} (${daysLeft} days; renewal window ${earlyRenewalDays} days)`);
}
