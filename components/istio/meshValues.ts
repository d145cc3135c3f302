/**
 * Pure builders for the Solo Istio charts' values (base, istiod, cni, ztunnel), as the guide sets them.
 * Multicluster settings are added only when a network is given, so that one function serves both halves of
 * the guide and the network value cannot drift between istiod, ztunnel and the namespace label.
 */

import { OwnedValue } from "../helm/values";

/** Where Solo publishes images and charts for a minor version, keyed by the 12-character repo key. */
export const soloRegistry = "us-docker.pkg.dev/gloo-mesh";

export interface IstioDistribution {
    /** Istio patch version, e.g. "1.27.8". */
    readonly version: string;
    /** Solo repo key for the minor version (12 characters). */
    readonly repoKey: string;
}

export function imageHub(istio: IstioDistribution): string {
    return `${soloRegistry}/istio-${istio.repoKey}`;
}
export function chartRepository(istio: IstioDistribution): string {
    return `oci://${soloRegistry}/istio-helm-${istio.repoKey}`;
}
/** Chart version and image tag are both `<version>-solo`. */
export function soloTag(istio: IstioDistribution): string {
    return `${istio.version}-solo`;
}

export interface MulticlusterSettings {
    /** Cluster name istiod and ztunnel report to peers. */
    readonly clusterName: string;
    /** This cluster's network; unique in the mesh. */
    readonly network: string;
}

export interface MeshValuesInput {
    readonly istio: IstioDistribution;
    /** Registry the Istio images are pulled from: imageHub(istio), or a mirror of it. */
    readonly hub: string;
    readonly trustDomain: string;
    readonly systemNamespace: string;
    readonly clusterDomain: string;
    readonly license: { readonly secretName: string; readonly secretNamespace: string };
    /** Present only when the cluster is peered with others. */
    readonly multicluster?: MulticlusterSettings;
}

export function baseValues() {
    return { defaultRevision: "", profile: "ambient" };
}

export function istiodValues(input: MeshValuesInput) {
    const mc = input.multicluster;
    return {
        global: {
            hub: input.hub,
            tag: soloTag(input.istio),
            proxy: { clusterDomain: input.clusterDomain },
            ...(mc ? { multiCluster: { clusterName: mc.clusterName }, network: mc.network } : {}),
        },
        gateways: { spire: { workloads: true } },
        meshConfig: {
            accessLogFile: "/dev/stdout",
            defaultConfig: {
                proxyMetadata: { ISTIO_META_DNS_AUTO_ALLOCATE: "true", ISTIO_META_DNS_CAPTURE: "true" },
            },
            // One value with SPIRE's: the single-cluster guide sets "${cluster1}" here but ${CLUSTER_NAME} there.
            trustDomain: input.trustDomain,
        },
        env: { PILOT_ENABLE_IP_AUTOALLOCATE: "true", PILOT_SKIP_VALIDATE_TRUST_DOMAIN: "true" },
        pilot: { cni: { namespace: input.systemNamespace, enabled: true } },
        // platforms.peering.enabled is what sets ENABLE_PEERING_DISCOVERY on istiod.
        ...(mc ? { platforms: { peering: { enabled: true } } } : {}),
        profile: "ambient",
        // Never the licence itself: a reference to the Secret that holds it.
        license: { secretRef: { name: input.license.secretName, namespace: input.license.secretNamespace } },
    };
}

export function cniValues(input: Pick<MeshValuesInput, "istio" | "hub" | "systemNamespace">) {
    return {
        ambient: { dnsCapture: true },
        excludeNamespaces: [input.systemNamespace, "kube-system"],
        global: { hub: input.hub, tag: soloTag(input.istio) },
        profile: "ambient",
    };
}

export function ztunnelValues(input: MeshValuesInput) {
    const mc = input.multicluster;
    return {
        configValidation: true,
        enabled: true,
        env: {
            L7_ENABLED: "true",
            // Each cluster has its own trust domain, so ztunnel must accept peers' identities.
            ...(mc ? { SKIP_VALIDATE_TRUST_DOMAIN: "true" } : {}),
        },
        hub: input.hub,
        istioNamespace: input.systemNamespace,
        ...(mc ? { multiCluster: { clusterName: mc.clusterName }, network: mc.network } : {}),
        namespace: input.systemNamespace,
        profile: "ambient",
        proxy: { clusterDomain: input.clusterDomain },
        spire: { enabled: true },
        tag: soloTag(input.istio),
        terminationGracePeriodSeconds: 29,
        variant: "distroless",
    };
}

