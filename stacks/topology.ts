import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    AmbientMesh,
    EastWestGateway,
    GatewayAddress,
    IntermediateCa,
    IntermediateSigner,
    KeySpec,
    PathLength,
    PeerLink,
    IntermediateSignature,
    joinPem,
    RootCa,
    SignedCaMaterial,
    SpireRelease,
} from "../components";
import { CaRole } from "./config/caChoice";
import { deployTimeKeyCheck, GivenCas } from "./config/caMaterial";
import { settingName } from "./config/errors";
import { SettingNames } from "./config/givenCas";
import { ClusterSpec, MeshSpec } from "./config/load";
import { PkiInput } from "./config/schema";
import { ClusterStackOutputs, ClusterStackReferences, PkiStackOutputs } from "./references";

export interface MeshInputs {
    readonly spec: MeshSpec;
    /** The Solo licence; wrapped as a secret again inside AmbientMesh. */
    readonly licenseKey: pulumi.Input<string>;
    /**
     * For a cluster stack (spec.pkiStack set): what the `pki` stack and the peers' stacks exported, read before
     * anything is registered. Undefined when this stack owns its root.
     */
    readonly referenced?: ClusterStackReferences;
    /**
     * For `pki.ca` provided or external: the root and the intermediates given in config, already checked.
     * Undefined when the CAs are generated (here or by the `pki` stack).
     */
    readonly given?: GivenCas;
    /**
     * Where the mesh's resources hang: undefined at the top of the stack (the TypeScript program, whose URNs must
     * not move), or the `Mesh` component that composes them for other languages.
     */
    readonly parent?: pulumi.Resource;
    /** Put in front of every top-level resource name, so two `Mesh` components in one stack cannot collide. Default: "". */
    readonly namePrefix?: string;
    /** A kubeconfig (contents or path, a Pulumi secret) by cluster name, for clusters reached without the ambient one. */
    readonly kubeconfigs?: Readonly<Record<string, pulumi.Input<string>>>;
    /**
     * The Gateway API manifest's text, read before anything is registered. Default: each cluster's mesh reads
     * `spec.sources.gatewayApiCrds` (or the default URL) itself.
     */
    readonly gatewayApiCrdsManifest?: string;
    /** How the warnings name a setting. Default: as the stack file does (`ambient-spire:pki…`); the Mesh names its arguments. */
    readonly named?: SettingNames;
}

/** What an operator needs from a stack; never a private key. */
export interface ClusterOutputs {
    readonly trustDomain: string;
    readonly network: string;
    /** The east-west gateway's address; only for peered clusters. */
    readonly eastWestAddress?: pulumi.Output<GatewayAddress>;
}

/** A CA request for the `pki` stack to sign (public material only). */
export interface CertificateRequestOutput {
    readonly rotation: number;
    /** null: no path length (Istio's plug-in CA). */
    readonly maxPathLength: PathLength;
    readonly certRequestPem: pulumi.Output<string>;
}

export interface MeshOutputs {
    /** The root certificate; absent on a cluster stack until the `pki` stack has been deployed. */
    readonly rootCaCertPem?: pulumi.Output<string>;
    readonly clusters: Record<string, ClusterOutputs>;
    /** Cluster stacks only: every CA request this stack holds, by CA name, for the `pki` stack to sign. */
    readonly certificateRequests?: Record<string, CertificateRequestOutput[]>;
    /** Cluster stacks only: clusters whose CAs the `pki` stack has not signed yet (nothing else of them is built). */
    readonly awaitingSignature?: string[];
}

/** Per-cluster resources that peer links in or towards the cluster need. */
interface ClusterParts {
    readonly spec: ClusterSpec;
    readonly provider: k8s.Provider;
    readonly mesh: AmbientMesh;
    readonly eastWest?: EastWestGateway;
}

function keySpecOf(pki: PkiInput): KeySpec {
    return {
        algorithm: pki.keyAlgorithm,
        ...(pki.rsaBits !== undefined ? { rsaBits: pki.rsaBits } : {}),
        ...(pki.ecdsaCurve !== undefined ? { ecdsaCurve: pki.ecdsaCurve } : {}),
    };
}

function rootCaOf(pki: PkiInput, placed: Placement = topLevel): RootCa {
    return new RootCa(
        placed.name("mesh-root-ca"),
        {
            key: keySpecOf(pki),
            validityDays: pki.rootValidityDays,
            earlyRenewalDays: pki.earlyRenewalDays,
            protect: pki.protectRoot,
        },
        placed.opts,
    );
}

