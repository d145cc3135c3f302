import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import { Stack } from "@pulumi/pulumi/automation";
import { parse } from "yaml";
import { Plan } from "../../infra/plan/model";
import { EastWestController } from "./support/gatewayController";
import { Kube, KubeObject } from "./support/kube";
import { closeScenario, MeshEnvironment, startMeshEnvironment } from "./support/meshEnvironment";
import { E2eProject, recorder } from "./support/project";
import { sequence } from "./support/sequence";
import { expectNoChanges, normalised, ownSteps, planVersusPreview, predicted } from "./support/steps";
import { projectDir } from "./support/tools";
import { Transcript } from "./support/transcript";

/**
 * The `multicluster` stack file on two control planes, then a third cluster added and removed again: what
 * crosses clusters (one root, east-west addresses into peer links) checked on live objects. A stand-in plays
 * istiod for east-west Gateways (status address, Programmed), so `pulumi.com/waitFor` is exercised for real.
 */
const licence = "E2E-LICENCE-4b2e-DO-NOT-LEAK";
const stackFile = parse(fs.readFileSync(path.join(projectDir, "Pulumi.multicluster.yaml"), "utf8")) as { config: Record<string, unknown> };
const committedClusters = stackFile.config["ambient-spire:clusters"] as { name: string; context: string }[];
const third = { name: "cluster3", context: "kind-cluster3" };

interface ReceivedValues {
    readonly global?: { network?: string; multiCluster?: { clusterName?: string } };
    readonly network?: string;
}

