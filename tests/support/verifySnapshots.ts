import { gzipSync } from "zlib";
import { networkLabel } from "../../components/istio/meshValues";
import { loadMeshSpec } from "../../stacks/config/load";
import { StackReport } from "../../infra/verify/checks";
import { Expectations, expectationsOf } from "../../infra/verify/expected";
import { helmRevisionOf } from "../../infra/verify/helmRelease";
import { ClusterSnapshot, KubeObject, Lookup, objectKey, WorkloadSnapshot } from "../../infra/verify/snapshot";
import {
    cacertsSecret,
    eastWestGatewayName,
    injectorConfigMap,
    istioNamespace,
    networkContainers,
    peerGatewayName,
    rootCertConfigMap,
    spireNamespace,
    upstreamCaSecret,
    workloadTargets,
} from "../../infra/verify/targets";
import { makeCa, TestCa } from "./verifyPki";

/**
 * Recorded clusters for verify's checks: what a healthy deployment of the `dev` shape (1 cluster) or the
 * `multicluster` shape (2, full mesh) looks like through the API, with real certificates, and a way to break
 * one thing in a copy.
 */

export type DeepMutable<T> = T extends readonly (infer U)[] ? DeepMutable<U>[] : T extends object ? { -readonly [K in keyof T]: DeepMutable<T[K]> } : T;

/** A copy of `snapshot` with `change` applied to it. */
export function edited(snapshot: ClusterSnapshot, change: (s: DeepMutable<ClusterSnapshot>) => void): ClusterSnapshot {
    const copy = structuredClone(snapshot) as DeepMutable<ClusterSnapshot>;
    change(copy);
    return copy as ClusterSnapshot;
}

/** The object of a lookup the fixture is known to have. */
export function the<T>(lookup: Lookup<T> | undefined): T {
    if (!lookup || !("found" in lookup)) throw new Error("fixture: lookup has no object");
    return lookup.found;
}

export const now = new Date();

/** The expectations of a stack file with `clusters` cluster1..clusterN, as the loader reads it. */
export function fixtureExpectations(clusters: number): Expectations {
    const names = Array.from({ length: clusters }, (_, i) => `cluster${i + 1}`);
    const spec = loadMeshSpec(
        {
            "ambient-spire:clusters": JSON.stringify(names.map((name) => ({ name, context: `kind-${name}` }))),
            "ambient-spire:istio": JSON.stringify({ version: "1.27.8", repoKey: "yourrepokey0" }),
            "ambient-spire:soloLicenseKey": "placeholder",
        },
        ["ambient-spire:soloLicenseKey"],
    );
    return expectationsOf(clusters === 1 ? "dev" : "multicluster", spec, process.cwd());
}

export interface MeshPki {
    readonly root: TestCa;
    /** Per cluster: SPIRE's upstream CA (pathlen 1) and Istio's plug-in CA (no pathlen). */
    readonly clusters: Readonly<Record<string, { spire: TestCa; istio: TestCa }>>;
}

export async function meshPki(names: readonly string[], rootName = "SPIRE Root CA"): Promise<MeshPki> {
    const root = await makeCa({ name: rootName, pathLength: 2, validDays: 3650 });
    const clusters: Record<string, { spire: TestCa; istio: TestCa }> = {};
    for (const name of names) {
        clusters[name] = {
            spire: await makeCa({ name: `SPIRE ${name} CA`, pathLength: 1, issuer: root, validDays: 1825 }),
            istio: await makeCa({ name: `Istio ${name} CA`, issuer: root, validDays: 1825 }),
        };
    }
    return { root, clusters };
}

const b64 = (text: string) => Buffer.from(text).toString("base64");

export function cacertsData(ca: TestCa, root: TestCa): Record<string, string> {
    return { "ca-cert.pem": b64(ca.certPem), "ca-key.pem": b64(ca.keyPem), "root-cert.pem": b64(root.certPem), "cert-chain.pem": b64(ca.certPem + root.certPem) };
}

export function upstreamData(ca: TestCa, root: TestCa, key: TestCa = ca): Record<string, string> {
    return { "tls.crt": b64(ca.certPem), "tls.key": b64(key.keyPem), "bundle.crt": b64(root.certPem) };
}

/** A revision Secret as Helm writes it (only what verify reads), decoded as the collector decodes it. */
export function helmRevision(release: string, revision: number, status: string, version: string) {
    const json = JSON.stringify({ name: release, version: revision, info: { status }, chart: { metadata: { name: release, version } } });
    const secret: KubeObject = {
        metadata: { name: `sh.helm.release.v1.${release}.v${revision}`, labels: { owner: "helm", name: release, version: String(revision), status } },
        data: { release: b64(gzipSync(Buffer.from(json)).toString("base64")) },
    };
    return helmRevisionOf(secret);
}

