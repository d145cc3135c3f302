import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentProvider, readSchema } from "../infra/package/provider";
import { Plan, PlannedResource } from "../infra/plan/model";
import { recordPlan } from "../infra/plan/recorder";
import { ConfigError, Mesh } from "../stacks";
import { runCounting } from "./support/counting";
import { GuidePki } from "./support/guidePki";
import { resolved } from "./support/resolve";
import { knownProviderOutputs } from "./support/providerOutputs";
import { licenceForTests } from "./support/stacks";

/**
 * The provider's `construct` on the mock engine, with inputs shaped as the engine hands them over from another
 * language: secrets and other resources' outputs as Outputs, the rest plain.
 */
const provider = new ComponentProvider(readSchema());

function record(program: () => Promise<unknown>, preview = true) {
    return recordPlan(program, { project: "consumer", stack: "test", config: {}, secretKeys: [], preview, ...(preview ? {} : { computed: knownProviderOutputs }) });
}

function one(p: Plan, type: string, name: string): PlannedResource {
    const found = p.resources.find((r) => r.type === type && r.name === name);
    assert.ok(found, `no ${type} ${name}; have ${p.resources.map((r) => r.name).join(", ")}`);
    return found;
}

const meshInputs = {
    clusters: [{ name: "cluster1", context: "kind-cluster1" }],
    istio: { version: "1.27.8", repoKey: "abcdef012345" },
    licenseKey: pulumi.secret(licenceForTests),
};

