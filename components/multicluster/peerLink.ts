import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Adoption, adoptedOptions, namespacedId } from "../adopt/adoption";
import { eastWestGatewayName, eastWestNamespace, GatewayAddress, gatewayApiVersion, peeringListeners, topologyLabelsFor } from "./gatewayShape";

/** The cluster a link points at, as the local cluster must know it. */
export interface RemotePeer {
    /** The remote cluster's name (topology.istio.io/cluster). Required. */
    readonly clusterName: string;
    /** The remote cluster's network (topology.istio.io/network); the peering controller needs it. Required. */
    readonly network: string;
    /** The remote cluster's trust domain. Required. */
    readonly trustDomain: string;
    /** The remote east-west gateway's address: the only thing that ties the two clusters' graphs together. */
    readonly address: pulumi.Input<GatewayAddress>;
}

export interface PeerLinkArgs {
    /** Provider of the local cluster (where the remote-peer gateway is written). Required. */
    readonly provider: k8s.Provider;
    /** The remote cluster. Required. */
    readonly remote: RemotePeer;
    /** Local resources the gateway needs: the Gateway API CRDs, istiod and the east-west namespace. Required. */
    readonly after: pulumi.Input<pulumi.Resource>[];
    /** Namespace of the remote-peer gateway. Default: "istio-eastwest". */
    readonly namespace?: string;
    /** Take over the Gateway `istioctl multicluster link` wrote instead of creating it. Default: none. */
    readonly adopt?: Adoption;
}

/**
 * One directed link: in the local cluster, the `istio-remote` Gateway `istioctl multicluster link` writes for a
 * remote cluster, so the local istiod peers with it.
 */
export class PeerLink extends pulumi.ComponentResource {
    constructor(name: string, args: PeerLinkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ambient-spire:multicluster:PeerLink", name, {}, { ...opts, provider: args.provider });
        const remote = args.remote;
        const namespace = args.namespace ?? eastWestNamespace;
        const gatewayName = `istio-remote-peer-${remote.clusterName}`;
        new k8s.apiextensions.CustomResource(
            `${name}-gateway`,
            {
                apiVersion: gatewayApiVersion,
                kind: "Gateway",
                metadata: {
                    name: gatewayName,
                    namespace,
                    annotations: {
                        "gateway.istio.io/service-account": eastWestGatewayName,
                        "gateway.istio.io/trust-domain": remote.trustDomain,
                    },
                    labels: topologyLabelsFor(remote.clusterName, remote.network),
                },
                spec: {
                    gatewayClassName: "istio-remote",
                    addresses: [remote.address],
                    listeners: peeringListeners(),
                },
            },
            { parent: this, provider: args.provider, ...adoptedOptions(args.adopt, namespacedId(namespace, gatewayName)), dependsOn: args.after },
        );
        this.registerOutputs({});
    }
}
