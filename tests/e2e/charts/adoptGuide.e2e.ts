import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import { Stack } from "@pulumi/pulumi/automation";
import { GuidePki } from "../../support/guidePki";
import { GuideInstall } from "../support/guideInstall";
import { closeScenario, MeshEnvironment, startMeshEnvironment } from "../support/meshEnvironment";
import { byOp, changedPaths, counts, forbiddenOps, guideObjectsOf, guideReleases, nameOf, releaseValues, releasesWithoutCorrections } from "../support/adoptionSteps";
import { E2eProject, recorder } from "../support/project";
import { chartsEnv, findRealCharts, RealCharts, realChartSources, simulatedNodeChartValues } from "../support/realCharts";
import { sequence } from "../support/sequence";
import { ownSteps } from "../support/steps";
import { committedStack } from "../support/tools";
import { Transcript } from "../support/transcript";
import { runVerify } from "../support/verifyRun";
import { Kube } from "../support/kube";

/**
 * The guide as the fixture (docs/migrating.md): its single-cluster commands run for real — openssl, `kubectl create
 * namespace/secret`, `helm upgrade -i` of the six charts with its values (real chart directories in place of the
 * repositories; SPIRE's controller-manager webhook off, as in every scenario on simulated nodes), `kubectl apply`
 * of its ClusterSPIFFEIDs and of the Gateway API CRDs — then `ambient-spire:adopt` with `pki.ca: provided` (the
 * guide's files): the preview imports, corrects only the documented gaps, replaces and deletes nothing; after
 * `up` the preview is clean, the CA Secret keeps the guide's bytes, the releases keep their history, verify
 * passes; a new intermediate rotates in place; destroy leaves the installation in the cluster.
 */
const licence = "E2E-LICENCE-adopt-DO-NOT-LEAK";
const nodes = 2;
const { clusters, istio } = committedStack("dev");
const [cluster] = clusters;
const releases = guideReleases;
const guideObjects = guideObjectsOf(cluster.name, false).sort();
const forbidden = forbiddenOps;

