import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import { Stack } from "@pulumi/pulumi/automation";
import { parse } from "yaml";
import { Plan, PlannedResource } from "../../infra/plan/model";
import { knownDifferences } from "./support/compare";
import { expectNoChanges, normalised, ownSteps, planVersusPreview, predicted } from "./support/steps";
import { RunningControlPlanes, startControlPlanes } from "./support/controlPlane";
import { Kube, readableText } from "./support/kube";
import { E2eProject, openProject, recorder } from "./support/project";
import { StandIns, writeStandIns } from "./support/standInCharts";
import { findToolchain, projectDir, toolsBin } from "./support/tools";
import { sequence } from "./support/sequence";
import { Transcript } from "./support/transcript";

/**
 * The `dev` stack file as committed, run by the real CLI against a real API server: `up`, a clean `preview` and
 * `refresh`, the offline plan held to the real preview, an Istio bump, a rotation, a licence change, `destroy`
 * as docs/operations.md tells it, and a redeploy onto the CRDs a destroy keeps. Steps run in order, each on the state
 * the one before left.
 */
const licence = "E2E-LICENCE-7d1f-DO-NOT-LEAK";
const licenceSetting = "ambient-spire:soloLicenseKey";
const devFile = parse(fs.readFileSync(path.join(projectDir, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
const devClusters = devFile.config["ambient-spire:clusters"] as { name: string; context: string }[];

describe("dev stack on the real engine", () => {
    const test = sequence();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-e2e-dev-"));
    const transcript = new Transcript("dev");
    let planes: RunningControlPlanes | undefined;
    let project: E2eProject;
    let stack: Stack;
    let kube: Kube;
    let standIns: StandIns;
    let deployedPlan: Plan;

    before(async () => {
        const toolchain = findToolchain();
        console.log(`toolchain:\n${toolchain.summary}`);
        planes = await startControlPlanes({ contexts: devClusters.map((c) => c.context), binDir: toolsBin, workDir: path.join(root, "control-plane") });
        project = await openProject(root, toolchain, planes.kubeconfig);
        standIns = writeStandIns(path.join(root, "stand-ins"), project.dir);
        kube = new Kube(planes.kubeconfig, devClusters[0].context);
        stack = await project.stack("dev");
    });

    after(async () => {
        await planes?.stop();
        console.log(transcript.render());
        if (!process.env.AMBIENT_SPIRE_E2E_KEEP) fs.rmSync(root, { recursive: true, force: true });
    });

    test("the committed stack file works with the CLI as it is: its one complaint is the missing licence", async () => {
        const failure = await transcript.step("preview, no licence", () => stack.preview().then(() => undefined, (error: unknown) => String(error)));
        assert.ok(failure, "preview without a licence must fail");
        assert.match(failure, /ambient-spire:soloLicenseKey: is not set\. Fix: run `pulumi config set --secret/);
        assert.doesNotMatch(failure, /illegal base64|unhandled exception/);
    });

    test("a plain-text licence is refused at preview, encrypted one accepted", async () => {
        await stack.setConfig(licenceSetting, { value: licence, secret: false });
        const failure = await transcript.step("preview, plain licence", () => stack.preview().then(() => undefined, (error: unknown) => String(error)));
        assert.match(failure ?? "", /ambient-spire:soloLicenseKey: is stored in plain text/);
        await stack.setConfig(licenceSetting, { value: licence, secret: true });
        project.editStackFile("dev", { "ambient-spire:sources": standIns.sources });
        assert.doesNotMatch(fs.readFileSync(path.join(project.dir, "Pulumi.dev.yaml"), "utf8"), new RegExp(licence));
    });

    test("the offline plan has exactly the URNs, types and known inputs of the real preview", async () => {
        const run = recorder();
        const result = await transcript.step("preview of the empty stack", () => stack.preview({ onEvent: run.onEvent }), (r) => r.changeSummary);
        const plan = project.plan("dev");
        assert.deepEqual(planVersusPreview(plan, run.steps), []);
        // The Gateway API CRDs are the program's own resources now, so the preview has them with their inputs.
        const crds = ownSteps(run.steps).filter((s) => s.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinitionPatch");
        assert.deepEqual(crds.map((s) => (s.inputs as { metadata: { name: string } }).metadata.name).sort(), [...standIns.gatewayApiCrdNames].sort());
        assert.deepEqual(Object.keys(result.changeSummary ?? {}), ["create"]);
    });

    test("up creates every resource; the cluster holds what the guide needs", async () => {
        const run = recorder();
        const result = await transcript.step("up", () => stack.up({ onEvent: run.onEvent }), (r) => r.summary.resourceChanges);
        assert.equal(result.summary.result, "succeeded");
        deployedPlan = project.plan("dev");
        assert.deepEqual(Object.keys(result.summary.resourceChanges ?? {}), ["create"]);
        assert.deepEqual(ownSteps(run.steps).filter((s) => s.op === "create").map((s) => s.urn).sort(), deployedPlan.resources.map((r) => r.urn).sort());

        const upstream = kube.secretData("spiffe-upstream-ca", "spire-server");
        assert.ok(upstream, "spiffe-upstream-ca exists");
        assert.deepEqual(Object.keys(upstream).sort(), ["bundle.crt", "tls.crt", "tls.key"]);
        const certs = path.join(root, "certs");
        fs.mkdirSync(certs, { recursive: true });
        fs.writeFileSync(path.join(certs, "bundle.crt"), upstream["bundle.crt"]);
        fs.writeFileSync(path.join(certs, "tls.crt"), upstream["tls.crt"]);
        assert.match(execFileSync("openssl", ["verify", "-x509_strict", "-CAfile", path.join(certs, "bundle.crt"), path.join(certs, "tls.crt")], { encoding: "utf8" }), /tls\.crt: OK/);
        assert.match(execFileSync("openssl", ["x509", "-noout", "-text", "-in", path.join(certs, "tls.crt")], { encoding: "utf8" }), /CA:TRUE, pathlen:1/);

        const ids = kube.list("clusterspiffeids.spire.spiffe.io");
        assert.deepEqual(ids.map((i) => i.metadata.name).sort(), ["istio-ambient-ns-reg", "istio-ambient-reg", "istio-waypoint-reg", "istio-ztunnel-reg"]);
        for (const id of ids) assert.equal(id.spec?.className, "spire-server-spire", id.metadata.name);

        const holders = [...kube.list("secrets"), ...kube.list("configmaps")].filter((o) => readableText(o).includes(licence)).map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
        assert.deepEqual(holders, ["istio-system/solo-istio-license"], "the licence lives in its Secret and nowhere else");

        for (const release of deployedPlan.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release" && !String(input(r, "name")).endsWith("crds"))) {
            const name = String(input(release, "name"));
            const received = kube.get<{ data: Record<string, string> }>("configmap", `${name}-received-values`, String(input(release, "namespace")));
            assert.ok(received, `release ${name} rendered its values`);
            const values = JSON.parse(received.data["values.json"]) as unknown;
            assert.deepEqual(knownDifferences(input(release, "values"), values), [], `values Helm received for ${name}`);
        }
    });

    test("preview and refresh right after up show no changes", () => expectNoChanges(stack, transcript));

    test("an Istio bump: the real preview changes exactly what plan -- diff predicts", async () => {
        project.editStackFile("dev", { "ambient-spire:istio": { version: "1.27.9", repoKey: "yourrepokey0" } });
        const bumped = project.plan("dev");
        const run = recorder();
        await transcript.step("preview, Istio 1.27.9", () => stack.preview({ onEvent: run.onEvent }), (r) => r.changeSummary);
        assert.deepEqual(normalised(ownSteps(run.steps)), predicted(deployedPlan, bumped));
        assert.ok((predicted(deployedPlan, bumped).update ?? []).length >= 3, "istiod, istio-cni and ztunnel change their image tag");
        project.editStackFile("dev", { "ambient-spire:istio": { version: "1.27.8", repoKey: "yourrepokey0" } });
    });

    test("chart values: the preview and up change exactly istiod's release, and Helm receives them merged", async () => {
        const charts = { istiod: { values: { resources: { requests: { cpu: "500m" } }, nodeSelector: { pool: "mesh" } } } };
        project.editStackFile("dev", { "ambient-spire:charts": charts });
        const withValues = project.plan("dev");
        const expected = predicted(deployedPlan, withValues);
        assert.deepEqual(Object.keys(expected), ["update"]);
        assert.deepEqual(expected.update.map((u) => u.split("::").pop()), ["cluster1-mesh-istiod"]);
        const preview = recorder();
        await transcript.step("preview, istiod chart values", () => stack.preview({ onEvent: preview.onEvent }), (r) => r.changeSummary);
        assert.deepEqual(normalised(ownSteps(preview.steps)), expected);
        const run = recorder();
        await transcript.step("up, istiod chart values", () => stack.up({ onEvent: run.onEvent }), (r) => r.summary.resourceChanges);
        assert.deepEqual(normalised(ownSteps(run.steps)), expected);
        const received = JSON.parse(kube.get<{ data: Record<string, string> }>("configmap", "istiod-received-values", "istio-system")!.data["values.json"]) as Record<string, any>;
        assert.deepEqual(received.resources, { requests: { cpu: "500m" } });
        assert.deepEqual(received.nodeSelector, { pool: "mesh" });
        assert.equal(received.meshConfig.trustDomain, "cluster1", "the program's own values stay");
        deployedPlan = withValues;
    });

    test("rotation: only cluster1's SPIRE intermediate is replaced; the Secret is updated in place; the root stays", async () => {
        const before = kube.secretData("spiffe-upstream-ca", "spire-server")!;
        const rootBefore = (await stack.outputs()).rootCaCertPem?.value as string;
        project.editStackFile("dev", { "ambient-spire:clusters": devClusters.map((c, i) => (i === 0 ? { ...c, rotation: 1 } : c)) });
        const rotated = project.plan("dev");
        const expected = predicted(deployedPlan, rotated);
        const preview = recorder();
        await transcript.step("preview, rotation 1", () => stack.preview({ onEvent: preview.onEvent }), (r) => r.changeSummary);
        assert.deepEqual(normalised(ownSteps(preview.steps)), expected);
        const run = recorder();
        const result = await transcript.step("up, rotation 1", () => stack.up({ onEvent: run.onEvent }), (r) => r.summary.resourceChanges);
        const done = normalised(ownSteps(run.steps));
        assert.deepEqual(done, expected);
        assert.deepEqual(done.replace.map((u) => u.split("::").pop()).sort(), ["cluster1-spire-ca-cert", "cluster1-spire-ca-csr", "cluster1-spire-ca-key"]);
        assert.ok(done.update.some((u) => u.endsWith("::cluster1-spire-upstream-ca")), "the upstream Secret is updated in place");
        assert.equal(result.summary.resourceChanges?.delete ?? 0, 0);
        const after = kube.secretData("spiffe-upstream-ca", "spire-server")!;
        assert.notEqual(after["tls.crt"], before["tls.crt"]);
        assert.notEqual(after["tls.key"], before["tls.key"]);
        assert.equal(after["bundle.crt"], before["bundle.crt"]);
        assert.equal((await stack.outputs()).rootCaCertPem?.value, rootBefore);
        deployedPlan = rotated;
    });

    test("a new licence updates its Secret in place", async () => {
        await stack.setConfig(licenceSetting, { value: `${licence}-2`, secret: true });
        const run = recorder();
        await transcript.step("up, new licence", () => stack.up({ onEvent: run.onEvent }), (r) => r.summary.resourceChanges);
        assert.deepEqual(normalised(ownSteps(run.steps)), { update: [deployedPlan.resources.find((r) => r.name === "cluster1-mesh-license")!.urn] });
        assert.equal(kube.secretData("solo-istio-license", "istio-system")?.["license-key"], `${licence}-2`);
    });

    test("destroy: the protected root stops it; after the procedure in docs/operations.md only the retained CRDs are left", async () => {
        const refused = await transcript.step("destroy (protected root)", () => stack.destroy().then(() => undefined, (error: unknown) => String(error)));
        assert.match(refused ?? "", /protected/);
        project.editStackFile("dev", { "ambient-spire:pki": { protectRoot: false } });
        await transcript.step("up, protectRoot false", () => stack.up(), (r) => r.summary.resourceChanges);
        await transcript.step("destroy", () => stack.destroy(), (r) => r.summary.resourceChanges);
        const namespaces = kube.list("namespaces").map((n) => n.metadata.name).sort();
        assert.deepEqual(namespaces, ["default", "kube-node-lease", "kube-public", "kube-system"]);
        const crds = kube.list("customresourcedefinitions").map((c) => c.metadata.name).sort();
        assert.deepEqual(crds, ["clusterspiffeids.spire.spiffe.io", ...standIns.gatewayApiCrdNames].sort());
        assert.deepEqual(kube.list("clusterspiffeids.spire.spiffe.io"), []);
    });

    test("a redeploy onto a cluster that already has the CRDs succeeds", async () => {
        const run = recorder();
        const result = await transcript.step("up again after destroy", () => stack.up({ onEvent: run.onEvent }), (r) => r.summary.resourceChanges);
        assert.equal(result.summary.result, "succeeded");
        assert.ok(kube.get("customresourcedefinition", "gateways.gateway.networking.k8s.io"));
        assert.equal(kube.list("clusterspiffeids.spire.spiffe.io").length, 4);
    });
});

function input(r: PlannedResource, key: string): unknown {
    return (r.inputs as Record<string, unknown>)[key];
}
