import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Adoption, adoptedOptions, keptOptions, namespacedId } from "../adopt/adoption";
import { ChartSource, releaseChart } from "../helm/chartSource";
import { ValuesOverride, valuesWithOverride } from "../helm/values";
import { controllerClassName, meshRegistrations, spireCharts, spireOwnedValues, spireValues, ZtunnelIdentity } from "./spireValues";

/** The CA SPIRE's disk UpstreamAuthority signs with, and what it trusts. */
export interface UpstreamCa {
    /** tls.crt: the intermediate, then any certificates up to but excluding the root. */
    readonly certChainPem: pulumi.Input<string>;
    /** tls.key: the intermediate's key. Must be a Pulumi secret. */
    readonly privateKeyPem: pulumi.Input<string>;
    /** bundle.crt: the root certificate(s) only — the disk plugin takes every certificate here as a trust root. */
    readonly trustBundlePem: pulumi.Input<string>;
}

export interface SpireReleaseArgs {
    /** Provider of the cluster to install into. Required. */
    readonly provider: k8s.Provider;
    /** SPIFFE trust domain. Required. */
    readonly trustDomain: string;
    /** Cluster name SPIRE reports (global.spire.clusterName). Required. */
    readonly clusterName: string;
    /** Upstream CA material. Required. */
    readonly upstreamCa: UpstreamCa;
    /** Namespace of the server and of the upstream secret. Default: "spire-server". */
    readonly namespace?: string;
    /** Helm release name of the spire chart; feeds the controller class name. Default: "spire". */
    readonly releaseName?: string;
    /** Helm release name of the spire-crds chart. Default: "spire-crds". */
    readonly crdsReleaseName?: string;
    /** Name of the upstream CA secret. Default: "spiffe-upstream-ca". */
    readonly upstreamSecretName?: string;
    /** ztunnel's namespace and service account, authorised as a delegate. Default: istio-system/ztunnel. */
    readonly ztunnel?: ZtunnelIdentity;
    /** Host path of the agent sockets; ztunnel looks for the admin socket under it. Default: /run/spire/agent/sockets. */
    readonly socketHostBasePath?: string;
    /** Keep the SPIRE CRDs (and so every ClusterSPIFFEID) when this component is deleted. Default: true. */
    readonly retainCrdsOnDelete?: boolean;
    /** Helm values merged over the component's own, as `helm -f` merges a file, per chart. Default: none. */
    readonly values?: SpireValuesOverrides;
    /**
     * Take over what the guide created — the namespace, `spiffe-upstream-ca`, both releases (by name, keeping their
     * history) and its three ClusterSPIFFEIDs — instead of creating it. Default: none (everything is created).
     */
    readonly adopt?: Adoption;
    /**
     * Where the spire-crds and spire charts come from (a mirror, or directories for air-gapped clusters).
     * Default: SPIFFE's repository, https://spiffe.github.io/helm-charts-hardened/, for both.
     */
    readonly chartSources?: {
        /** The spire-crds chart. Default: SPIFFE's repository. */
        readonly crds?: ChartSource;
        /** The spire chart. Default: SPIFFE's repository. */
        readonly spire?: ChartSource;
    };
}

export interface SpireValuesOverrides {
    /**
     * Over the spire chart's values: resources, nodeSelector, image registries (`global.spire.image.registry` for an
     * air-gapped cluster), persistence. The values in spireOwnedValues (trust domain, cluster name, upstream CA,
     * class name, ztunnel's delegate and socket) are refused. Default: none.
     */
    readonly spire?: ValuesOverride;
    /** Over the spire-crds chart's values. Default: none. */
    readonly crds?: ValuesOverride;
}

export const spireReleaseDefaults = {
    namespace: "spire-server",
    releaseName: "spire",
    crdsReleaseName: "spire-crds",
    upstreamSecretName: "spiffe-upstream-ca",
    ztunnel: { namespace: "istio-system", serviceAccount: "ztunnel" },
    socketHostBasePath: "/run/spire/agent/sockets",
    retainCrdsOnDelete: true,
} as const;