describe("adopting the guide's single-cluster install (real charts, simulated nodes)", () => {
    const test = sequence();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-e2e-adopt-"));
    const transcript = new Transcript("real charts: adopt the guide");
    let charts: RealCharts;
    let environment: MeshEnvironment | undefined;
    let project: E2eProject;
    let stack: Stack;
    let kube: Kube;
    let certs: GuidePki;
    const revisions = (namespace: string, name: string): number[] =>
        (JSON.parse(kube.helm(["history", name, "-n", namespace, "-o", "json"])) as { revision: number }[]).map((h) => h.revision);
    let guideRevisions: Record<string, number[]> = {};
    let guideValues: Record<string, unknown> = {};

    before(async () => {
        charts = findRealCharts(process.env[chartsEnv]);
        environment = await startMeshEnvironment(root, clusters, { nodes });
        project = environment.project;
        kube = environment.kubes.get(cluster.name)!;
        stack = await project.stack("dev");
        await stack.setConfig("ambient-spire:soloLicenseKey", { value: licence, secret: true });
        certs = new GuidePki(path.join(project.dir, "certs"));
    });

    after(() => closeScenario(root, transcript, environment));

    test("the guide's commands, as written: openssl, kubectl create, helm upgrade -i ×6, kubectl apply", async () => {
        const guide = new GuideInstall({ charts, istio: charts.istio.older, repoKey: istio.repoKey, licence, workDir: root, transcript, multicluster: false });
        const target = { kube, name: cluster.name };
        // "Prepare SPIRE certificates": the root, the intermediate, ca-chain.pem (intermediate + root).
        certs.root();
        guide.spireCaSecret(target, certs.dir, certs.intermediate("intermediate-ca/ca", "SPIRE INTERMEDIATE CA"));
        await guide.spire(target);
        await guide.istio(target, path.resolve(project.dir, environment!.standIns.sources.gatewayApiCrds));
        guideRevisions = Object.fromEntries(releases.map(([ns, name]) => [name, revisions(ns, name)]));
        guideValues = releaseValues(kube);
        assert.deepEqual(Object.values(guideRevisions), releases.map(() => [1]));
    });

    test("adopt with the guide's files: the preview imports what the guide made and corrects only the documented gaps; no replace, no delete", async () => {
        project.editStackFile("dev", {
            "ambient-spire:istio": { ...istio, version: charts.istio.older.version },
            "ambient-spire:sources": realChartSources(charts, charts.istio.older, project.dir, environment!.standIns.sources.gatewayApiCrds),
            "ambient-spire:charts": simulatedNodeChartValues,
            "ambient-spire:pki": { ca: "provided", rootCert: "certs/root-ca/root-ca.crt", clusters: { [cluster.name]: { spire: { cert: "certs/intermediate-ca/ca.crt", key: "certs/intermediate-ca/ca.key" } } } },
            "ambient-spire:adopt": true,
        });
        const run = recorder();
        const preview = await transcript.step("preview, adopt", () => stack.preview({ onEvent: run.onEvent, diff: true }), (r) => r.changeSummary);
        const ops = byOp(run.steps);
        console.log(`preview of the adoption: ${JSON.stringify(counts(ops))} (engine summary ${JSON.stringify(preview.changeSummary)})\n${Object.entries(ops).map(([op, names]) => `  ${op}: ${names.join(", ")}`).join("\n")}`);
        for (const op of forbidden) assert.deepEqual(ops[op] ?? [], [], `nothing to ${op}`);
        assert.deepEqual(ops.import, guideObjects, "exactly what the guide made is imported");
        // Created: the provider, the licence Secret and the fourth ClusterSPIFFEID, and the Gateway API CRDs' server-side
        // applies, which take over the CRDs the guide applied (components aside).
        const created = ownSteps(run.steps).filter((s) => s.op === "create" && !s.type.startsWith("ambient-spire:"));
        const crdApplies = created.filter((s) => s.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinitionPatch");
        assert.deepEqual(crdApplies.map((s) => (s.inputs as { metadata: { name: string } }).metadata.name).sort(), [...environment!.standIns.gatewayApiCrdNames].sort());
        assert.deepEqual(created.filter((s) => !crdApplies.includes(s)).map(nameOf).sort(), [cluster.name, `${cluster.name}-mesh-license`, `${cluster.name}-spire-istio-ambient-ns-reg`].sort());
        const updates = run.steps.filter((s) => s.op === "update");
        console.log(`what each update after its import changes (the engine's diff paths):\n${updates.map((s) => `  ${nameOf(s)}: ${s.diffs.join(", ")}`).join("\n")}`);
        for (const step of updates) assert.ok(guideObjects.includes(nameOf(step)), `${nameOf(step)}: only adopted objects are updated`);
        fs.writeFileSync(path.join(root, "adopt-preview.txt"), preview.stdout);
    });

    test("up: the CA Secret keeps the guide's bytes; the releases keep their history; preview after up is clean", async () => {
        const run = recorder();
        const result = await transcript.step("up, adopt", () => stack.up({ onEvent: run.onEvent }), (r) => r.summary.resourceChanges);
        assert.equal(result.summary.result, "succeeded");
        console.log(`up of the adoption: ${JSON.stringify(result.summary.resourceChanges)}`);
        const secret = kube.secretData("spiffe-upstream-ca", "spire-server")!;
        assert.equal(secret["tls.crt"], certs.read("intermediate-ca/ca.crt"), "tls.crt is still the guide's intermediate, byte for byte");
        assert.equal(secret["tls.key"], certs.read("intermediate-ca/ca.key"));
        assert.equal(secret["bundle.crt"].trim(), certs.read("root-ca/root-ca.crt").trim(), "corrected: bundle.crt is the root only");
        for (const [ns, name] of releases) {
            const now = revisions(ns, name);
            assert.ok(now[0] === 1 && now.length >= guideRevisions[name].length, `${name}: history kept (${now.join(",")})`);
        }
        const values = releaseValues(kube);
        const changed = Object.fromEntries(releases.map(([, name]) => [name, changedPaths(guideValues[name], values[name])]));
        console.log(`the values each release's upgrade changed (helm get values, before and after):\n${Object.entries(changed).map(([name, paths]) => `  ${name}: ${paths.join(", ") || "none"}`).join("\n")}`);
        for (const name of releasesWithoutCorrections) assert.deepEqual(changed[name], [], `${name}: the upgrade changes no value the guide set`);
        // The documented corrections (docs/migrating.md), and nothing else; the single-cluster section leaves the trust domain "".
        assert.deepEqual(changed.spire, ["global.spire.clusterName", "spire-server.upstreamAuthority.disk.secret.data"]);
        assert.deepEqual(changed.istiod, ["license.secretRef", "license.value", "meshConfig.trustDomain"]);
        console.log(`helm revisions after up: ${releases.map(([ns, name]) => `${name} ${revisions(ns, name).join(",")}`).join("; ")}`);
        const clean = await transcript.step("preview after up", () => stack.preview(), (r) => r.changeSummary);
        assert.deepEqual(Object.keys(clean.changeSummary ?? {}).filter((op) => op !== "read"), ["same"]);
    });

    test("npm run verify passes on the adopted cluster", async () => {
        const run = runVerify(project, "dev", environment!.planes.kubeconfig, "adopted");
        assert.deepEqual(run.failed, []);
    });

    test("rotation with provided material: a new intermediate from the same root updates spiffe-upstream-ca in place", async () => {
        const next = certs.intermediate("intermediate-ca/ca-2", "SPIRE INTERMEDIATE CA 2");
        project.editStackFile("dev", { "ambient-spire:pki": { ca: "provided", rootCert: "certs/root-ca/root-ca.crt", clusters: { [cluster.name]: { spire: { cert: `certs/${next.crt}`, key: `certs/${next.key}` } } } } });
        const preview = recorder();
        await transcript.step("preview, new intermediate", () => stack.preview({ onEvent: preview.onEvent }), (r) => r.changeSummary);
        const ops = byOp(preview.steps);
        for (const op of forbidden) assert.deepEqual(ops[op] ?? [], [], `nothing to ${op}`);
        assert.deepEqual(ops.update, [`${cluster.name}-spire-upstream-ca`]);
        await transcript.step("up, new intermediate", () => stack.up(), (r) => r.summary.resourceChanges);
        assert.equal(kube.secretData("spiffe-upstream-ca", "spire-server")!["tls.crt"], certs.read(next.crt));
        assert.deepEqual(runVerify(project, "dev", environment!.planes.kubeconfig).failed, []);
    });

    test("destroy (keepOnDestroy default true): Pulumi lets go, the installation stays", async () => {
        await transcript.step("destroy", () => stack.destroy(), (r) => r.summary.resourceChanges);
        for (const [ns, name] of releases) assert.ok(revisions(ns, name).length >= 1, `${name} is still installed`);
        for (const name of ["istio-ztunnel-reg", "istio-ambient-ns-reg"]) assert.ok(kube.get("clusterspiffeids.spire.spiffe.io", name), `${name} is kept`);
        assert.ok(kube.get("secret", "spiffe-upstream-ca", "spire-server"));
        assert.ok(kube.get("secret", "solo-istio-license", "istio-system"), "the licence Secret istiod now reads is kept");
    });
});
