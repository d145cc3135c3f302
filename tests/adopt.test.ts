import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { diffPlans } from "../infra/plan/diff";
import { Plan, PlannedResource } from "../infra/plan/model";
import { renderTree } from "../infra/plan/render";
import { ConfigError, loadMeshSpec } from "../stacks";
import { CaFiles, givenCaFiles, GuideCas, guideCas, GuidePki, providedPki } from "./support/guidePki";
import { asConfig, plan, settings, StackSettings } from "./support/stacks";

/**
 * ambient-spire:adopt (docs/migrating.md): what the guide's commands created is imported by the id the provider
 * reads it with, everything else is created; adopting changes no URN, input or replacement rule of the stack, so
 * after the first up it behaves like any other; and it needs the guide's own CA given back (pki.ca provided).
 */
const pki = new GuidePki(fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-adopt-")));
let cas: GuideCas;
before(() => {
    cas = guideCas(pki);
});

const ca = (files: CaFiles) => givenCaFiles(pki, files);
const provided = (count: number) => providedPki(pki, cas, count);
const stackOf = (count: number, adopt: unknown): StackSettings => settings({ "ambient-spire:pki": provided(count), ...(adopt === undefined ? {} : { "ambient-spire:adopt": adopt }) }, count);

/** The import id of each resource that has one, by resource name. */
const imports = (p: Plan): Record<string, string> => Object.fromEntries(p.resources.flatMap((r) => (r.import ? [[r.name, r.import.id]] : [])));
const kubernetesObjects = (p: Plan): PlannedResource[] => p.resources.filter((r) => r.type.startsWith("kubernetes:") && !r.read);

/** What the guide's single-cluster commands create, by the program's resource name, with the id each is imported by. */
const guideSingleCluster = {
    "cluster1-spire-namespace": "spire-server",
    "cluster1-spire-upstream-ca": "spire-server/spiffe-upstream-ca",
    "cluster1-spire-crds": "spire-server/spire-crds",
    "cluster1-spire-release": "spire-server/spire",
    "cluster1-spire-istio-ztunnel-reg": "istio-ztunnel-reg",
    "cluster1-spire-istio-waypoint-reg": "istio-waypoint-reg",
    "cluster1-spire-istio-ambient-reg": "istio-ambient-reg",
    "cluster1-mesh-system-namespace": "istio-system",
    "cluster1-mesh-istio-base": "istio-system/istio-base",
    "cluster1-mesh-istiod": "istio-system/istiod",
    "cluster1-mesh-istio-cni": "istio-system/istio-cni",
    "cluster1-mesh-ztunnel": "istio-system/ztunnel",
};

/** The Gateway API CRDs' resources in cluster1, one per CRD of v1.3.0's standard channel. */
const gatewayApiCrdResources = ["gatewayclasses", "gateways", "grpcroutes", "httproutes", "referencegrants"].map((plural) => `cluster1-mesh-gateway-api-${plural}`);

describe("ambient-spire:adopt", () => {
    test("one cluster: each object the guide creates is imported by its id; the licence Secret and the fourth ClusterSPIFFEID are created", async () => {
        const adopted = await plan(stackOf(1, true));
        assert.deepEqual(imports(adopted), guideSingleCluster);
        const created = kubernetesObjects(adopted).filter((r) => !r.import).map((r) => r.name).sort();
        // The Gateway API CRDs are server-side applies: created, they take over the CRDs the guide applied.
        assert.deepEqual(created, [...gatewayApiCrdResources, "cluster1-mesh-license", "cluster1-spire-istio-ambient-ns-reg"]);
        for (const name of gatewayApiCrdResources) {
            const crd = adopted.resources.find((r) => r.name === name)!;
            assert.equal(crd.type, "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinitionPatch", name);
            assert.equal(crd.provider, "urn:pulumi:test::ambient-spire::pulumi:providers:kubernetes::cluster1", `${name} is on the cluster's one provider`);
        }
    });

    test("two clusters: cacerts, the east-west namespace and Gateway and each remote-peer Gateway are imported too", async () => {
        const ids = imports(await plan(stackOf(2, true)));
        for (const cluster of ["cluster1", "cluster2"]) {
            const other = cluster === "cluster1" ? "cluster2" : "cluster1";
            assert.equal(ids[`${cluster}-mesh-cacerts`], "istio-system/cacerts");
            assert.equal(ids[`${cluster}-eastwest-namespace`], "istio-eastwest");
            assert.equal(ids[`${cluster}-eastwest-gateway`], "istio-eastwest/istio-eastwest");
            assert.equal(ids[`${cluster}-to-${other}-gateway`], `istio-eastwest/istio-remote-peer-${other}`);
            assert.equal(ids[`${cluster}-eastwest-live`], undefined, "the read of the live gateway stays a read");
        }
        assert.equal(Object.keys(ids).length, 2 * (Object.keys(guideSingleCluster).length + 4));
    });

    test("keepOnDestroy (default true) keeps every object in the cluster; false leaves only the CRDs kept, as for any stack", async () => {
        for (const r of kubernetesObjects(await plan(stackOf(1, true)))) {
            if (r.type === "pulumi:providers:kubernetes") continue;
            assert.equal(r.options.retainOnDelete, true, `${r.name} is kept on destroy`);
        }
        const notKept = await plan(stackOf(1, { keepOnDestroy: false }));
        assert.deepEqual(imports(notKept), guideSingleCluster, "it still adopts");
        const kept = kubernetesObjects(notKept).filter((r) => r.options.retainOnDelete).map((r) => r.name).sort();
        assert.deepEqual(kept, [...gatewayApiCrdResources, "cluster1-spire-crds"]);
    });

    test("never a replace or a delete: adopting changes no URN and no input, only import and retention", async () => {
        for (const count of [1, 2]) {
            const plain = await plan(stackOf(count, undefined));
            const adopted = await plan(stackOf(count, true));
            const diff = diffPlans(plain, adopted);
            assert.deepEqual([diff.added, diff.removed, diff.replaced].map((list) => list.length), [0, 0, 0]);
            const paths = new Set(diff.changed.flatMap((c) => c.changes.map((change) => change.path)));
            // The providers force server-side apply conflicts: the guide's kubectl owns the fields to correct.
            assert.deepEqual([...paths].sort(), ["enablePatchForce", "options.retainOnDelete"]);
            for (const change of diff.changed.filter((c) => c.changes.some((x) => x.path === "enablePatchForce"))) assert.equal(change.resource.type, "pulumi:providers:kubernetes");
            assert.deepEqual(imports(plain), {});
        }
    });

    test("a new intermediate on an adopted stack updates spiffe-upstream-ca in place; nothing is replaced or deleted", async () => {
        const before = await plan(stackOf(1, true));
        const next = pki.intermediate("cluster1/cluster1-ca-2", "SPIRE cluster1 CA 2");
        const rotated = await plan(settings({ "ambient-spire:adopt": true, "ambient-spire:pki": { ...provided(1), clusters: { cluster1: { spire: ca(next) } } } }));
        const diff = diffPlans(before, rotated);
        // The Secret's data is one secret map, so the offline diff cannot see the new bytes (the real preview shows
        // an update of it: tests/e2e/charts/adoptGuide.e2e.ts); what it can see is that nothing is replaced.
        assert.deepEqual([diff.added, diff.removed, diff.replaced, diff.changed].map((list) => list.length), [0, 0, 0, 0]);
        const secret = rotated.resources.find((r) => r.name === "cluster1-spire-upstream-ca")!;
        assert.equal(secret.import?.id, "spire-server/spiffe-upstream-ca", "the import id is the same, so the engine keeps the adopted object");
        assert.equal(secret.options.replacementTrigger, null);
    });

    test("the offline plan shows each import", async () => {
        const text = renderTree(await plan(stackOf(1, true)));
        assert.match(text, /spiffe-upstream-ca.*imports "spire-server\/spiffe-upstream-ca"/);
        assert.match(text, /istiod .*imports "istio-system\/istiod"/);
    });

    test("refused without the guide's CA, or in a shape it does not have; false is off", () => {
        const load = (values: StackSettings) => loadMeshSpec(asConfig(values), ["ambient-spire:soloLicenseKey"]);
        const refused = (values: StackSettings, message: RegExp) =>
            assert.throws(() => load(values), (error: unknown) => error instanceof ConfigError && message.test(error.message));
        refused(settings({ "ambient-spire:adopt": true }), /^ambient-spire:adopt: is set but pki.ca is "generated", which would replace the guide's CA in spiffe-upstream-ca on the first up\. Fix: set pki.ca to provided/);
        refused(settings({ "ambient-spire:adopt": "yes" }), /^ambient-spire:adopt: "yes" is not true, false or \{keepOnDestroy/);
        refused(settings({ "ambient-spire:adopt": { keep: true } }), /^ambient-spire:adopt.keep: "keep" is not a known key\. Fix: remove it; the keys here are keepOnDestroy$/);
        assert.equal(load(stackOf(1, false)).adopt, undefined);
        assert.deepEqual(load(stackOf(1, true)).adopt, { keepOnDestroy: true });
        assert.deepEqual(load(stackOf(1, { keepOnDestroy: false })).adopt, { keepOnDestroy: false });
    });
});
