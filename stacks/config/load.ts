import { z } from "zod";
import { closest, configNamespace, ConfigError, settingName } from "./errors";
import {
    ClusterInput,
    IstioInput,
    PkiInput,
    SettingName,
    settingNames,
    settingSchemas,
    structuredSettings,
} from "./schema";

export interface ClusterSpec {
    readonly name: string;
    /** kubeconfig context; undefined means the current context. */
    readonly context?: string;
    readonly trustDomain: string;
    readonly network: string;
    /** Bump to replace this cluster's intermediate CAs. */
    readonly rotation: number;
}

/** `from` may reach `to`: the remote-peer gateway for `to` is written in `from`. */
export interface DirectedLink {
    readonly from: string;
    readonly to: string;
}

export interface MeshSpec {
    readonly clusters: readonly ClusterSpec[];
    readonly istio: IstioInput;
    readonly pki: PkiInput;
    readonly peering: "full-mesh" | "none" | "explicit";
    readonly links: readonly DirectedLink[];
    /** More than one cluster: networks, plug-in CAs and east-west gateways are needed. */
    readonly multicluster: boolean;
}

/**
 * Reads the stack configuration as Pulumi hands it to a program — `namespace:key` to text, objects as JSON —
 * and returns the typed spec, or throws the first ConfigError. Pure: no Pulumi resources, no I/O.
 */
export function loadMeshSpec(config: Readonly<Record<string, string>>): MeshSpec {
    rejectUnknownKeys(config);
    const clusters = parseSetting(config, "clusters").map(withDefaults);
    const istio = parseSetting(config, "istio");
    parseSetting(config, "soloLicenseKey");
    const peering = parseSetting(config, "peering");
    const pki = parseSetting(config, "pki");

    checkUnique(clusters, "name", "cluster names must be unique", "give each cluster its own name");
    checkUnique(clusters, "network", "networks must be unique: the multicluster check fails when two clusters share one", "give each cluster its own network (it defaults to the cluster name)");
    if (clusters.length > 1) {
        checkUnique(
            clusters.map((c) => ({ ...c, context: c.context ?? "(current context)" })),
            "context",
            "two clusters use the same kubeconfig context, so both would be installed into one cluster",
            "give every cluster its own context",
        );
    }
    checkPki(pki);
    const links = resolveLinks(clusters, peering);
    return {
        clusters,
        istio,
        pki,
        peering: Array.isArray(peering) ? "explicit" : peering,
        links,
        multicluster: clusters.length > 1,
    };
}

function rejectUnknownKeys(config: Readonly<Record<string, string>>): void {
    const prefix = `${configNamespace}:`;
    for (const key of Object.keys(config).sort()) {
        if (!key.startsWith(prefix)) continue;
        const bare = key.slice(prefix.length);
        if ((settingNames as string[]).includes(bare)) continue;
        const guess = closest(bare, settingNames);
        throw new ConfigError(
            key,
            "is not a setting of this program",
            (guess ? `did you mean ${prefix}${guess}? ` : "") + `remove it; the settings are ${settingNames.map((n) => prefix + n).join(", ")}`,
        );
    }
}

function parseSetting<K extends SettingName>(config: Readonly<Record<string, string>>, name: K): z.output<(typeof settingSchemas)[K]> {
    const text = config[`${configNamespace}:${name}`];
    let value: unknown = text;
    if (text !== undefined && structuredSettings.has(name)) {
        try {
            value = JSON.parse(text);
        } catch {
            value = text; // a plain word such as `full-mesh`
        }
    }
    const result = settingSchemas[name].safeParse(value);
    if (!result.success) throw fromIssue(name, result.error.issues[0]);
    return result.data as z.output<(typeof settingSchemas)[K]>;
}

function fromIssue(name: SettingName, issue: z.core.$ZodIssue): ConfigError {
    const path = [name, ...issue.path];
    if (issue.code === "unrecognized_keys") {
        const key = issue.keys[0];
        const known = objectKeys[name] ?? [];
        const guess = closest(key, known);
        return new ConfigError(
            settingName([...path, key]),
            "is not a known key",
            (guess ? `did you mean ${guess}? ` : "") + `remove it; the keys here are ${known.join(", ")}`,
        );
    }
    const [problem, fix] = issue.message.includes("\n") ? issue.message.split("\n", 2) : [issue.message, "see the README's configuration reference"];
    return new ConfigError(settingName(path), problem, fix);
}

