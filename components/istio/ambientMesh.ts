import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Adoption, adoptedOptions, keptOptions, namespacedId } from "../adopt/adoption";
import { ChartSource, releaseChart } from "../helm/chartSource";
import { ValuesOverride, valuesWithOverride } from "../helm/values";
import { gatewayApi, gatewayApiCrdDocuments, gatewayApiCrdNames, readGatewayApiManifest } from "./gatewayApiCrds";
import {
    baseValues,
    chartRepository,
    cniValues,
    IstioDistribution,
    imageHub,
    IstioChart,
    istioOwnedValues,
    istiodValues,
    MeshValuesInput,
    networkLabel,
    soloTag,
    ztunnelValues,
} from "./meshValues";

export { gatewayApi } from "./gatewayApiCrds";

/** Istio's plug-in CA (`cacerts`), required when clusters share a root of trust. */
export interface PluginCa {
    /** ca-cert.pem: this cluster's Istio intermediate certificate, PEM. */
    readonly caCertPem: pulumi.Input<string>;
    /** ca-key.pem: its key, PEM. Must be a Pulumi secret. */
    readonly caKeyPem: pulumi.Input<string>;
    /** root-cert.pem: the mesh's root certificate, PEM. */
    readonly rootCertPem: pulumi.Input<string>;
    /** cert-chain.pem: the intermediate, then the root. */
    readonly certChainPem: pulumi.Input<string>;
}

export interface AmbientMeshArgs {
    /** Provider of the cluster to install into. Required. */
    readonly provider: k8s.Provider;
    /** Solo Istio version and repo key. Required. */
    readonly istio: IstioDistribution;
    /** Trust domain; must equal SPIRE's. Required. */
    readonly trustDomain: string;
    /** Solo licence key. Required; wrapped as a Pulumi secret here whatever the caller passes. */
    readonly licenseKey: pulumi.Input<string>;
    /**
     * Resources ztunnel must wait for: SPIRE's releases and registrations. Required (may be empty only when
     * SPIRE is managed elsewhere).
     */
    readonly spireReady: pulumi.Input<pulumi.Resource>[];
    /** Set for a peered cluster: adds network settings and the namespace label. Default: single cluster. */
    readonly multicluster?: {
        /** The cluster name istiod and ztunnel report to peers. Required. */
        readonly clusterName: string;
        /** This cluster's network, unique in the mesh. Required. */
        readonly network: string;
    };
    /** Istio's plug-in CA, written as `cacerts` before istiod starts. Default: none (istiod self-signs). */
    readonly pluginCa?: PluginCa;
    /** Namespace of istiod, cni and ztunnel. Default: "istio-system". */
    readonly systemNamespace?: string;
    /** Kubernetes cluster DNS domain. Default: "cluster.local". */
    readonly clusterDomain?: string;
    /**
     * Secret holding the licence, referenced by istiod's `license.secretRef`. Default: name
     * "solo-istio-license", key "license-key".
     */
    readonly licenseSecret?: {
        /** The Secret's name. Default: "solo-istio-license". */
        readonly name?: string;
        /** The key holding the licence. Default: "license-key". */
        readonly key?: string;
    };
    /** Gateway API version for the CRDs; its standard channel's CRDs are installed. Default: v1.3.0 (the guide's). */
    readonly gatewayApiVersion?: string;
    /**
     * Where the Gateway API CRDs are read from, by the program when the component is built: a URL or a file (a
     * mirror, for air-gapped clusters). It must hold exactly the standard channel's CRDs of `gatewayApiVersion`.
     * Default: the standard-install.yaml of `gatewayApiVersion` on GitHub.
     */
    readonly gatewayApiCrdsFile?: string;
    /**
     * The text of that manifest, read already: a program that reads it before registering anything stops on a bad
     * source before any change. Default: read from `gatewayApiCrdsFile`.
     */
    readonly gatewayApiCrdsManifest?: string;
    /**
     * Where the four Istio charts come from. Default: Solo's OCI registry for the minor version,
     * `oci://us-docker.pkg.dev/gloo-mesh/istio-helm-<repoKey>` (charts base, istiod, cni, ztunnel).
     */
    readonly chartSources?: {
        /** The base chart (istio-base). Default: Solo's registry. */
        readonly base?: ChartSource;
        /** The istiod chart. Default: Solo's registry. */
        readonly istiod?: ChartSource;
        /** The cni chart (istio-cni). Default: Solo's registry. */
        readonly cni?: ChartSource;
        /** The ztunnel chart. Default: Solo's registry. */
        readonly ztunnel?: ChartSource;
    };
    /** Registry of the Istio images (istiod, cni, ztunnel). Default: `us-docker.pkg.dev/gloo-mesh/istio-<repoKey>`. */
    readonly imageHub?: string;
    /**
     * Take over what the guide created — istio-system (made by `helm --create-namespace`), `cacerts` (N > 1) and the
     * four releases by name, keeping their history — instead of creating it. The licence Secret, which the guide
     * does not make (it passes `license.value`), is created. The Gateway API CRDs are adopted by
     * their server-side apply whether or not this is set. Default: none (everything is created).
     */
    readonly adopt?: Adoption;
    /**
     * Keep the Gateway API CRDs when this component is deleted. True: each CRD is a server-side apply (a Patch
     * resource), which creates it or takes over the one the cluster has (managed clusters ship them; a destroy
     * keeps them), and a destroy leaves it. False: each is created, so a cluster that has them already fails the
     * create, and a destroy deletes them. Default: true.
     */
    readonly retainCrdsOnDelete?: boolean;
    /**
     * Helm values merged over the component's own, as `helm -f` merges a file, per chart: resources,
     * nodeSelector, tolerations and the like. The values in istioOwnedValues (trust domain, network, cluster name,
     * licence, SPIRE, peering) are refused. Default: none.
     */
    readonly values?: {
        /** Over istio-base's values. Default: none. */
        readonly base?: ValuesOverride;
        /** Over istiod's values. Default: none. */
        readonly istiod?: ValuesOverride;
        /** Over istio-cni's values. Default: none. */
        readonly cni?: ValuesOverride;
        /** Over ztunnel's values. Default: none. */
        readonly ztunnel?: ValuesOverride;
    };
}

