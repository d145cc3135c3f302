/**
 * A cluster as verify saw it: plain JSON objects (what the API server returned), so checks are pure functions
 * and tests can build a cluster by hand. Secrets are held as the API returns them (base64 data) and never printed.
 */
import { WorkloadKind } from "./targets";

/** The part of a Kubernetes object the checks read. */
export interface KubeObject {
    readonly apiVersion?: string;
    readonly kind?: string;
    readonly metadata: {
        readonly name: string;
        readonly namespace?: string;
        readonly labels?: Readonly<Record<string, string>>;
        readonly annotations?: Readonly<Record<string, string>>;
        readonly deletionTimestamp?: string;
    };
    readonly data?: Readonly<Record<string, string>>;
    readonly spec?: Readonly<Record<string, unknown>>;
    readonly status?: Readonly<Record<string, unknown>>;
}

/** One read: the object, its absence (404), or why it could not be read (403, a timeout…). */
export type Lookup<T> = { readonly found: T } | { readonly absent: true } | { readonly error: string };

/** One revision of a Helm release, from its `sh.helm.release.v1.<name>.v<N>` Secret. */
export interface HelmRevision {
    readonly revision: number;
    /** The Secret's `status` label: deployed, superseded, failed, pending-upgrade… */
    readonly status: string;
    /** `chart.metadata.version` of the decoded release; undefined when the payload could not be decoded. */
    readonly chartVersion?: string;
    readonly chartName?: string;
    /** Why the payload could not be decoded. */
    readonly decodeError?: string;
}

export interface WorkloadSnapshot {
    readonly kind: WorkloadKind;
    readonly object: KubeObject;
    /** Pods matching the workload's selector. */
    readonly pods: readonly KubeObject[];
}

export interface ClusterSnapshot {
    readonly name: string;
    readonly context: string;
    /** Set when the API server could not be reached at all; nothing else was read. */
    readonly unreachable?: string;
    readonly namespaces: Readonly<Record<string, Lookup<KubeObject>>>;
    /** By `<namespace>/<name>`. */
    readonly secrets: Readonly<Record<string, Lookup<KubeObject>>>;
    /** By `<namespace>/<name>`. */
    readonly configMaps: Readonly<Record<string, Lookup<KubeObject>>>;
    /** Gateways of the east-west namespace, by name (the east-west gateway and every remote peer). */
    readonly gateways: Lookup<Readonly<Record<string, KubeObject>>>;
    /** ClusterSPIFFEIDs by name. */
    readonly clusterSpiffeIds: Lookup<Readonly<Record<string, KubeObject>>>;
    /** Helm releases by name: every stored revision. */
    readonly releases: Readonly<Record<string, Lookup<readonly HelmRevision[]>>>;
    /** Workloads by target id (targets.ts). */
    readonly workloads: Readonly<Record<string, Lookup<WorkloadSnapshot>>>;
}

export function objectKey(namespace: string, name: string): string {
    return `${namespace}/${name}`;
}
