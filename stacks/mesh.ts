import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { GatewayAddress, PathLength } from "../components";
import { configNamespace, ConfigError } from "./config/errors";
import { loadMeshSpec } from "./config/load";
import { checkedGivenCas } from "./config/givenCas";
import { withLocalFiles } from "./config/localSources";
import { adoptSchema, chartsSchema, clusterSchema, istioSchema, pkiSchema, sourcesSchema } from "./config/schema";
import { buildMesh } from "./topology";

/** One cluster of the mesh. */
export interface MeshClusterArgs {
    /** Cluster name, a DNS-1123 label; names its CAs, releases and peer gateways. Required. */
    readonly name: string;
    /**
     * kubeconfig context of this cluster. Default: the kubeconfig's current context (each cluster needs its own
     * context, or its own kubeconfig, when there are several).
     */
    readonly context?: string;
    /**
     * A kubeconfig for this cluster: its contents or the path of a file. Kept a Pulumi secret (it usually holds
     * credentials). Default: the ambient kubeconfig ($KUBECONFIG, else ~/.kube/config).
     */
    readonly kubeconfig?: pulumi.Input<string>;
    /** SPIFFE trust domain, shared by SPIRE and istiod. Default: the cluster name (the guide's). */
    readonly trustDomain?: string;
    /** Istio network, unique per cluster. Default: the cluster name (the guide's). */
    readonly network?: string;
    /** Bump this whole number by one to replace the cluster's intermediate CAs on the next update. Default: 0. */
    readonly rotation?: number;
}

/** The Solo distribution of Istio to install. */
export interface MeshIstioArgs {
    /** Istio patch version such as 1.27.8, without -solo (charts and images use <version>-solo). Required. */
    readonly version: string;
    /** The 12-character Solo repo key of that minor version (the end of us-docker.pkg.dev/gloo-mesh/istio-<repoKey>). Required. */
    readonly repoKey: string;
    /** The clusters' DNS domain. Default: cluster.local. */
    readonly clusterDomain?: string;
}

/** A directed peer link: `from` may reach `to` (the remote-peer gateway for `to` is written in `from`). */
export interface MeshLinkArgs {
    /** The cluster the link is written in. Required. */
    readonly from: string;
    /** The cluster it reaches. Required. */
    readonly to: string;
}

/** One intermediate CA signed outside Pulumi (`pki.ca` provided or external). */
export interface MeshGivenCaArgs {
    /**
     * The intermediate's certificate (optionally followed by the chain up to the root): PEM text, or the path of a
     * file. With ca "external", the certificate signed from this Mesh's CSR (the certificateRequests output). Public.
     * Required.
     */
    readonly cert: string;
    /**
     * Its private key: the path of a file, or PEM text; a Pulumi secret once in the Mesh. From other languages give
     * a path: this input is plain, so the SDKs send its fields as plain values and PEM text would not be a secret
     * on the way in. Default: none;
     * required when ca is "provided", refused with "external" (the Mesh makes that key itself).
     */
    readonly key?: string;
    /** With ca "external" only: the rotation of the certificateRequests entry the certificate was signed from. Default: 0. */
    readonly rotation?: number;
}

/** One cluster's intermediates signed outside Pulumi. */
export interface MeshClusterCasArgs {
    /**
     * SPIRE's upstream CA (pathlen ≥ 1 or none). Default: none; required when ca is "provided"; with "external",
     * the cluster awaits its signature until it is given.
     */
    readonly spire?: MeshGivenCaArgs;
    /**
     * Istio's plug-in CA (cacerts); only with more than one cluster, and then required as spire is (provided), or
     * awaited as spire is (external). Default: none.
     */
    readonly istio?: MeshGivenCaArgs;
}