export const ambientMeshType = "ambient-spire:istio:AmbientMesh";

export const ambientMeshDefaults = {
    systemNamespace: "istio-system",
    clusterDomain: "cluster.local",
    licenseSecret: { name: "solo-istio-license", key: "license-key" },
    retainCrdsOnDelete: true,
    /** Helm release name per chart; exported so that tools reading a live cluster (npm run verify) find the same releases. */
    releaseNames: { base: "istio-base", istiod: "istiod", cni: "istio-cni", ztunnel: "ztunnel" },
} as const;

/**
 * The ambient mesh in one cluster: Gateway API CRDs, istio-base, istiod (SPIRE on), istio-cni and ztunnel
 * (SPIRE on), in the guide's order, with ztunnel waiting for SPIRE.
 */
export class AmbientMesh extends pulumi.ComponentResource {
    /** istiod's release: gateways (which istiod programs) must wait for it. */
    public readonly istiod: k8s.helm.v3.Release;
    /** The Gateway API CRDs, one resource each: every Gateway object needs them. */
    public readonly gatewayApiCrds: pulumi.Resource[];

    constructor(name: string, args: AmbientMeshArgs, opts?: pulumi.ComponentResourceOptions) {
        // Its module was `mesh` until the Mesh component needed that name (`ambient-spire:index:Mesh` collides with a
        // module `mesh` in every generated SDK): the alias keeps the URNs of stacks deployed before, children included.
        super(ambientMeshType, name, {}, { ...opts, provider: args.provider, aliases: [...(opts?.aliases ?? []), { type: "ambient-spire:mesh:AmbientMesh" }] });
        const d = ambientMeshDefaults;
        const systemNamespace = args.systemNamespace ?? d.systemNamespace;
        const licenseSecretName = args.licenseSecret?.name ?? d.licenseSecret.name;
        const licenseSecretKey = args.licenseSecret?.key ?? d.licenseSecret.key;
        const on = { parent: this, provider: args.provider };
        const retainCrds = args.retainCrdsOnDelete ?? d.retainCrdsOnDelete;
        const adopt = args.adopt;

        const gatewayApiVersion = args.gatewayApiVersion ?? gatewayApi.version;
        this.gatewayApiCrds = gatewayApiCrdResources(name, {
            version: gatewayApiVersion,
            source: args.gatewayApiCrdsFile ?? gatewayApi.standardInstallUrl(gatewayApiVersion),
            ...(args.gatewayApiCrdsManifest !== undefined ? { manifest: args.gatewayApiCrdsManifest } : {}),
            applied: retainCrds || adopt?.keepOnDestroy === true,
        }, on);

        const systemNs = new k8s.core.v1.Namespace(
            `${name}-system-namespace`,
            {
                metadata: {
                    name: systemNamespace,
                    ...(args.multicluster ? { labels: { [networkLabel]: args.multicluster.network } } : {}),
                },
            },
            { ...on, ...adoptedOptions(adopt, systemNamespace) },
        );
        const licenseSecret = new k8s.core.v1.Secret(
            `${name}-license`,
            {
                metadata: { name: licenseSecretName, namespace: systemNs.metadata.name },
                type: "Opaque",
                stringData: { [licenseSecretKey]: pulumi.secret(args.licenseKey) },
            },
            { ...on, ...keptOptions(adopt) },
        );
        const pluginCaSecret = args.pluginCa
            ? new k8s.core.v1.Secret(
                  `${name}-cacerts`,
                  {
                      metadata: { name: "cacerts", namespace: systemNs.metadata.name },
                      type: "Opaque",
                      stringData: {
                          "ca-cert.pem": args.pluginCa.caCertPem,
                          "ca-key.pem": pulumi.secret(args.pluginCa.caKeyPem),
                          "root-cert.pem": args.pluginCa.rootCertPem,
                          "cert-chain.pem": args.pluginCa.certChainPem,
                      },
                  },
                  { ...on, ...adoptedOptions(adopt, namespacedId(systemNamespace, "cacerts")) },
              )
            : undefined;

        const valuesInput: MeshValuesInput = {
            istio: args.istio,
            hub: args.imageHub ?? imageHub(args.istio),
            trustDomain: args.trustDomain,
            systemNamespace,
            clusterDomain: args.clusterDomain ?? d.clusterDomain,
            license: { secretName: licenseSecretName, secretNamespace: systemNamespace },
            ...(args.multicluster ? { multicluster: args.multicluster } : {}),
        };
        const soloRegistry: ChartSource = { registry: chartRepository(args.istio) };
        const release = (chartName: IstioChart, values: object, dependsOn: pulumi.Input<pulumi.Resource>[]) =>
            new k8s.helm.v3.Release(
                `${name}-${d.releaseNames[chartName]}`,
                {
                    name: d.releaseNames[chartName],
                    ...releaseChart(args.chartSources?.[chartName] ?? soloRegistry, chartName, soloTag(args.istio)),
                    namespace: systemNamespace,
                    values: valuesWithOverride(`${name}: ${chartName}`, values, args.values?.[chartName], istioOwnedValues[chartName]),
                },
                { ...on, ...adoptedOptions(adopt, namespacedId(systemNamespace, d.releaseNames[chartName])), dependsOn },
            );

        const base = release("base", baseValues(), [systemNs]);
        this.istiod = release("istiod", istiodValues(valuesInput), [
            base,
            licenseSecret,
            ...(pluginCaSecret ? [pluginCaSecret] : []),
        ]);
        const cni = release("cni", cniValues(valuesInput), [base]);
        // ztunnel asks the SPIRE agent for every identity, so SPIRE and its registrations must be ready first.
        release("ztunnel", ztunnelValues(valuesInput), [this.istiod, cni, ...args.spireReady]);
        this.registerOutputs({});
    }
}

