import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { Kube } from "./kube";
import { IstioCharts, RealCharts } from "./realCharts";
import { Transcript } from "./transcript";

/**
 * The guide's own commands against one cluster, as an operator types them (shared/seeds, "Install SPIRE" to
 * "Create east-west gateways"), with the real chart directories in place of the repositories. Values are the
 * guide's heredocs, written here from the guide — never from the program's components, so that adopting checks
 * the program against something it did not write. Two departures, both forced by simulated nodes: SPIRE's
 * controller-manager webhook is off (nothing serves it), and `istioctl`, which no registry here has, is replaced
 * by the objects its `multicluster expose` and `link --generate` write (shared/REFERENCE.md).
 */
export interface GuideCluster {
    readonly kube: Kube;
    /** The guide's `${cluster}`: trust domain, and with two clusters, network and cluster name. */
    readonly name: string;
}

export interface GuideSetup {
    readonly charts: RealCharts;
    readonly istio: IstioCharts;
    /** The Solo repo key of the Istio minor version (the guide's `${REPO}` ends in it). */
    readonly repoKey: string;
    readonly licence: string;
    /** Where the values files are written (the guide's heredocs). */
    readonly workDir: string;
    readonly transcript: Transcript;
    /** The guide's multicluster section (network, cluster name, peering); false: its single-cluster one. */
    readonly multicluster: boolean;
}

/** The tolerations the guide gives the SPIRE agent and the CSI driver (every node). */
const everyNode = [{ effect: "NoSchedule", operator: "Exists" }, { key: "CriticalAddonsOnly", operator: "Exists" }, { effect: "NoExecute", operator: "Exists" }];
const spiffeIdTemplate = "spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}";

export class GuideInstall {
    constructor(private readonly setup: GuideSetup) {}

    /** `helm upgrade -i` as the guide writes it, the chart a directory, the values its heredoc. */
    private helm(cluster: GuideCluster, name: string, namespace: string, chartDir: string, values: object, extra: string[] = []): Promise<string> {
        const file = path.join(this.setup.workDir, `${cluster.name}-${name}-values.yaml`);
        fs.writeFileSync(file, stringify(values));
        return this.setup.transcript.step(`guide (${cluster.name}): helm upgrade -i ${name}`, async () =>
            cluster.kube.helm(["upgrade", "-i", name, chartDir, "--namespace", namespace, "-f", file, ...extra]));
    }

    /** "Create the spire-server namespace … issue the certificates as secrets": files relative to `certsDir`. */
    spireCaSecret(cluster: GuideCluster, certsDir: string, files: { crt: string; key: string; chain: string }): void {
        cluster.kube.run(["create", "namespace", "spire-server"]);
        cluster.kube.run(["create", "secret", "generic", "spiffe-upstream-ca", "-n", "spire-server",
            `--from-file=tls.crt=${path.join(certsDir, files.crt)}`, `--from-file=tls.key=${path.join(certsDir, files.key)}`, `--from-file=bundle.crt=${path.join(certsDir, files.chain)}`]);
    }

    /** "Install SPIRE": spire-crds, spire with the guide's values, the Ready wait, the three ClusterSPIFFEIDs. */
    async spire(cluster: GuideCluster): Promise<void> {
        const { charts } = this.setup;
        await this.helm(cluster, "spire-crds", "spire-server", charts.spireCrds.dir, {}, ["--create-namespace", "--wait"]);
        await this.helm(cluster, "spire", "spire-server", charts.spire.dir, {
            global: { spire: { trustDomain: cluster.name } },
            "spire-agent": {
                authorizedDelegates: [`spiffe://${cluster.name}/ns/istio-system/sa/ztunnel`],
                sockets: { admin: { enabled: true, mountOnHost: true }, hostBasePath: "/run/spire/agent/sockets" },
                tolerations: everyNode,
            },
            // The guide's, plus the webhook off (nothing serves it on simulated nodes).
            "spire-server": { upstreamAuthority: { disk: { enabled: true, secret: { create: false, name: "spiffe-upstream-ca" } } }, controllerManager: { validatingWebhookConfiguration: { enabled: false } } },
            "spiffe-csi-driver": { tolerations: everyNode },
        });
        await this.setup.transcript.step(`guide (${cluster.name}): kubectl wait pods Ready`, async () =>
            cluster.kube.run(["-n", "spire-server", "wait", "--for=condition=Ready", "pods", "--all", "--timeout=300s"]));
        const registration = (name: string, matchLabels: Record<string, string>) => ({ apiVersion: "spire.spiffe.io/v1alpha1", kind: "ClusterSPIFFEID", metadata: { name }, spec: { spiffeIDTemplate: spiffeIdTemplate, podSelector: { matchLabels } } });
        const registrations = [registration("istio-ztunnel-reg", { app: "ztunnel" }), registration("istio-waypoint-reg", { "istio.io/gateway-name": "waypoint" }), registration("istio-ambient-reg", { "istio.io/dataplane-mode": "ambient" })];
        cluster.kube.run(["apply", "-f", "-"], registrations.map((r) => `---\n${stringify(r)}`).join(""));
    }

    /**
     * Istio's plug-in CA for the multicluster section, which the guide asks for ("Create a shared root of trust
     * for istiod") without commands: Istio's own plug-in CA step, `kubectl create secret generic cacerts` of
     * ca-cert.pem, ca-key.pem, root-cert.pem and cert-chain.pem (intermediate + root). Before istiod, which reads
     * it at start.
     */
    cacerts(cluster: GuideCluster, certsDir: string, files: { crt: string; key: string; chain: string; root: string }): void {
        cluster.kube.run(["create", "namespace", "istio-system"]);
        cluster.kube.run(["create", "secret", "generic", "cacerts", "-n", "istio-system",
            `--from-file=ca-cert.pem=${path.join(certsDir, files.crt)}`, `--from-file=ca-key.pem=${path.join(certsDir, files.key)}`,
            `--from-file=root-cert.pem=${path.join(certsDir, files.root)}`, `--from-file=cert-chain.pem=${path.join(certsDir, files.chain)}`]);
    }

