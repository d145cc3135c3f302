import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import { Stack } from "@pulumi/pulumi/automation";
import { GuidePki } from "../../support/guidePki";
import { Kube } from "../support/kube";
import { closeScenario, MeshEnvironment, startMeshEnvironment } from "../support/meshEnvironment";
import { E2eProject, recorder } from "../support/project";
import { chartsEnv, findRealCharts, realChartSources, simulatedNodeChartValues } from "../support/realCharts";
import { runCli } from "../support/faultsCli";
import { sequence } from "../support/sequence";
import { expectNoChanges, ownSteps } from "../support/steps";
import { committedStack } from "../support/tools";
import { Transcript } from "../support/transcript";
import { runVerify } from "../support/verifyRun";

/**
 * docs/bring-your-own-ca.md on the real engine, from scratch (nothing installed before): `pki.ca: provided` with
 * the guide's openssl files — the cluster holds exactly those bytes and the state no root key — then the same
 * stack moved to a second cluster with `pki.ca: external`: the first `up` makes only the key and CSR, an openssl
 * "corporate" CA outside Pulumi signs the exported CSR, and the second `up` installs on the stack's own key.
 */
const licence = "E2E-LICENCE-byo-ca-DO-NOT-LEAK";
const nodes = 2;
const { clusters: [devCluster], istio } = committedStack("dev");
const externalCluster = { name: devCluster.name, context: "kind-external" };

describe("bring your own CA on the real engine (real charts, simulated nodes)", () => {
    const test = sequence();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-e2e-byoca-"));
    const transcript = new Transcript("real charts: bring your own CA");
    let environment: MeshEnvironment | undefined;
    let project: E2eProject;
    let stack: Stack;
    let certs: GuidePki;
    const kube = (context: string): Kube => [...environment!.kubes.values()].find((k) => k.context === context)!;

    before(async () => {
        const charts = findRealCharts(process.env[chartsEnv]);
        // Two control planes: the provided-CA install stays on the first while the external one goes to the second.
        environment = await startMeshEnvironment(root, [devCluster, { name: "external", context: externalCluster.context }], { nodes });
        project = environment.project;
        stack = await project.stack("dev");
        await stack.setConfig("ambient-spire:soloLicenseKey", { value: licence, secret: true });
        certs = new GuidePki(path.join(project.dir, "certs"));
        certs.root();
        certs.intermediate("cluster1/cluster1-ca", "SPIRE cluster1 CA");
        project.editStackFile("dev", {
            "ambient-spire:istio": { ...istio, version: charts.istio.older.version },
            "ambient-spire:sources": realChartSources(charts, charts.istio.older, project.dir, environment.standIns.sources.gatewayApiCrds),
            "ambient-spire:charts": simulatedNodeChartValues,
            "ambient-spire:pki": {
                ca: "provided",
                rootCert: "certs/root-ca/root-ca.crt",
                clusters: { [devCluster.name]: { spire: { cert: "certs/cluster1/cluster1-ca.crt", key: "certs/cluster1/cluster1-ca.key" } } },
            },
        });
    });

    after(() => closeScenario(root, transcript, environment));

    test("provided: up makes no key or certificate; spiffe-upstream-ca holds the guide's bytes, bundle.crt the root", async () => {
        const run = recorder();
        const result = await transcript.step("up, pki.ca provided", () => stack.up({ onEvent: run.onEvent }), (r) => r.summary.resourceChanges);
        assert.equal(result.summary.result, "succeeded");
        assert.deepEqual(ownSteps(run.steps).filter((s) => s.type.startsWith("tls:")).map((s) => s.urn), [], "no tls resource");
        const upstream = kube(devCluster.context).secretData("spiffe-upstream-ca", "spire-server")!;
        assert.equal(upstream["tls.crt"], certs.read("cluster1/cluster1-ca.crt"));
        assert.equal(upstream["tls.key"], certs.read("cluster1/cluster1-ca.key"));
        assert.equal(upstream["bundle.crt"].trim(), certs.read("root-ca/root-ca.crt").trim());
        const exported = await runCli(project, ["stack", "export", "--stack", "dev", "--show-secrets"]);
        assert.equal(exported.code, 0);
        assert.ok(!exported.output.includes(certs.read("root-ca/root-ca.key").trim().split("\n")[1]), "the root key is nowhere in the state");
        assert.deepEqual(runVerify(project, "dev", environment!.planes.kubeconfig).failed, []);
    });

    test("provided: preview and refresh show no changes", () => expectNoChanges(stack, transcript));

    test("external: the first up on a new cluster makes only the key and CSR and says it awaits a signature", async () => {
        await transcript.step("destroy the provided install", () => stack.destroy(), (r) => r.summary.resourceChanges);
        project.editStackFile("dev", {
            "ambient-spire:clusters": [externalCluster],
            "ambient-spire:pki": { ca: "external", rootCert: "certs/root-ca/root-ca.crt" },
        });
        const first = await transcript.step("up, pki.ca external (no certificate yet)", () => stack.up(), (r) => r.summary.resourceChanges);
        const outputs = await stack.outputs();
        assert.deepEqual(outputs.awaitingSignature?.value, [externalCluster.name]);
        assert.equal(kube(externalCluster.context).get("namespace", "spire-server"), undefined, "nothing in the cluster yet");
        assert.ok((first.summary.resourceChanges?.create ?? 0) > 0);
    });

    test("external: the CSR signed by an openssl CA outside Pulumi; the second up installs on the stack's own key", async () => {
        const requests = (await stack.outputs()).certificateRequests?.value as Record<string, { certRequestPem: string }[]>;
        const csr = requests[`${externalCluster.name}-spire-ca`][0].certRequestPem;
        fs.writeFileSync(path.join(certs.dir, "external.csr"), csr);
        certs.signCsr("external.csr", "external.crt");
        project.editStackFile("dev", { "ambient-spire:pki": { ca: "external", rootCert: "certs/root-ca/root-ca.crt", clusters: { [externalCluster.name]: { spire: { cert: "certs/external.crt" } } } } });
        await transcript.step("up, pki.ca external, certificate given", () => stack.up(), (r) => r.summary.resourceChanges);
        const upstream = kube(externalCluster.context).secretData("spiffe-upstream-ca", "spire-server")!;
        assert.equal(upstream["tls.crt"], certs.read("external.crt"));
        assert.equal(upstream["bundle.crt"].trim(), certs.read("root-ca/root-ca.crt").trim());
        assert.deepEqual(runVerify(project, "dev", environment!.planes.kubeconfig).failed, [], "verify: the key matches the signed certificate, the chain reaches the root");
        await expectNoChanges(stack, transcript);
    });
});