const objectKeys: Record<string, readonly string[]> = {
    clusters: ["name", "context", "trustDomain", "network", "rotation"],
    istio: ["version", "repoKey", "clusterDomain"],
    peering: ["from", "to"],
    pki: ["keyAlgorithm", "rsaBits", "ecdsaCurve", "rootValidityDays", "intermediateValidityDays", "earlyRenewalDays", "protectRoot"],
};

function withDefaults(cluster: ClusterInput): ClusterSpec {
    return {
        name: cluster.name,
        ...(cluster.context !== undefined ? { context: cluster.context } : {}),
        // The guide uses the cluster name for both.
        trustDomain: cluster.trustDomain ?? cluster.name,
        network: cluster.network ?? cluster.name,
        rotation: cluster.rotation,
    };
}

function checkUnique<T extends Record<K, string | undefined>, K extends keyof T & string>(
    items: readonly T[],
    key: K,
    problem: string,
    fix: string,
): void {
    const firstIndex = new Map<string, number>();
    items.forEach((item, index) => {
        const value = item[key];
        if (value === undefined) return;
        const earlier = firstIndex.get(value);
        if (earlier !== undefined) {
            throw new ConfigError(
                settingName(["clusters", index, key]),
                `"${value}" is already used by clusters[${earlier}]: ${problem}`,
                fix,
            );
        }
        firstIndex.set(value, index);
    });
}

function checkPki(pki: PkiInput): void {
    if (pki.keyAlgorithm === "ECDSA" && pki.rsaBits !== undefined) {
        throw new ConfigError(settingName(["pki", "rsaBits"]), "is set but pki.keyAlgorithm is ECDSA", "remove rsaBits, or set keyAlgorithm: RSA");
    }
    if (pki.keyAlgorithm === "RSA" && pki.ecdsaCurve !== undefined) {
        throw new ConfigError(settingName(["pki", "ecdsaCurve"]), "is set but pki.keyAlgorithm is RSA", "remove ecdsaCurve, or set keyAlgorithm: ECDSA");
    }
    if (pki.intermediateValidityDays > pki.rootValidityDays) {
        throw new ConfigError(
            settingName(["pki", "intermediateValidityDays"]),
            `${pki.intermediateValidityDays} days outlives the root (${pki.rootValidityDays} days)`,
            "make it no longer than pki.rootValidityDays",
        );
    }
    if (pki.earlyRenewalDays >= pki.intermediateValidityDays) {
        throw new ConfigError(
            settingName(["pki", "earlyRenewalDays"]),
            `${pki.earlyRenewalDays} days is not shorter than the intermediates' validity (${pki.intermediateValidityDays} days), so every pulumi up would renew them`,
            "make it smaller than pki.intermediateValidityDays, e.g. 30",
        );
    }
}

function resolveLinks(clusters: readonly ClusterSpec[], peering: z.output<typeof settingSchemas.peering>): DirectedLink[] {
    if (peering === "none") return [];
    if (peering === "full-mesh") {
        return clusters.flatMap((from) => clusters.filter((to) => to.name !== from.name).map((to) => ({ from: from.name, to: to.name })));
    }
    const names = clusters.map((c) => c.name);
    const seen = new Set<string>();
    peering.forEach((link, index) => {
        for (const end of ["from", "to"] as const) {
            if (!names.includes(link[end])) {
                const guess = closest(link[end], names);
                throw new ConfigError(
                    settingName(["peering", index, end]),
                    `names cluster "${link[end]}", which is not in ambient-spire:clusters`,
                    (guess ? `did you mean ${guess}? ` : "") + `use one of ${names.join(", ")}`,
                );
            }
        }
        if (link.from === link.to) {
            throw new ConfigError(settingName(["peering", index]), `links ${link.from} to itself`, "remove it; a cluster needs no link to itself");
        }
        const key = `${link.from}->${link.to}`;
        if (seen.has(key)) {
            throw new ConfigError(settingName(["peering", index]), `repeats the link ${link.from} -> ${link.to}`, "remove the duplicate");
        }
        seen.add(key);
    });
    return peering.map((link) => ({ from: link.from, to: link.to }));
}
