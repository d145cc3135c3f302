import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { recordPlan } from "../infra/plan/recorder";
import { readStackConfig } from "../infra/plan/stackFiles";
import { program } from "../stacks";
import { knownProviderOutputs } from "./support/providerOutputs";
import { resolved } from "./support/resolve";
import { input, named, ofType, record, settings, StackSettings } from "./support/stacks";

const projectDir = path.resolve(__dirname, "..");
const pkiStack = "org/ambient-spire/pki";
const peerStack = "org/ambient-spire/cluster2";
const pem = (what: string) => `-----BEGIN CERTIFICATE-----\n${what}\n-----END CERTIFICATE-----\n`;

/** cluster1 alone, taking its root from `pki` and linking to cluster2 of another stack. */
const clusterStack = (overrides: StackSettings = {}): StackSettings =>
    settings({ "ambient-spire:pkiStack": pkiStack, "ambient-spire:remotePeers": [{ name: "cluster2", stack: peerStack }], ...overrides });

const signed = (rotations: Record<string, string[]>) => ({
    rootCaCertPem: pem("root"),
    signedIntermediates: Object.fromEntries(Object.entries(rotations).map(([ca, rs]) => [ca, Object.fromEntries(rs.map((r) => [r, pem(`${ca} r${r}`)]))])),
});
const peer = { clusters: { cluster2: { trustDomain: "cluster2.example.org", network: "net2", eastWestAddress: { type: "IPAddress", value: "203.0.113.7" } } } };


