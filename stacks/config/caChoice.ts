import { closest, configNamespace, ConfigError, Quote, settingName } from "./errors";
import { GivenCaInput, PkiInput } from "./schema";

/** The two CAs a cluster may bring: SPIRE's upstream intermediate and Istio's plug-in CA (N > 1). */
export type CaRole = "spire" | "istio";

const pkiSetting = `${configNamespace}:pki`;
const looksLikePem = (text: string) => text.includes("-----BEGIN");

/** The `pulumi config set` line that stores one CA's key encrypted. */
export const setKeyCommand = (cluster: string, role: CaRole) =>
    `pulumi config set --secret --path '${pkiSetting}.clusters.${cluster}.${role}.key' "$(cat ${cluster}-${role}-ca.key)"`;

/**
 * The shape rules of `pki.ca`, `pki.rootCert` and `pki.clusters` (no file is read and no certificate parsed
 * here; caMaterial.ts does that): which settings each choice needs, that every cluster named is one of this
 * stack's, and that a key given as PEM text is a Pulumi secret, as the licence must be.
 */
export function checkCaChoice(
    pki: PkiInput,
    stack: { readonly clusters: readonly { readonly name: string; readonly rotation: number }[]; readonly multicluster: boolean; readonly pkiStack?: string },
    secretKeys: readonly string[] | undefined,
    quote: Quote,
): void {
    if (pki.ca === "generated") {
        for (const key of ["rootCert", "clusters"] as const) {
            if (pki[key] !== undefined) {
                throw new ConfigError(settingName(["pki", key]), `is set but pki.ca is "generated", which makes its own root`, `set pki.ca to provided or external to bring your own CA, or remove pki.${key}`);
            }
        }
        return;
    }
    if (stack.pkiStack !== undefined) {
        throw new ConfigError(settingName(["pki", "ca"]), `${quote(pki.ca)} is set on a cluster stack whose root comes from ambient-spire:pkiStack`, "remove ambient-spire:pkiStack to bring your own CA here, or remove pki.ca");
    }
    if (pki.rootCert === undefined) {
        throw new ConfigError(settingName(["pki", "rootCert"]), `is required when pki.ca is ${quote(pki.ca)}`, `give the root certificate, e.g. pulumi config set --path '${pkiSetting}.rootCert' ./certs/root-ca/root-ca.crt`);
    }
    const given = pki.clusters ?? {};
    const names = stack.clusters.map((c) => c.name);
    for (const name of Object.keys(given)) {
        if (!names.includes(name)) {
            const guess = closest(name, names);
            throw new ConfigError(settingName(["pki", "clusters", name]), `${quote(name)} is not a cluster of this stack`, (guess ? `did you mean ${guess}? ` : "") + `use one of ${names.join(", ")}`);
        }
    }
    for (const cluster of stack.clusters) {
        const roles: CaRole[] = stack.multicluster ? ["spire", "istio"] : ["spire"];
        if (!stack.multicluster && given[cluster.name]?.istio !== undefined) {
            throw new ConfigError(settingName(["pki", "clusters", cluster.name, "istio"]), "is given, but a single cluster uses no Istio plug-in CA (istiod signs with its own)", "remove it");
        }
        for (const role of roles) {
            const ca = given[cluster.name]?.[role];
            if (ca === undefined) {
                if (pki.ca === "external") continue; // awaiting its signature
                throw new ConfigError(
                    settingName(["pki", "clusters", cluster.name, role]),
                    `is required when pki.ca is "provided"${role === "istio" ? " and there is more than one cluster (Istio's plug-in CA, the cacerts Secret)" : " (SPIRE's upstream CA, the spiffe-upstream-ca Secret)"}`,
                    `give its certificate and key: pulumi config set --path '${pkiSetting}.clusters.${cluster.name}.${role}.cert' ./certs/${cluster.name}/${cluster.name}-${role}-ca.crt, then ${setKeyCommand(cluster.name, role)}`,
                );
            }
            checkGivenCa(ca, pki.ca, cluster, role, secretKeys, quote);
        }
    }
}

function checkGivenCa(ca: GivenCaInput, mode: "provided" | "external", cluster: { name: string; rotation: number }, role: CaRole, secretKeys: readonly string[] | undefined, quote: Quote): void {
    const at = (key: keyof GivenCaInput) => settingName(["pki", "clusters", cluster.name, role, key]);
    if (mode === "external") {
        if (ca.key !== undefined) {
            // Never quoted: it may be the key itself.
            throw new ConfigError(at("key"), `is set, but with pki.ca "external" this stack makes the key itself and exports its CSR`, "remove it; give only the certificate signed from the CSR in the certificateRequests output");
        }
        if (ca.rotation !== undefined && ca.rotation > cluster.rotation) {
            throw new ConfigError(at("rotation"), `${quote(ca.rotation)} is newer than the cluster's rotation (${quote(cluster.rotation)}), so no CSR of it exists`, "give the rotation of the CSR the certificate was signed from");
        }
        return;
    }
    if (ca.rotation !== undefined) {
        throw new ConfigError(at("rotation"), `${quote(ca.rotation)} is set, but only pki.ca "external" signs CSRs of a rotation`, "remove it; with provided CAs, give the new certificate and key to rotate");
    }
    if (ca.key === undefined) {
        throw new ConfigError(at("key"), `is required when pki.ca is "provided"`, `run ${setKeyCommand(cluster.name, role)}, or give the path of the key file`);
    }
    // A path in plain text is fine (the file is read at run time, and only ever held as a secret); PEM text is the key.
    if (looksLikePem(ca.key) && secretKeys !== undefined && !secretKeys.includes(pkiSetting)) {
        throw new ConfigError(at("key"), "is a private key stored in plain text in the stack file", `run ${setKeyCommand(cluster.name, role)} to store it encrypted, or give the path of the key file`);
    }
}