/** The mesh's certificate authorities. */
export interface MeshPkiArgs {
    /**
     * "generated" (the component makes the root and every intermediate), "provided" (the root certificate and
     * every intermediate's certificate and key are given: no root key in the state) or "external" (the Mesh makes
     * each intermediate's key and exports its CSR in certificateRequests; a CA outside Pulumi signs them, and the
     * certificates come back as clusters.<cluster>.spire.cert and .istio.cert; until then the cluster is listed in
     * awaitingSignature and nothing else of it is built). Default: "generated".
     */
    readonly ca?: "generated" | "provided" | "external";
    /** The root certificate, PEM text or the path of a file; with ca "provided" or "external", and then required. Public. Default: none. */
    readonly rootCert?: string;
    /** Per cluster name, its intermediates; with ca "provided" (all of them) or "external" (those signed so far). Default: none. */
    readonly clusters?: Readonly<Record<string, MeshClusterCasArgs>>;
    /** "RSA" or "ECDSA", for every key. Default: "RSA" (the guide's). */
    readonly keyAlgorithm?: "RSA" | "ECDSA";
    /** 2048, 3072 or 4096; RSA only. Default: 2048 (the guide's). */
    readonly rsaBits?: 2048 | 3072 | 4096;
    /** "P256" or "P384"; ECDSA only. Default: "P256". */
    readonly ecdsaCurve?: "P256" | "P384";
    /** Validity of the root in days. Default: 3650 (the guide's). */
    readonly rootValidityDays?: number;
    /** Validity of each intermediate in days; no longer than the root's. Default: 1825 (the guide's). */
    readonly intermediateValidityDays?: number;
    /** Days before expiry from which an update renews a certificate. Default: 30. */
    readonly earlyRenewalDays?: number;
    /** Protect the root key and certificate from deletion and replacement. Default: true. */
    readonly protectRoot?: boolean;
}

/** Each chart's source: https://… (a Helm repository), oci://… (a registry) or a chart directory relative to the project. */
export interface MeshChartSourcesArgs {
    /** The spire-crds chart. Default: https://spiffe.github.io/helm-charts-hardened/. */
    readonly spireCrds?: string;
    /** The spire chart. Default: https://spiffe.github.io/helm-charts-hardened/. */
    readonly spire?: string;
    /** Istio's base chart. Default: oci://us-docker.pkg.dev/gloo-mesh/istio-helm-<repoKey>. */
    readonly istioBase?: string;
    /** Istio's istiod chart. Default: oci://us-docker.pkg.dev/gloo-mesh/istio-helm-<repoKey>. */
    readonly istiod?: string;
    /** Istio's cni chart. Default: oci://us-docker.pkg.dev/gloo-mesh/istio-helm-<repoKey>. */
    readonly istioCni?: string;
    /** Istio's ztunnel chart. Default: oci://us-docker.pkg.dev/gloo-mesh/istio-helm-<repoKey>. */
    readonly ztunnel?: string;
}

/** Where charts, CRDs and images come from: mirrors, or files for air-gapped clusters. */
export interface MeshSourcesArgs {
    /** Per chart. Default: the public locations. */
    readonly charts?: MeshChartSourcesArgs;
    /** URL or file of the Gateway API standard-install YAML. Default: the v1.3.0 release on GitHub. */
    readonly gatewayApiCrds?: string;
    /** Registry of the Istio images. Default: us-docker.pkg.dev/gloo-mesh/istio-<repoKey>. */
    readonly imageHub?: string;
}

/** Helm values for one chart, merged over the program's own. */
export interface MeshChartValuesArgs {
    /**
     * The values, as a values file holds them: resources, nodeSelector, tolerations, image registries. Values the
     * program sets for correctness (trust domain, network, cluster name, upstream CA, licence, SPIRE) are refused.
     * Required.
     */
    readonly values: Readonly<Record<string, unknown>>;
}

/** Helm values per chart, for what the program does not model; checked against a chart's values.yaml when the chart is a local directory. */
export interface MeshChartsArgs {
    /** Over the spire-crds chart's values. Default: none. */
    readonly spireCrds?: MeshChartValuesArgs;
    /** Over the spire chart's values (e.g. global.spire.image.registry for an air-gapped cluster). Default: none. */
    readonly spire?: MeshChartValuesArgs;
    /** Over istio-base's values. Default: none. */
    readonly istioBase?: MeshChartValuesArgs;
    /** Over istiod's values. Default: none. */
    readonly istiod?: MeshChartValuesArgs;
    /** Over istio-cni's values. Default: none. */
    readonly istioCni?: MeshChartValuesArgs;
    /** Over ztunnel's values. Default: none. */
    readonly ztunnel?: MeshChartValuesArgs;
}

/** Taking over an installation made by the guide's commands (docs/migrating.md). */
export interface MeshAdoptArgs {
    /**
     * Keep every object in the clusters on `pulumi destroy`: Pulumi then only stops managing them, and the mesh
     * keeps running as it was. false: destroy deletes them, as for any Mesh. Default: true.
     */
    readonly keepOnDestroy?: boolean;
}

