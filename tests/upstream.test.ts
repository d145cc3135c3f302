import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import Ajv, { ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";
import { chartValuesTree, unknownValues, valuesFileTree } from "../components/helm/values";
import { descopePilot, IstioChart, istioValuesBeyondValuesYaml } from "../components/istio/meshValues";
import { Plan } from "../infra/plan/model";
import { knownProviderOutputs } from "./support/providerOutputs";
import { input, record, settings } from "./support/stacks";

// The upstream files sit beside the project (../shared), as laid out for developers and CI.
const upstream = path.resolve(__dirname, "..", "..", "shared", "upstream");

function crdValidator(file: string, version: string): ValidateFunction {
    const crd = parseAllDocuments(fs.readFileSync(path.join(upstream, file), "utf8")).map((d) => d.toJS()).find((d) => d?.kind === "CustomResourceDefinition");
    const schema = crd.spec.versions.find((v: { name: string }) => v.name === version).schema.openAPIV3Schema;
    // x-kubernetes-* keywords and formats are Kubernetes' own; a real JSON-schema validator checks the rest.
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    return ajv.compile(schema);
}


const plans = new Map<number, Plan>();
before(async () => {
    for (const count of [1, 2, 5]) {
        plans.set(count, (await record(settings({}, count), { preview: false, computed: knownProviderOutputs })).plan);
    }
});

describe("custom resources validate against the real CRD schemas", () => {
    let gateway: ValidateFunction;
    let clusterSpiffeId: ValidateFunction;
    before(() => {
        gateway = crdValidator("gateway-api-v1.3.0/gateway.networking.k8s.io_gateways.yaml", "v1");
        clusterSpiffeId = crdValidator("spire-crds-0.5.0/spire.spiffe.io_clusterspiffeids.yaml", "v1alpha1");
    });
    for (const count of [1, 2, 5]) {
        test(`${count} cluster(s): every Gateway and ClusterSPIFFEID`, () => {
            const p = plans.get(count)!;
            // Reads of live gateways send nothing to the cluster, so only managed ones are validated.
            const gateways = p.resources.filter((r) => r.type === "kubernetes:gateway.networking.k8s.io/v1:Gateway" && !r.read);
            const ids = p.resources.filter((r) => r.type === "kubernetes:spire.spiffe.io/v1alpha1:ClusterSPIFFEID");
            assert.equal(gateways.length, count > 1 ? count + count * (count - 1) : 0);
            assert.equal(ids.length, 4 * count);
            for (const r of gateways) assert.ok(gateway(r.inputs), `${r.name}: ${JSON.stringify(gateway.errors)}`);
            for (const r of ids) assert.ok(clusterSpiffeId(r.inputs), `${r.name}: ${JSON.stringify(clusterSpiffeId.errors)}`);
        });
    }
    test("the validators can fail: a listener without a port and a selector of the wrong type are rejected", () => {
        const r = plans.get(2)!.resources.find((x) => x.type.endsWith(":Gateway"))!;
        const broken = structuredClone(r.inputs) as any;
        delete broken.spec.listeners[0].port;
        assert.equal(gateway(broken), false);
        const id = plans.get(1)!.resources.find((x) => x.type.endsWith(":ClusterSPIFFEID"))!;
        const brokenId = structuredClone(id.inputs) as any;
        brokenId.spec.podSelector = "app=ztunnel";
        assert.equal(clusterSpiffeId(brokenId), false);
    });
});

type Tree = Record<string, unknown>;

/** Keys the charts read beyond their values.yaml, as the program accepts them (each with why, in meshValues.ts). */
function accepted(chart: IstioChart | "spire"): string[] {
    return chart === "spire" ? [] : Object.keys(istioValuesBeyondValuesYaml[chart]);
}

const paths = (unknown: { path: string }[]) => unknown.map((u) => u.path);

describe("Helm values use only keys their chart declares (or the documented list of keys read beyond values.yaml)", () => {
    const releaseValues = (p: Plan, release: string) =>
        p.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release" && input(r, "name") === release).map((r) => input(r, "values") as Tree);
    const istioTree = (file: string) => valuesFileTree(path.join(upstream, "istio-1.27.8", file));
    for (const count of [1, 2, 5]) {
        test(`${count} cluster(s)`, () => {
            const p = plans.get(count)!;
            const cases: [IstioChart | "spire", string, Tree, (v: Tree) => Tree][] = [
                ["spire", "spire", chartValuesTree(path.join(upstream, "spire-0.24.2"))!, (v) => v],
                ["base", "istio-base", istioTree("base.values.yaml"), (v) => v],
                ["istiod", "istiod", istioTree("istio-discovery.values.yaml"), descopePilot],
                ["cni", "istio-cni", istioTree("istio-cni.values.yaml"), (v) => v],
                ["ztunnel", "ztunnel", istioTree("ztunnel.values.yaml"), (v) => v],
            ];
            for (const [chart, release, tree, normalise] of cases) {
                const all = releaseValues(p, release);
                assert.equal(all.length, count, release);
                for (const values of all) assert.deepEqual(paths(unknownValues(normalise(values), tree, accepted(chart))), [], `${release} has keys its chart does not declare`);
            }
        });
    }
    test("a misspelt key is caught (spire-agent.sockets.admin.mountOnhost)", () => {
        const values = structuredClone(releaseValues(plans.get(1)!, "spire")[0]) as any;
        values["spire-agent"].sockets.admin.mountOnhost = values["spire-agent"].sockets.admin.mountOnHost;
        delete values["spire-agent"].sockets.admin.mountOnHost;
        assert.deepEqual(paths(unknownValues(values, chartValuesTree(path.join(upstream, "spire-0.24.2"))!)), ["spire-agent.sockets.admin.mountOnhost"]);
    });
});
