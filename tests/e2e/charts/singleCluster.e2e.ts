import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { Plan, PlannedResource } from "../../../infra/plan/model";
import { controllerClassName, spiffeId } from "../../../components/spire/spireValues";
import { closeScenario, MeshEnvironment, startMeshEnvironment } from "../support/meshEnvironment";
import { E2eProject, recorder } from "../support/project";
import { chartsEnv, findRealCharts, IstioCharts, RealCharts, realChartSources, simulatedNodeChartValues } from "../support/realCharts";
import { istioRendered, podNodes, spireRendered, undeclaredValues, webhookCalls } from "../support/renderedMesh";
import { sequence } from "../support/sequence";
import { expectNoChanges, normalised, ownSteps, planVersusPreview, predicted } from "../support/steps";
import { committedStack } from "../support/tools";
import { Transcript } from "../support/transcript";
import { runVerify } from "../support/verifyRun";
import { Kube } from "../support/kube";

/**
 * The `dev` stack on the real charts (`npm run e2e -- --charts <dir>`), on a control plane with two simulated
 * nodes: every release waits for its pods for real. Then what the software will read, `npm run verify`, a clean
 * preview, an Istio chart bump and a rotation as `plan -- diff` predicts, planted faults verify must name, and
 * `destroy` as docs/operations.md tells it.
 */
const licence = "E2E-LICENCE-real-charts-DO-NOT-LEAK";
const nodes = 2;
const { clusters, istio } = committedStack("dev");
const [cluster] = clusters;
const trustDomain = cluster.name;

