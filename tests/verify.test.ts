import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { before, describe, test } from "node:test";
import { runChecks } from "../infra/verify/checks";
import { Expectations } from "../infra/verify/expected";
import { renderJson, renderText } from "../infra/verify/report";
import { ClusterSnapshot, objectKey } from "../infra/verify/snapshot";
import { cacertsSecret, eastWestGatewayName, injectorConfigMap, istioNamespace, peerGatewayName, rootCertConfigMap, spireNamespace, upstreamCaSecret } from "../infra/verify/targets";
import { basicConstraints } from "../infra/verify/x509";
import { cacertsData, edited, failing, fixtureExpectations, healthyCluster, helmRevision, meshPki, MeshPki, now, the, upstreamData } from "./support/verifySnapshots";
import { makeCa, TestCa } from "./support/verifyPki";

/**
 * verify's checks on recorded clusters with real certificates: a healthy deployment passes every check, and
 * each fault fails exactly the check that names it while the others still pass.
 */
const names = ["cluster1", "cluster2"];
let one: Expectations;
let two: Expectations;
let pki: MeshPki;
let otherRoot: MeshPki;
let healthy: ClusterSnapshot[];
let pathlenZero: TestCa;
let expiring: TestCa;

before(async () => {
    one = fixtureExpectations(1);
    two = fixtureExpectations(2);
    pki = await meshPki(names);
    otherRoot = await meshPki(names, "Another Root CA");
    pathlenZero = await makeCa({ name: "SPIRE cluster1 CA", pathLength: 0, issuer: pki.root });
    expiring = await makeCa({ name: "SPIRE cluster1 CA", pathLength: 1, issuer: pki.root, validDays: 10 });
    healthy = names.map((name) => healthyCluster(two, name, pki));
});

/** The two-cluster report with cluster1 changed by `change`. */
function withCluster1(change: Parameters<typeof edited>[1]) {
    return runChecks(two, [edited(healthy[0], change), healthy[1]], now);
}

function detailOf(report: ReturnType<typeof runChecks>, cluster: string, id: string): string {
    const check = report.clusters.find((c) => c.name === cluster)?.checks.find((c) => c.id === id);
    assert.ok(check, `no check ${id} on ${cluster}`);
    return check.detail;
}

