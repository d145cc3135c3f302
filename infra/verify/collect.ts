/**
 * Reads one cluster through the official client (@kubernetes/client-node) into a plain ClusterSnapshot. It reads
 * a fixed set of objects (targets.ts), so the same snapshot serves every stack; it never writes.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ApiException, AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { gatewayApiVersion } from "../../components/multicluster/gatewayShape";
import { helmReleaseSelector, helmRevisionOf } from "./helmRelease";
import { ClusterSnapshot, HelmRevision, KubeObject, Lookup, objectKey, WorkloadSnapshot } from "./snapshot";
import {
    cacertsSecret,
    eastWestNamespace,
    injectorConfigMap,
    istioNamespace,
    releaseTargets,
    rootCertConfigMap,
    spireNamespace,
    upstreamCaSecret,
    WorkloadKind,
    workloadTargets,
} from "./targets";

/** A kubeconfig that cannot be used at all: no file, or no such context. */
export class KubeconfigError extends Error {}

/** The kubeconfig as kubectl finds it: the given file, else $KUBECONFIG (a path list), else ~/.kube/config. */
export function loadKubeConfig(kubeconfigPath?: string): KubeConfig {
    const kc = new KubeConfig();
    const files = kubeconfigPath !== undefined
        ? [kubeconfigPath]
        : process.env.KUBECONFIG
          ? process.env.KUBECONFIG.split(path.delimiter).filter((f) => f !== "")
          : [path.join(os.homedir(), ".kube", "config")];
    const existing = files.filter((f) => fs.existsSync(f));
    if (existing.length === 0) {
        const where = kubeconfigPath !== undefined ? `--kubeconfig ${JSON.stringify(kubeconfigPath)}` : process.env.KUBECONFIG ? `KUBECONFIG=${JSON.stringify(process.env.KUBECONFIG)}` : JSON.stringify(files[0]);
        throw new KubeconfigError(`${where}: no such kubeconfig file. Fix: pass --kubeconfig <file>, or set KUBECONFIG`);
    }
    if (existing.length === 1) kc.loadFromFile(existing[0]);
    else kc.loadFromDefault(); // merges every file of $KUBECONFIG, as kubectl does
    return kc;
}

export interface CollectOptions {
    /** The cluster's name in the stack, for the snapshot. Default: the context. */
    readonly clusterName?: string;
    /** Per request. Default: 10 s. */
    readonly timeoutMs?: number;
}

/** Reads the cluster behind `context` (undefined: the current context) of the kubeconfig at `kubeconfigPath`. */
export async function collectSnapshot(kubeconfigPath: string | undefined, context: string | undefined, options: CollectOptions = {}): Promise<ClusterSnapshot> {
    return collectFrom(loadKubeConfig(kubeconfigPath), context, options);
}

