import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Adoption, adoptedOptions, namespacedId } from "../adopt/adoption";
import {
    eastWestGatewayName,
    eastWestNamespace,
    GatewayAddress,
    gatewayApiVersion,
    peeringListeners,
    topologyLabelsFor,
} from "./gatewayShape";

export interface EastWestGatewayArgs {
    /** Provider of the cluster. Required. */
    readonly provider: k8s.Provider;
    /** This cluster's name (topology.istio.io/cluster). Required. */
    readonly clusterName: string;
    /** This cluster's network (topology.istio.io/network); must equal istiod's and ztunnel's. Required. */
    readonly network: string;
    /**
     * What the gateway's pod needs first: the Gateway API CRDs, istiod (which owns the istio-eastwest class)
     * and SPIRE (the pod's identity). Required.
     */
    readonly after: pulumi.Input<pulumi.Resource>[];
    /** Namespace of the gateway. Default: "istio-eastwest". */
    readonly namespace?: string;
    /**
     * Take over the namespace (the guide's `kubectl create namespace istio-eastwest`) and the Gateway
     * (`istioctl multicluster expose`) instead of creating them. Default: none.
     */
    readonly adopt?: Adoption;
}

interface GatewayStatus {
    addresses?: { type?: string; value: string }[];
}

/**
 * The east-west gateway `istioctl multicluster expose --generate` writes. Its output is the address istiod's
 * LoadBalancer Service has now, read from the live Gateway's status on every run; unknown in a preview that
 * creates the gateway.
 */
export class EastWestGateway extends pulumi.ComponentResource {
    /** The address istiod's LoadBalancer Service has now, read from the live Gateway: what peers link to. */
    public readonly address: pulumi.Output<GatewayAddress>;
    /** The istio-eastwest namespace, which remote-peer gateways in this cluster also live in. */
    public readonly namespaceResource: k8s.core.v1.Namespace;

    constructor(name: string, args: EastWestGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ambient-spire:multicluster:EastWestGateway", name, {}, { ...opts, provider: args.provider });
        const on = { parent: this, provider: args.provider };
        const namespace = args.namespace ?? eastWestNamespace;
        const ns = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: namespace } }, { ...on, ...adoptedOptions(args.adopt, namespace) });
        this.namespaceResource = ns;
        const gateway = new k8s.apiextensions.CustomResource(
            `${name}-gateway`,
            {
                apiVersion: gatewayApiVersion,
                kind: "Gateway",
                metadata: {
                    name: eastWestGatewayName,
                    namespace: ns.metadata.name,
                    labels: { "istio.io/expose-istiod": "15012", ...topologyLabelsFor(args.clusterName, args.network) },
                    // The provider then waits until istiod has given the gateway an address.
                    annotations: { "pulumi.com/waitFor": "condition=Programmed" },
                },
                spec: { gatewayClassName: "istio-eastwest", listeners: peeringListeners() },
            },
            { ...on, ...adoptedOptions(args.adopt, namespacedId(namespace, eastWestGatewayName)), dependsOn: args.after },
        );
        // The provider records a resource's status only when it writes or refreshes it, but istiod may give the
        // gateway a new address at any time. Reading the live object on every run brings that address to the
        // peer links in a plain `pulumi preview`/`up`. The read's id is the gateway's: unknown while the gateway
        // is yet to be created, so a preview then skips the read (address unknown) and an `up` reads once the
        // gateway is Programmed.
        const live = new k8s.apiextensions.CustomResource(
            `${name}-live`,
            // Declaring `status` makes it an output of the read.
            { apiVersion: gatewayApiVersion, kind: "Gateway", status: undefined },
            { parent: this, provider: args.provider, id: gateway.id },
        );
        const status = (live as unknown as { status: pulumi.Output<GatewayStatus | undefined> }).status;
        this.address = status.apply((s) => firstAddress(name, s));
        this.registerOutputs({ address: this.address });
    }
}

function firstAddress(name: string, status: GatewayStatus | undefined): GatewayAddress {
    const address = status?.addresses?.[0];
    if (!address) {
        throw new Error(`${name}: the east-west Gateway is Programmed but has no status.addresses; check its Service`);
    }
    return { type: address.type === "Hostname" ? "Hostname" : "IPAddress", value: address.value };
}
