import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import { Stack } from "@pulumi/pulumi/automation";
import { controllerClassName, spiffeId } from "../../../components/spire/spireValues";
import { Kube, KubeObject } from "../support/kube";
import { closeScenario, MeshEnvironment, startMeshEnvironment } from "../support/meshEnvironment";
import { E2eProject } from "../support/project";
import { chartsEnv, findRealCharts, realChartSources, simulatedNodeChartValues } from "../support/realCharts";
import { istioRendered, podNodes, spireRendered, webhookCalls } from "../support/renderedMesh";
import { sequence } from "../support/sequence";
import { expectNoChanges } from "../support/steps";
import { committedStack } from "../support/tools";
import { Transcript } from "../support/transcript";
import { runVerify, VerifyRun } from "../support/verifyRun";

/**
 * The `multicluster` stack on the real charts, two control planes with two simulated nodes each: `up` with real
 * waits, what each cluster's SPIRE and istiod will read, `npm run verify` passing, then failing on a wrong network
 * label and on a `cacerts` from another root — naming the check — and passing once each is undone; `destroy`.
 * The suite's stand-in for istiod programs the east-west Gateways and publishes `istio-ca-root-cert`.
 */
const licence = "E2E-LICENCE-real-charts-mc-DO-NOT-LEAK";
const nodes = 2;
const { clusters, istio } = committedStack("multicluster");

describe("multicluster stack on the real charts and simulated nodes", () => {
    const test = sequence();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-e2e-charts-mc-"));
    const transcript = new Transcript("real charts: multicluster");
    let environment: MeshEnvironment | undefined;
    let project: E2eProject;
    let stack: Stack;
    let kubes: Map<string, Kube>;

    const verify = (when: string): VerifyRun => {
        return runVerify(project, "multicluster", environment!.planes.kubeconfig, when);
    };
    /** A fault is planted, verify must fail naming it in that cluster only, and pass again once it is undone. */
    const planted = (cluster: string, plant: () => void, undo: () => void, named: RegExp): void => {
        plant();
        const run = verify(`planted in ${cluster}`);
        assert.equal(run.code, 1);
        assert.ok(run.failed.length > 0 && run.failed.every((line) => line.startsWith(`${cluster}: `) && named.test(line)), run.failed.join("\n"));
        undo();
        assert.deepEqual(verify("fault undone").failed, []);
    };

    before(async () => {
        const charts = findRealCharts(process.env[chartsEnv]);
        environment = await startMeshEnvironment(root, clusters, { nodes, publishRootCert: true });
        ({ project, kubes } = environment);
        stack = await project.stack("multicluster");
        await stack.setConfig("ambient-spire:soloLicenseKey", { value: licence, secret: true });
        project.editStackFile("multicluster", {
            "ambient-spire:istio": { ...istio, version: charts.istio.older.version },
            "ambient-spire:sources": realChartSources(charts, charts.istio.older, project.dir, environment.standIns.sources.gatewayApiCrds),
            "ambient-spire:charts": simulatedNodeChartValues,
        });
    });

    after(() => closeScenario(root, transcript, environment));

    test("up: both clusters wait for their pods; each renders our trust domain, cluster name and cacerts mount", async () => {
        const result = await transcript.step("up", () => stack.up(), (r) => r.summary.resourceChanges);
        assert.equal(result.summary.result, "succeeded");
        for (const cluster of clusters) {
            const kube = kubes.get(cluster.name)!;
            assert.deepEqual(spireRendered(kube, {
                namespace: "spire-server", trustDomain: cluster.name, clusterName: cluster.name, className: controllerClassName("spire-server", "spire"),
                upstreamSecret: "spiffe-upstream-ca", ztunnelSpiffeId: spiffeId(cluster.name, "istio-system", "ztunnel"),
            }), [], cluster.name);
            assert.deepEqual(istioRendered(kube, { namespace: "istio-system", trustDomain: cluster.name, multicluster: { clusterName: cluster.name } }), [], cluster.name);
            for (const [selector, namespace] of [["app=ztunnel", "istio-system"], ["k8s-app=istio-cni-node", "istio-system"]]) {
                assert.deepEqual(podNodes(kube, namespace, selector), environment!.planes.nodes[cluster.context], `${cluster.name} ${selector}: one pod per node`);
            }
            assert.deepEqual(webhookCalls(path.join(root, "control-plane", cluster.context, "kube-apiserver.log")), [], `${cluster.name}: no webhook called`);
        }
    });

    test("npm run verify passes after up", async () => {
        const run = verify("after up");
        assert.deepEqual(run.failed, []);
        assert.equal(run.code, 0);
    });

    test("preview and refresh right after up show no changes", () => expectNoChanges(stack, transcript));

    test("planted: a wrong network label on istio-system fails verify naming the network check", async () => {
        const [first] = clusters;
        const kube = kubes.get(first.name)!;
        const label = (value: string) => kube.run(["label", "namespace", "istio-system", `topology.istio.io/network=${value}`, "--overwrite"]);
        planted(first.name, () => label("not-this-network"), () => label(first.name), /network/i);
    });

    test("planted: a cacerts from another root fails verify naming the cacerts check", async () => {
        const second = clusters[1];
        const kube = kubes.get(second.name)!;
        const original = kube.get<KubeObject>("secret", "cacerts", "istio-system")!;
        const other = otherRootCacerts(path.join(root, "other-root"));
        const replace = (data: Record<string, string>) => {
            const { resourceVersion: _rv, uid: _uid, creationTimestamp: _ct, managedFields: _mf, ...metadata } = original.metadata as KubeObject["metadata"] & Record<string, unknown>;
            kube.run(["replace", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Secret", type: "Opaque", metadata, data }));
        };
        const encoded = Object.fromEntries(Object.entries(other).map(([k, v]) => [k, Buffer.from(v).toString("base64")]));
        planted(second.name, () => replace(encoded), () => replace(original.data!), /cacerts|root/i);
    });

    test("destroy as docs/operations.md tells it", async () => {
        project.editStackFile("multicluster", { "ambient-spire:pki": { protectRoot: false } });
        await transcript.step("up, protectRoot false", () => stack.up(), (r) => r.summary.resourceChanges);
        await transcript.step("destroy", () => stack.destroy(), (r) => r.summary.resourceChanges);
        for (const cluster of clusters) {
            const kube = kubes.get(cluster.name)!;
            assert.deepEqual(kube.list("namespaces").map((n) => n.metadata.name).sort(), ["default", "kube-node-lease", "kube-public", "kube-system"], cluster.name);
        }
    });
});

/** An Istio plug-in CA under a root of its own (openssl, as the guide makes one): a cacerts no other cluster trusts. */
function otherRootCacerts(dir: string): Record<string, string> {
    fs.mkdirSync(dir, { recursive: true });
    const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    fs.writeFileSync(path.join(dir, "ca.ext"), "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\n");
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "30", "-subj", "/CN=other-root", "-keyout", "root.key", "-out", "root.crt");
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=other-intermediate", "-keyout", "ca.key", "-out", "ca.csr");
    openssl("x509", "-req", "-in", "ca.csr", "-CA", "root.crt", "-CAkey", "root.key", "-CAcreateserial", "-days", "30", "-extfile", "ca.ext", "-out", "ca.crt");
    const read = (file: string) => fs.readFileSync(path.join(dir, file), "utf8");
    return { "ca-cert.pem": read("ca.crt"), "ca-key.pem": read("ca.key"), "root-cert.pem": read("root.crt"), "cert-chain.pem": read("ca.crt") + read("root.crt") };
}
