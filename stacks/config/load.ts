import { z } from "zod";
import { ChartSource } from "../../components/helm/chartSource";
import * as rules from "./rules";
import { closest, configNamespace, ConfigError, settingName } from "./errors";
import {
    ClusterInput,
    IstioInput,
    PkiInput,
    RemotePeerInput,
    SettingName,
    SourcesInput,
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
    /** More than one cluster, here or in peer stacks: networks, plug-in CAs and east-west gateways are needed. */
    readonly multicluster: boolean;
    /** The `pki` stack that holds the root and signs this stack's CAs; undefined: this stack owns its root. */
    readonly pkiStack?: string;
    /** Clusters of other stacks that this stack's clusters may link to. */
    readonly remotePeers: readonly RemotePeerInput[];
    /** Where charts, CRDs and images come from; an absent entry means the component's public default. */
    readonly sources: MeshSources;
}

/** The chart names of `sources.charts`, each the chart of one release. */
export type ChartName = keyof SourcesInput["charts"];

export interface MeshSources {
    readonly charts: Readonly<Partial<Record<ChartName, ChartSource>>>;
    /** URL or file of the Gateway API standard-install manifest. */
    readonly gatewayApiCrds?: string;
    /** Registry of the Istio images. */
    readonly imageHub?: string;
}

/** A stack that owns only the root CA and signs the CA requests of the cluster stacks it names. */
export interface PkiStackSpec {
    readonly pki: PkiInput;
    readonly signFor: readonly string[];
}

export type StackSpec = { readonly kind: "mesh"; readonly spec: MeshSpec } | { readonly kind: "pki"; readonly spec: PkiStackSpec };

/**
 * Settings a `pki` stack must not have: it installs nothing in any cluster. The licence is allowed (and
 * unused): Pulumi.yaml declares it, and the CLI requires a declared key without a default on every stack.
 */
const meshOnlySettings: readonly SettingName[] = ["clusters", "istio", "peering", "pkiStack", "remotePeers", "sources"];

/**
 * Reads either stack shape: a `pki` stack (it has `signFor`) or a mesh stack, whole or one cluster's part.
 * `secretKeys`: the settings the engine holds encrypted; when given, a licence outside it is refused.
 */
export function loadStackSpec(config: Readonly<Record<string, string>>, secretKeys?: ReadonlySet<string>): StackSpec {
    rejectUnknownKeys(config);
    if (config[`${configNamespace}:signFor`] === undefined) return { kind: "mesh", spec: loadMeshSpec(config, secretKeys) };
    for (const name of meshOnlySettings) {
        if (config[`${configNamespace}:${name}`] !== undefined) {
            throw new ConfigError(
                `${configNamespace}:${name}`,
                "is set on a pki stack (one with ambient-spire:signFor), which owns only the root CA",
                "remove it, or remove ambient-spire:signFor to make this a cluster stack",
            );
        }
    }
    const signFor = parseSetting(config, "signFor") ?? [];
    const pki = parseSetting(config, "pki");
    checkPki(pki);
    signFor.forEach((stack, index) => {
        if (signFor.indexOf(stack) !== index) throw new ConfigError(settingName(["signFor", index]), `repeats ${stack}`, "remove the duplicate");
    });
    return { kind: "pki", spec: { pki, signFor } };
}

/**
 * Reads the stack configuration as Pulumi hands it to a program — `namespace:key` to text, objects as JSON —
 * and returns the typed spec, or throws the first ConfigError. Pure: no Pulumi resources, no I/O.
 */
export function loadMeshSpec(config: Readonly<Record<string, string>>, secretKeys?: ReadonlySet<string>): MeshSpec {
    rejectUnknownKeys(config);
    if (config[`${configNamespace}:signFor`] !== undefined) {
        throw new ConfigError(`${configNamespace}:signFor`, "makes this a pki stack, which cannot also have clusters", "load it with loadStackSpec, or remove signFor");
    }
    const clusters = parseSetting(config, "clusters").map(withDefaults);
    const istio = parseSetting(config, "istio");
    parseSetting(config, "soloLicenseKey");
    checkLicenceEncrypted(secretKeys);
    const peering = parseSetting(config, "peering");
    const pki = parseSetting(config, "pki");
    const pkiStack = parseSetting(config, "pkiStack");
    const remotePeers = parseSetting(config, "remotePeers");
    const sources = sourcesOf(parseSetting(config, "sources"));

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
    checkRemotePeers(clusters, remotePeers, pkiStack);
    const links = resolveLinks(clusters, remotePeers, peering);
    return {
        clusters,
        istio,
        pki,
        peering: Array.isArray(peering) ? "explicit" : peering,
        links,
        multicluster: clusters.length + remotePeers.length > 1,
        ...(pkiStack !== undefined ? { pkiStack } : {}),
        remotePeers,
        sources,
    };
}