/** The whole mesh, as a stack file of the TypeScript program describes it. */
export interface MeshArgs {
    /** The clusters, one or more. Required. */
    readonly clusters: readonly MeshClusterArgs[];
    /** The Istio distribution. Required. */
    readonly istio: MeshIstioArgs;
    /** The Solo licence key. Required; kept a Pulumi secret. */
    readonly licenseKey: pulumi.Input<string>;
    /** "full-mesh" (links both ways between every pair of clusters) or "none". Default: "full-mesh", unless links are given. */
    readonly peering?: "full-mesh" | "none";
    /** Explicit directed links instead of `peering`. Default: none (peering decides). */
    readonly links?: readonly MeshLinkArgs[];
    /** Key algorithm, validity and protection of the CAs. Default: the guide's (RSA 2048, 3650 and 1825 days), root protected. */
    readonly pki?: MeshPkiArgs;
    /** Mirrors and local files for charts, CRDs and images. Default: the public locations. */
    readonly sources?: MeshSourcesArgs;
    /** Helm values per chart, merged over the program's own. Default: none. */
    readonly charts?: MeshChartsArgs;
    /**
     * Take over what the guide's commands created (namespaces, Secrets, the six Helm releases, ClusterSPIFFEIDs,
     * cacerts, the east-west namespace and gateways) by importing it instead of creating it. Needs pki.ca
     * "provided" with the guide's own CA files. Give an empty object to adopt with the defaults. Default: none
     * (everything is created).
     */
    readonly adopt?: MeshAdoptArgs;
}

/** What a cluster of the mesh exposes. */
export interface MeshClusterOutputs {
    /** The cluster's SPIFFE trust domain. */
    readonly trustDomain: string;
    /** The cluster's Istio network. */
    readonly network: string;
    /** The east-west gateway's address; only when there are several clusters. */
    readonly eastWestAddress?: GatewayAddress;
}

/** A CA request of a Mesh whose pki.ca is "external", for a CA outside Pulumi to sign (public material only). */
export interface MeshCertificateRequestOutputs {
    /** The cluster's rotation this request belongs to; give it back as pki.clusters.<cluster>.<spire|istio>.rotation. */
    readonly rotation: number;
    /** The pathlen the signed certificate must carry: 1 for SPIRE's upstream CA; none (null) for Istio's plug-in CA. */
    readonly maxPathLength?: PathLength;
    /** The certificate signing request, PEM. */
    readonly certRequestPem: string;
}

// The args above are what other languages see; the config schema is what validates them. These lines stop the two
// from drifting: each args type must be accepted where the schema's input is.
type Accepts<Schema extends z.ZodType, Args> = Args extends z.input<Schema> ? true : never;
const argsMatchSchemas: [
    Accepts<typeof clusterSchema, Omit<MeshClusterArgs, "kubeconfig">>,
    Accepts<typeof istioSchema, MeshIstioArgs>,
    Accepts<typeof pkiSchema, MeshPkiArgs>,
    Accepts<typeof sourcesSchema, MeshSourcesArgs>,
    Accepts<typeof chartsSchema, MeshChartsArgs>,
    Accepts<typeof adoptSchema, MeshAdoptArgs>,
] = [true, true, true, true, true, true];
void argsMatchSchemas;

export const meshType = "ambient-spire:index:Mesh";

/**
 * The whole SPIRE-attested ambient mesh on one or more clusters — the root CA, each cluster's CAs, SPIRE, the
 * mesh, east-west gateways and peer links — as one component, for programs in any Pulumi language. It validates
 * its arguments as the TypeScript program validates a stack file: the first mistake ends the run with one line
 * naming the argument (`Mesh.clusters[1].network: …`), before anything is registered.
 */
export class Mesh extends pulumi.ComponentResource {
    /** The root certificate, PEM (public): the Mesh's own, or the one given in pki.rootCert. */
    public readonly rootCaCertPem: pulumi.Output<string>;
    /** Per cluster name: its trust domain, network and east-west address. Clusters awaiting their signature are not in it. */
    public readonly clusters: pulumi.Output<Record<string, MeshClusterOutputs>>;
    /**
     * With pki.ca "external": by CA name (`<cluster>-spire-ca`, and `<cluster>-istio-ca` with more than one
     * cluster), every request to sign outside Pulumi — the one in use and one of a newer rotation awaiting its
     * signature. Public material only: the keys stay in the Mesh's state, as secrets. Undefined with generated or
     * provided CAs.
     */
    public readonly certificateRequests?: pulumi.Output<Record<string, MeshCertificateRequestOutputs[]>>;
    /**
     * With pki.ca "external": the clusters whose certificates are not given yet, of which only the keys and CSRs
     * are built. Undefined with generated or provided CAs.
     */
    public readonly awaitingSignature?: pulumi.Output<string[]>;