describe("multicluster stack on the real engine", () => {
    const test = sequence();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-e2e-mc-"));
    const transcript = new Transcript("multicluster");
    let environment: MeshEnvironment | undefined;
    let controller: EastWestController;
    let project: E2eProject;
    let stack: Stack;
    let kubes: Map<string, Kube>;
    let deployed: Plan;

    before(async () => {
        environment = await startMeshEnvironment(root, [...committedClusters, third]);
        ({ controller, kubes, project } = environment);
        const standIns = environment.standIns;
        stack = await project.stack("multicluster");
        await stack.setConfig("ambient-spire:soloLicenseKey", { value: licence, secret: true });
        project.editStackFile("multicluster", { "ambient-spire:sources": standIns.sources });
    });

    after(() => closeScenario(root, transcript, environment));

    test("the preview of the empty stack is the offline plan", async () => {
        const run = recorder();
        await transcript.step("preview of the empty stack", () => stack.preview({ onEvent: run.onEvent }), (r) => r.changeSummary);
        assert.deepEqual(planVersusPreview(project.plan("multicluster"), run.steps), []);
    });

    test("up: one root under every cluster's CAs, one network per cluster everywhere, links carry the remote address", async () => {
        const result = await transcript.step("up", () => stack.up(), (r) => r.summary.resourceChanges);
        assert.equal(result.summary.result, "succeeded");
        deployed = project.plan("multicluster");
        const rootPem = (await stack.outputs()).rootCaCertPem?.value as string;
        const certs = path.join(root, "certs");
        fs.mkdirSync(certs, { recursive: true });
        fs.writeFileSync(path.join(certs, "root.crt"), rootPem);
        for (const cluster of committedClusters) {
            const kube = kubes.get(cluster.name)!;
            const upstream = kube.secretData("spiffe-upstream-ca", "spire-server")!;
            const cacerts = kube.secretData("cacerts", "istio-system")!;
            assert.deepEqual(Object.keys(cacerts).sort(), ["ca-cert.pem", "ca-key.pem", "cert-chain.pem", "root-cert.pem"]);
            assert.equal(upstream["bundle.crt"].trim(), rootPem.trim());
            assert.equal(cacerts["root-cert.pem"].trim(), rootPem.trim());
            for (const [file, pem] of [["spire.crt", upstream["tls.crt"]], ["istio.crt", cacerts["ca-cert.pem"]]]) {
                fs.writeFileSync(path.join(certs, `${cluster.name}-${file}`), pem);
                const verified = execFileSync("openssl", ["verify", "-x509_strict", "-CAfile", path.join(certs, "root.crt"), path.join(certs, `${cluster.name}-${file}`)], { encoding: "utf8" });
                assert.match(verified, /: OK/, `${cluster.name} ${file}`);
            }

            const network = kube.get("namespace", "istio-system")!.metadata.labels?.["topology.istio.io/network"];
            const istiod = JSON.parse(kube.get<{ data: Record<string, string> }>("configmap", "istiod-received-values", "istio-system")!.data["values.json"]) as ReceivedValues;
            const ztunnel = JSON.parse(kube.get<{ data: Record<string, string> }>("configmap", "ztunnel-received-values", "istio-system")!.data["values.json"]) as ReceivedValues;
            const eastWest = kube.get("gateways.gateway.networking.k8s.io", "istio-eastwest", "istio-eastwest")!;
            assert.deepEqual(
                [network, istiod.global?.network, ztunnel.network, eastWest.metadata.labels?.["topology.istio.io/network"]],
                [cluster.name, cluster.name, cluster.name, cluster.name],
                `${cluster.name}: namespace label, istiod, ztunnel and east-west gateway name one network`,
            );
            for (const remote of committedClusters.filter((c) => c.name !== cluster.name)) {
                const link = kube.get("gateways.gateway.networking.k8s.io", `istio-remote-peer-${remote.name}`, "istio-eastwest");
                assert.ok(link, `${cluster.name} links to ${remote.name}`);
                assert.deepEqual((link.spec as { addresses: unknown }).addresses, [{ type: "Hostname", value: controller.addresses.get(remote.context) }]);
                assert.equal(link.metadata.labels?.["topology.istio.io/network"], remote.name);
            }
        }
    });

    test("preview and refresh right after up show no changes", () => expectNoChanges(stack, transcript));

    test("a remote's east-west address changes: a plain preview shows the links to it updated, and up carries it", async () => {
        const [moved, other] = committedClusters;
        const kube = kubes.get(moved.name)!;
        const newAddress = `moved.${moved.context}.eastwest.e2e.invalid`;
        controller.addresses.set(moved.context, newAddress);
        const liveAddress = () => (kube.get("gateways.gateway.networking.k8s.io", "istio-eastwest", "istio-eastwest")?.status as { addresses?: { value: string }[] } | undefined)?.addresses?.[0]?.value;
        for (let waited = 0; liveAddress() !== newAddress; waited += 250) {
            assert.ok(waited < 30_000, "the stand-in did not publish the new address");
            await new Promise((resolve) => setTimeout(resolve, 250));
        }
        const linksToMoved = deployed.resources
            .filter((r) => !r.read && r.type.endsWith(":Gateway") && r.name.endsWith(`-to-${moved.name}-gateway`))
            .map((r) => r.urn)
            .sort();
        assert.ok(linksToMoved.length > 0);
        const preview = recorder();
        await transcript.step(`preview, ${moved.name}'s address changed`, () => stack.preview({ onEvent: preview.onEvent }), (r) => r.changeSummary);
        assert.deepEqual(normalised(ownSteps(preview.steps)), { update: linksToMoved });
        await transcript.step(`up, ${moved.name}'s address changed`, () => stack.up(), (r) => r.summary.resourceChanges);
        const link = kubes.get(other.name)!.get("gateways.gateway.networking.k8s.io", `istio-remote-peer-${moved.name}`, "istio-eastwest")!;
        assert.deepEqual((link.spec as { addresses: unknown }).addresses, [{ type: "Hostname", value: newAddress }]);
        const exported = (await stack.outputs()).clusters?.value as Record<string, { eastWestAddress?: { value: string } }>;
        assert.equal(exported[moved.name].eastWestAddress?.value, newAddress, "the stack output follows the live address too");
        await expectNoChanges(stack, transcript);
    });

    test("a third cluster: the preview adds exactly what plan -- diff predicts; up links it both ways", async () => {
        project.editStackFile("multicluster", { "ambient-spire:clusters": [...committedClusters, third] });
        const grown = project.plan("multicluster");
        const expected = predicted(deployed, grown);
        assert.deepEqual(Object.keys(expected), ["create"], "adding a cluster changes nothing that exists");
        const preview = recorder();
        await transcript.step("preview, cluster3 added", () => stack.preview({ onEvent: preview.onEvent }), (r) => r.changeSummary);
        assert.deepEqual(normalised(ownSteps(preview.steps)), expected);
        await transcript.step("up, cluster3 added", () => stack.up(), (r) => r.summary.resourceChanges);
        const links = (cluster: string) =>
            kubes.get(cluster)!.list("gateways.gateway.networking.k8s.io", "istio-eastwest").map((g: KubeObject) => g.metadata.name).filter((n) => n.startsWith("istio-remote-peer-")).sort();
        assert.deepEqual(links("cluster3"), ["istio-remote-peer-cluster1", "istio-remote-peer-cluster2"]);
        assert.deepEqual(links("cluster1"), ["istio-remote-peer-cluster2", "istio-remote-peer-cluster3"]);
        deployed = grown;
    });

    test("removing it again deletes only its resources and the links to it", async () => {
        project.editStackFile("multicluster", { "ambient-spire:clusters": committedClusters });
        const shrunk = project.plan("multicluster");
        const expected = predicted(deployed, shrunk);
        assert.deepEqual(Object.keys(expected).sort(), ["delete", "discard"], "its resources deleted, the read of its gateway discarded");
        const run = recorder();
        await transcript.step("up, cluster3 removed", () => stack.up({ onEvent: run.onEvent }), (r) => r.summary.resourceChanges);
        const deleted = normalised(ownSteps(run.steps));
        assert.deepEqual(deleted, expected);
        assert.deepEqual(kubes.get("cluster1")!.list("gateways.gateway.networking.k8s.io", "istio-eastwest").map((g) => g.metadata.name).sort(), ["istio-eastwest", "istio-remote-peer-cluster2"]);
    });
});