describe("dev stack on the real charts and simulated nodes", () => {
    const test = sequence();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-e2e-charts-dev-"));
    const transcript = new Transcript("real charts: dev");
    let charts: RealCharts;
    let environment: MeshEnvironment | undefined;
    let project: E2eProject;
    let stack: Stack;
    let kube: Kube;
    let deployed: Plan;

    const useIstio = (set: IstioCharts) => project.editStackFile("dev", {
        "ambient-spire:istio": { ...istio, version: set.version },
        "ambient-spire:sources": realChartSources(charts, set, project.dir, environment!.standIns.sources.gatewayApiCrds),
    });
    const verify = (when: string) => {
        return runVerify(project, "dev", environment!.planes.kubeconfig, when);
    };
    const releaseOf = (p: Plan, suffix: string): PlannedResource => p.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name.endsWith(suffix))!;

    before(async () => {
        charts = findRealCharts(process.env[chartsEnv]);
        environment = await startMeshEnvironment(root, clusters, { nodes });
        project = environment.project;
        kube = environment.kubes.get(cluster.name)!;
        stack = await project.stack("dev");
        await stack.setConfig("ambient-spire:soloLicenseKey", { value: licence, secret: true });
        useIstio(charts.istio.older);
        project.editStackFile("dev", { "ambient-spire:charts": simulatedNodeChartValues });
    });

    after(() => closeScenario(root, transcript, environment));

    test("the preview of the empty stack is the offline plan", async () => {
        const run = recorder();
        await transcript.step("preview of the empty stack", () => stack.preview({ onEvent: run.onEvent }), (r) => r.changeSummary);
        assert.deepEqual(planVersusPreview(project.plan("dev"), run.steps), []);
    });

    test("up: every release waits for its pods; the ClusterSPIFFEIDs come only after the spire release is ready", async () => {
        const order: string[] = [];
        const onEvent = (event: EngineEvent) => {
            if (event.resourcePreEvent) order.push(`start ${event.resourcePreEvent.metadata.urn}`);
            if (event.resOutputsEvent) order.push(`done ${event.resOutputsEvent.metadata.urn}`);
        };
        const result = await transcript.step("up", () => stack.up({ onEvent }), (r) => r.summary.resourceChanges);
        assert.equal(result.summary.result, "succeeded");
        deployed = project.plan("dev");
        const spire = releaseOf(deployed, "-spire-release").urn;
        const spireDone = order.indexOf(`done ${spire}`);
        const ids = deployed.resources.filter((r) => r.type.endsWith(":ClusterSPIFFEID")).map((r) => r.urn);
        assert.equal(ids.length, 4);
        for (const id of ids) assert.ok(order.indexOf(`start ${id}`) > spireDone, `${id} starts after ${spire} is done`);

        for (const [selector, namespace] of [["app=ztunnel", "istio-system"], ["k8s-app=istio-cni-node", "istio-system"], ["app.kubernetes.io/name=agent", "spire-server"]]) {
            assert.deepEqual(podNodes(kube, namespace, selector), environment!.planes.nodes[cluster.context], `${selector}: one pod per node`);
        }
        const apiLog = path.join(root, "control-plane", cluster.context, "kube-apiserver.log");
        assert.deepEqual(webhookCalls(apiLog), [], "no admission webhook was called (none is served on simulated nodes)");
    });

    test("what SPIRE and istiod will read: our trust domain, the upstream CA files from the Secret, ztunnel as delegate, one class name", async () => {
        assert.deepEqual(spireRendered(kube, {
            namespace: "spire-server", trustDomain, clusterName: cluster.name, className: controllerClassName("spire-server", "spire"),
            upstreamSecret: "spiffe-upstream-ca", ztunnelSpiffeId: spiffeId(trustDomain, "istio-system", "ztunnel"),
        }), []);
        for (const id of kube.list("clusterspiffeids.spire.spiffe.io")) assert.equal(id.spec?.className, controllerClassName("spire-server", "spire"), id.metadata.name);
        assert.deepEqual(istioRendered(kube, { namespace: "istio-system", trustDomain }), []);
        const ignored = (["istiod", "ztunnel", "cni", "base"] as const).map((chart) => {
            const release = releaseOf(deployed, chart === "base" ? "-istio-base" : chart === "cni" ? "-istio-cni" : `-${chart}`);
            const dir = { istiod: charts.istio.older.istiod, ztunnel: charts.istio.older.ztunnel, cni: charts.istio.older.cni, base: charts.istio.older.base }[chart].dir;
            const undeclared = undeclaredValues(chart, dir, (release.inputs as { values?: object }).values ?? {});
            assert.deepEqual(undeclared.filter((line) => line.endsWith("(not on the documented list)")), [], `${chart}: every undeclared value is on the documented list`);
            return `${chart}: ${undeclared.join("; ") || "none"}`;
        });
        console.log(`values the community ${charts.istio.older.version} charts do not declare (Solo's read them):\n  ${ignored.join("\n  ")}`);
    });

    test("npm run verify passes after up", async () => {
        const run = verify("after up");
        assert.deepEqual(run.failed, []);
        assert.equal(run.code, 0);
    });

    test("preview and refresh right after up show no changes", () => expectNoChanges(stack, transcript));

    test(`an Istio chart bump: the preview and up change exactly what plan -- diff predicts; verify passes`, async () => {
        useIstio(charts.istio.newer);
        const bumped = project.plan("dev");
        const expected = predicted(deployed, bumped);
        const preview = recorder();
        await transcript.step(`preview, Istio ${charts.istio.newer.version}`, () => stack.preview({ onEvent: preview.onEvent }), (r) => r.changeSummary);
        assert.deepEqual(normalised(ownSteps(preview.steps)), expected);
        const run = recorder();
        await transcript.step(`up, Istio ${charts.istio.newer.version}`, () => stack.up({ onEvent: run.onEvent }), (r) => r.summary.resourceChanges);
        assert.deepEqual(normalised(ownSteps(run.steps)), expected);
        deployed = bumped;
        assert.deepEqual(verify("after the bump").failed, []);
    });

    test("rotation: exactly what plan -- diff predicts; verify passes", async () => {
        project.editStackFile("dev", { "ambient-spire:clusters": clusters.map((c) => ({ ...c, rotation: 1 })) });
        const rotated = project.plan("dev");
        const expected = predicted(deployed, rotated);
        const preview = recorder();
        await transcript.step("preview, rotation 1", () => stack.preview({ onEvent: preview.onEvent }), (r) => r.changeSummary);
        assert.deepEqual(normalised(ownSteps(preview.steps)), expected);
        const run = recorder();
        await transcript.step("up, rotation 1", () => stack.up({ onEvent: run.onEvent }), (r) => r.summary.resourceChanges);
        assert.deepEqual(normalised(ownSteps(run.steps)), expected);
        deployed = rotated;
        assert.deepEqual(verify("after the rotation").failed, []);
    });

    test("planted: a deleted ClusterSPIFFEID fails verify naming it; up --refresh puts it back", async () => {
        kube.run(["delete", "clusterspiffeids.spire.spiffe.io", "istio-ztunnel-reg"]);
        const run = verify("ClusterSPIFFEID deleted");
        assert.equal(run.code, 1);
        assert.equal(run.failed.length, 1, run.failed.join("\n"));
        assert.match(run.failed[0], /istio-ztunnel-reg/);
        await transcript.step("up --refresh, ClusterSPIFFEID deleted", () => stack.up({ refresh: true }), (r) => r.summary.resourceChanges);
        assert.deepEqual(verify("repaired").failed, []);
    });

    test("planted: istiod rolled back to the older chart fails verify naming the release", async () => {
        const history = (): { revision: number; chart: string }[] => JSON.parse(kube.helm(["history", "istiod", "-n", "istio-system", "-o", "json"])) as { revision: number; chart: string }[];
        const older = history().find((h) => h.chart.endsWith(`-${charts.istio.older.version}`));
        assert.ok(older, "the release history holds the older chart");
        kube.helm(["rollback", "istiod", String(older.revision), "-n", "istio-system", "--wait", "--timeout", "120s"]);
        const run = verify("istiod rolled back");
        assert.equal(run.code, 1);
        assert.ok(run.failed.length >= 1 && run.failed.every((line) => /istiod/.test(line)), run.failed.join("\n"));
        const newest = history().filter((h) => h.chart.endsWith(`-${charts.istio.newer.version}`)).pop()!;
        kube.helm(["rollback", "istiod", String(newest.revision), "-n", "istio-system", "--wait", "--timeout", "120s"]);
        assert.deepEqual(verify("rolled forward again").failed, []);
    });

    test("destroy as docs/operations.md tells it: the releases are uninstalled (their hooks complete), the CRDs kept", async () => {
        project.editStackFile("dev", { "ambient-spire:pki": { protectRoot: false } });
        await transcript.step("up, protectRoot false", () => stack.up(), (r) => r.summary.resourceChanges);
        await transcript.step("destroy", () => stack.destroy(), (r) => r.summary.resourceChanges);
        assert.deepEqual(kube.list("namespaces").map((n) => n.metadata.name).sort(), ["default", "kube-node-lease", "kube-public", "kube-system"]);
        assert.ok(kube.get("customresourcedefinition", "clusterspiffeids.spire.spiffe.io"), "the SPIRE CRDs are retained");
        assert.deepEqual(kube.list("secrets").filter((s) => (s as { type?: string }).type === "helm.sh/release.v1").map((s) => s.metadata.name), []);
    });
});
