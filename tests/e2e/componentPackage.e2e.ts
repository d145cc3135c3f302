import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import { Stack } from "@pulumi/pulumi/automation";
import { ConsumerHome, ConsumerProject, openConsumerHome } from "./support/consumerProject";
import { liveDifferences, LiveObject, liveObjects } from "./support/liveObjects";
import { closeScenario, MeshEnvironment, startMeshEnvironment } from "./support/meshEnvironment";
import { recorder, Step } from "./support/project";
import { expectNoChanges, normalised, ownSteps } from "./support/steps";
import { writeStandIns } from "./support/standInCharts";
import { findToolchain } from "./support/tools";
import { sequence } from "./support/sequence";
import { Transcript } from "./support/transcript";
import { gatewayApi, gatewayApiCrdNames } from "../../components/istio/gatewayApiCrds";

/**
 * The component package from a program that is not TypeScript: the Pulumi YAML examples, run by the real CLI and
 * YAML language host against local control planes, with the plugin installed as users install it. The TypeScript
 * `dev` stack is deployed beside them as the reference: the YAML Mesh must leave the same objects with the same
 * content in its cluster.
 */
const licence = "E2E-PACKAGE-LICENCE-51c3-DO-NOT-LEAK";
const clusters = [
    { name: "reference", context: "kind-cluster1" }, // Pulumi.dev.yaml's context
    { name: "yaml1", context: "yaml-1" },
    { name: "yaml2", context: "yaml-2" },
    { name: "blocks", context: "yaml-blocks" },
];

/** The steps an operation took, without the components (which only group) and the engine's own resources. */
function changes(steps: readonly Step[]): Record<string, string[]> {
    return normalised(ownSteps(steps).filter((s) => !s.type.startsWith("ambient-spire:")));
}

const nameOf = (urn: string) => urn.split("::").pop()!;

/** Where in a `pulumi stack export` deployment a value matching `pattern` is stored readable: `<resource name> <path>`. */
function plaintextSecrets(deployment: { resources?: { urn: string }[] }, pattern: RegExp): string[] {
    const found: string[] = [];
    const visit = (value: unknown, where: string) => {
        if (typeof value === "string") {
            if (pattern.test(value)) found.push(where);
        } else if (Array.isArray(value)) {
            value.forEach((item, index) => visit(item, `${where}[${index}]`));
        } else if (value !== null && typeof value === "object") {
            for (const [key, item] of Object.entries(value)) visit(item, `${where}.${key}`);
        }
    };
    for (const resource of deployment.resources ?? []) visit(resource, nameOf(resource.urn));
    return found;
}

