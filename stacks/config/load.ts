import { z } from "zod";
import { ChartSource } from "../../components/helm/chartSource";
import { OwnedValue, ownedValueTouched, ValuesOverride } from "../../components/helm/values";
import { istioOwnedValues } from "../../components/istio/meshValues";
import { spireOwnedValues } from "../../components/spire/spireValues";
import * as rules from "./rules";
import { checkCaChoice } from "./caChoice";
import { closest, configNamespace, ConfigError, Quote, quoteSecret, quoteValue, settingName } from "./errors";
import {
    ChartsInput,
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
    /** Helm values per chart, over the program's own; none of them touches a value the program owns. */
    readonly charts: Readonly<Partial<Record<ChartName, ValuesOverride>>>;
    /** Set: take over what the guide's commands created (docs/migrating.md); undefined: create everything. */
    readonly adopt?: { readonly keepOnDestroy: boolean };
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
 * Settings a `pki` stack must not have: it installs nothing in any cluster. (A licence left on one from an
 * earlier version of this program is ignored.)
 */
const meshOnlySettings: readonly SettingName[] = ["clusters", "istio", "peering", "pkiStack", "remotePeers", "sources", "charts", "adopt"];

/**
 * How messages show a setting's value: quoted, except the licence (always a secret, however it was given)
 * and any setting the stack holds as a secret (`pulumi config set --secret`), which read "[secret]".
 */
function quoterFor(secretKeys: readonly string[]): (setting: SettingName) => Quote {
    return (setting) => (setting === "soloLicenseKey" || secretKeys.includes(`${configNamespace}:${setting}`) ? quoteSecret : quoteValue);
}

/**
 * Reads either stack shape: a `pki` stack (it has `signFor`) or a mesh stack, whole or one cluster's part.
 * `secretKeys` (`namespace:key`) are the settings held as secrets: their values appear in no message, and a
 * licence outside them is refused. Undefined: the engine did not say (then no setting is taken for plain text).
 */
export function loadStackSpec(config: Readonly<Record<string, string>>, secretKeys?: readonly string[]): StackSpec {
    rejectUnknownKeys(config);
    if (config[`${configNamespace}:signFor`] === undefined) return { kind: "mesh", spec: loadMeshSpec(config, secretKeys) };
    const quote = quoterFor(secretKeys ?? []);
    for (const name of meshOnlySettings) {
        if (config[`${configNamespace}:${name}`] !== undefined) {
            throw new ConfigError(
                `${configNamespace}:${name}`,
                `${quote(name)(rawSetting(config, name))} is set on a pki stack (one with ambient-spire:signFor), which owns only the root CA`,
                "remove it, or remove ambient-spire:signFor to make this a cluster stack",
            );
        }
    }
    const signFor = parseSetting(config, "signFor", quote) ?? [];
    const pki = parseSetting(config, "pki", quote);
    checkPki(pki, quote("pki"));
    if (pki.ca !== "generated") {
        throw new ConfigError(
            settingName(["pki", "ca"]),
            `${quote("pki")(pki.ca)} is set on a pki stack, which generates the root it signs with`,
            "remove it; to bring your own CA, set pki.ca on the cluster stacks instead and remove their ambient-spire:pkiStack",
        );
    }
    signFor.forEach((stack, index) => {
        const first = signFor.indexOf(stack);
        if (first !== index) throw new ConfigError(settingName(["signFor", index]), `${quote("signFor")(stack)} is already listed at signFor[${first}]`, "remove the duplicate");
    });
    return { kind: "pki", spec: { pki, signFor } };
}

/**
 * Reads the stack configuration as Pulumi hands it to a program — `namespace:key` to text, objects as JSON —
 * and returns the typed spec, or throws the first ConfigError. Pure: no Pulumi resources, no I/O.
 */
export function loadMeshSpec(config: Readonly<Record<string, string>>, secretKeys?: readonly string[]): MeshSpec {
    rejectUnknownKeys(config);
    const quote = quoterFor(secretKeys ?? []);
    if (config[`${configNamespace}:signFor`] !== undefined) {
        throw new ConfigError(
            `${configNamespace}:signFor`,
            `${quote("signFor")(rawSetting(config, "signFor"))} makes this a pki stack, which cannot also have clusters`,
            "load it with loadStackSpec, or remove signFor",
        );
    }
    const clusters = parseSetting(config, "clusters", quote).map(withDefaults);
    const istio = parseSetting(config, "istio", quote);
    parseSetting(config, "soloLicenseKey", quote);
    checkLicenceEncrypted(secretKeys);
    const peering = parseSetting(config, "peering", quote);
    const pki = parseSetting(config, "pki", quote);
    const pkiStack = parseSetting(config, "pkiStack", quote);
    const remotePeers = parseSetting(config, "remotePeers", quote);
    const sources = sourcesOf(parseSetting(config, "sources", quote));
    const charts = chartsOf(parseSetting(config, "charts", quote), quote("charts"));
    const adoptInput = parseSetting(config, "adopt", quote);
    const adopt = adoptInput === false ? undefined : { keepOnDestroy: adoptInput === true ? true : adoptInput.keepOnDestroy };

    const quoteClusters = quote("clusters");
    checkUnique(clusters, "name", quoteClusters, "cluster names must be unique", "give each cluster its own name");
    checkUnique(clusters, "network", quoteClusters, "networks must be unique: the multicluster check fails when two clusters share one", "give each cluster its own network (it defaults to the cluster name)");
    if (clusters.length > 1) {
        // Clusters without a context share the current one; say so rather than quote a value nobody wrote.
        const currentContext = "\0current";
        checkUnique(
            clusters.map((c) => ({ ...c, context: c.context ?? currentContext })),
            "context",
            (value) => (value === currentContext ? "no context (the current one)" : quoteClusters(value)),
            "two clusters use the same kubeconfig context, so both would be installed into one cluster",
            "give every cluster its own context",
        );
    }
    checkPki(pki, quote("pki"));
    const multicluster = clusters.length + remotePeers.length > 1;
    checkCaChoice(pki, { clusters, multicluster, ...(pkiStack !== undefined ? { pkiStack } : {}) }, secretKeys, quote("pki"));
    checkRemotePeers(clusters, remotePeers, pkiStack, quote("remotePeers"));
    const links = resolveLinks(clusters, remotePeers, peering, quote("peering"));
    // The guide's spiffe-upstream-ca (and cacerts) hold its own CA: only its files given back as provided material
    // keep them. A generated or external CA would overwrite them with new keys on the first up — a rotation
    // nobody asked for, the disruption adoption is to avoid.
    if (adopt && pki.ca !== "provided") {
        throw new ConfigError(
            settingName(["adopt"]),
            `is set but pki.ca is ${JSON.stringify(pki.ca)}, which would replace the guide's CA in spiffe-upstream-ca${multicluster ? " and cacerts" : ""} on the first up`,
            "set pki.ca to provided and give the guide's files (pki.rootCert and pki.clusters.<cluster>.spire; see docs/migrating.md), or remove ambient-spire:adopt",
        );
    }
    return {
        clusters,
        istio,
        pki,
        peering: Array.isArray(peering) ? "explicit" : peering,
        links,
        multicluster,
        ...(pkiStack !== undefined ? { pkiStack } : {}),
        remotePeers,
        sources,
        charts,
        ...(adopt ? { adopt } : {}),
    };
}

/** The values a program's chart values may not change, by chart: what makes each cluster part of this mesh. */
export const ownedValuesByChart: Readonly<Record<ChartName, readonly OwnedValue[]>> = {
    spireCrds: [],
    spire: spireOwnedValues,
    istioBase: istioOwnedValues.base,
    istiod: istioOwnedValues.istiod,
    istioCni: istioOwnedValues.cni,
    ztunnel: istioOwnedValues.ztunnel,
};

function chartsOf(input: ChartsInput, quote: Quote): Partial<Record<ChartName, ValuesOverride>> {
    const charts: Partial<Record<ChartName, ValuesOverride>> = {};
    for (const [chart, entry] of Object.entries(input) as [ChartName, { values: ValuesOverride } | undefined][]) {
        if (!entry) continue;
        const touched = ownedValueTouched(entry.values, ownedValuesByChart[chart]);
        if (touched) {
            throw new ConfigError(
                settingName(["charts", chart, "values", ...touched.path.split(".")]),
                `${quote(touched.value)} would override ${touched.owned.what} (the program sets it)`,
                `remove it; set ${touched.owned.instead} instead`,
            );
        }
        charts[chart] = entry.values;
    }
    return charts;
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
function checkLicenceEncrypted(secretKeys: readonly string[] | undefined): void {
    if (secretKeys === undefined || secretKeys.includes(licenceSetting)) return;
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
        // The key is quoted, never its value: a misspelt soloLicenseKey holds the licence.
        throw new ConfigError(
            key,
            `${quoteValue(bare)} is not a setting of this program`,
            (guess ? `did you mean ${prefix}${guess}? ` : "") + `remove it; the settings are ${settingNames.map((n) => prefix + n).join(", ")}`,
        );
    }
}

/** A setting as the program receives it: objects and lists arrive as JSON text. */
function rawSetting(config: Readonly<Record<string, string>>, name: SettingName): unknown {
    const text = config[`${configNamespace}:${name}`];
    if (text === undefined || !structuredSettings.has(name)) return text;
    try {
        return JSON.parse(text);
    } catch {
        return text; // a plain word such as `full-mesh`
    }
}

function parseSetting<K extends SettingName>(config: Readonly<Record<string, string>>, name: K, quote: (setting: SettingName) => Quote): z.output<(typeof settingSchemas)[K]> {
    // reportInput: each issue carries the value it is about, for the message to quote.
    const result = settingSchemas[name].safeParse(rawSetting(config, name), { reportInput: true });
    if (!result.success) throw fromIssue(name, result.error.issues[0], quote(name));
    return result.data as z.output<(typeof settingSchemas)[K]>;
}

function fromIssue(name: SettingName, issue: z.core.$ZodIssue, quote: Quote): ConfigError {
    const path = [name, ...issue.path];
    if (issue.code === "unrecognized_keys") {
        const key = issue.keys[0];
        const objectPath = [name, ...issue.path.filter((part) => typeof part === "string")].join(".");
        const known = objectKeysAt(objectPath);
        const guess = closest(key, known);
        return new ConfigError(
            settingName([...path, key]),
            `${quoteValue(key)} is not a known key`,
            (guess ? `did you mean ${guess}? ` : "") + `remove it; the keys here are ${known.join(", ")}`,
        );
    }
    const [problem, fix] = issue.message.includes("\n") ? issue.message.split("\n", 2) : [issue.message, "see the configuration reference in docs/configuration.md"];
    // A missing value has nothing to quote; a secret one must not be shown, not even as "[secret]" here.
    const shown = issue.input === undefined || quote === quoteSecret ? problem : `${quote(issue.input)} ${problem}`;
    return new ConfigError(settingName(path), shown, fix);
}

const objectKeys: Record<string, readonly string[]> = {
    clusters: ["name", "context", "trustDomain", "network", "rotation"],
    istio: ["version", "repoKey", "clusterDomain"],
    peering: ["from", "to"],
    remotePeers: ["name", "stack"],
    sources: ["charts", "gatewayApiCrds", "imageHub"],
    charts: ["spireCrds", "spire", "istioBase", "istiod", "istioCni", "ztunnel"],
    "charts.spireCrds": ["values"],
    "charts.spire": ["values"],
    "charts.istioBase": ["values"],
    "charts.istiod": ["values"],
    "charts.istioCni": ["values"],
    "charts.ztunnel": ["values"],
    adopt: ["keepOnDestroy"],
    "sources.charts": ["spireCrds", "spire", "istioBase", "istiod", "istioCni", "ztunnel"],
    pki: ["ca", "keyAlgorithm", "rsaBits", "ecdsaCurve", "rootValidityDays", "intermediateValidityDays", "earlyRenewalDays", "protectRoot", "rootCert", "clusters"],
    "pki.clusters.*": ["spire", "istio"],
    "pki.clusters.*.spire": ["cert", "key", "rotation"],
    "pki.clusters.*.istio": ["cert", "key", "rotation"],
};

/** The objectKeys entry of a path: cluster names under pki.clusters are any name, so they read as `*`. */
function objectKeysAt(objectPath: string): readonly string[] {
    return objectKeys[objectPath.replace(/^pki\.clusters\.[^.]+/, "pki.clusters.*")] ?? [];
}

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
    quote: Quote,
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
                `${quote(value)} is already used by clusters[${earlier}]: ${problem}`,
                fix,
            );
        }
        firstIndex.set(value, index);
    });
}

