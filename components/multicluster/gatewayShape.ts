/**
 * What `istioctl multicluster expose` and `link` write: both kinds of gateway share these listeners and
 * topology labels, so they are defined once.
 */

export const gatewayApiVersion = "gateway.networking.k8s.io/v1";
export const eastWestNamespace = "istio-eastwest";
export const eastWestGatewayName = "istio-eastwest";

export const topologyLabels = {
    network: "topology.istio.io/network",
    cluster: "topology.istio.io/cluster",
} as const;

/** HBONE data plane on 15008 and istiod's xDS on 15012, both passed through untouched. */
export function peeringListeners() {
    return [
        { name: "cross-network", port: 15008, protocol: "HBONE", tls: { mode: "Passthrough" } },
        { name: "xds-tls", port: 15012, protocol: "TLS", tls: { mode: "Passthrough" } },
    ];
}

export function topologyLabelsFor(cluster: string, network: string): Record<string, string> {
    return { [topologyLabels.network]: network, [topologyLabels.cluster]: cluster };
}

export type GatewayAddressType = "IPAddress" | "Hostname";

/** The reachable address of an east-west gateway, as peers must be told it. */
export interface GatewayAddress {
    /** "IPAddress" or "Hostname", as Gateway API addresses are typed. Required. */
    readonly type: GatewayAddressType;
    /** The IP address or host name. Required. */
    readonly value: string;
}