/** Where the top-level resources of a composition go: their name prefix and parent. */
interface Placement {
    readonly name: (base: string) => string;
    readonly opts: { readonly parent?: pulumi.Resource };
}

const topLevel: Placement = { name: (base) => base, opts: {} };

function placementOf(parent: pulumi.Resource | undefined, namePrefix: string | undefined): Placement {
    const prefix = namePrefix ?? "";
    return { name: (base) => prefix + base, opts: parent ? { parent } : {} };
}

/**
 * One of a cluster's CAs: SPIRE's upstream (pathlen 1: SPIRE mints its own CA under it) or Istio's plug-in CA
 * (no path length: 0 is what it needs, and the tls provider cannot issue 0).
 */
interface CaPlan {
    readonly role: CaRole;
    readonly name: string;
    readonly commonName: string;
    readonly maxPathLength: PathLength;
}

function casOf(cluster: ClusterSpec, multicluster: boolean): { spire: CaPlan; istio?: CaPlan } {
    const spire: CaPlan = { role: "spire", name: `${cluster.name}-spire-ca`, commonName: `SPIRE ${cluster.name} CA`, maxPathLength: 1 };
    const istio: CaPlan = { role: "istio", name: `${cluster.name}-istio-ca`, commonName: `Istio ${cluster.name} CA`, maxPathLength: null };
    return multicluster ? { spire, istio } : { spire };
}

/**
 * Composes the components into one stack: a root CA (or the `pki` stack's), then per cluster (independently
 * of the others) SPIRE and the mesh, then the links. The only edges between clusters are links waiting for
 * their remote's gateway.
 */
