import { Kube, KubeObject } from "./kube";

/**
 * What a mesh leaves in a cluster, in a form two installations can be compared by: every Namespace, Secret,
 * ConfigMap (the stand-in charts' received values among them), ClusterSPIFFEID, CRD and Gateway, with their
 * labels, annotations, data and spec. What differs between any two installations is taken out: server-set
 * metadata, and PEM blocks (each installation has its own CAs), which read as `<CERTIFICATE>` or `<PRIVATE KEY>`.
 */
export interface LiveObject {
    readonly id: string;
    readonly content: unknown;
}

const kinds = ["namespaces", "secrets", "configmaps", "clusterspiffeids.spire.spiffe.io", "customresourcedefinitions", "gateways.gateway.networking.k8s.io"];

/** Objects the API server makes for itself, in every cluster alike. */
function serverMade(object: KubeObject): boolean {
    const { name, namespace } = object.metadata;
    if (object.kind === "Namespace") return ["default", "kube-node-lease", "kube-public", "kube-system"].includes(name);
    if (object.kind === "ConfigMap") return name === "kube-root-ca.crt" || namespace === "kube-system" || namespace === "kube-public";
    return namespace === "kube-system";
}

export function liveObjects(kube: Kube): LiveObject[] {
    const objects: LiveObject[] = [];
    for (const kind of kinds) {
        let listed: KubeObject[];
        try {
            listed = kube.list(kind);
        } catch (error) {
            if (/the server doesn't have a resource type/.test(String(error))) continue;
            throw error;
        }
        for (const object of listed) {
            if (serverMade(object)) continue;
            objects.push({ id: `${object.kind} ${object.metadata.namespace ?? ""}/${object.metadata.name}`, content: comparable(object) });
        }
    }
    return objects.sort((a, b) => a.id.localeCompare(b.id));
}

function comparable(object: KubeObject): unknown {
    const { labels, annotations } = object.metadata;
    const base = { labels: labels ?? {}, annotations: annotations ?? {} };
    if (object.kind === "CustomResourceDefinition") return base; // the schemas are the charts' and the file's
    if (object.kind === "Secret") {
        // Helm's release records hold timestamps and the whole chart: their names (release and revision) and labels
        // compare, less the time of the last change.
        if ((object as { type?: string }).type === "helm.sh/release.v1") {
            const { modifiedAt: _time, ...helmLabels } = base.labels;
            return { ...base, labels: helmLabels };
        }
        const data = Object.fromEntries(Object.entries(object.data ?? {}).map(([k, v]) => [k, withoutPem(Buffer.from(v, "base64").toString("utf8"))]));
        return { ...base, type: (object as { type?: string }).type, data };
    }
    if (object.kind === "ConfigMap") {
        const data = Object.fromEntries(Object.entries(object.data ?? {}).map(([k, v]) => [k, k.endsWith(".json") ? withoutPemDeep(JSON.parse(v)) : withoutPem(v)]));
        return { ...base, data };
    }
    return { ...base, spec: withoutPemDeep(object.spec ?? {}) };
}

const pem = /-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----\n?/g;

function withoutPem(text: string): string {
    return text.replace(pem, (_block, label: string) => `<${label}>`);
}

function withoutPemDeep(value: unknown): unknown {
    if (typeof value === "string") return withoutPem(value);
    if (Array.isArray(value)) return value.map(withoutPemDeep);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutPemDeep(v)]));
    return value;
}

/** Ids present in only one of two snapshots, and ids whose content differs. */
export function liveDifferences(expected: readonly LiveObject[], actual: readonly LiveObject[]): string[] {
    const want = new Map(expected.map((o) => [o.id, o.content]));
    const have = new Map(actual.map((o) => [o.id, o.content]));
    return [
        ...[...want.keys()].filter((id) => !have.has(id)).map((id) => `${id}: missing`),
        ...[...have.keys()].filter((id) => !want.has(id)).map((id) => `${id}: not expected`),
        ...[...want.entries()].filter(([id, content]) => have.has(id) && JSON.stringify(content) !== JSON.stringify(have.get(id))).map(([id, content]) => `${id}: expected ${JSON.stringify(content)}, got ${JSON.stringify(have.get(id))}`),
    ];
}
