/**
 * Pure builders for the SPIRE Helm values and registrations: no Pulumi resources, so tests can check every
 * value against the guide and the chart without an engine.
 */

import { OwnedValue } from "../helm/values";

/** Chart versions this component installs; change them here and only here. */
export const spireCharts = {
    repository: "https://spiffe.github.io/helm-charts-hardened/",
    crds: { chart: "spire-crds", version: "0.5.0" },
    spire: { chart: "spire", version: "0.24.2" },
} as const;

/** The identity ztunnel presents to the SPIRE agent's Delegated Identity API. */
export interface ZtunnelIdentity {
    /** ztunnel's namespace. Required. */
    readonly namespace: string;
    /** ztunnel's service account. Required. */
    readonly serviceAccount: string;
}

export interface SpireValuesInput<Pem> {
    readonly trustDomain: string;
    readonly clusterName: string;
    readonly ztunnel: ZtunnelIdentity;
    readonly upstreamSecretName: string;
    readonly socketHostBasePath: string;
    /** Root certificate(s), PEM: SPIRE's trust anchor. Generic so that callers may pass a Pulumi Output. */
    readonly trustBundlePem: Pem;
}

/** Lets the agent and CSI driver run on every node, tainted or not, as ztunnel does. */
export const spireNodeTolerations = [
    { effect: "NoSchedule", operator: "Exists" },
    { key: "CriticalAddonsOnly", operator: "Exists" },
    { effect: "NoExecute", operator: "Exists" },
] as const;

export function spiffeId(trustDomain: string, namespace: string, serviceAccount: string): string {
    return `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** Values for chart spire 0.24.2: the guide's, with REFERENCE.md's gaps fixed (clusterName, bundle). */
export function spireValues<Pem>(input: SpireValuesInput<Pem>) {
    const tolerations = spireNodeTolerations.map((t) => ({ ...t }));
    return {
        global: {
            spire: {
                trustDomain: input.trustDomain,
                // The chart's default is "example-cluster"; SPIRE's k8s node attestor keys agents by it.
                clusterName: input.clusterName,
            },
        },
        "spire-agent": {
            authorizedDelegates: [spiffeId(input.trustDomain, input.ztunnel.namespace, input.ztunnel.serviceAccount)],
            sockets: {
                admin: { enabled: true, mountOnHost: true },
                hostBasePath: input.socketHostBasePath,
            },
            tolerations,
        },
        "spire-server": {
            upstreamAuthority: {
                disk: {
                    enabled: true,
                    secret: {
                        create: false,
                        name: input.upstreamSecretName,
                        // The chart writes bundle_file_path into server.conf only when this is non-empty, even
                        // with create: false. Without it every cluster trusts its own intermediate instead of the
                        // shared root. The root certificate is public.
                        data: { bundle: input.trustBundlePem },
                    },
                },
            },
        },
        "spiffe-csi-driver": { tolerations: spireNodeTolerations.map((t) => ({ ...t })) },
    };
}

/**
 * What a values override may not change in the spire chart: it is what makes SPIRE part of this mesh. Everything
 * else (resources, nodeSelector, images, persistence) is the user's.
 */
export const spireOwnedValues: readonly OwnedValue[] = [
    { path: "global.spire.trustDomain", what: "the trust domain, which SPIRE and istiod must share", instead: "the cluster's trustDomain" },
    { path: "global.spire.clusterName", what: "the cluster name SPIRE's node attestor keys agents by", instead: "the cluster's name" },
    { path: "spire-server.upstreamAuthority", what: "the upstream CA under the mesh's shared root", instead: "the pki settings" },
    { path: "spire-server.controllerManager.className", what: "the class name every ClusterSPIFFEID of the mesh carries", instead: "nothing: it is <release namespace>-<release name>" },
    { path: "spire-agent.authorizedDelegates", what: "ztunnel's identity as a delegate of the agent", instead: "the cluster's trustDomain (ztunnel's namespace and service account are the component's)" },
    { path: "spire-agent.sockets", what: "the admin socket ztunnel reads on each node", instead: "the component's socketHostBasePath" },
];

/** The controller manager only reconciles ClusterSPIFFEIDs whose className is `<namespace>-<release>`. */
export function controllerClassName(releaseNamespace: string, releaseName: string): string {
    return `${releaseNamespace}-${releaseName}`;
}

export const workloadSpiffeIdTemplate =
    "spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}";

export interface LabelSelector {
    readonly matchLabels?: Readonly<Record<string, string>>;
    readonly matchExpressions?: ReadonlyArray<{ key: string; operator: string; values?: string[] }>;
}

export interface ClusterSpiffeIdSpec {
    readonly className: string;
    readonly spiffeIDTemplate: string;
    readonly podSelector?: LabelSelector;
    readonly namespaceSelector?: LabelSelector;
}

export interface Registration {
    /** metadata.name of the ClusterSPIFFEID. */
    readonly name: string;
    readonly spec: ClusterSpiffeIdSpec;
    /** The guide's `kubectl apply` creates it (without className); an adopting stack imports it instead. */
    readonly inGuide: boolean;
}

const ambientLabel = "istio.io/dataplane-mode";

/**
 * The guide's three registrations, plus one for pods that are ambient because their namespace is labelled:
 * the guide's pod-label selector misses those. The extra one skips pods that carry the label themselves so no
 * pod is matched twice.
 */
export function meshRegistrations(className: string): Registration[] {
    const spec = (selectors: Pick<ClusterSpiffeIdSpec, "podSelector" | "namespaceSelector">): ClusterSpiffeIdSpec => ({
        className,
        spiffeIDTemplate: workloadSpiffeIdTemplate,
        ...selectors,
    });
    return [
        { name: "istio-ztunnel-reg", inGuide: true, spec: spec({ podSelector: { matchLabels: { app: "ztunnel" } } }) },
        {
            name: "istio-waypoint-reg",
            inGuide: true,
            spec: spec({ podSelector: { matchLabels: { "istio.io/gateway-name": "waypoint" } } }),
        },
        { name: "istio-ambient-reg", inGuide: true, spec: spec({ podSelector: { matchLabels: { [ambientLabel]: "ambient" } } }) },
        {
            name: "istio-ambient-ns-reg",
            inGuide: false,
            spec: spec({
                namespaceSelector: { matchLabels: { [ambientLabel]: "ambient" } },
                podSelector: { matchExpressions: [{ key: ambientLabel, operator: "DoesNotExist" }] },
            }),
        },
    ];
}