    /** "Install ambient meshes with SPIRE enabled": the Gateway API CRDs, base, istiod, cni and ztunnel. */
    async istio(cluster: GuideCluster, gatewayApiCrdsFile: string): Promise<void> {
        const { istio, repoKey, licence, multicluster } = this.setup;
        const repo = `us-docker.pkg.dev/gloo-mesh/istio-${repoKey}`;
        const tag = `${istio.version}-solo`;
        // The guide's `kubectl apply -f …/v1.3.0/standard-install.yaml`, from a local copy (no network).
        cluster.kube.run(["apply", "-f", gatewayApiCrdsFile]);
        await this.helm(cluster, "istio-base", "istio-system", istio.base.dir, { defaultRevision: "", profile: "ambient" }, ["--create-namespace"]);
        const proxyMetadata = { ISTIO_META_DNS_AUTO_ALLOCATE: "true", ISTIO_META_DNS_CAPTURE: "true" };
        await this.helm(cluster, "istiod", "istio-system", istio.istiod.dir, {
            env: { PILOT_ENABLE_IP_AUTOALLOCATE: "true", PILOT_SKIP_VALIDATE_TRUST_DOMAIN: "true" },
            global: multicluster
                ? { hub: repo, multiCluster: { clusterName: cluster.name }, network: cluster.name, proxy: { clusterDomain: "cluster.local" }, tag }
                : { hub: repo, proxy: { clusterDomain: "cluster.local" }, tag },
            // The single-cluster section writes `trustDomain: "${cluster1}"` with cluster1 unset there: the shell gives "".
            meshConfig: { accessLogFile: "/dev/stdout", defaultConfig: { proxyMetadata }, trustDomain: multicluster ? cluster.name : "" },
            gateways: { spire: { workloads: true } },
            pilot: { cni: { namespace: "istio-system", enabled: true } },
            ...(multicluster ? { platforms: { peering: { enabled: true } } } : {}),
            profile: "ambient",
            license: { value: licence },
        });
        await this.helm(cluster, "istio-cni", "istio-system", istio.cni.dir, { ambient: { dnsCapture: true }, excludeNamespaces: ["istio-system", "kube-system"], global: { hub: repo, tag }, profile: "ambient" });
        await this.helm(cluster, "ztunnel", "istio-system", istio.ztunnel.dir, {
            configValidation: true, enabled: true,
            env: multicluster ? { L7_ENABLED: "true", SKIP_VALIDATE_TRUST_DOMAIN: "true" } : { L7_ENABLED: "true" },
            hub: repo, istioNamespace: "istio-system",
            ...(multicluster ? { multiCluster: { clusterName: cluster.name } } : {}),
            namespace: "istio-system",
            ...(multicluster ? { network: cluster.name } : {}),
            profile: "ambient", proxy: { clusterDomain: "cluster.local" }, spire: { enabled: true }, tag, terminationGracePeriodSeconds: 29, variant: "distroless",
        });
        if (multicluster) cluster.kube.run(["label", "namespace", "istio-system", `topology.istio.io/network=${cluster.name}`]);
    }

    /** `kubectl create namespace istio-eastwest` and `kubectl apply` of what `istioctl multicluster expose --generate` writes. */
    expose(cluster: GuideCluster): void {
        cluster.kube.run(["create", "namespace", "istio-eastwest"]);
        const gateway = {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "Gateway",
            metadata: {
                name: "istio-eastwest",
                namespace: "istio-eastwest",
                labels: { "istio.io/expose-istiod": "15012", "topology.istio.io/network": cluster.name, "topology.istio.io/cluster": cluster.name },
            },
            spec: { gatewayClassName: "istio-eastwest", listeners: hboneAndXds },
        };
        cluster.kube.run(["apply", "-f", "-"], stringify(gateway));
    }

    /** What `istioctl multicluster link` writes in `cluster` for `remote`: the remote's east-west address, read from its Gateway's status. */
    link(cluster: GuideCluster, remote: GuideCluster): void {
        const address = remoteAddress(remote.kube);
        const gateway = {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "Gateway",
            metadata: {
                name: `istio-remote-peer-${remote.name}`,
                namespace: "istio-eastwest",
                annotations: { "gateway.istio.io/service-account": "istio-eastwest", "gateway.istio.io/trust-domain": remote.name },
                labels: { "topology.istio.io/network": remote.name, "topology.istio.io/cluster": remote.name },
            },
            spec: { addresses: [address], gatewayClassName: "istio-remote", listeners: hboneAndXds },
        };
        cluster.kube.run(["apply", "-f", "-"], stringify(gateway));
    }
}

const hboneAndXds = [
    { name: "cross-network", port: 15008, protocol: "HBONE", tls: { mode: "Passthrough" } },
    { name: "xds-tls", port: 15012, protocol: "TLS", tls: { mode: "Passthrough" } },
];

/** The address istiod published on the remote's east-west Gateway (here, the suite's stand-in for istiod). */
function remoteAddress(kube: Kube): { type: string; value: string } {
    const gateway = kube.get("gateways.gateway.networking.k8s.io", "istio-eastwest", "istio-eastwest");
    const address = (gateway?.status as { addresses?: { type: string; value: string }[] } | undefined)?.addresses?.[0];
    if (!address) throw new Error(`${kube.context}: the east-west Gateway has no address yet; link after it is programmed`);
    return { type: address.type, value: address.value };
}