/**
 * SPIRE in one cluster: namespace, upstream CA secret, the spire-crds and spire releases (awaited like
 * `helm --wait`), and the ClusterSPIFFEIDs that give ztunnel, waypoints and ambient pods their identities.
 * Depending on this component waits for all of it.
 */
export class SpireRelease extends pulumi.ComponentResource {
    /** The class name every ClusterSPIFFEID carries; the controller manager ignores others. */
    public readonly className: string;

    constructor(name: string, args: SpireReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ambient-spire:spire:SpireRelease", name, {}, { ...opts, provider: args.provider });
        const d = spireReleaseDefaults;
        const namespace = args.namespace ?? d.namespace;
        const releaseName = args.releaseName ?? d.releaseName;
        const upstreamSecretName = args.upstreamSecretName ?? d.upstreamSecretName;
        const on = { parent: this, provider: args.provider };
        const adopt = args.adopt;
        const crdsReleaseName = args.crdsReleaseName ?? d.crdsReleaseName;

        const ns = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: namespace } }, { ...on, ...adoptedOptions(adopt, namespace) });
        const upstreamSecret = new k8s.core.v1.Secret(
            `${name}-upstream-ca`,
            {
                metadata: { name: upstreamSecretName, namespace: ns.metadata.name },
                type: "Opaque",
                stringData: {
                    "tls.crt": args.upstreamCa.certChainPem,
                    "tls.key": pulumi.secret(args.upstreamCa.privateKeyPem),
                    "bundle.crt": args.upstreamCa.trustBundlePem,
                },
            },
            { ...on, ...adoptedOptions(adopt, namespacedId(namespace, upstreamSecretName)) },
        );
        const publicRepository: ChartSource = { repository: spireCharts.repository };
        const crds = new k8s.helm.v3.Release(
            `${name}-crds`,
            {
                name: crdsReleaseName,
                ...releaseChart(args.chartSources?.crds ?? publicRepository, spireCharts.crds.chart, spireCharts.crds.version),
                namespace: ns.metadata.name,
                ...(args.values?.crds ? { values: args.values.crds } : {}),
            },
            // Adopted, it is kept on destroy when the adoption says so, and always when the CRDs are to be kept.
            { ...on, ...adoptedOptions(adopt, namespacedId(namespace, crdsReleaseName)), retainOnDelete: (args.retainCrdsOnDelete ?? d.retainCrdsOnDelete) || adopt?.keepOnDestroy === true },
        );
        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: releaseName,
                ...releaseChart(args.chartSources?.spire ?? publicRepository, spireCharts.spire.chart, spireCharts.spire.version),
                namespace: ns.metadata.name,
                values: valuesWithOverride(
                    `${name}: spire`,
                    spireValues({
                        trustDomain: args.trustDomain,
                        clusterName: args.clusterName,
                        ztunnel: args.ztunnel ?? d.ztunnel,
                        upstreamSecretName,
                        socketHostBasePath: args.socketHostBasePath ?? d.socketHostBasePath,
                        trustBundlePem: args.upstreamCa.trustBundlePem,
                    }),
                    args.values?.spire,
                    spireOwnedValues,
                ),
            },
            // The server mounts the secret at start, and the chart's webhooks need the CRDs.
            { ...on, ...adoptedOptions(adopt, namespacedId(namespace, releaseName)), dependsOn: [crds, upstreamSecret] },
        );
        this.className = controllerClassName(namespace, releaseName);
        for (const registration of meshRegistrations(this.className)) {
            new k8s.apiextensions.CustomResource(
                `${name}-${registration.name}`,
                {
                    apiVersion: "spire.spiffe.io/v1alpha1",
                    kind: "ClusterSPIFFEID",
                    metadata: { name: registration.name },
                    spec: registration.spec,
                },
                // Needs the CRD (spire-crds) and the controller manager's webhook (spire).
                // The guide's three are imported (they lack className, which the update adds); the fourth is new.
                { ...on, ...(registration.inGuide ? adoptedOptions(adopt, registration.name) : keptOptions(adopt)), dependsOn: [crds, release] },
            );
        }
        this.registerOutputs({ className: this.className });
    }
}