export function buildMesh({ spec, licenseKey, referenced, given, parent, namePrefix, kubeconfigs, gatewayApiCrdsManifest, named = (text) => text }: MeshInputs): MeshOutputs {
    const placed = placementOf(parent, namePrefix);
    const key = keySpecOf(spec.pki);
    // A cluster stack of the stack-per-cluster shape has no root of its own, nor has a stack that brings its CA.
    const root = spec.pkiStack === undefined && !given ? rootCaOf(spec.pki, placed) : undefined;
    const knownRoot = given?.rootCertPem ?? referenced?.pki?.rootCaCertPem;
    // Without a pki deployment nothing signed exists, so no cluster is built and this empty value is never used.
    const rootCertPem = root ? root.certPem : pulumi.output(knownRoot ?? "");
    // The intermediates' keys are made here and their certificates signed outside this stack.
    const signedElsewhere = !root && given?.mode !== "provided";
    const certificateRequests: Record<string, CertificateRequestOutput[]> = {};
    const awaitingSignature: string[] = [];

    /** The CA signed for `ca`, or undefined while its first signature is awaited; records requests to sign. */
    const intermediate = (ca: CaPlan, cluster: ClusterSpec): SignedCaMaterial | undefined => {
        const brought = given?.clusters[cluster.name]?.[ca.role];
        if (given?.mode === "provided") return brought ? providedMaterial(brought.chainPem, brought.keyPem, rootCertPem) : undefined;
        const signer: IntermediateSigner = root
            ? { issuer: root }
            : {
                  signedElsewhere: given
                      ? { certPemByRotation: brought ? { [String(brought.rotation)]: brought.chainPem } : {}, issuerCertPem: rootCertPem }
                      : { certPemByRotation: referenced?.pki?.signedIntermediates[ca.name] ?? {}, issuerCertPem: rootCertPem },
              };
        const made = new IntermediateCa(
            placed.name(ca.name),
            {
                signer,
                commonName: ca.commonName,
                maxPathLength: ca.maxPathLength,
                key,
                validityDays: spec.pki.intermediateValidityDays,
                earlyRenewalDays: spec.pki.earlyRenewalDays,
                rotation: cluster.rotation,
            },
            placed.opts,
        );
        if (signedElsewhere) certificateRequests[ca.name] = made.requests.map((r) => ({ ...r, maxPathLength: ca.maxPathLength }));
        if (!brought || !made.material || !made.publicKeyPem || made.rotationInUse === undefined) return made.material;
        // Signed outside Pulumi: the key exists only at deploy, so whether the certificate is for it is checked then.
        const check = deployTimeKeyCheck(brought, ca.name);
        const rotation = made.rotationInUse;
        const certPem = pulumi.all([made.material.certPem, made.publicKeyPem]).apply(([cert, publicKey]) => (check(cert, publicKey, rotation), cert));
        return { ...made.material, certPem, chainPem: joinPem(certPem, rootCertPem) };
    };

    const parts = new Map<string, ClusterParts>();
    for (const cluster of spec.clusters) {
        const cas = casOf(cluster, spec.multicluster);
        const spireCa = intermediate(cas.spire, cluster);
        const istioCa = cas.istio ? intermediate(cas.istio, cluster) : undefined;
        if (!spireCa || (cas.istio && !istioCa)) {
            awaitingSignature.push(cluster.name);
            pulumi.log.warn(
                given
                    ? named(`${cluster.name}: its CA requests await certificates signed outside Pulumi; sign the CSRs of the certificateRequests output and give them in ${settingName(["pki", "clusters", cluster.name])}, then pulumi up again`)
                    : `${cluster.name}: its CA requests await the pki stack ${spec.pkiStack}; run pulumi up there, then here again`,
            );
            continue;
        }
        const provider = providerOf(cluster, placed, kubeconfigs?.[cluster.name], spec.adopt !== undefined);
        const spire = new SpireRelease(placed.name(`${cluster.name}-spire`), {
            provider,
            trustDomain: cluster.trustDomain,
            clusterName: cluster.name,
            chartSources: { crds: spec.sources.charts.spireCrds, spire: spec.sources.charts.spire },
            values: { spire: spec.charts.spire, crds: spec.charts.spireCrds },
            upstreamCa: { certChainPem: spireCa.certPem, privateKeyPem: spireCa.privateKeyPem, trustBundlePem: rootCertPem },
            ...(spec.adopt ? { adopt: spec.adopt } : {}),
        }, placed.opts);
        const mesh = new AmbientMesh(placed.name(`${cluster.name}-mesh`), {
            provider,
            istio: { version: spec.istio.version, repoKey: spec.istio.repoKey },
            clusterDomain: spec.istio.clusterDomain,
            trustDomain: cluster.trustDomain,
            licenseKey,
            ...(spec.sources.gatewayApiCrds !== undefined ? { gatewayApiCrdsFile: spec.sources.gatewayApiCrds } : {}),
            ...(gatewayApiCrdsManifest !== undefined ? { gatewayApiCrdsManifest } : {}),
            chartSources: { base: spec.sources.charts.istioBase, istiod: spec.sources.charts.istiod, cni: spec.sources.charts.istioCni, ztunnel: spec.sources.charts.ztunnel },
            imageHub: spec.sources.imageHub,
            values: { base: spec.charts.istioBase, istiod: spec.charts.istiod, cni: spec.charts.istioCni, ztunnel: spec.charts.ztunnel },
            spireReady: [spire],
            ...(spec.adopt ? { adopt: spec.adopt } : {}),
            ...(spec.multicluster ? { multicluster: { clusterName: cluster.name, network: cluster.network } } : {}),
            ...(istioCa
                ? { pluginCa: { caCertPem: istioCa.certPem, caKeyPem: istioCa.privateKeyPem, rootCertPem, certChainPem: istioCa.chainPem } }
                : {}),
        }, placed.opts);
        const eastWest = spec.multicluster
            ? new EastWestGateway(placed.name(`${cluster.name}-eastwest`), {
                  provider,
                  clusterName: cluster.name,
                  network: cluster.network,
                  after: [...mesh.gatewayApiCrds, mesh.istiod, spire],
                  ...(spec.adopt ? { adopt: spec.adopt } : {}),
              }, placed.opts)
            : undefined;
        parts.set(cluster.name, { spec: cluster, provider, mesh, ...(eastWest ? { eastWest } : {}) });
    }

    for (const link of spec.links) {
        const local = parts.get(link.from);
        if (!local) continue; // awaiting its signature
        const localGateway = local.eastWest;
        if (!localGateway) throw new Error(`link ${link.from} -> ${link.to}: the local cluster needs an east-west gateway`);
        const remote = remotePeerOf(link.to, parts, referenced?.peers);
        if (!remote) {
            pulumi.log.warn(`${link.from} -> ${link.to}: ${link.to} has no east-west address yet (not deployed, or awaiting its signature); the link is made on a later pulumi up`);
            continue;
        }
        new PeerLink(placed.name(`${link.from}-to-${link.to}`), {
            provider: local.provider,
            remote,
            after: [...local.mesh.gatewayApiCrds, local.mesh.istiod, localGateway.namespaceResource],
            ...(spec.adopt ? { adopt: spec.adopt } : {}),
        }, placed.opts);
    }

    const clusters: Record<string, ClusterOutputs> = {};
    for (const [name, part] of parts) {
        clusters[name] = {
            trustDomain: part.spec.trustDomain,
            network: part.spec.network,
            ...(part.eastWest ? { eastWestAddress: part.eastWest.address } : {}),
        };
    }
    return {
        ...(root || knownRoot !== undefined ? { rootCaCertPem: rootCertPem } : {}),
        clusters,
        ...(signedElsewhere ? { certificateRequests, awaitingSignature } : {}),
    };
}

