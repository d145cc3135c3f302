import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { Plan, PlannedResource } from "../infra/plan/model";
import { recordPlan } from "../infra/plan/recorder";
import { renderTree } from "../infra/plan/render";
import { readStackConfig } from "../infra/plan/stackFiles";
import { program } from "../stacks";
import { knownProviderOutputs } from "./support/providerOutputs";
import { input, named, ofType, plan, record, settings } from "./support/stacks";

// Managed Gateways; the reads of live east-west gateways have the same type but no inputs.
const gateways = (p: Plan) => ofType(p, "gateway.networking.k8s.io/v1:Gateway").filter((g) => !g.read);
const peerGateways = (p: Plan) => gateways(p).filter((g) => input(g, "spec", "gatewayClassName") === "istio-remote");
const eastWestGateways = (p: Plan) => gateways(p).filter((g) => input(g, "spec", "gatewayClassName") === "istio-eastwest");
const listeners = [
    { name: "cross-network", port: 15008, protocol: "HBONE", tls: { mode: "Passthrough" } },
    { name: "xds-tls", port: 15012, protocol: "TLS", tls: { mode: "Passthrough" } },
];

/** The cluster a resource belongs to: its provider's, or (for PKI) the cluster it is made for; null if shared. */
function owner(p: Plan, r: PlannedResource): string | null {
    if (r.cluster) return r.cluster;
    const match = /^(cluster\d+)-/.exec(r.name);
    if (match) return match[1];
    const parent = p.resources.find((x) => x.urn === r.parent);
    return parent ? owner(p, parent) : null;
}

function crossClusterEdges(p: Plan): [PlannedResource, PlannedResource][] {
    const byUrn = new Map(p.resources.map((r) => [r.urn, r]));
    const edges: [PlannedResource, PlannedResource][] = [];
    for (const r of p.resources) {
        for (const urn of r.dependsOn) {
            const dependency = byUrn.get(urn)!;
            const [a, b] = [owner(p, r), owner(p, dependency)];
            if (a !== null && b !== null && a !== b) edges.push([r, dependency]);
        }
    }
    return edges;
}

