import type * as k8s from "@pulumi/kubernetes";
import * as fs from "fs";
import { parseAllDocuments } from "yaml";

/** Gateway API release the guide installs; one place to change it. */
export const gatewayApi = {
    version: "v1.3.0",
    standardInstallUrl: (version: string) =>
        `https://github.com/kubernetes-sigs/gateway-api/releases/download/${version}/standard-install.yaml`,
} as const;

/**
 * The CRDs of each Gateway API release's standard channel (its standard-install.yaml), by version. Known without
 * reading the manifest, so that the resources are registered before it is read (a URL is read by the program at
 * run time, and not at all by the offline plan); the manifest, once read, must hold exactly these.
 */
export const gatewayApiStandardCrds: Readonly<Record<string, readonly string[]>> = {
    "v1.3.0": [
        "gatewayclasses.gateway.networking.k8s.io",
        "gateways.gateway.networking.k8s.io",
        "grpcroutes.gateway.networking.k8s.io",
        "httproutes.gateway.networking.k8s.io",
        "referencegrants.gateway.networking.k8s.io",
    ],
};

/** One CRD of the manifest, as the API server takes it (which validates its spec). */
export interface CrdDocument {
    readonly metadata: { readonly name: string; readonly annotations?: Readonly<Record<string, string>>; readonly labels?: Readonly<Record<string, string>> };
    readonly spec: k8s.types.input.apiextensions.v1.CustomResourceDefinitionSpec;
}

/** The CRD names a Gateway API version installs; a version this release does not know ends the run with the fix. */
export function gatewayApiCrdNames(version: string): readonly string[] {
    const names = gatewayApiStandardCrds[version];
    if (!names) {
        throw new GatewayApiManifestError(
            `Gateway API ${JSON.stringify(version)} is not a version this release knows the CRDs of`,
            `use ${Object.keys(gatewayApiStandardCrds).join(" or ")}`,
        );
    }
    return names;
}

/** A manifest that cannot be used: what is wrong with it, and the fix, for callers that name their own setting. */
export class GatewayApiManifestError extends Error {
    constructor(public readonly problem: string, public readonly fix: string) {
        super(`${problem}; ${fix}`);
        this.name = "GatewayApiManifestError";
    }
}

const unreachable = "give a reachable URL, or a local copy of the release's standard-install.yaml (a mirror)";
const standardInstall = "give the release's standard-install.yaml, unchanged";

export const isUrl = (source: string) => /^[a-z][a-z0-9+.-]*:\/\//.test(source);

/** Reads a manifest source (a file or a URL) to its text. */
export type ManifestReader = (source: string) => Promise<string>;

let manifestReader: ManifestReader = readManifestSource;

/**
 * The manifest's text, as the current reader gives it: by default a file is read, a URL fetched. The offline
 * plan (Pulumi's mock engine, process-global as that engine is) puts in a reader that does not fetch.
 */
export function readGatewayApiManifest(source: string): Promise<string> {
    return manifestReader(source);
}

/** Runs `run` with `reader` in place of the current reader, and puts the current one back, pass or fail. */
export async function withManifestReader<T>(reader: ManifestReader, run: () => Promise<T>): Promise<T> {
    const previous = manifestReader;
    manifestReader = reader;
    try {
        return await run();
    } finally {
        manifestReader = previous;
    }
}

/** A file is read, a URL fetched. */
export async function readManifestSource(source: string): Promise<string> {
    if (!isUrl(source)) {
        try {
            return await fs.promises.readFile(source, "utf8");
        } catch (error) {
            throw new GatewayApiManifestError(`the Gateway API manifest ${JSON.stringify(source)} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, unreachable);
        }
    }
    let response: Response;
    try {
        response = await fetch(source);
    } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
        throw new GatewayApiManifestError(`the Gateway API manifest ${JSON.stringify(source)} cannot be fetched (${cause})`, unreachable);
    }
    if (!response.ok) throw new GatewayApiManifestError(`the Gateway API manifest ${JSON.stringify(source)} cannot be fetched (HTTP ${response.status})`, unreachable);
    return response.text();
}

/**
 * The manifest's CRDs by name, checked against the names expected: a manifest of another version or channel (the
 * experimental one adds CRDs) would otherwise install CRDs the stack does not track, or miss some it does.
 */
export function gatewayApiCrdDocuments(manifest: string, source: string, expected: readonly string[]): ReadonlyMap<string, CrdDocument> {
    const key = `${source}\0${expected.join()}`;
    if (lastParsed?.manifest === manifest && lastParsed.key === key) return lastParsed.documents;
    const documents = parseCrdDocuments(manifest, source, expected);
    lastParsed = { manifest, key, documents };
    return documents;
}

// One parse serves the config check and every cluster of the stack, which all read the same text: the yaml
// library's document tree of a 0.1–1 MB manifest cost the node program about 2 MiB per cluster it kept (real bench).
let lastParsed: { readonly manifest: string; readonly key: string; readonly documents: ReadonlyMap<string, CrdDocument> } | undefined;

function parseCrdDocuments(manifest: string, source: string, expected: readonly string[]): ReadonlyMap<string, CrdDocument> {
    const documents = new Map<string, CrdDocument>();
    for (const parsed of parseAllDocuments(manifest)) {
        if (parsed.errors.length > 0) throw new GatewayApiManifestError(`the Gateway API manifest ${JSON.stringify(source)} is not valid YAML (${parsed.errors[0]!.message.split("\n")[0]})`, standardInstall);
        const object = parsed.toJS() as { kind?: unknown; metadata?: { name?: unknown }; spec?: unknown } | null;
        if (object === null) continue;
        if (object.kind !== "CustomResourceDefinition" || typeof object.metadata?.name !== "string" || typeof object.spec !== "object" || object.spec === null) {
            throw new GatewayApiManifestError(`the Gateway API manifest ${JSON.stringify(source)} holds a ${String(object.kind)}, not a named CustomResourceDefinition`, standardInstall);
        }
        // Only what an apply should own: a generated manifest may also carry `creationTimestamp: null` and a
        // `status`, which belong to the API server.
        const { name, annotations, labels } = object.metadata as { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
        documents.set(name, {
            metadata: { name, ...(annotations ? { annotations } : {}), ...(labels ? { labels } : {}) },
            spec: object.spec as CrdDocument["spec"],
        });
    }
    const found = [...documents.keys()].sort();
    const wanted = [...expected].sort();
    if (found.join() !== wanted.join()) {
        throw new GatewayApiManifestError(
            `the Gateway API manifest ${JSON.stringify(source)} holds the CRDs ${found.join(", ") || "(none)"}, not the standard channel's ${wanted.join(", ")}`,
            standardInstall,
        );
    }
    return documents;
}