/**
 * A CA brought whole (certificate and key, made outside Pulumi): the same material a signed IntermediateCa
 * gives, so SPIRE's upstream Secret and Istio's cacerts are built exactly as for a generated one. No resource.
 */
function providedMaterial(chainPem: string, keyPem: string | undefined, rootCertPem: pulumi.Output<string>): SignedCaMaterial {
    if (keyPem === undefined) throw new Error("internal: a provided CA without its key passed the config checks");
    const certPem = pulumi.output(chainPem);
    return { certPem, privateKeyPem: pulumi.secret(keyPem), chainPem: joinPem(certPem, rootCertPem) };
}

/**
 * A cluster's Kubernetes provider, named after it (plan output reads the cluster from the name before any '/'):
 * one per cluster, so one plugin process. Secrets are mutable, so a rotated CA or a new licence updates
 * `spiffe-upstream-ca`, `cacerts` and the licence Secret in place (immutable Secrets are deleted and created again,
 * and a fixed name then collides). It does not upsert: a create fails rather than take over an object it did not
 * create (a renamed resource would otherwise be created over the old object, then deleted with it). The Gateway
 * API CRDs, which many clusters ship and a destroy keeps, are server-side applies instead (AmbientMesh); an
 * adopting stack imports what the guide made (components/adopt).
 */
function providerOf(cluster: ClusterSpec, placed: Placement, kubeconfig: pulumi.Input<string> | undefined, adopting: boolean): k8s.Provider {
    return new k8s.Provider(placed.name(cluster.name), {
        ...(cluster.context !== undefined ? { context: cluster.context } : {}),
        ...(kubeconfig !== undefined ? { kubeconfig: pulumi.secret(kubeconfig) } : {}),
        enableSecretMutable: true,
        // Adopting: the guide's kubectl create/apply own the fields they wrote (`kubectl-create`,
        // `kubectl-client-side-apply`), so a server-side apply of a corrected value — bundle.crt, className —
        // conflicts and fails (seen in the adoption e2e's preview). Forcing takes those fields over; only for an
        // adopting stack, since elsewhere a conflict is someone else's change that should stop the update.
        ...(adopting ? { enablePatchForce: true } : {}),
    }, placed.opts);
}

/** The remote end of a link: a cluster of this stack, or a peer stack's exported cluster. */
function remotePeerOf(
    name: string,
    parts: ReadonlyMap<string, ClusterParts>,
    peers: ClusterStackReferences["peers"] | undefined,
): ConstructorParameters<typeof PeerLink>[1]["remote"] | undefined {
    const local = parts.get(name);
    if (local?.eastWest) return { clusterName: name, network: local.spec.network, trustDomain: local.spec.trustDomain, address: local.eastWest.address };
    const exported = peers?.[name];
    if (!exported?.eastWestAddress) return undefined;
    return { clusterName: name, network: exported.network, trustDomain: exported.trustDomain, address: exported.eastWestAddress };
}

export interface PkiInputs {
    readonly pki: PkiInput;
    /** The cluster stacks' exported CA requests, by CA name, as read at program start. */
    readonly requests: ClusterStackOutputs["certificateRequests"];
}

/** The `pki` stack: the root CA, and a signature for every CA request the named cluster stacks export. */
export function buildPki({ pki, requests }: PkiInputs): PkiStackOutputs<pulumi.Output<string>> {
    const root = rootCaOf(pki);
    const signedIntermediates: Record<string, Record<string, pulumi.Output<string>>> = {};
    for (const ca of Object.keys(requests).sort()) {
        for (const request of requests[ca]) {
            const signature = new IntermediateSignature(`${ca}-r${request.rotation}`, {
                certRequestPem: request.certRequestPem,
                signing: { issuer: root, maxPathLength: request.maxPathLength, validityDays: pki.intermediateValidityDays, earlyRenewalDays: pki.earlyRenewalDays },
            });
            (signedIntermediates[ca] ??= {})[String(request.rotation)] = signature.certPem;
        }
    }
    return { rootCaCertPem: root.certPem, signedIntermediates };
}
