import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { configNamespace, ConfigError, quoteValue } from "./config/errors";
import { MeshSpec, PkiStackSpec } from "./config/load";

/** What the `pki` stack exports: the root certificate and, per CA name and rotation, the certificate it signed. */
export interface PkiStackOutputs<Pem = string> {
    readonly rootCaCertPem: Pem;
    readonly signedIntermediates: Readonly<Record<string, Readonly<Record<string, Pem>>>>;
}

const address = z.object({ type: z.enum(["IPAddress", "Hostname"]), value: z.string() });
const pkiOutputs = z.object({ rootCaCertPem: z.string().optional(), signedIntermediates: z.record(z.string(), z.record(z.string(), z.string())).optional() });
const clusterOutputs = z.object({
    clusters: z.record(z.string(), z.object({ trustDomain: z.string(), network: z.string(), eastWestAddress: address.optional() })).optional(),
    certificateRequests: z
        .record(z.string(), z.array(z.object({ rotation: z.number().int().min(0), maxPathLength: z.union([z.literal(1), z.null()]), certRequestPem: z.string() })))
        .optional(),
});

/** What a cluster stack exports, as another stack reads it (the schema above is the one definition). */
export type ClusterStackOutputs = Required<z.output<typeof clusterOutputs>>;
/** A cluster of another stack, as its stack exports it. */
export type PeerCluster = ClusterStackOutputs["clusters"][string];

/** What a cluster stack reads from other stacks before it builds anything. */
export interface ClusterStackReferences {
    /** Undefined until the `pki` stack has been deployed. */
    readonly pki: PkiStackOutputs | undefined;
    /** By cluster name; undefined until that peer's stack exports it. */
    readonly peers: Readonly<Record<string, PeerCluster | undefined>>;
}

/**
 * StackReferences, one per referenced stack. Outputs are read once, before anything is registered: which CAs
 * exist and which links can be made depends on them. An output not there yet (or unknown, as in the offline
 * plan without a references file) reads as undefined.
 */
class References {
    private readonly byName = new Map<string, pulumi.StackReference>();

    async read<T extends z.ZodObject>(stack: string, setting: string, schema: T): Promise<z.output<T>> {
        let reference = this.byName.get(stack);
        if (!reference) {
            reference = new pulumi.StackReference(stack);
            this.byName.set(stack, reference);
        }
        const names = Object.keys(schema.shape);
        const values: Record<string, unknown> = {};
        for (const name of names) {
            const details = await reference.getOutputDetails(name);
            values[name] = details.value ?? details.secretValue;
        }
        const parsed = schema.safeParse(values);
        if (!parsed.success) {
            const issue = parsed.error.issues[0];
            throw new ConfigError(
                `${configNamespace}:${setting}`,
                `stack ${quoteValue(stack)} exports ${issue.path.join(".")} in an unexpected shape (${issue.message})`,
                "point it at a stack of this project, deployed with this version of the program",
            );
        }
        return parsed.data;
    }
}

/** For a cluster stack: the `pki` stack's root and signatures, and each remote peer's exported cluster. */
export async function readClusterStackReferences(spec: MeshSpec): Promise<ClusterStackReferences> {
    if (spec.pkiStack === undefined) throw new Error("internal: not a cluster stack");
    const references = new References();
    const pki = await references.read(spec.pkiStack, "pkiStack", pkiOutputs);
    const peers: Record<string, PeerCluster | undefined> = {};
    for (const [index, peer] of spec.remotePeers.entries()) {
        const exported = await references.read(peer.stack, `remotePeers[${index}].stack`, clusterOutputs);
        peers[peer.name] = exported.clusters?.[peer.name];
    }
    checkPeerNetworks(spec, peers);
    return {
        pki: pki.rootCaCertPem === undefined ? undefined : { rootCaCertPem: pki.rootCaCertPem, signedIntermediates: pki.signedIntermediates ?? {} },
        peers,
    };
}

/**
 * A peer's network comes from its stack, so the multicluster check's "unique network" rule can only be
 * applied here, once its outputs are read, but still before any cluster resource is registered.
 */
function checkPeerNetworks(spec: MeshSpec, peers: ClusterStackReferences["peers"]): void {
    const owner = new Map(spec.clusters.map((c) => [c.network, c.name] as const));
    spec.remotePeers.forEach((peer, index) => {
        const network = peers[peer.name]?.network;
        if (network === undefined) return;
        const other = owner.get(network);
        if (other !== undefined) {
            throw new ConfigError(
                `${configNamespace}:remotePeers[${index}]`,
                `${quoteValue(peer.name)} (stack ${quoteValue(peer.stack)}) uses network ${quoteValue(network)}, which ${quoteValue(other)} uses too: the multicluster check fails when two clusters share one`,
                `give one of them another network (clusters[].network in its stack)`,
            );
        }
        owner.set(network, peer.name);
    });
}

/** For the `pki` stack: every CA request the named cluster stacks export. */
export async function readCertificateRequests(spec: PkiStackSpec): Promise<ClusterStackOutputs["certificateRequests"]> {
    const references = new References();
    const requests: Record<string, ClusterStackOutputs["certificateRequests"][string]> = {};
    for (const [index, stack] of spec.signFor.entries()) {
        const exported = await references.read(stack, `signFor[${index}]`, clusterOutputs);
        for (const [ca, list] of Object.entries(exported.certificateRequests ?? {})) {
            if (requests[ca]) {
                throw new ConfigError(`${configNamespace}:signFor[${index}]`, `stack ${quoteValue(stack)} requests a CA named ${quoteValue(ca)}, which another stack requests too`, "give every cluster a unique name across all stacks");
            }
            requests[ca] = list;
        }
    }
    return requests;
}