describe("verify on a healthy deployment", () => {
    test("one cluster: every check passes, and none of the multicluster checks is made", () => {
        const report = runChecks(one, [healthyCluster(one, "cluster1", pki)], now);
        assert.deepEqual(failing(report), []);
        assert.equal(report.ok, true);
        const ids = report.clusters[0].checks.map((c) => c.id);
        assert.ok(!ids.some((id) => /^(network|cacerts|gateway)\./.test(id)), ids.join(", "));
        for (const id of ["reachable", "upstream-ca.chain", "upstream-ca.pathlen", "upstream-ca.key", "upstream-ca.expiry", "clusterspiffeid.istio-ambient-ns-reg", "release.spire-crds", "release.ztunnel", "pods.spire-agent"]) {
            assert.ok(ids.includes(id), `missing ${id}`);
        }
    });

    test("two clusters: every check passes, networks, CAs, gateways and peers included", () => {
        const report = runChecks(two, healthy, now);
        assert.deepEqual(failing(report), []);
        const ids = report.clusters[0].checks.map((c) => c.id);
        for (const id of ["network.namespace", "network.eastwest", "network.istiod", "network.ztunnel", "network.peer.cluster2", "cacerts.chain", "cacerts.same-root", "gateway.eastwest.programmed", "gateway.peer.cluster2.connected"]) {
            assert.ok(ids.includes(id), `missing ${id}`);
        }
        assert.equal(ids.length, new Set(ids).size, "check ids are unique per cluster");
        assert.match(detailOf(report, "cluster1", "release.istiod"), /revision 2 deployed, chart istiod 1\.27\.8-solo/);
        assert.match(detailOf(report, "cluster1", "upstream-ca.pathlen"), /"SPIRE cluster1 CA" pathlen 1, "SPIRE Root CA" pathlen 2/);
    });

    test("a root without basicConstraints (the guide's X.509 v1 root) is a trust anchor; an intermediate without them is not", async () => {
        const bareRoot = await makeCa({ name: "Guide Root CA", bare: true });
        const underIt = await makeCa({ name: "SPIRE cluster1 CA", pathLength: 1, issuer: bareRoot });
        const report = withCluster1((s) => void (the(s.secrets[objectKey(spireNamespace, upstreamCaSecret)]).data = upstreamData(underIt, bareRoot)));
        assert.deepEqual(failing(report).filter((f) => f.startsWith("cluster1: upstream-ca")), []);
        assert.match(detailOf(report, "cluster1", "upstream-ca.pathlen"), /"Guide Root CA" without basicConstraints .*accepts it as a trust anchor/);
        const bareIntermediate = await makeCa({ name: "SPIRE cluster1 CA", bare: true, issuer: pki.root });
        const refused = withCluster1((s) => void (the(s.secrets[objectKey(spireNamespace, upstreamCaSecret)]).data = upstreamData(bareIntermediate, pki.root)));
        assert.match(detailOf(refused, "cluster1", "upstream-ca.pathlen"), /is not a CA certificate/);
    });

    test("the text and JSON reports hold no private key", () => {
        const report = withCluster1((s) => {
            the(s.secrets[objectKey(spireNamespace, upstreamCaSecret)]).data = upstreamData(pki.clusters.cluster1.spire, pki.root, pki.clusters.cluster2.spire);
        });
        const keys = [pki.clusters.cluster1.spire.keyPem, pki.clusters.cluster2.spire.keyPem, pki.clusters.cluster1.istio.keyPem];
        for (const output of [renderText(report), renderJson(report)]) {
            assert.doesNotMatch(output, /PRIVATE KEY/);
            for (const key of keys) {
                const body = key.split("\n")[1];
                assert.ok(!output.includes(body) && !output.includes(Buffer.from(key).toString("base64").slice(0, 40)));
            }
        }
        const json = JSON.parse(renderJson(report)) as { stack: string; ok: boolean; clusters: { name: string; context: string; checks: { id: string; ok: boolean; detail: string }[] }[] };
        assert.deepEqual(Object.keys(json), ["stack", "ok", "clusters"]);
        assert.deepEqual(Object.keys(json.clusters[0]), ["name", "context", "checks"]);
        assert.deepEqual(Object.keys(json.clusters[0].checks[0]), ["id", "ok", "detail"]);
        assert.equal(json.ok, false);
    });
});

