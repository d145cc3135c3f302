import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Kube, KubeObject } from "./kube";

/**
 * A cluster's CA material as the cluster holds it: SPIRE's upstream CA and Istio's plug-in CA Secrets, with
 * their resourceVersion (any write bumps it, even one that leaves the data equal) and raw data.
 */
export const caSecrets = [
    { name: "spiffe-upstream-ca", namespace: "spire-server" },
    { name: "cacerts", namespace: "istio-system" },
] as const;

export interface SecretSnapshot {
    readonly resourceVersion: string;
    /** As the API server returns it (base64), so equality is byte equality. */
    readonly data: Readonly<Record<string, string>>;
}

/** By "<namespace>/<name>"; a Secret that does not exist is absent. */
export type CaSnapshot = Readonly<Record<string, SecretSnapshot>>;

export function snapshotCaSecrets(kube: Kube): CaSnapshot {
    const snapshot: Record<string, SecretSnapshot> = {};
    for (const { name, namespace } of caSecrets) {
        const secret = kube.get<KubeObject & { metadata: { resourceVersion: string }; data?: Record<string, string> }>("secret", name, namespace);
        if (secret) snapshot[`${namespace}/${name}`] = { resourceVersion: secret.metadata.resourceVersion, data: secret.data ?? {} };
    }
    return snapshot;
}

/** What differs between two snapshots: "<namespace>/<name>" for a Secret written or gone, "<…>:<key>" per changed key. */
export function snapshotChanges(before: CaSnapshot, after: CaSnapshot): string[] {
    const changes: string[] = [];
    for (const secret of new Set([...Object.keys(before), ...Object.keys(after)])) {
        const [was, is] = [before[secret], after[secret]];
        if (was?.resourceVersion !== is?.resourceVersion) changes.push(secret);
        for (const key of new Set([...Object.keys(was?.data ?? {}), ...Object.keys(is?.data ?? {})])) {
            if (was?.data[key] !== is?.data[key]) changes.push(`${secret}:${key}`);
        }
    }
    return changes.sort();
}

export function decoded(snapshot: CaSnapshot, secret: string, key: string): string {
    const value = snapshot[secret]?.data[key];
    if (value === undefined) throw new Error(`${secret} has no ${key}`);
    return Buffer.from(value, "base64").toString("utf8");
}

/** `openssl verify -x509_strict` of a certificate against one root; returns what openssl printed (throws on failure). */
export function verifyAgainstRoot(dir: string, label: string, rootPem: string, certPem: string): string {
    fs.mkdirSync(dir, { recursive: true });
    const [rootFile, certFile] = [path.join(dir, `${label}-root.crt`), path.join(dir, `${label}.crt`)];
    fs.writeFileSync(rootFile, rootPem);
    fs.writeFileSync(certFile, certPem);
    return execFileSync("openssl", ["verify", "-x509_strict", "-CAfile", rootFile, certFile], { encoding: "utf8" });
}