export async function collectFrom(kc: KubeConfig, context: string | undefined, options: CollectOptions = {}): Promise<ClusterSnapshot> {
    const contextName = context ?? kc.getCurrentContext();
    const name = options.clusterName ?? contextName;
    const empty: ClusterSnapshot = { name, context: contextName, namespaces: {}, secrets: {}, configMaps: {}, gateways: { absent: true }, clusterSpiffeIds: { absent: true }, releases: {}, workloads: {} };
    if (!kc.getContexts().some((c) => c.name === contextName)) {
        return { ...empty, unreachable: `context ${JSON.stringify(contextName)} is not in the kubeconfig (it has ${kc.getContexts().map((c) => JSON.stringify(c.name)).join(", ") || "none"})` };
    }
    const scoped = new KubeConfig();
    scoped.loadFromString(kc.exportConfig());
    scoped.setCurrentContext(contextName);
    const timeoutMs = options.timeoutMs ?? 10_000;
    const server = scoped.getCurrentCluster()?.server ?? "?";
    const core = scoped.makeApiClient(CoreV1Api);
    const apps = scoped.makeApiClient(AppsV1Api);
    const custom = scoped.makeApiClient(CustomObjectsApi);
    const read = <T>(what: () => Promise<T>) => lookup(what, timeoutMs);

    // One read first: when the API server does not answer, say so once instead of once per object.
    const istioNs = await read(async () => plain(await core.readNamespace({ name: istioNamespace })));
    if ("error" in istioNs && !istioNs.error.startsWith("HTTP ")) return { ...empty, unreachable: `API server ${server} not reachable: ${istioNs.error}` };

    const secret = (namespace: string, secretName: string) => read(async () => plain(await core.readNamespacedSecret({ name: secretName, namespace })));
    const configMap = (namespace: string, mapName: string) => read(async () => plain(await core.readNamespacedConfigMap({ name: mapName, namespace })));
    const [gatewayGroup, gatewayVersion] = gatewayApiVersion.split("/");

    const [cacerts, upstream, rootCert, injector, gateways, clusterSpiffeIds] = await Promise.all([
        secret(istioNamespace, cacertsSecret),
        secret(spireNamespace, upstreamCaSecret),
        configMap(istioNamespace, rootCertConfigMap.name),
        configMap(istioNamespace, injectorConfigMap.name),
        read(async () => byName(await custom.listNamespacedCustomObject({ group: gatewayGroup, version: gatewayVersion, namespace: eastWestNamespace, plural: "gateways" }))),
        read(async () => byName(await custom.listClusterCustomObject({ group: "spire.spiffe.io", version: "v1alpha1", plural: "clusterspiffeids" }))),
    ]);
    const releases: Record<string, Lookup<readonly HelmRevision[]>> = {};
    for (const target of releaseTargets) {
        releases[target.name] = await read(async () => {
            const list = await core.listNamespacedSecret({ namespace: target.namespace, labelSelector: helmReleaseSelector(target.name) });
            return list.items.map((s) => helmRevisionOf(plain(s)));
        });
    }
    const workloads: Record<string, Lookup<WorkloadSnapshot>> = {};
    for (const target of workloadTargets) {
        workloads[target.id] = await readWorkload(target.kinds, async (kind) => {
            const args = { name: target.name, namespace: target.namespace };
            const object = plain(kind === "Deployment" ? await apps.readNamespacedDeployment(args) : kind === "DaemonSet" ? await apps.readNamespacedDaemonSet(args) : await apps.readNamespacedStatefulSet(args));
            const selector = (object.spec?.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels ?? {};
            const labelSelector = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(",");
            const pods = labelSelector === "" ? [] : (await core.listNamespacedPod({ namespace: target.namespace, labelSelector })).items.map(plain);
            return { kind, object, pods };
        }, timeoutMs);
    }
    return {
        name,
        context: contextName,
        namespaces: { [istioNamespace]: istioNs },
        secrets: { [objectKey(istioNamespace, cacertsSecret)]: cacerts, [objectKey(spireNamespace, upstreamCaSecret)]: upstream },
        configMaps: { [objectKey(istioNamespace, rootCertConfigMap.name)]: rootCert, [objectKey(istioNamespace, injectorConfigMap.name)]: injector },
        gateways,
        clusterSpiffeIds,
        releases,
        workloads,
    };
}

/** The first of `kinds` that exists. */
async function readWorkload(kinds: readonly WorkloadKind[], readAs: (kind: WorkloadKind) => Promise<WorkloadSnapshot>, timeoutMs: number): Promise<Lookup<WorkloadSnapshot>> {
    let last: Lookup<WorkloadSnapshot> = { absent: true };
    for (const kind of kinds) {
        last = await lookup(() => readAs(kind), timeoutMs);
        if (!("absent" in last)) return last;
    }
    return last;
}

/** A read as found / absent (404) / error; a request that takes longer than `timeoutMs` is an error. */
async function lookup<T>(what: () => Promise<T>, timeoutMs: number): Promise<Lookup<T>> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
        return { found: await Promise.race([what(), timeout]) };
    } catch (error) {
        if (error instanceof ApiException) return error.code === 404 ? { absent: true } : { error: `HTTP ${error.code}: ${reasonOf(error)}` };
        return { error: error instanceof Error ? error.message : String(error) };
    } finally {
        clearTimeout(timer);
    }
}

function reasonOf(error: ApiException<unknown>): string {
    const body = error.body;
    if (typeof body === "string") {
        try {
            const status = JSON.parse(body) as { message?: unknown };
            if (typeof status.message === "string") return status.message;
        } catch {
            return body.slice(0, 200);
        }
    }
    return error.message.split("\n")[0];
}

/** The client's model objects as plain JSON (dates become strings), as the checks and tests expect. */
function plain(object: unknown): KubeObject {
    return JSON.parse(JSON.stringify(object)) as KubeObject;
}

function byName(list: unknown): Record<string, KubeObject> {
    const items = (list as { items?: unknown[] }).items ?? [];
    return Object.fromEntries(items.map(plain).map((item) => [item.metadata.name, item]));
}