export const readyPod = (name: string): KubeObject => ({ metadata: { name }, status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] } });

const conditionTrue = (type: string) => ({ type, status: "True", reason: type });

/** A healthy cluster as the collector would record it. */
export function healthyCluster(expected: Expectations, name: string, pki: MeshPki): ClusterSnapshot {
    const cluster = expected.clusters.find((c) => c.name === name);
    if (!cluster) throw new Error(`fixture: no cluster ${name}`);
    const mc = expected.multicluster;
    const labels: Record<string, string> = mc ? { [networkLabel]: cluster.network } : {};
    const cas = pki.clusters[name];
    const workloads: Record<string, Lookup<WorkloadSnapshot>> = {};
    for (const target of workloadTargets) {
        const kind = target.kinds[0];
        const daemon = kind === "DaemonSet";
        const container = target.id === "ztunnel" ? networkContainers.ztunnel : target.id === "istiod" ? networkContainers.istiod : target.id;
        const env = target.id === "ztunnel" && mc ? [{ name: "NETWORK", value: cluster.network }] : [];
        const pods = (daemon ? [0, 1] : [0]).map((i) => readyPod(`${target.name}-${i}`));
        workloads[target.id] = {
            found: {
                kind,
                object: {
                    metadata: { name: target.name, namespace: target.namespace },
                    spec: { ...(daemon ? {} : { replicas: 1 }), selector: { matchLabels: { app: target.id } }, template: { spec: { containers: [{ name: container, env }] } } },
                    status: daemon ? { desiredNumberScheduled: 2, numberReady: 2 } : { readyReplicas: 1 },
                },
                pods,
            },
        };
    }
    const gateways: Record<string, KubeObject> = mc
        ? {
              [eastWestGatewayName]: {
                  metadata: { name: eastWestGatewayName, namespace: "istio-eastwest", labels: { ...labels } },
                  status: { addresses: [{ type: "IPAddress", value: "192.0.2.10" }], conditions: [conditionTrue("Accepted"), conditionTrue("Programmed")] },
              },
              ...Object.fromEntries(
                  cluster.peers.map((peer) => [
                      peerGatewayName(peer.name),
                      {
                          metadata: { name: peerGatewayName(peer.name), namespace: "istio-eastwest", labels: { [networkLabel]: peer.network ?? peer.name } },
                          status: { conditions: [conditionTrue("Accepted"), conditionTrue("Programmed"), conditionTrue("gloo.solo.io/PeerConnected"), conditionTrue("gloo.solo.io/PeeringSucceeded")] },
                      },
                  ]),
              ),
          }
        : {};
    return {
        name,
        context: cluster.context ?? "current",
        namespaces: { [istioNamespace]: { found: { metadata: { name: istioNamespace, labels } } } },
        secrets: {
            ...(mc ? { [objectKey(istioNamespace, cacertsSecret)]: { found: { metadata: { name: cacertsSecret }, data: cacertsData(cas.istio, pki.root) } } } : {}),
            [objectKey(spireNamespace, upstreamCaSecret)]: { found: { metadata: { name: upstreamCaSecret }, data: upstreamData(cas.spire, pki.root) } },
        },
        configMaps: {
            [objectKey(istioNamespace, rootCertConfigMap.name)]: { found: { metadata: { name: rootCertConfigMap.name }, data: { [rootCertConfigMap.key]: (mc ? pki.root : cas.spire).certPem } } },
            [objectKey(istioNamespace, injectorConfigMap.name)]: { found: { metadata: { name: injectorConfigMap.name }, data: { [injectorConfigMap.key]: JSON.stringify({ global: mc ? { network: cluster.network } : {} }) } } },
        },
        gateways: { found: gateways },
        clusterSpiffeIds: { found: Object.fromEntries(expected.registrations.map((r) => [r.name, { metadata: { name: r.name }, spec: { className: r.className } }])) },
        releases: Object.fromEntries(expected.releases.map((r) => [r.name, { found: [helmRevision(r.name, 1, "superseded", "0.0.1"), helmRevision(r.name, 2, "deployed", r.version ?? "?")] }])),
        workloads,
    };
}

/** `cluster: id` of every failing check. */
export function failing(report: StackReport): string[] {
    return report.clusters.flatMap((c) => c.checks.filter((check) => !check.ok).map((check) => `${c.name}: ${check.id}`));
}