    constructor(name: string, args: MeshArgs, opts?: pulumi.ComponentResourceOptions) {
        const spec = meshSpecOf(args);
        const named = componentNames(args.links !== undefined);
        // Certificate checks name the argument too (`Mesh.pki.clusters.cluster1.spire.cert: …`), also at deploy.
        const given = asComponentErrors(() => checkedGivenCas(spec, named), named);
        super(meshType, name, {}, opts);
        const outputs = buildMesh({
            spec: withLocalFiles(spec),
            ...(given ? { given } : {}),
            licenseKey: pulumi.secret(args.licenseKey),
            parent: this,
            namePrefix: `${name}-`,
            kubeconfigs: Object.fromEntries(args.clusters.flatMap((c) => (c.kubeconfig !== undefined ? [[c.name, c.kubeconfig]] : []))),
            named,
        });
        // A Mesh has no pkiStack, so its root is its own or given; only a cluster stack's can be missing.
        if (!outputs.rootCaCertPem) throw new Error("internal: a Mesh has a root certificate, its own or the one given");
        this.rootCaCertPem = outputs.rootCaCertPem;
        this.clusters = pulumi.output(outputs.clusters);
        if (outputs.certificateRequests) this.certificateRequests = pulumi.output(outputs.certificateRequests);
        if (outputs.awaitingSignature) this.awaitingSignature = pulumi.output(outputs.awaitingSignature);
        this.registerOutputs({
            rootCaCertPem: this.rootCaCertPem,
            clusters: this.clusters,
            ...(this.certificateRequests ? { certificateRequests: this.certificateRequests } : {}),
            ...(this.awaitingSignature ? { awaitingSignature: this.awaitingSignature } : {}),
        });
    }
}

/** The argument paths a Mesh user writes, in place of the stack settings the loader names. */
const componentName = "Mesh";

/**
 * Validates the arguments with the stack file's schema and rules. Messages name `Mesh.<argument>` instead of
 * `ambient-spire:<setting>`; the licence is checked here, since a secret may be an Output the loader cannot see.
 */
export function meshSpecOf(args: MeshArgs): ReturnType<typeof loadMeshSpec> {
    if (args.licenseKey === undefined || args.licenseKey === "") {
        throw new ConfigError(`${componentName}.licenseKey`, "is not set", "pass your Solo licence key as licenseKey, as a secret");
    }
    if (args.links !== undefined && args.peering !== undefined) {
        throw new ConfigError(`${componentName}.peering`, `${JSON.stringify(args.peering)} is set together with links`, "give either peering or links, not both");
    }
    const setting = (value: unknown): string | undefined => (value === undefined ? undefined : JSON.stringify(value));
    const config: Record<string, string> = {};
    const put = (key: string, value: unknown) => {
        const text = setting(value);
        if (text !== undefined) config[`${configNamespace}:${key}`] = text;
    };
    put("clusters", args.clusters?.map(({ kubeconfig: _secret, ...cluster }) => cluster));
    put("istio", args.istio);
    put("peering", args.links ?? args.peering);
    put("pki", args.pki);
    put("sources", args.sources);
    put("charts", args.charts);
    put("adopt", args.adopt);
    // The loader requires a licence setting; the real one stays an Input and never passes through it.
    config[`${configNamespace}:soloLicenseKey`] = "set";
    return asComponentErrors(() => loadMeshSpec(config), componentNames(args.links !== undefined));
}

/** Renames the stack settings a message names (`ambient-spire:pki…`) to the Mesh arguments (`Mesh.pki…`). */
function componentNames(linksGiven: boolean): (text: string) => string {
    return (text) => {
        const renamed = text.replaceAll(`${configNamespace}:`, `${componentName}.`);
        return linksGiven ? renamed.replaceAll(`${componentName}.peering`, `${componentName}.links`) : renamed;
    };
}

/** Runs `run`, its ConfigError renamed from the stack settings to the component arguments. */
function asComponentErrors<T>(run: () => T, named: (text: string) => string): T {
    try {
        return run();
    } catch (error) {
        throw error instanceof ConfigError ? new ConfigError(named(error.setting), named(error.problem), named(error.fix)) : error;
    }
}