describe("component package from Pulumi YAML on the real engine", () => {
    const test = sequence();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-e2e-package-"));
    const transcript = new Transcript("component package");
    let environment: MeshEnvironment | undefined;
    let home: ConsumerHome;
    let reference: LiveObject[];
    let single: ConsumerProject;

    const kube = (context: string) => [...environment!.kubes.values()].find((k) => k.context === context)!;
    /** A consumer of `example` whose charts and Gateway API CRDs are the suite's stand-ins, as `sources` (relative paths, as users write them). */
    const consumer = async (example: string, name: string, settings: Record<string, string>): Promise<ConsumerProject> => {
        const project = await home.open(example, name);
        const standIns = writeStandIns(path.join(root, `stand-ins-${name}`), project.dir);
        if (example !== "yaml/building-blocks") project.edit(["resources", "mesh", "properties", "sources"], standIns.sources);
        for (const [key, value] of Object.entries(settings)) await project.stack.setConfig(key, { value, secret: false });
        await project.stack.setConfig("soloLicenseKey", { value: licence, secret: true });
        return project;
    };
    const up = async (stack: Stack, label: string) => {
        const run = recorder();
        const result = await transcript.step(label, () => stack.up({ onEvent: run.onEvent }), (r) => r.summary.resourceChanges);
        assert.equal(result.summary.result, "succeeded");
        return run.steps;
    };
    const noPlaintextSecrets = (project: ConsumerProject) => {
        const exported = project.exportState();
        assert.deepEqual(plaintextSecrets(exported.deployment, new RegExp(`${licence}|BEGIN (RSA |EC )?PRIVATE KEY`)), [], "licence or private key in plain text in the state");
        assert.match(JSON.stringify(exported), /"ciphertext"/, "the state holds secrets, encrypted");
    };

    before(async () => {
        const toolchain = findToolchain();
        console.log(`toolchain:\n${toolchain.summary}`);
        environment = await startMeshEnvironment(root, clusters);
        home = await openConsumerHome(root, toolchain, environment.planes.kubeconfig);
        console.log(`plugins installed for the consumers:\n${home.plugins}`);
    });

    after(() => closeScenario(root, transcript, environment));

    test("the reference: the TypeScript dev stack, deployed as committed with the suite's charts", async () => {
        const project = environment!.project;
        const stack = await project.stack("dev");
        await stack.setConfig("ambient-spire:soloLicenseKey", { value: licence, secret: true });
        project.editStackFile("dev", { "ambient-spire:sources": environment!.standIns.sources });
        await up(stack, "TypeScript dev: up");
        reference = liveObjects(kube("kind-cluster1"));
        assert.ok(reference.some((o) => o.id === "Secret spire-server/spiffe-upstream-ca"));
    });

    test("the YAML single-cluster example: up leaves the same objects, with the same content, as the TypeScript dev stack", async () => {
        single = await consumer("yaml/single-cluster", "single", { context: "yaml-1", repoKey: "yourrepokey0" });
        const preview = await transcript.step("YAML single: preview", () => single.stack.preview(), (r) => r.changeSummary);
        assert.deepEqual(Object.keys(preview.changeSummary ?? {}), ["create"]);
        const steps = await up(single.stack, "YAML single: up");
        assert.deepEqual(Object.keys(changes(steps)), ["create"]);
        assert.deepEqual(liveDifferences(reference, liveObjects(kube("yaml-1"))), []);
        const outputs = await single.stack.outputs();
        assert.match(String(outputs.rootCaCertPem?.value), /BEGIN CERTIFICATE/);
        assert.deepEqual(outputs.clusters?.value, { cluster1: { network: "cluster1", trustDomain: "cluster1" } });
    });

    test("preview and refresh right after up show no changes", () => expectNoChanges(single.stack, transcript));

    test("a new licence updates its Secret in place, and nothing else in the cluster", async () => {
        await single.stack.setConfig("soloLicenseKey", { value: `${licence}-2`, secret: true });
        const steps = await up(single.stack, "YAML single: up, new licence");
        assert.deepEqual(changes(steps), { update: [steps.find((s) => nameOf(s.urn) === "mesh-cluster1-mesh-license")!.urn] });
        assert.equal(kube("yaml-1").secretData("solo-istio-license", "istio-system")?.["license-key"], `${licence}-2`);
    });

    test("a rotation replaces only that cluster's SPIRE CA and rewrites its Secret in place; the root stays", async () => {
        const before = kube("yaml-1").secretData("spiffe-upstream-ca", "spire-server")!;
        const rootBefore = (await single.stack.outputs()).rootCaCertPem?.value;
        single.edit(["resources", "mesh", "properties", "clusters", 0, "rotation"], 1);
        const steps = await up(single.stack, "YAML single: up, rotation 1");
        const done = changes(steps);
        assert.deepEqual(Object.keys(done).sort(), ["replace", "update"]);
        assert.deepEqual(done.replace.map(nameOf).sort(), ["mesh-cluster1-spire-ca-cert", "mesh-cluster1-spire-ca-csr", "mesh-cluster1-spire-ca-key"]);
        assert.deepEqual(done.update.map(nameOf), ["mesh-cluster1-spire-upstream-ca"]);
        const after = kube("yaml-1").secretData("spiffe-upstream-ca", "spire-server")!;
        assert.notEqual(after["tls.crt"], before["tls.crt"]);
        assert.notEqual(after["tls.key"], before["tls.key"]);
        assert.equal(after["bundle.crt"], before["bundle.crt"]);
        assert.equal((await single.stack.outputs()).rootCaCertPem?.value, rootBefore);
    });

    test("pulumi stack export holds no CA key or licence in plain text", async () => noPlaintextSecrets(single));

    test("destroy as documented: the protected root stops it; with protectRoot false only the retained CRDs are left", async () => {
        const refused = await transcript.step("YAML single: destroy (protected root)", () => single.stack.destroy().then(() => undefined, (error: unknown) => String(error)));
        assert.match(refused ?? "", /protected/);
        single.edit(["resources", "mesh", "properties", "pki"], { protectRoot: false });
        await up(single.stack, "YAML single: up, protectRoot false");
        await transcript.step("YAML single: destroy", () => single.stack.destroy(), (r) => r.summary.resourceChanges);
        const namespaces = kube("yaml-1").list("namespaces").map((n) => n.metadata.name).sort();
        assert.deepEqual(namespaces, ["default", "kube-node-lease", "kube-public", "kube-system"]);
        const crds = kube("yaml-1").list("customresourcedefinitions").map((c) => c.metadata.name).sort();
        assert.deepEqual(crds, ["clusterspiffeids.spire.spiffe.io", ...gatewayApiCrdNames(gatewayApi.version)].sort());
    });

    test("a bad Mesh argument ends the preview with its one line, naming the argument", async () => {
        const bad = await consumer("yaml/multicluster", "bad", { context1: "yaml-1", context2: "yaml-2", repoKey: "yourrepokey0" });
        bad.edit(["resources", "mesh", "properties", "clusters", 1, "network"], "cluster1");
        const failure = await transcript.step("YAML bad network: preview", () => bad.stack.preview().then(() => undefined, (error: unknown) => String(error)));
        assert.ok(failure, "the preview must fail");
        const lines = failure.split("\n").filter((line) => line.includes("Mesh.clusters[1].network"));
        assert.ok(lines.length > 0, failure);
        assert.match(lines[0], /Mesh\.clusters\[1\]\.network: "cluster1" is already used by clusters\[0\]: networks must be unique.*Fix: give each cluster its own network/);
        assert.doesNotMatch(failure, /\n\s+at .*\.(js|ts):\d+/, "no stack trace");
        assert.deepEqual(kube("yaml-2").list("namespaces").map((n) => n.metadata.name).sort(), ["default", "kube-node-lease", "kube-public", "kube-system"], "nothing was created");
    });

    test("two clusters from YAML: one root, links both ways carrying the live east-west addresses", async () => {
        const multi = await consumer("yaml/multicluster", "multi", { context1: "yaml-1", context2: "yaml-2", repoKey: "yourrepokey0" });
        await up(multi.stack, "YAML multicluster: up");
        const addressOf = (context: string) => environment!.controller.addresses.get(context)!;
        for (const [here, remote, remoteContext] of [["yaml-1", "cluster2", "yaml-2"], ["yaml-2", "cluster1", "yaml-1"]] as const) {
            const link = kube(here).get<{ metadata: { labels: Record<string, string> }; spec: { addresses: { value: string }[] } }>("gateways.gateway.networking.k8s.io", `istio-remote-peer-${remote}`, "istio-eastwest");
            assert.ok(link, `${here} links to ${remote}`);
            assert.deepEqual(link.spec.addresses.map((a) => a.value), [addressOf(remoteContext)]);
            assert.equal(link.metadata.labels["topology.istio.io/network"], remote);
            assert.ok(kube(here).secretData("cacerts", "istio-system")?.["root-cert.pem"]?.includes("BEGIN CERTIFICATE"));
        }
        const root = kube("yaml-1").secretData("cacerts", "istio-system")!["root-cert.pem"];
        assert.equal(kube("yaml-2").secretData("cacerts", "istio-system")!["root-cert.pem"], root, "one root for both clusters");
        const outputs = (await multi.stack.outputs()).clusters?.value as Record<string, { eastWestAddress?: { value: string } }>;
        assert.equal(outputs.cluster1.eastWestAddress?.value, addressOf("yaml-1"));
        await expectNoChanges(multi.stack, transcript);
        noPlaintextSecrets(multi);
    });

    test("building blocks from YAML: a Kubernetes provider passed by reference, dependsOn for the order", async () => {
        const blocks = await consumer("yaml/building-blocks", "blocks", { context: "yaml-blocks", repoKey: "yourrepokey0" });
        const standIns = writeStandIns(path.join(root, "stand-ins-blocks"), blocks.dir);
        const charts = (key: keyof typeof standIns.sources.charts) => ({ directory: standIns.sources.charts[key] });
        blocks.edit(["resources", "spire", "properties", "chartSources"], { crds: charts("spireCrds"), spire: charts("spire") });
        blocks.edit(["resources", "mesh", "properties", "chartSources"], { base: charts("istioBase"), istiod: charts("istiod"), cni: charts("istioCni"), ztunnel: charts("ztunnel") });
        blocks.edit(["resources", "mesh", "properties", "gatewayApiCrdsFile"], standIns.sources.gatewayApiCrds);
        const steps = await up(blocks.stack, "YAML building blocks: up");
        const k = kube("yaml-blocks");
        const upstream = k.secretData("spiffe-upstream-ca", "spire-server");
        assert.deepEqual(Object.keys(upstream ?? {}).sort(), ["bundle.crt", "tls.crt", "tls.key"]);
        assert.equal(k.list("clusterspiffeids.spire.spiffe.io").length, 4);
        assert.ok(k.get("configmap", "ztunnel-received-values", "istio-system"), "ztunnel was installed");
        // Every Kubernetes object went through the provider the program passed in, none through a default one.
        const kubernetesSteps = ownSteps(steps).filter((s) => s.type.startsWith("kubernetes:"));
        assert.ok(kubernetesSteps.length > 10);
        assert.ok(!steps.some((s) => /::pulumi:providers:kubernetes::default/.test(s.urn)), "a default Kubernetes provider was used");
        await expectNoChanges(blocks.stack, transcript);
        noPlaintextSecrets(blocks);
    });
});