/**
 * A field manager of our own for the CRDs, the same in every stack and deployment: the provider otherwise gives
 * each Patch resource a random one, and a redeploy after a destroy (which keeps the CRDs) would then conflict with
 * the manager its first deployment left behind as soon as a Gateway API bump changes a field.
 */
const crdFieldManager = "ambient-spire-gateway-api";

/**
 * One resource per CRD, all on the cluster's provider. Applied (a Patch): created or taken over where the cluster
 * has it, and left on delete (a Patch delete would only give up its fields, and fails on the required ones, so
 * the engine is told to retain it). Otherwise created and deleted like any resource.
 */
function gatewayApiCrdResources(
    name: string,
    crds: { version: string; source: string; manifest?: string; applied: boolean },
    on: { parent: pulumi.Resource; provider: k8s.Provider },
): pulumi.Resource[] {
    const names = gatewayApiCrdNames(crds.version);
    const documents = pulumi
        .output(crds.manifest ?? readGatewayApiManifest(crds.source))
        .apply((text) => gatewayApiCrdDocuments(text, crds.source, names));
    return names.map((crdName) => {
        const document = documents.apply((d) => d.get(crdName)!);
        const resourceName = `${name}-gateway-api-${crdName.split(".")[0]}`;
        if (!crds.applied) {
            return new k8s.apiextensions.v1.CustomResourceDefinition(resourceName, {
                metadata: document.metadata,
                spec: document.spec,
            }, on);
        }
        return new k8s.apiextensions.v1.CustomResourceDefinitionPatch(resourceName, {
            metadata: document.apply((d) => ({ ...d.metadata, annotations: { ...d.metadata.annotations, "pulumi.com/patchFieldManager": crdFieldManager } })),
            spec: document.spec,
        }, { ...on, retainOnDelete: true });
    });
}