for (const count of [1, 2, 3, 5]) {
    describe(`${count} cluster(s), full mesh`, () => {
        let p: Plan;
        test("plans", async () => {
            p = await plan(settings({}, count));
        });

        test(`one provider per cluster, ${count * (count - 1)} directed links`, () => {
            assert.equal(ofType(p, "pulumi:providers:kubernetes").length, count);
            assert.equal(peerGateways(p).length, count * (count - 1));
            assert.equal(eastWestGateways(p).length, count > 1 ? count : 0);
            const pairs = peerGateways(p).map((g) => `${g.cluster}->${input(g, "metadata", "labels", "topology.istio.io/cluster")}`).sort();
            const expected = [];
            for (let i = 1; i <= count; i++) for (let j = 1; j <= count; j++) if (i !== j) expected.push(`cluster${i}->cluster${j}`);
            assert.deepEqual(pairs, expected.sort());
        });

        test("the only edges between clusters are peer links waiting on their remote's east-west gateway", () => {
            for (const [dependent, dependency] of crossClusterEdges(p)) {
                assert.equal(input(dependent, "spec", "gatewayClassName"), "istio-remote", `${dependent.name} depends on ${dependency.name}`);
                // The link waits on the read of its remote's live east-west gateway, which waits on that gateway.
                const remote = input(dependent, "metadata", "labels", "topology.istio.io/cluster");
                assert.ok(dependency.read, `${dependent.name} depends on ${dependency.name}, which is not a read`);
                assert.deepEqual(dependency.dependsOn, [named(p, `${remote}-eastwest-gateway`).urn]);
                assert.equal(input(named(p, `${remote}-eastwest-gateway`), "spec", "gatewayClassName"), "istio-eastwest");
                assert.equal(owner(p, dependency), remote);
            }
            assert.equal(crossClusterEdges(p).length, count * (count - 1));
        });

        test("resources per cluster are the same shape for every cluster", () => {
            const perCluster = (c: string) => p.resources.filter((r) => owner(p, r) === c).map((r) => `${r.type}::${r.name.replace(c, "X")}`).filter((k) => !k.includes("-to-")).sort();
            for (let i = 2; i <= count; i++) assert.deepEqual(perCluster(`cluster${i}`), perCluster("cluster1"));
        });

        if (count > 1) {
            test("one network value feeds the namespace, istiod, ztunnel and the east-west gateway", () => {
                for (let i = 1; i <= count; i++) {
                    const c = `cluster${i}`;
                    const istiod = input(named(p, `${c}-mesh-istiod`), "values") as any;
                    const ztunnel = input(named(p, `${c}-mesh-ztunnel`), "values") as any;
                    const ew = named(p, `${c}-eastwest-gateway`);
                    assert.deepEqual(input(named(p, `${c}-mesh-system-namespace`), "metadata", "labels"), { "topology.istio.io/network": c });
                    assert.deepEqual([istiod.global.network, istiod.global.multiCluster, istiod.platforms], [c, { clusterName: c }, { peering: { enabled: true } }]);
                    assert.deepEqual([ztunnel.network, ztunnel.multiCluster, ztunnel.env.SKIP_VALIDATE_TRUST_DOMAIN], [c, { clusterName: c }, "true"]);
                    assert.equal(input(ew, "metadata", "labels", "topology.istio.io/network"), c);
                }
            });

            test("east-west gateway as `istioctl multicluster expose` writes it", () => {
                for (const ew of eastWestGateways(p)) {
                    assert.equal(input(ew, "metadata", "name"), "istio-eastwest");
                    assert.equal(input(ew, "metadata", "namespace"), "istio-eastwest");
                    assert.deepEqual(input(ew, "metadata", "labels"), {
                        "istio.io/expose-istiod": "15012",
                        "topology.istio.io/network": ew.cluster,
                        "topology.istio.io/cluster": ew.cluster,
                    });
                    assert.deepEqual(input(ew, "spec", "listeners"), listeners);
                    // istiod owns the class and SPIRE gives the pod its identity.
                    for (const dep of [`${ew.cluster}-mesh-istiod`, `${ew.cluster}-spire`, `${ew.cluster}-mesh-gateway-api-gateways`]) {
                        assert.ok(ew.dependsOn.includes(named(p, dep).urn), `${ew.name} does not wait for ${dep}`);
                    }
                }
            });

            test("peer gateway as `istioctl multicluster link` writes it, naming its remote's network and trust domain", () => {
                for (const g of peerGateways(p)) {
                    const remote = input(g, "metadata", "labels", "topology.istio.io/cluster") as string;
                    assert.equal(input(g, "metadata", "name"), `istio-remote-peer-${remote}`);
                    assert.equal(input(g, "metadata", "namespace"), "istio-eastwest");
                    assert.deepEqual(input(g, "metadata", "annotations"), {
                        "gateway.istio.io/service-account": "istio-eastwest",
                        "gateway.istio.io/trust-domain": remote,
                    });
                    assert.deepEqual(input(g, "metadata", "labels"), { "topology.istio.io/network": remote, "topology.istio.io/cluster": remote });
                    assert.deepEqual(input(g, "spec", "listeners"), listeners);
                    assert.deepEqual(input(g, "spec", "addresses"), ["[unknown]"], "the remote address is only known once its gateway is programmed");
                    assert.ok(g.dependsOn.includes(named(p, `${remote}-eastwest-live`).urn));
                }
            });

            test("per cluster: a SPIRE and an Istio intermediate from the one root; cacerts before istiod", () => {
                const root = named(p, "mesh-root-ca-cert");
                for (let i = 1; i <= count; i++) {
                    const c = `cluster${i}`;
                    for (const ca of [`${c}-spire-ca-cert`, `${c}-istio-ca-cert`]) assert.ok(named(p, ca).dependsOn.includes(root.urn), ca);
                    assert.equal(input(named(p, `${c}-istio-ca-cert`), "maxPathLength"), undefined, "no pathlen: the tls provider cannot issue 0");
                    const cacerts = named(p, `${c}-mesh-cacerts`);
                    assert.deepEqual(input(cacerts, "metadata"), { name: "cacerts", namespace: "istio-system" });
                    assert.ok(named(p, `${c}-mesh-istiod`).dependsOn.includes(cacerts.urn));
                }
            });
        }
    });
}