/** The guide's root and cluster1 intermediate, for a Mesh whose CAs are provided or signed outside Pulumi. */
const guide = new GuidePki(fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-provider-")));
let rootCert = "";
let spireCa = { cert: "", key: "" };
before(() => {
    rootCert = path.join(guide.dir, guide.root().crt);
    const files = guide.intermediate("cluster1/cluster1-ca", "SPIRE cluster1 CA");
    spireCa = { cert: path.join(guide.dir, files.crt), key: path.join(guide.dir, files.key) };
});

describe("component provider", () => {
    it("constructs the Mesh a YAML or C# program declares exactly as the TypeScript Mesh", async () => {
        const viaProvider = await record(async () => {
            const result = await provider.construct("m", "ambient-spire:index:Mesh", meshInputs, {});
            return result.state;
        });
        const direct = await record(async () => new Mesh("m", { ...meshInputs, licenseKey: pulumi.secret(licenceForTests) }));
        const strip = (p: Plan) => p.resources.map((r) => ({ type: r.type, name: r.name, parent: r.parent, inputs: r.inputs, dependsOn: r.dependsOn }));
        assert.deepEqual(strip(viaProvider.plan), strip(direct.plan));
        assert.deepEqual(Object.keys(viaProvider.outputs as object).sort(), ["clusters", "rootCaCertPem"]);
        assert.doesNotMatch(JSON.stringify(viaProvider.plan), /LICENCE-9f2c/);
        const licence = one(viaProvider.plan, "kubernetes:core/v1:Secret", "m-cluster1-mesh-license").inputs as { stringData: Record<string, string> };
        assert.deepEqual(licence.stringData, { "license-key": "[secret]" }, "the licence crossed the boundary as a secret");
        // Given as plain text (a YAML program that forgot `secret: true`), it is a secret all the same.
        const plainLicence = await record(async () => (await provider.construct("p", "ambient-spire:index:Mesh", { ...meshInputs, licenseKey: licenceForTests }, {})).state);
        const plainSecret = one(plainLicence.plan, "kubernetes:core/v1:Secret", "p-cluster1-mesh-license").inputs as { stringData: Record<string, string> };
        assert.deepEqual(plainSecret.stringData, { "license-key": "[secret]" });
        assert.doesNotMatch(JSON.stringify(plainLicence.plan), /LICENCE-9f2c/);
    });

    it("keeps a secret member secret and an unknown one unknown, while taking the plain members out known", async () => {
        const recorded = await record(async () => {
            const cluster = new k8s.Provider("c1", { context: "kind-c1" });
            // A preview: the root's certificate is unknown; with a secret key beside it, all arrive as one top-level Output.
            const root = await provider.construct("root", "ambient-spire:pki:RootCa", {}, {});
            const certPem = (root.state as { certPem: pulumi.Output<string> }).certPem;
            const upstreamCa = pulumi.output({ certChainPem: certPem, privateKeyPem: pulumi.secret("KEY-TEXT-DO-NOT-LEAK"), trustBundlePem: "ROOT" });
            await provider.construct("spire", "ambient-spire:spire:SpireRelease", { provider: cluster, trustDomain: "td.example", clusterName: "c1", releaseName: "myspire", upstreamCa }, {});
            return {};
        });
        const secret = one(recorded.plan, "kubernetes:core/v1:Secret", "spire-upstream-ca");
        const data = (secret.inputs as { stringData: Record<string, string> }).stringData;
        assert.deepEqual(Object.keys(data).sort(), ["bundle.crt", "tls.crt", "tls.key"]);
        assert.equal(data["tls.key"], "[secret]");
        assert.equal(data["tls.crt"], "[unknown]");
        assert.doesNotMatch(JSON.stringify(recorded.plan), /KEY-TEXT-DO-NOT-LEAK/);
        const registration = one(recorded.plan, "kubernetes:spire.spiffe.io/v1alpha1:ClusterSPIFFEID", "spire-istio-ztunnel-reg");
        assert.equal((registration.inputs as { spec: { className: string } }).spec.className, "spire-server-myspire");
        // The engine marks a whole top-level input secret when any part of it is: the root certificate that
        // travelled beside the key is secret too, and so are the Helm values it reaches. Never declassified.
        const release = one(recorded.plan, "kubernetes:helm.sh/v3:Release", "spire-release");
        assert.equal((release.inputs as { values: { global: { spire: { trustDomain: string } } } }).values.global.spire.trustDomain, "[secret]");
        // The Secret still depends on the root's certificate: the dependency came through the rebuilt Output.
        assert.ok(secret.dependsOn.some((urn) => urn.endsWith("::root-cert")), secret.dependsOn.join(", "));
        assert.equal(secret.provider?.endsWith("::c1"), true);
    });

    it("takes the Kubernetes provider from the providers option and the resources to wait for from dependsOn", async () => {
        const recorded = await record(async () => {
            const cluster = new k8s.Provider("c1", { context: "kind-c1" });
            const before = new k8s.core.v1.Namespace("before", { metadata: { name: "before" } }, { provider: cluster });
            await provider.construct("ew", "ambient-spire:multicluster:EastWestGateway", { clusterName: "c1", network: "n1" }, { providers: { kubernetes: cluster }, dependsOn: [before] });
            return {};
        });
        const gateway = one(recorded.plan, "kubernetes:gateway.networking.k8s.io/v1:Gateway", "ew-gateway");
        assert.equal(gateway.provider?.endsWith("::c1"), true);
        assert.ok(gateway.dependsOn.some((urn) => urn.endsWith("::before")), gateway.dependsOn.join(", "));
    });

    it("hands a peer's address on as eventual but needs its cluster name known", async () => {
        const recorded = await record(async () => {
            const cluster = new k8s.Provider("c1", { context: "kind-c1" });
            const remoteGateway = await provider.construct("c2-ew", "ambient-spire:multicluster:EastWestGateway", { provider: cluster, clusterName: "c2", network: "n2" }, {});
            const address = (remoteGateway.state as { address: pulumi.Output<unknown> }).address;
            await provider.construct("c1-to-c2", "ambient-spire:multicluster:PeerLink", { provider: cluster, remote: pulumi.output({ clusterName: "c2", network: "n2", trustDomain: "c2", address }) }, {});
            return {};
        });
        const link = one(recorded.plan, "kubernetes:gateway.networking.k8s.io/v1:Gateway", "c1-to-c2-gateway");
        const inputs = link.inputs as { metadata: { name: string; labels: Record<string, string> }; spec: { addresses: unknown[] } };
        assert.equal(inputs.metadata.name, "istio-remote-peer-c2");
        assert.equal(inputs.metadata.labels["topology.istio.io/network"], "n2");
        assert.deepEqual(inputs.spec.addresses, ["[unknown]"]);

        const unknownName = await runCounting(async () => {
            const cluster = new k8s.Provider("c1", { context: "kind-c1" });
            const unknownText = new k8s.core.v1.Namespace("ns", {}, { provider: cluster }).metadata.name;
            await provider.construct("c1-to-c2", "ambient-spire:multicluster:PeerLink", { provider: cluster, remote: pulumi.output({ clusterName: unknownText, network: "n2", trustDomain: "c2", address: { type: "IPAddress", value: "1.2.3.4" } }) }, {});
        });
        assert.ok(unknownName.error instanceof ConfigError, String(unknownName.error));
        assert.match(unknownName.error.message, /^PeerLink\.remote\.clusterName: is not known yet .* Fix: give a value known before the update/);
    });

    it("says which required input is missing, and what the Mesh says of a bad one", async () => {
        const missing = await runCounting(() => provider.construct("s", "ambient-spire:spire:SpireRelease", { clusterName: "c1" }, {}));
        assert.ok(missing.error instanceof ConfigError);
        assert.match(missing.error.message, /^SpireRelease\.provider: is not set\. Fix: give it: Provider of the cluster/);

        const bad = await runCounting(() => provider.construct("m", "ambient-spire:index:Mesh", { ...meshInputs, clusters: [{ name: "c1", context: "a" }, { name: "c2", context: "a" }] }, {}));
        assert.ok(bad.error instanceof ConfigError);
        assert.match(bad.error.message, /^Mesh\.clusters\[1\]\.context: "a" is already used by clusters\[0\]/);
        assert.equal(bad.registered, 0);

        await assert.rejects(provider.construct("x", "ambient-spire:index:Nope", {}, {}), /unknown component type ambient-spire:index:Nope/);
    });

    it("hands the Mesh an adopt input: the guide's objects imported, kept on destroy unless keepOnDestroy is false", async () => {
        const provided = { ca: "provided", rootCert, clusters: { cluster1: { spire: spireCa } } };
        const upstreamCa = async (adopt: unknown) => {
            const recorded = await record(async () => (await provider.construct("m", "ambient-spire:index:Mesh", { ...meshInputs, pki: provided, ...(adopt ? { adopt } : {}) }, {})).state);
            const secret = one(recorded.plan, "kubernetes:core/v1:Secret", "m-cluster1-spire-upstream-ca");
            return { import: secret.import?.id, kept: secret.options.retainOnDelete, imports: recorded.plan.resources.filter((r) => r.import).length };
        };
        assert.deepEqual(await upstreamCa({}), { import: "spire-server/spiffe-upstream-ca", kept: true, imports: 12 }, "an empty adopt object: the defaults");
        assert.deepEqual(await upstreamCa({ keepOnDestroy: false }), { import: "spire-server/spiffe-upstream-ca", kept: false, imports: 12 });
        assert.deepEqual(await upstreamCa(undefined), { import: undefined, kept: false, imports: 0 });

        const generated = await runCounting(() => provider.construct("m", "ambient-spire:index:Mesh", { ...meshInputs, adopt: {} }, {}));
        assert.ok(generated.error instanceof ConfigError, String(generated.error));
        assert.match(generated.error.message, /^Mesh\.adopt: is set but pki\.ca is "generated"/);
        assert.equal(generated.registered, 0);
    });

    it("returns a Mesh's CSRs and the clusters awaiting signature as outputs with pki.ca external", async () => {
        const recorded = await record(async () => (await provider.construct("m", "ambient-spire:index:Mesh", { ...meshInputs, pki: { ca: "external", rootCert } }, {})).state, false);
        const state = (await resolved(recorded.outputs)) as Record<string, unknown>;
        assert.deepEqual(Object.keys(state).sort(), ["awaitingSignature", "certificateRequests", "clusters", "rootCaCertPem"]);
        assert.deepEqual(state.awaitingSignature, ["cluster1"]);
        assert.deepEqual(state.certificateRequests, { "cluster1-spire-ca": [{ rotation: 0, maxPathLength: 1, certRequestPem: "CSR m-cluster1-spire-ca-r0-csr" }] });
        assert.equal(String(state.rootCaCertPem).trim(), guide.read("root-ca/root-ca.crt").trim());
    });

    it("registers each component under the type token its schema entry has", async () => {
        const recorded = await record(async () => {
            const cluster = new k8s.Provider("c1", { context: "kind-c1" });
            const ca = { certPem: "CERT", privateKeyPem: pulumi.secret("KEY"), validityDays: 3650 };
            await provider.construct("root", "ambient-spire:pki:RootCa", {}, {});
            await provider.construct("int", "ambient-spire:pki:IntermediateCa", { signer: { issuer: ca }, commonName: "X" }, {});
            await provider.construct("spire", "ambient-spire:spire:SpireRelease", { provider: cluster, trustDomain: "t", clusterName: "c1", upstreamCa: { certChainPem: "C", privateKeyPem: pulumi.secret("K"), trustBundlePem: "B" } }, {});
            await provider.construct("mesh", "ambient-spire:istio:AmbientMesh", { provider: cluster, istio: { version: "1.27.8", repoKey: "abcdef012345" }, trustDomain: "t", licenseKey: pulumi.secret("L") }, {});
            await provider.construct("ew", "ambient-spire:multicluster:EastWestGateway", { provider: cluster, clusterName: "c1", network: "n1" }, {});
            await provider.construct("link", "ambient-spire:multicluster:PeerLink", { provider: cluster, remote: { clusterName: "c2", network: "n2", trustDomain: "c2", address: { type: "IPAddress", value: "1.2.3.4" } } }, {});
            await provider.construct("m", "ambient-spire:index:Mesh", meshInputs, {});
            return {};
        });
        const components = new Map(recorded.plan.resources.filter((r) => r.parent === null && r.type.startsWith("ambient-spire:")).map((r) => [r.name, r.type]));
        assert.deepEqual(Object.fromEntries(components), {
            root: "ambient-spire:pki:RootCa",
            int: "ambient-spire:pki:IntermediateCa",
            spire: "ambient-spire:spire:SpireRelease",
            mesh: "ambient-spire:istio:AmbientMesh",
            ew: "ambient-spire:multicluster:EastWestGateway",
            link: "ambient-spire:multicluster:PeerLink",
            m: "ambient-spire:index:Mesh",
        });
    });

    it("refuses an intermediate signer with both ways of signing", async () => {
        const both = await runCounting(() =>
            provider.construct("int", "ambient-spire:pki:IntermediateCa", { commonName: "X", signer: { issuer: { certPem: "C", privateKeyPem: "K", validityDays: 1 }, signedElsewhere: { certPemByRotation: {}, issuerCertPem: "C" } } }, {}),
        );
        assert.match(String(both.error), /int: signer needs exactly one of issuer and signedElsewhere/);
    });
});