describe("stack-per-cluster: a pki stack and cluster stacks", () => {
    test("before the pki stack has signed, a cluster stack holds only its CA keys and requests", async () => {
        // An update (not a preview) so that the exported requests resolve.
        const { plan, outputs } = await record(clusterStack(), { preview: false, computed: knownProviderOutputs });
        const working = plan.resources.filter((r) => !r.type.startsWith("ambient-spire:") && r.type !== "pulumi:pulumi:StackReference");
        assert.deepEqual(working.map((r) => r.name).sort(), ["cluster1-istio-ca-r0-csr", "cluster1-istio-ca-r0-key", "cluster1-spire-ca-r0-csr", "cluster1-spire-ca-r0-key"]);
        const values = (await resolved(outputs)) as { awaitingSignature: string[]; certificateRequests: Record<string, { rotation: number; maxPathLength: number }[]> };
        assert.deepEqual(values.awaitingSignature, ["cluster1"]);
        assert.ok(!("rootCaCertPem" in values), "no root to report before the pki stack is deployed");
        // The fake keys carry "PRIVATE KEY", so this fails if a key ever reaches an output.
        assert.doesNotMatch(JSON.stringify(values), /PRIVATE KEY/);
        assert.deepEqual(values.certificateRequests["cluster1-spire-ca"].map((r) => [r.rotation, r.maxPathLength]), [[0, 1]]);
        assert.deepEqual(values.certificateRequests["cluster1-istio-ca"].map((r) => [r.rotation, r.maxPathLength]), [[0, null]]);
    });

    test("once signed, the cluster stack builds the same SPIRE and mesh as one all-in-one stack, with no root key of its own", async () => {
        const stackOutputs = { [pkiStack]: signed({ "cluster1-spire-ca": ["0"], "cluster1-istio-ca": ["0"] }), [peerStack]: peer };
        const split = (await record(clusterStack(), { stackOutputs })).plan;
        const whole = (await record(settings({}, 2))).plan;
        assert.equal(ofType(split, ":RootCa").length, 0);
        assert.ok(!split.resources.some((r) => r.name.startsWith("mesh-root-ca")), "the root key lives only in the pki stack");
        // The root certificate is known here (read from the pki stack) and unknown in the all-in-one preview.
        const sameUpToPem = (name: string) => JSON.stringify(named(split, name).inputs).replace(/"-----BEGIN CERTIFICATE-----[^"]*"/g, '"[unknown]"');
        for (const name of ["cluster1-spire-release", "cluster1-mesh-istiod", "cluster1-mesh-ztunnel", "cluster1-eastwest-gateway"]) {
            assert.equal(sameUpToPem(name), JSON.stringify(named(whole, name).inputs), name);
        }
        assert.match(JSON.stringify(named(split, "cluster1-spire-release").inputs), /BEGIN CERTIFICATE-----\\nroot/, "the bundle is the pki stack's root");
        const link = named(split, "cluster1-to-cluster2-gateway");
        assert.deepEqual(input(link, "spec", "addresses"), [{ type: "IPAddress", value: "203.0.113.7" }]);
        assert.equal(input(link, "metadata", "labels", "topology.istio.io/network"), "net2");
    });

    test("a rotation keeps the signed key in use while the new request awaits its signature, then switches", async () => {
        const rotated = clusterStack({ "ambient-spire:clusters": [{ name: "cluster1", context: "kind-cluster1", rotation: 1 }] });
        const waiting = await record(rotated, { preview: false, computed: knownProviderOutputs, stackOutputs: { [pkiStack]: signed({ "cluster1-spire-ca": ["0"], "cluster1-istio-ca": ["0"] }), [peerStack]: peer } });
        const keys = (p: typeof waiting.plan) => ofType(p, ":PrivateKey").map((r) => r.name).filter((n) => n.startsWith("cluster1-spire")).sort();
        assert.deepEqual(keys(waiting.plan), ["cluster1-spire-ca-r0-key", "cluster1-spire-ca-r1-key"]);
        assert.ok(named(waiting.plan, "cluster1-spire-upstream-ca").dependsOn.some((u) => u.endsWith("cluster1-spire-ca-r0-key")), "SPIRE still uses rotation 0");
        const values = (await resolved(waiting.outputs)) as { certificateRequests: Record<string, { rotation: number }[]> };
        assert.deepEqual(values.certificateRequests["cluster1-spire-ca"].map((r) => r.rotation), [0, 1]);

        const switched = await record(rotated, { stackOutputs: { [pkiStack]: signed({ "cluster1-spire-ca": ["0", "1"], "cluster1-istio-ca": ["0", "1"] }), [peerStack]: peer } });
        assert.deepEqual(keys(switched.plan), ["cluster1-spire-ca-r1-key"]);
        assert.ok(named(switched.plan, "cluster1-spire-upstream-ca").dependsOn.some((u) => u.endsWith("cluster1-spire-ca-r1-key")));
    });

    test("a peer not deployed yet: no link to it, everything else built", async () => {
        const { plan } = await record(clusterStack(), { stackOutputs: { [pkiStack]: signed({ "cluster1-spire-ca": ["0"], "cluster1-istio-ca": ["0"] }) } });
        assert.equal(ofType(plan, ":PeerLink").length, 0);
        assert.ok(named(plan, "cluster1-eastwest-gateway"));
    });

    test("the pki stack signs each request with its root, at the requested pathlen, and exports certificates only", async () => {
        const csr = "-----BEGIN CERTIFICATE REQUEST-----\ncluster1 spire r0\n-----END CERTIFICATE REQUEST-----\n";
        const requests = { certificateRequests: { "cluster1-spire-ca": [{ rotation: 0, maxPathLength: 1, certRequestPem: csr }], "cluster1-istio-ca": [{ rotation: 0, maxPathLength: null, certRequestPem: csr }] } };
        const { plan, outputs } = await record({ "ambient-spire:signFor": ["org/ambient-spire/cluster1"] }, { stackOutputs: { "org/ambient-spire/cluster1": requests } });
        const certs = ofType(plan, ":LocallySignedCert");
        assert.deepEqual(certs.map((c) => [c.name, input(c, "maxPathLength"), input(c, "certRequestPem")]).sort(), [
            ["cluster1-istio-ca-r0-cert", undefined, csr],
            ["cluster1-spire-ca-r0-cert", 1, csr],
        ]);
        assert.ok(named(plan, "mesh-root-ca-key").options.protect);
        assert.equal(plan.resources.filter((r) => r.cluster !== null).length, 0, "a pki stack touches no cluster");
        assert.deepEqual(Object.keys(outputs as object).sort(), ["rootCaCertPem", "signedIntermediates"]);
    });

    test("a peer stack on the same network as a local cluster ends the run before any cluster resource is registered", async () => {
        const clash = { clusters: { cluster2: { ...peer.clusters.cluster2, network: "cluster1" } } };
        await assert.rejects(
            record(clusterStack(), { stackOutputs: { [pkiStack]: signed({ "cluster1-spire-ca": ["0"], "cluster1-istio-ca": ["0"] }), [peerStack]: clash } }),
            (error: Error) => error.message.startsWith('ambient-spire:remotePeers[0]: "cluster2" (stack "org/ambient-spire/cluster2") uses network "cluster1", which "cluster1" uses too'),
        );
    });

    test("a referenced stack exporting the wrong shape ends the run naming the setting", async () => {
        await assert.rejects(
            record(clusterStack(), { stackOutputs: { [pkiStack]: { rootCaCertPem: 42 } } }),
            (error: Error) => error.message.startsWith('ambient-spire:pkiStack: stack "org/ambient-spire/pki" exports rootCaCertPem'),
        );
    });

    test("the example stack files plan with docs/plan-references.json, and cluster1 links to cluster2's address", async () => {
        const stackOutputs = JSON.parse(fs.readFileSync(path.join(projectDir, "docs", "plan-references.json"), "utf8")) as Record<string, Record<string, unknown>>;
        const pki = (await recordPlan(program, { ...readStackConfig(projectDir, "pki"), stackOutputs })).plan;
        assert.equal(ofType(pki, ":IntermediateSignature").length, 4);
        const cluster1 = (await recordPlan(program, { ...readStackConfig(projectDir, "cluster1"), stackOutputs })).plan;
        assert.deepEqual(input(named(cluster1, "cluster1-to-cluster2-gateway"), "spec", "addresses"), [{ type: "Hostname", value: "eastwest.cluster2.example.net" }]);
    });
});