function checkPki(pki: PkiInput, quote: Quote): void {
    if (pki.keyAlgorithm === "ECDSA" && pki.rsaBits !== undefined) {
        throw new ConfigError(settingName(["pki", "rsaBits"]), `${quote(pki.rsaBits)} is set but pki.keyAlgorithm is ECDSA`, "remove rsaBits, or set keyAlgorithm: RSA");
    }
    if (pki.keyAlgorithm === "RSA" && pki.ecdsaCurve !== undefined) {
        throw new ConfigError(settingName(["pki", "ecdsaCurve"]), `${quote(pki.ecdsaCurve)} is set but pki.keyAlgorithm is RSA`, "remove ecdsaCurve, or set keyAlgorithm: ECDSA");
    }
    if (pki.intermediateValidityDays > pki.rootValidityDays) {
        throw new ConfigError(
            settingName(["pki", "intermediateValidityDays"]),
            `${quote(pki.intermediateValidityDays)} days outlives the root (${quote(pki.rootValidityDays)} days)`,
            "make it no longer than pki.rootValidityDays",
        );
    }
    if (pki.earlyRenewalDays >= pki.intermediateValidityDays) {
        throw new ConfigError(
            settingName(["pki", "earlyRenewalDays"]),
            `${quote(pki.earlyRenewalDays)} days is not shorter than the intermediates' validity (${quote(pki.intermediateValidityDays)} days), so every pulumi up would renew them`,
            "make it smaller than pki.intermediateValidityDays, e.g. 30",
        );
    }
}