describe("verify finds each fault, and only that one", () => {
    const cases: { name: string; change: Parameters<typeof edited>[1]; fails: string[]; detail?: RegExp }[] = [
        {
            name: "istio-system labelled with another network",
            change: (s) => void (the(s.namespaces[istioNamespace]).metadata.labels = { "topology.istio.io/network": "cluster2" }),
            fails: ["network.namespace"],
            detail: /"cluster2"; the cluster's network is "cluster1"/,
        },
        {
            name: "east-west gateway without its network label",
            change: (s) => void (the(s.gateways)[eastWestGatewayName].metadata.labels = {}),
            fails: ["network.eastwest"],
            detail: /topology\.istio\.io\/network=none/,
        },
        {
            name: "istiod's global.network differs",
            change: (s) => void (the(s.configMaps[objectKey(istioNamespace, injectorConfigMap.name)]).data = { values: JSON.stringify({ global: { network: "net-a" } }) }),
            fails: ["network.istiod"],
            detail: /global\.network .* is "net-a"/,
        },
        {
            name: "istiod's Deployment carries another NETWORK",
            change: (s) => void (the(s.workloads.istiod).object.spec = { template: { spec: { containers: [{ name: "discovery", env: [{ name: "NETWORK", value: "net-b" }] }] } } }),
            fails: ["network.istiod"],
            detail: /NETWORK="net-b"/,
        },
        {
            name: "ztunnel's NETWORK differs",
            change: (s) => void (the(s.workloads.ztunnel).object.spec = { template: { spec: { containers: [{ name: "istio-proxy", env: [{ name: "NETWORK", value: "cluster2" }] }] } } }),
            fails: ["network.ztunnel"],
        },
        {
            name: "remote peer gateway names the wrong network",
            change: (s) => void (the(s.gateways)[peerGatewayName("cluster2")].metadata.labels = { "topology.istio.io/network": "cluster1" }),
            fails: ["network.peer.cluster2"],
            detail: /cluster2's network is "cluster2"/,
        },
        {
            name: "cacerts signed by another root",
            change: (s) => void (the(s.secrets[objectKey(istioNamespace, cacertsSecret)]).data = cacertsData(otherRoot.clusters.cluster1.istio, otherRoot.root)),
            fails: ["cacerts.chain"],
            detail: /does not chain to the published root "SPIRE Root CA"; cacerts' own root-cert\.pem is another root/,
        },
        {
            name: "istio-ca-root-cert missing",
            change: (s) => void delete s.configMaps[objectKey(istioNamespace, rootCertConfigMap.name)],
            fails: ["cacerts.chain", "cacerts.same-root"],
            detail: /ConfigMap istio-system\/istio-ca-root-cert not found \(istiod publishes it once it runs\)/,
        },
        {
            name: "SPIRE's upstream CA with pathlen 0",
            change: (s) => void (the(s.secrets[objectKey(spireNamespace, upstreamCaSecret)]).data = upstreamData(pathlenZero, pki.root)),
            fails: ["upstream-ca.pathlen"],
            detail: /has pathlen 0, but 1 CA\(s\) must fit below it/,
        },
        {
            name: "tls.key is another CA's key",
            change: (s) => void (the(s.secrets[objectKey(spireNamespace, upstreamCaSecret)]).data = upstreamData(pki.clusters.cluster1.spire, pki.root, pki.clusters.cluster2.spire)),
            fails: ["upstream-ca.key"],
        },
        {
            name: "upstream CA expiring inside the renewal window",
            change: (s) => void (the(s.secrets[objectKey(spireNamespace, upstreamCaSecret)]).data = upstreamData(expiring, pki.root)),
            fails: ["upstream-ca.expiry"],
            detail: /inside the renewal window of 30 days/,
        },
        {
            name: "a ClusterSPIFFEID missing",
            change: (s) => void delete the(s.clusterSpiffeIds)["istio-ambient-ns-reg"],
            fails: ["clusterspiffeid.istio-ambient-ns-reg"],
        },
        {
            name: "a ClusterSPIFFEID with another className",
            change: (s) => void (the(s.clusterSpiffeIds)["istio-ztunnel-reg"].spec = { className: "spire-server-other" }),
            fails: ["clusterspiffeid.istio-ztunnel-reg"],
            detail: /reconciles only "spire-server-spire"/,
        },
        {
            name: "istiod rolled back to another chart version",
            change: (s) => void the(s.releases.istiod).push(helmRevision("istiod", 3, "deployed", "1.27.7-solo")),
            fails: ["release.istiod"],
            detail: /revision 3 is chart version "1\.27\.7-solo"; the program installs "1\.27\.8-solo"/,
        },
        {
            name: "ztunnel's latest revision failed",
            change: (s) => void the(s.releases.ztunnel).push(helmRevision("ztunnel", 3, "failed", "1.27.8-solo")),
            fails: ["release.ztunnel"],
            detail: /revision 3 is "failed"/,
        },
        {
            name: "an istiod pod not Ready",
            change: (s) => void (the(s.workloads.istiod).pods = [{ metadata: { name: "istiod-0" }, status: { phase: "Running", conditions: [{ type: "Ready", status: "False" }] } }]),
            fails: ["pods.istiod"],
            detail: /not Ready: istiod-0/,
        },
        {
            name: "ztunnel DaemonSet short of a pod",
            change: (s) => void (the(s.workloads.ztunnel).object.status = { desiredNumberScheduled: 2, numberReady: 1 }),
            fails: ["pods.ztunnel"],
            detail: /1 of 2 scheduled pods ready/,
        },
        {
            name: "east-west gateway not Programmed",
            change: (s) => void (the(s.gateways)[eastWestGatewayName].status = { conditions: [{ type: "Programmed", status: "False", reason: "AddressNotAssigned" }] }),
            fails: ["gateway.eastwest.programmed"],
            detail: /Programmed is "False" \(AddressNotAssigned\)/,
        },
        {
            name: "peer not connected",
            change: (s) => void (the(s.gateways)[peerGatewayName("cluster2")].status = { conditions: [{ type: "gloo.solo.io/PeerConnected", status: "False", reason: "Disconnected" }, { type: "gloo.solo.io/PeeringSucceeded", status: "True" }] }),
            fails: ["gateway.peer.cluster2.connected"],
            detail: /gloo\.solo\.io\/PeerConnected=False \(Disconnected\)/,
        },
    ];
    for (const c of cases) {
        test(c.name, () => {
            const report = withCluster1(c.change);
            assert.deepEqual(failing(report), c.fails.map((id) => `cluster1: ${id}`));
            if (c.detail) assert.match(detailOf(report, "cluster1", c.fails[0]), c.detail);
        });
    }

    test("roots that differ between clusters fail both clusters' same-root check, and only that", () => {
        const report = withCluster1((s) => {
            the(s.secrets[objectKey(istioNamespace, cacertsSecret)]).data = cacertsData(otherRoot.clusters.cluster1.istio, otherRoot.root);
            the(s.configMaps[objectKey(istioNamespace, rootCertConfigMap.name)]).data = { [rootCertConfigMap.key]: otherRoot.root.certPem };
        });
        assert.deepEqual(failing(report), ["cluster1: cacerts.same-root", "cluster2: cacerts.same-root"]);
        assert.match(detailOf(report, "cluster2", "cacerts.same-root"), /differs: cluster1's is sha256/);
    });

    test("peer conditions not yet reported are not checked, and the detail says so", () => {
        const report = withCluster1((s) => void (the(s.gateways)[peerGatewayName("cluster2")].status = { conditions: [] }));
        assert.deepEqual(failing(report), []);
        assert.match(detailOf(report, "cluster1", "gateway.peer.cluster2.connected"), /gloo\.solo\.io\/PeerConnected, gloo\.solo\.io\/PeeringSucceeded absent: not checked/);
    });

    test("an unreachable cluster is one failing check naming it; the other cluster is still checked", () => {
        const down: ClusterSnapshot = { ...healthy[0], unreachable: "API server https://127.0.0.1:9 not reachable: connect ECONNREFUSED" };
        const report = runChecks(two, [down, healthy[1]], now);
        assert.deepEqual(failing(report), ["cluster1: reachable"]);
        assert.equal(report.clusters[0].checks.length, 1);
        assert.match(detailOf(report, "cluster1", "reachable"), /^cluster cluster1 \(context kind-cluster1\): API server/);
        assert.match(detailOf(report, "cluster2", "cacerts.same-root"), /not compared: cluster1/);
    });
});

describe("verify's X.509 reading", () => {
    test("basicConstraints path lengths 0, 1 and none are read from the DER", async () => {
        const pem = (ca: TestCa) => new X509Certificate(ca.certPem);
        assert.deepEqual(basicConstraints(pem(pathlenZero)), { ca: true, pathLength: 0 });
        assert.deepEqual(basicConstraints(pem(pki.clusters.cluster1.spire)), { ca: true, pathLength: 1 });
        assert.deepEqual(basicConstraints(pem(pki.clusters.cluster1.istio)), { ca: true });
        assert.deepEqual(basicConstraints(pem(pki.root)), { ca: true, pathLength: 2 });
    });

    test("a Helm release payload that cannot be decoded fails the release check with the reason", () => {
        const broken = edited(healthy[0], (s) => void the(s.releases.spire).push({ revision: 3, status: "deployed", decodeError: "incorrect header check" }));
        const report = runChecks(two, [broken, healthy[1]], now);
        assert.deepEqual(failing(report), ["cluster1: release.spire"]);
        assert.match(detailOf(report, "cluster1", "release.spire"), /could not be decoded \(incorrect header check\)/);
    });
});