/** The label istiod and the multicluster check read a cluster's network from. */
export const networkLabel = "topology.istio.io/network";

/** Istio's four charts, by the name this component calls each. */
export type IstioChart = "base" | "istiod" | "cni" | "ztunnel";

/**
 * What a values override may not change, per chart: the values that make each cluster one of this mesh (trust
 * domain, network, cluster name, SPIRE on, the licence). Everything else is the user's.
 */
export const istioOwnedValues: Readonly<Record<IstioChart, readonly OwnedValue[]>> = {
    base: [],
    istiod: [
        { path: "meshConfig.trustDomain", what: "the trust domain, which istiod and SPIRE must share", instead: "the cluster's trustDomain" },
        { path: "global.network", what: "the cluster's network, which the namespace label, ztunnel and the east-west gateway carry too", instead: "the cluster's network" },
        { path: "global.multiCluster.clusterName", what: "the cluster name peers know it by", instead: "the cluster's name" },
        { path: "license", what: "the licence reference (the licence lives in its Secret, never in values)", instead: "the licence setting" },
        { path: "gateways.spire", what: "SPIRE identities for gateways and waypoints", instead: "nothing: SPIRE is always on" },
        { path: "platforms.peering", what: "multicluster peering", instead: "the peering setting" },
    ],
    cni: [],
    ztunnel: [
        { path: "network", what: "the cluster's network, which istiod and the namespace label carry too", instead: "the cluster's network" },
        { path: "multiCluster.clusterName", what: "the cluster name peers know it by", instead: "the cluster's name" },
        { path: "spire", what: "ztunnel's SPIRE identities", instead: "nothing: SPIRE is always on" },
    ],
};

/**
 * Keys a chart reads although the community chart's values.yaml does not declare them, each with why; and
 * free-form maps whose keys are another API's. Checking values against a chart's values tree accepts these.
 */
export const istioValuesBeyondValuesYaml: Readonly<Record<IstioChart, Readonly<Record<string, string>>>> = {
    base: { profile: "applied by templates/zzz_profile.yaml in every chart, not a values.yaml key" },
    istiod: {
        profile: "applied by templates/zzz_profile.yaml in every chart, not a values.yaml key",
        license: "Solo-only: licence (value or secretRef)",
        platforms: "Solo-only: platforms.peering.enabled turns on ENABLE_PEERING_DISCOVERY for multicluster peering",
        "cni.namespace": "the guide's pilot.cni.namespace; community istiod 1.27.8 has no such key (its untaint controller reads taint.namespace); harmless, istio-cni runs in istiod's namespace",
        "gateways.spire": "Solo-only: SPIRE identities for gateway and waypoint pods",
        "meshConfig.accessLogFile": "Istio's MeshConfig API: its fields are documented there, not in values.yaml",
        "meshConfig.trustDomain": "Istio's MeshConfig API: its fields are documented there, not in values.yaml",
        "meshConfig.defaultConfig": "Istio's MeshConfig API: its fields are documented there, not in values.yaml",
    },
    cni: { profile: "applied by templates/zzz_profile.yaml in every chart, not a values.yaml key" },
    ztunnel: {
        profile: "applied by templates/zzz_profile.yaml in every chart, not a values.yaml key",
        spire: "Solo-only: ztunnel uses the SPIRE agent's Delegated Identity API",
        configValidation: "the guide's; not read by the community 1.27.8 chart, Solo chart not public",
        namespace: "the guide's; not read by the community 1.27.8 chart, Solo chart not public",
        enabled: "the guide's; not read by the community 1.27.8 chart, Solo chart not public",
        proxy: "the guide's proxy.clusterDomain; not read by the community 1.27.8 chart, Solo chart not public",
    },
};

/** istiod's chart copies everything under `pilot.` to the top level (templates/zzy_descope_legacy.yaml). */
export function descopePilot<T extends object>(values: T): T {
    const { pilot, ...rest } = values as Record<string, unknown>;
    return (pilot !== null && typeof pilot === "object" && !Array.isArray(pilot) ? { ...rest, ...pilot } : rest) as T;
}
