import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import { Stack } from "@pulumi/pulumi/automation";
import { GuidePki } from "../../support/guidePki";
import { byOp, changedPaths, counts, forbiddenOps, guideObjectsOf, guideReleases, nameOf, releaseValues, releasesWithoutCorrections } from "../support/adoptionSteps";
import { GuideCluster, GuideInstall } from "../support/guideInstall";
import { KubeObject } from "../support/kube";
import { closeScenario, MeshEnvironment, startMeshEnvironment } from "../support/meshEnvironment";
import { E2eProject, recorder } from "../support/project";
import { chartsEnv, findRealCharts, RealCharts, realChartSources, simulatedNodeChartValues } from "../support/realCharts";
import { sequence } from "../support/sequence";
import { ownSteps } from "../support/steps";
import { committedStack } from "../support/tools";
import { Transcript } from "../support/transcript";
import { runVerify } from "../support/verifyRun";

/**
 * The guide's multicluster section as the fixture (docs/migrating.md): on two control planes, its openssl steps
 * (one root, an intermediate per cluster), `kubectl create secret` of `spiffe-upstream-ca`, Istio's plug-in CA
 * `cacerts` from the same root, `helm upgrade -i` of the six charts with its multicluster values, the
 * ClusterSPIFFEIDs, the network label, and the east-west and remote-peer Gateways as `istioctl multicluster
 * expose/link` write them — then the `multicluster` stack adopts both clusters with `pki.ca: provided`: the preview
 * imports, corrects only the documented gaps, replaces and deletes nothing; after `up` the CA Secrets and the peer
 * addresses are the guide's, the releases keep their history, the preview is clean and verify passes; destroy
 * leaves both installations running.
 */
const licence = "E2E-LICENCE-adopt-mc-DO-NOT-LEAK";
const nodes = 2;
const { clusters, istio } = committedStack("multicluster");
const peerOf = (cluster: string) => clusters.find((c) => c.name !== cluster)!.name;
/** Every object the guide's commands make in both clusters, the remote-peer Gateways included. */
const guideObjects = clusters.flatMap((c) => [...guideObjectsOf(c.name, true), `${c.name}-to-${peerOf(c.name)}-gateway`]).sort();
const gateways = "gateways.gateway.networking.k8s.io";