describe("a remote's address comes from its live gateway on every run", () => {
    // The mock provider gives each object a status named after the resource it answers for, so an address
    // taken from the managed gateway's stored status (what the engine keeps from the last write) would read
    // `cluster2-eastwest-gateway…` and one taken from the live read `cluster2-eastwest-live…`.
    test("each link carries the address its remote's read returned, and the read has the gateway's id", async () => {
        const p = (await record(settings({}, 3), { preview: false, computed: knownProviderOutputs })).plan;
        for (const link of peerGateways(p)) {
            const remote = input(link, "metadata", "labels", "topology.istio.io/cluster") as string;
            assert.deepEqual(input(link, "spec", "addresses"), [{ type: "Hostname", value: `${remote}-eastwest-live.example.net` }]);
            const read = named(p, `${remote}-eastwest-live`);
            assert.deepEqual(read.read, { id: `${remote}-eastwest-gateway-id` });
            assert.equal(read.type, named(p, `${remote}-eastwest-gateway`).type);
            assert.equal(read.provider, named(p, `${remote}-eastwest-gateway`).provider);
        }
    });

    test("a preview that creates the gateway skips the read: its id and the links' addresses are unknown", async () => {
        const p = await plan(settings({}, 2));
        assert.deepEqual(named(p, "cluster1-eastwest-live").read, { id: "[unknown]" });
        assert.match(renderTree(p), /Gateway cluster1-eastwest-live {2}reads the live object \(id known once it exists\) on every run {2}← after cluster1-eastwest-gateway\n/);
        assert.deepEqual(input(named(p, "cluster2-to-cluster1-gateway"), "spec", "addresses"), ["[unknown]"]);
    });
});

describe("link topologies", () => {
    test("an explicit one-way link creates the peer gateway only in `from`", async () => {
        const p = await plan(settings({ "ambient-spire:peering": [{ from: "cluster1", to: "cluster2" }] }, 3));
        assert.deepEqual(peerGateways(p).map((g) => [g.cluster, input(g, "metadata", "name")]), [["cluster1", "istio-remote-peer-cluster2"]]);
        assert.equal(eastWestGateways(p).length, 3, "every peered cluster still gets its gateway");
    });

    test("peering: none links nothing, yet keeps the multicluster settings", async () => {
        const p = await plan(settings({ "ambient-spire:peering": "none" }, 2));
        assert.equal(peerGateways(p).length, 0);
        assert.equal(crossClusterEdges(p).length, 0);
        assert.equal(input(named(p, "cluster2-mesh-istiod"), "values", "global", "network"), "cluster2");
    });

    test("custom trust domains and networks reach the peers that name them", async () => {
        const p = await plan(
            settings({
                "ambient-spire:clusters": [
                    { name: "east", context: "ctx-east", trustDomain: "east.example.org", network: "net-east" },
                    { name: "west", context: "ctx-west", trustDomain: "west.example.org", network: "net-west" },
                ],
            }),
        );
        const inEast = peerGateways(p).find((g) => g.cluster === "east")!;
        assert.equal(input(inEast, "metadata", "annotations", "gateway.istio.io/trust-domain"), "west.example.org");
        assert.equal(input(inEast, "metadata", "labels", "topology.istio.io/network"), "net-west");
        assert.equal(input(named(p, "west-mesh-ztunnel"), "values", "network"), "net-west");
    });
});

describe("multicluster stack file", () => {
    test("plans two clusters with two gateways and one link each way", async () => {
        const p = (await recordPlan(program, readStackConfig(path.resolve(__dirname, ".."), "multicluster"))).plan;
        assert.deepEqual(
            ofType(p, "pulumi:providers:kubernetes").map((r) => [r.name, input(r, "context")]),
            [["cluster1", "kind-cluster1"], ["cluster2", "kind-cluster2"]],
        );
        assert.equal(eastWestGateways(p).length, 2);
        assert.deepEqual(peerGateways(p).map((g) => `${g.cluster}:${input(g, "metadata", "name")}`).sort(), ["cluster1:istio-remote-peer-cluster2", "cluster2:istio-remote-peer-cluster1"]);
    });
});