function checkRemotePeers(clusters: readonly ClusterSpec[], remotePeers: readonly RemotePeerInput[], pkiStack: string | undefined, quote: Quote): void {
    if (remotePeers.length > 0 && pkiStack === undefined) {
        throw new ConfigError(
            settingName(["remotePeers"]),
            `${quote(remotePeers.map((p) => p.name))} are clusters of other stacks, but this stack makes its own root CA, so their certificates would not chain to it`,
            "set ambient-spire:pkiStack to the pki stack that all these stacks share",
        );
    }
    const local = new Set(clusters.map((c) => c.name));
    remotePeers.forEach((peer, index) => {
        if (local.has(peer.name)) {
            throw new ConfigError(settingName(["remotePeers", index, "name"]), `${quote(peer.name)} is also a cluster of this stack`, "list each cluster once: in clusters if this stack owns it, else in remotePeers");
        }
        const first = remotePeers.findIndex((p) => p.name === peer.name);
        if (first !== index) {
            throw new ConfigError(settingName(["remotePeers", index, "name"]), `${quote(peer.name)} is already listed at remotePeers[${first}]`, "remove the duplicate");
        }
    });
}

/** Links start in this stack's clusters; they may end in this stack's or in a remote peer. */
function resolveLinks(clusters: readonly ClusterSpec[], remotePeers: readonly RemotePeerInput[], peering: z.output<typeof settingSchemas.peering>, quote: Quote): DirectedLink[] {
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
                    `${quote(link[end])} is not a cluster in ambient-spire:clusters${end === "to" && remotePeers.length > 0 ? " or ambient-spire:remotePeers" : ""}`,
                    (guess ? `did you mean ${guess}? ` : "") + `use one of ${allowed.join(", ")}`,
                );
            }
        }
        if (link.from === link.to) {
            throw new ConfigError(settingName(["peering", index]), `${quote(link)} links a cluster to itself`, "remove it; a cluster needs no link to itself");
        }
        const key = `${link.from}->${link.to}`;
        if (seen.has(key)) {
            throw new ConfigError(settingName(["peering", index]), `${quote(link)} repeats an earlier link`, "remove the duplicate");
        }
        seen.add(key);
    });
    return peering.map((link) => ({ from: link.from, to: link.to }));
}