describe("adopting the guide's two-cluster install (real charts, simulated nodes)", () => {
    const test = sequence();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-e2e-adopt-mc-"));
    const transcript = new Transcript("real charts: adopt the guide, two clusters");
    let charts: RealCharts;
    let environment: MeshEnvironment | undefined;
    let project: E2eProject;
    let stack: Stack;
    let certs: GuidePki;
    let targets: GuideCluster[];
    /** The guide's files per cluster, relative to certs/ (its `${cluster}/${cluster}-ca.*`, and Istio's beside them). */
    const files = (cluster: string) => ({
        spire: { crt: `${cluster}/${cluster}-ca.crt`, key: `${cluster}/${cluster}-ca.key` },
        istio: { crt: `${cluster}/${cluster}-istio-ca.crt`, key: `${cluster}/${cluster}-istio-ca.key`, chain: `${cluster}/${cluster}-istio-ca-chain.pem` },
    });
    const revisions = (target: GuideCluster, namespace: string, name: string): number[] =>
        (JSON.parse(target.kube.helm(["history", name, "-n", namespace, "-o", "json"])) as { revision: number }[]).map((h) => h.revision);
    /** What the guide left, to compare after `up`: Secret bytes and the peer Gateways' addresses. */
    const guideState = new Map<string, { upstream: Record<string, string>; cacerts: Record<string, string>; peerAddresses: unknown; values: Record<string, unknown> }>();

    before(async () => {
        charts = findRealCharts(process.env[chartsEnv]);
        environment = await startMeshEnvironment(root, clusters, { nodes, publishRootCert: true });
        project = environment.project;
        targets = clusters.map((c) => ({ kube: environment!.kubes.get(c.name)!, name: c.name }));
        stack = await project.stack("multicluster");
        await stack.setConfig("ambient-spire:soloLicenseKey", { value: licence, secret: true });
        certs = new GuidePki(path.join(project.dir, "certs"));
    });

    after(() => closeScenario(root, transcript, environment));

    test("the guide's multicluster commands: openssl, kubectl create ×2 Secrets, helm upgrade -i ×6, network label, expose, link — in both clusters", async () => {
        const guide = new GuideInstall({ charts, istio: charts.istio.older, repoKey: istio.repoKey, licence, workDir: root, transcript, multicluster: true });
        const gatewayApiCrds = path.resolve(project.dir, environment!.standIns.sources.gatewayApiCrds);
        certs.root();
        for (const target of targets) {
            const spire = certs.intermediate(`${target.name}/${target.name}-ca`, `SPIRE ${target.name} CA`);
            guide.spireCaSecret(target, certs.dir, spire);
            await guide.spire(target);
            // Istio's plug-in CA signs workloads itself: no CA below it (pathlen 0).
            const ca = certs.intermediate(`${target.name}/${target.name}-istio-ca`, `Istio ${target.name} CA`, { basicConstraints: "critical, CA:true, pathlen:0" });
            guide.cacerts(target, certs.dir, { ...ca, root: "root-ca/root-ca.crt" });
            await guide.istio(target, gatewayApiCrds);
            guide.expose(target);
        }
        await transcript.step("istiod (the stand-in) programs both east-west Gateways", () => programmed(targets));
        for (const target of targets) for (const remote of targets) if (remote !== target) guide.link(target, remote);
        for (const target of targets) {
            assert.deepEqual(guideReleases.map(([ns, name]) => revisions(target, ns, name)), guideReleases.map(() => [1]), target.name);
            guideState.set(target.name, {
                upstream: target.kube.secretData("spiffe-upstream-ca", "spire-server")!,
                cacerts: target.kube.secretData("cacerts", "istio-system")!,
                peerAddresses: target.kube.get<KubeObject>(gateways, `istio-remote-peer-${peerOf(target.name)}`, "istio-eastwest")!.spec!.addresses,
                values: releaseValues(target.kube),
            });
        }
    });

    test("adopt both clusters with the guide's files: imports what the guide made, corrects only the documented gaps; no replace, no delete", async () => {
        const given = (cluster: string) => {
            const f = files(cluster);
            return { spire: { cert: `certs/${f.spire.crt}`, key: `certs/${f.spire.key}` }, istio: { cert: `certs/${f.istio.crt}`, key: `certs/${f.istio.key}` } };
        };
        project.editStackFile("multicluster", {
            "ambient-spire:istio": { ...istio, version: charts.istio.older.version },
            "ambient-spire:sources": realChartSources(charts, charts.istio.older, project.dir, environment!.standIns.sources.gatewayApiCrds),
            "ambient-spire:charts": simulatedNodeChartValues,
            "ambient-spire:pki": { ca: "provided", rootCert: "certs/root-ca/root-ca.crt", clusters: Object.fromEntries(clusters.map((c) => [c.name, given(c.name)])) },
            "ambient-spire:adopt": true,
        });
        const run = recorder();
        const preview = await transcript.step("preview, adopt", () => stack.preview({ onEvent: run.onEvent, diff: true }), (r) => r.changeSummary);
        const ops = byOp(run.steps);
        console.log(`preview of the adoption: ${JSON.stringify(counts(ops))} (engine summary ${JSON.stringify(preview.changeSummary)})\n${Object.entries(ops).map(([op, names]) => `  ${op}: ${names.join(", ")}`).join("\n")}`);
        for (const op of forbiddenOps) assert.deepEqual(ops[op] ?? [], [], `nothing to ${op}`);
        assert.deepEqual(ops.import, guideObjects, "exactly what the guide made is imported, in both clusters");
        const created = ownSteps(run.steps).filter((s) => s.op === "create" && !s.type.startsWith("ambient-spire:"));
        const crdApplies = created.filter((s) => s.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinitionPatch");
        assert.equal(crdApplies.length, clusters.length * environment!.standIns.gatewayApiCrdNames.length, "each cluster's Gateway API CRDs are applied over the guide's");
        assert.deepEqual(created.filter((s) => !crdApplies.includes(s)).map(nameOf).sort(),
            clusters.flatMap((c) => [c.name, `${c.name}-mesh-license`, `${c.name}-spire-istio-ambient-ns-reg`]).sort(), "besides them only the provider, the licence Secret and the fourth ClusterSPIFFEID");
        const updates = run.steps.filter((s) => s.op === "update");
        console.log(`what each update after its import changes (the engine's diff paths):\n${updates.map((s) => `  ${nameOf(s)}: ${s.diffs.join(", ")}`).join("\n")}`);
        for (const step of updates) assert.ok(guideObjects.includes(nameOf(step)), `${nameOf(step)}: only adopted objects are updated`);
        fs.writeFileSync(path.join(root, "adopt-preview.txt"), preview.stdout);
    });

    test("up: both clusters keep the guide's CA bytes and peer addresses; the releases keep their history; preview after up is clean", async () => {
        const result = await transcript.step("up, adopt", () => stack.up(), (r) => r.summary.resourceChanges);
        assert.equal(result.summary.result, "succeeded");
        console.log(`up of the adoption: ${JSON.stringify(result.summary.resourceChanges)}`);
        for (const target of targets) {
            const before = guideState.get(target.name)!;
            const upstream = target.kube.secretData("spiffe-upstream-ca", "spire-server")!;
            assert.equal(upstream["tls.crt"], before.upstream["tls.crt"], `${target.name}: tls.crt is still the guide's intermediate, byte for byte`);
            assert.equal(upstream["tls.key"], before.upstream["tls.key"]);
            assert.equal(upstream["bundle.crt"].trim(), certs.read("root-ca/root-ca.crt").trim(), `${target.name}: corrected, bundle.crt is the root only`);
            const cacerts = target.kube.secretData("cacerts", "istio-system")!;
            for (const key of ["ca-cert.pem", "ca-key.pem", "root-cert.pem", "cert-chain.pem"]) assert.equal(cacerts[key], before.cacerts[key], `${target.name}: cacerts ${key} is the guide's, byte for byte`);
            const peer = target.kube.get<KubeObject>(gateways, `istio-remote-peer-${peerOf(target.name)}`, "istio-eastwest")!;
            assert.deepEqual(peer.spec!.addresses, before.peerAddresses, `${target.name}: the link still points where istioctl pointed it`);
            for (const [ns, name] of guideReleases) {
                const now = revisions(target, ns, name);
                assert.ok(now[0] === 1 && now.length >= 1, `${target.name} ${name}: history kept (${now.join(",")})`);
            }
            const values = releaseValues(target.kube);
            const changed = Object.fromEntries(guideReleases.map(([, name]) => [name, changedPaths(before.values[name], values[name])]));
            console.log(`${target.name}: the values each release's upgrade changed (helm get values, before and after):\n${Object.entries(changed).map(([name, paths]) => `  ${name}: ${paths.join(", ") || "none"}`).join("\n")}`);
            for (const name of releasesWithoutCorrections) assert.deepEqual(changed[name], [], `${target.name} ${name}: the upgrade changes no value the guide set`);
            // The documented corrections (docs/migrating.md), and nothing else: the multicluster section sets istiod's trust domain.
            assert.deepEqual(changed.spire, ["global.spire.clusterName", "spire-server.upstreamAuthority.disk.secret.data"], `${target.name} spire`);
            assert.deepEqual(changed.istiod, ["license.secretRef", "license.value"], `${target.name} istiod`);
            console.log(`${target.name} helm revisions after up: ${guideReleases.map(([ns, name]) => `${name} ${revisions(target, ns, name).join(",")}`).join("; ")}`);
        }
        const clean = await transcript.step("preview after up", () => stack.preview(), (r) => r.changeSummary);
        assert.deepEqual(Object.keys(clean.changeSummary ?? {}).filter((op) => op !== "read"), ["same"]);
    });

    test("npm run verify passes on both adopted clusters (networks, cacerts from one root, peers)", async () => {
        const run = runVerify(project, "multicluster", environment!.planes.kubeconfig, "adopted");
        assert.deepEqual(run.failed, []);
        assert.equal(run.code, 0);
    });

    test("destroy (keepOnDestroy default true): Pulumi lets go, both installations stay", async () => {
        await transcript.step("destroy", () => stack.destroy(), (r) => r.summary.resourceChanges);
        for (const target of targets) {
            for (const [ns, name] of guideReleases) assert.ok(revisions(target, ns, name).length >= 1, `${target.name} ${name} is still installed`);
            assert.ok(target.kube.get("secret", "cacerts", "istio-system"), `${target.name}: cacerts is kept`);
            assert.ok(target.kube.get(gateways, "istio-eastwest", "istio-eastwest"), `${target.name}: the east-west Gateway is kept`);
            assert.ok(target.kube.get(gateways, `istio-remote-peer-${peerOf(target.name)}`, "istio-eastwest"), `${target.name}: the peer link is kept`);
        }
    });
});

/** Waits (up to 60 s) until istiod — here its stand-in — has published an address on every east-west Gateway. */
async function programmed(targets: readonly GuideCluster[]): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
        const missing = targets.filter((t) => !(t.kube.get<KubeObject>(gateways, "istio-eastwest", "istio-eastwest")?.status as { addresses?: unknown[] } | undefined)?.addresses?.length);
        if (missing.length === 0) return;
        if (Date.now() > deadline) throw new Error(`east-west Gateway not programmed in ${missing.map((t) => t.name).join(", ")} after 60 s`);
        await new Promise((resolve) => setTimeout(resolve, 500));
    }
}