/** A chart source as a user writes it (one string) turned into the component's typed form. */
export function chartSourceOf(text: string): ChartSource {
    if (rules.helmRepositoryUrl.test(text)) return { repository: text };
    if (rules.ociRegistryUrl.test(text)) return { registry: text };
    return { directory: text };
}

function sourcesOf(input: SourcesInput): MeshSources {
    const charts: Partial<Record<ChartName, ChartSource>> = {};
    for (const [chart, text] of Object.entries(input.charts) as [ChartName, string | undefined][]) {
        if (text !== undefined) charts[chart] = chartSourceOf(text);
    }
    return {
        charts,
        ...(input.gatewayApiCrds !== undefined ? { gatewayApiCrds: input.gatewayApiCrds } : {}),
        ...(input.imageHub !== undefined ? { imageHub: input.imageHub } : {}),
    };
}

const licenceSetting = `${configNamespace}:soloLicenseKey`;

/** The licence must be a Pulumi secret: the CLI stores a plain `config set` value as readable text. */
function checkLicenceEncrypted(secretKeys: ReadonlySet<string> | undefined): void {
    if (secretKeys === undefined || secretKeys.has(licenceSetting)) return;
    throw new ConfigError(
        licenceSetting,
        "is stored in plain text in the stack file",
        `run \`pulumi config set --secret ${licenceSetting} <your Solo licence key>\` to store it encrypted`,
    );
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
        const objectPath = [name, ...issue.path.filter((part) => typeof part === "string")].join(".");
        const known = objectKeys[objectPath] ?? [];
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
    remotePeers: ["name", "stack"],
    sources: ["charts", "gatewayApiCrds", "imageHub"],
    "sources.charts": ["spireCrds", "spire", "istioBase", "istiod", "istioCni", "ztunnel"],
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

function checkRemotePeers(clusters: readonly ClusterSpec[], remotePeers: readonly RemotePeerInput[], pkiStack: string | undefined): void {
    if (remotePeers.length > 0 && pkiStack === undefined) {
        throw new ConfigError(
            settingName(["remotePeers"]),
            "names clusters of other stacks, but this stack makes its own root CA, so their certificates would not chain to it",
            "set ambient-spire:pkiStack to the pki stack that all these stacks share",
        );
    }
    const local = new Set(clusters.map((c) => c.name));
    remotePeers.forEach((peer, index) => {
        if (local.has(peer.name)) {
            throw new ConfigError(settingName(["remotePeers", index, "name"]), `"${peer.name}" is also a cluster of this stack`, "list each cluster once: in clusters if this stack owns it, else in remotePeers");
        }
        if (remotePeers.findIndex((p) => p.name === peer.name) !== index) {
            throw new ConfigError(settingName(["remotePeers", index, "name"]), `repeats "${peer.name}"`, "remove the duplicate");
        }
    });
}

/** Links start in this stack's clusters; they may end in this stack's or in a remote peer. */
function resolveLinks(clusters: readonly ClusterSpec[], remotePeers: readonly RemotePeerInput[], peering: z.output<typeof settingSchemas.peering>): DirectedLink[] {
    const targets = [...clusters.map((c) => c.name), ...remotePeers.map((p) => p.name)];
    if (peering === "none") return [];
    if (peering === "full-mesh") {
        return clusters.flatMap((from) => targets.filter((to) => to !== from.name).map((to) => ({ from: from.name, to })));
    }
    const names = clusters.map((c) => c.name);
    const seen = new Set<string>();
    peering.forEach((link, index) => {
        for (const end of ["from", "to"] as const) {
            const allowed = end === "from" ? names : targets;
            if (!allowed.includes(link[end])) {
                const guess = closest(link[end], allowed);
                throw new ConfigError(
                    settingName(["peering", index, end]),
                    `names cluster "${link[end]}", which is not in ambient-spire:clusters${end === "to" && remotePeers.length > 0 ? " or ambient-spire:remotePeers" : ""}`,
                    (guess ? `did you mean ${guess}? ` : "") + `use one of ${allowed.join(", ")}`,
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
