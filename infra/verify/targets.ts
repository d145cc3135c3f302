/**
 * The names of every object verify reads, taken from the components' defaults (never typed again here), plus
 * the few names that are the charts' own conventions. Both the collector and the expectations use this one list.
 */
import { ambientMeshDefaults } from "../../components/istio/ambientMesh";
import { eastWestGatewayName, eastWestNamespace } from "../../components/multicluster/gatewayShape";
import { spireReleaseDefaults } from "../../components/spire/spireRelease";
import { ChartName } from "../../stacks/config/load";

export const istioNamespace = ambientMeshDefaults.systemNamespace;
export const spireNamespace = spireReleaseDefaults.namespace;
export { eastWestGatewayName, eastWestNamespace };

/** Istio's plug-in CA Secret (AmbientMesh writes it for N > 1) and the root istiod publishes from it. */
export const cacertsSecret = "cacerts";
export const rootCertConfigMap = { name: "istio-ca-root-cert", key: "root-cert.pem" } as const;
export const upstreamCaSecret = spireReleaseDefaults.upstreamSecretName;

/** The remote-peer Gateway PeerLink writes in the local cluster for `remote`. */
export function peerGatewayName(remote: string): string {
    return `istio-remote-peer-${remote}`;
}

/** The six Helm releases, each with the `sources.charts` key of its chart. */
export interface ReleaseTarget {
    readonly name: string;
    readonly namespace: string;
    readonly chartKey: ChartName;
}

const istioReleases = ambientMeshDefaults.releaseNames;
export const releaseTargets: readonly ReleaseTarget[] = [
    { name: spireReleaseDefaults.crdsReleaseName, namespace: spireNamespace, chartKey: "spireCrds" },
    { name: spireReleaseDefaults.releaseName, namespace: spireNamespace, chartKey: "spire" },
    { name: istioReleases.base, namespace: istioNamespace, chartKey: "istioBase" },
    { name: istioReleases.istiod, namespace: istioNamespace, chartKey: "istiod" },
    { name: istioReleases.cni, namespace: istioNamespace, chartKey: "istioCni" },
    { name: istioReleases.ztunnel, namespace: istioNamespace, chartKey: "ztunnel" },
];

export type WorkloadKind = "Deployment" | "DaemonSet" | "StatefulSet";

/** A workload whose pods must be Ready. */
export interface WorkloadTarget {
    /** Stable id: the check is `pods.<id>`. */
    readonly id: string;
    readonly namespace: string;
    readonly name: string;
    /** Kinds tried in order (the SPIRE server chart makes a StatefulSet, or a Deployment when told to). */
    readonly kinds: readonly WorkloadKind[];
}

/**
 * Names as the charts render them with the program's values: istiod's Deployment is `istiod` (no revision);
 * ztunnel's DaemonSet is the chart's `resourceName`, default `ztunnel`, which is also the service account SPIRE
 * authorises as a delegate; istio-cni's DaemonSet is `istio-cni-node`; the spire umbrella chart names its server
 * and agent `<release>-server` and `<release>-agent` (nameOverride server/agent).
 */
export const workloadTargets: readonly WorkloadTarget[] = [
    { id: "istiod", namespace: istioNamespace, name: "istiod", kinds: ["Deployment"] },
    { id: "ztunnel", namespace: spireReleaseDefaults.ztunnel.namespace, name: spireReleaseDefaults.ztunnel.serviceAccount, kinds: ["DaemonSet"] },
    { id: "istio-cni", namespace: istioNamespace, name: "istio-cni-node", kinds: ["DaemonSet"] },
    { id: "spire-server", namespace: spireNamespace, name: `${spireReleaseDefaults.releaseName}-server`, kinds: ["StatefulSet", "Deployment"] },
    { id: "spire-agent", namespace: spireNamespace, name: `${spireReleaseDefaults.releaseName}-agent`, kinds: ["DaemonSet"] },
];

/** The target with this id (a name from the list above). */
export function workloadTarget(id: "istiod" | "ztunnel"): WorkloadTarget {
    const target = workloadTargets.find((t) => t.id === id);
    if (!target) throw new Error(`internal: no workload target ${id}`);
    return target;
}

/**
 * Where the istiod chart puts `global.network`: its Deployment carries no NETWORK (istiod takes its own network
 * from the istio-system namespace label); the value goes into the injector ConfigMap's `values` (JSON), from
 * which istiod stamps the network into the gateways and waypoints it injects.
 */
export const injectorConfigMap = { name: "istio-sidecar-injector", key: "values" } as const;
/** istiod's container in its Deployment, and ztunnel's in its DaemonSet: where a NETWORK env var would be. */
export const networkContainers = { istiod: "discovery", ztunnel: "istio-proxy" } as const;
