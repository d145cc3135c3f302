import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    AmbientMesh,
    EastWestGateway,
    GatewayAddress,
    IntermediateCa,
    KeySpec,
    PeerLink,
    RootCa,
    SpireRelease,
} from "../components";
import { ClusterSpec, MeshSpec } from "./config/load";

export interface MeshInputs {
    readonly spec: MeshSpec;
    /** The Solo licence; wrapped as a secret again inside AmbientMesh. */
    readonly licenseKey: pulumi.Input<string>;
}

/** What an operator needs from a stack; never a private key. */
export interface ClusterOutputs {
    readonly trustDomain: string;
    readonly network: string;
    /** The east-west gateway's address; only for peered clusters. */
    readonly eastWestAddress?: pulumi.Output<GatewayAddress>;
}

export interface MeshOutputs {
    readonly rootCaCertPem: pulumi.Output<string>;
    readonly clusters: Record<string, ClusterOutputs>;
}

/** Per-cluster resources that peer links in or towards the cluster need. */
interface ClusterParts {
    readonly spec: ClusterSpec;
    readonly provider: k8s.Provider;
    readonly mesh: AmbientMesh;
    readonly eastWest?: EastWestGateway;
}

/**
 * Composes the components into one stack: a root CA, then per cluster (independently of the others) SPIRE and
 * the mesh, then the links. The only edges between clusters are links waiting for their remote's gateway.
 */
export function buildMesh({ spec, licenseKey }: MeshInputs): MeshOutputs {
    const key: KeySpec = {
        algorithm: spec.pki.keyAlgorithm,
        ...(spec.pki.rsaBits !== undefined ? { rsaBits: spec.pki.rsaBits } : {}),
        ...(spec.pki.ecdsaCurve !== undefined ? { ecdsaCurve: spec.pki.ecdsaCurve } : {}),
    };
    const root = new RootCa("mesh-root-ca", {
        key,
        validityDays: spec.pki.rootValidityDays,
        earlyRenewalDays: spec.pki.earlyRenewalDays,
        protect: spec.pki.protectRoot,
    });
    const intermediate = (name: string, commonName: string, maxPathLength: number, cluster: ClusterSpec) =>
        new IntermediateCa(name, {
            issuer: root,
            commonName,
            maxPathLength,
            key,
            validityDays: spec.pki.intermediateValidityDays,
            earlyRenewalDays: spec.pki.earlyRenewalDays,
            rotation: cluster.rotation,
        });

    const parts = new Map<string, ClusterParts>();
    for (const cluster of spec.clusters) {
        // The provider is named after the cluster: plan output reads the cluster from it.
        const provider = new k8s.Provider(cluster.name, cluster.context !== undefined ? { context: cluster.context } : {});
        // pathlen 1: SPIRE mints its own signing CA under this one.
        const spireCa = intermediate(`${cluster.name}-spire-ca`, `SPIRE ${cluster.name} CA`, 1, cluster);
        const spire = new SpireRelease(`${cluster.name}-spire`, {
            provider,
            trustDomain: cluster.trustDomain,
            clusterName: cluster.name,
            upstreamCa: {
                certChainPem: spireCa.certPem,
                privateKeyPem: spireCa.privateKeyPem,
                trustBundlePem: root.certPem,
            },
        });
        // pathlen 0: istiod signs workload certificates directly.
        const istioCa = spec.multicluster ? intermediate(`${cluster.name}-istio-ca`, `Istio ${cluster.name} CA`, 0, cluster) : undefined;
        const mesh = new AmbientMesh(`${cluster.name}-mesh`, {
            provider,
            istio: { version: spec.istio.version, repoKey: spec.istio.repoKey },
            clusterDomain: spec.istio.clusterDomain,
            trustDomain: cluster.trustDomain,
            licenseKey,
            spireReady: [spire],
            ...(spec.multicluster ? { multicluster: { clusterName: cluster.name, network: cluster.network } } : {}),
            ...(istioCa
                ? {
                      pluginCa: {
                          caCertPem: istioCa.certPem,
                          caKeyPem: istioCa.privateKeyPem,
                          rootCertPem: root.certPem,
                          certChainPem: istioCa.chainPem,
                      },
                  }
                : {}),
        });
        const eastWest = spec.multicluster
            ? new EastWestGateway(`${cluster.name}-eastwest`, {
                  provider,
                  clusterName: cluster.name,
                  network: cluster.network,
                  after: [mesh.gatewayApiCrds, mesh.istiod, spire],
              })
            : undefined;
        parts.set(cluster.name, { spec: cluster, provider, mesh, ...(eastWest ? { eastWest } : {}) });
    }

    for (const link of spec.links) {
        const local = required(parts, link.from);
        const remote = required(parts, link.to);
        const remoteGateway = remote.eastWest;
        const localGateway = local.eastWest;
        if (!remoteGateway || !localGateway) throw new Error(`link ${link.from} -> ${link.to}: both clusters need east-west gateways`);
        new PeerLink(`${link.from}-to-${link.to}`, {
            provider: local.provider,
            remote: {
                clusterName: remote.spec.name,
                network: remote.spec.network,
                trustDomain: remote.spec.trustDomain,
                address: remoteGateway.address,
            },
            after: [local.mesh.gatewayApiCrds, local.mesh.istiod, localGateway.namespaceResource],
        });
    }

    const clusters: Record<string, ClusterOutputs> = {};
    for (const [name, part] of parts) {
        clusters[name] = {
            trustDomain: part.spec.trustDomain,
            network: part.spec.network,
            ...(part.eastWest ? { eastWestAddress: part.eastWest.address } : {}),
        };
    }
    return { rootCaCertPem: root.certPem, clusters };
}

function required<V>(map: ReadonlyMap<string, V>, key: string): V {
    const value = map.get(key);
    if (value === undefined) throw new Error(`internal: no cluster ${key}`);
    return value;
}
