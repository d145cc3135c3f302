import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import Ajv, { ValidateFunction } from "ajv";
import { parse, parseAllDocuments } from "yaml";
import { Plan } from "../infra/plan/model";
import { knownProviderOutputs } from "./support/providerOutputs";
import { input, record, settings } from "./support/stacks";

// The upstream files sit beside the project (../shared), as laid out for developers and CI.
const upstream = path.resolve(__dirname, "..", "..", "shared", "upstream");
const readYaml = (file: string) => parse(fs.readFileSync(path.join(upstream, file), "utf8"));

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

/**
 * Keys the community charts do not declare but the Solo charts or the chart machinery read: each with why.
 * A key here is trusted; every other key must exist in the upstream values tree.
 */
export const knownOutsideUpstream: Record<string, string> = {
    "*:profile": "applied by templates/zzz_profile.yaml in every chart, not a values.yaml key",
    "istiod:license": "Solo-only: licence (value or secretRef)",
    "istiod:platforms": "Solo-only: platforms.peering.enabled turns on ENABLE_PEERING_DISCOVERY for multicluster peering",
    "istiod:cni.namespace": "the guide's pilot.cni.namespace; community istiod 1.27.8 has no such key (its untaint controller reads taint.namespace); harmless, istio-cni runs in istiod's namespace",
    "istiod:gateways.spire": "Solo-only: SPIRE identities for gateway and waypoint pods",
    "ztunnel:spire": "Solo-only: ztunnel uses the SPIRE agent's Delegated Identity API",
    "ztunnel:configValidation": "the guide's; not read by the community 1.27.8 chart, Solo chart not public",
    "ztunnel:namespace": "the guide's; not read by the community 1.27.8 chart, Solo chart not public",
    "ztunnel:enabled": "the guide's; not read by the community 1.27.8 chart, Solo chart not public",
    "ztunnel:proxy": "the guide's proxy.clusterDomain; not read by the community 1.27.8 chart, Solo chart not public",
};

type Tree = Record<string, unknown>;
const isMap = (v: unknown): v is Tree => v !== null && typeof v === "object" && !Array.isArray(v);

/** The keys a user may set: the top level plus what Istio keeps under _internal_defaults_do_not_set. */
function valuesTree(file: string): Tree {
    const doc = readYaml(file) as Tree;
    const internal = isMap(doc._internal_defaults_do_not_set) ? doc._internal_defaults_do_not_set : {};
    const { _internal_defaults_do_not_set: _, ...top } = doc;
    return { ...internal, ...top };
}

/**
 * Paths of `values` that the chart does not declare. A declared map with keys is checked key by key; an empty
 * map, a list or a scalar is free-form below (env, tolerations, meshConfig's own fields are the API's).
 */
export function unknownKeys(chart: string, values: unknown, tree: Tree, freeForm: readonly string[] = []): string[] {
    const unknown: string[] = [];
    const walk = (ours: unknown, theirs: unknown, at: string[]) => {
        if (!isMap(ours)) return;
        for (const [key, value] of Object.entries(ours)) {
            const keyPath = [...at, key];
            const dotted = keyPath.join(".");
            const allowed = Object.keys(knownOutsideUpstream).some((k) => {
                const [c, p] = k.split(":");
                return (c === "*" || c === chart) && (dotted === p || dotted.startsWith(`${p}.`));
            });
            if (allowed || freeForm.includes(dotted)) continue;
            if (!isMap(theirs) || Object.keys(theirs).length === 0) continue; // free-form below this point
            if (!(key in theirs)) {
                unknown.push(dotted);
                continue;
            }
            walk(value, theirs[key], keyPath);
        }
    };
    walk(values, tree, []);
    return unknown;
}

/** istiod's chart copies everything under `pilot.` to the top level (templates/zzy_descope_legacy.yaml). */
function descopePilot(values: Tree): Tree {
    const { pilot, ...rest } = values;
    return isMap(pilot) ? { ...rest, ...pilot } : rest;
}

function spireTree(): Tree {
    return {
        ...(readYaml("spire-0.24.2/values.yaml") as Tree),
        "spire-agent": readYaml("spire-0.24.2/charts/spire-agent/values.yaml"),
        "spire-server": readYaml("spire-0.24.2/charts/spire-server/values.yaml"),
        "spiffe-csi-driver": readYaml("spire-0.24.2/charts/spiffe-csi-driver/values.yaml"),
    };
}

describe("Helm values use only keys their chart declares (or the documented Solo-only list)", () => {
    const releaseValues = (p: Plan, release: string) =>
        p.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release" && input(r, "name") === release).map((r) => input(r, "values") as Tree);
    // meshConfig is Istio's MeshConfig API: its fields are documented there, not in values.yaml.
    const istiodFreeForm = ["meshConfig.accessLogFile", "meshConfig.trustDomain", "meshConfig.defaultConfig"];
    for (const count of [1, 2, 5]) {
        test(`${count} cluster(s)`, () => {
            const p = plans.get(count)!;
            const cases: [string, string, Tree, (v: Tree) => Tree, string[]][] = [
                ["spire", "spire", spireTree(), (v) => v, []],
                ["base", "istio-base", valuesTree("istio-1.27.8/base.values.yaml"), (v) => v, []],
                ["istiod", "istiod", valuesTree("istio-1.27.8/istio-discovery.values.yaml"), descopePilot, istiodFreeForm],
                ["cni", "istio-cni", valuesTree("istio-1.27.8/istio-cni.values.yaml"), (v) => v, []],
                ["ztunnel", "ztunnel", valuesTree("istio-1.27.8/ztunnel.values.yaml"), (v) => v, []],
            ];
            for (const [chart, release, tree, normalise, freeForm] of cases) {
                const all = releaseValues(p, release);
                assert.equal(all.length, count, release);
                for (const values of all) assert.deepEqual(unknownKeys(chart, normalise(values), tree, freeForm), [], `${release} has keys its chart does not declare`);
            }
        });
    }
    test("a misspelt key is caught (spire-agent.sockets.admin.mountOnhost)", () => {
        const values = structuredClone(releaseValues(plans.get(1)!, "spire")[0]) as any;
        values["spire-agent"].sockets.admin.mountOnhost = values["spire-agent"].sockets.admin.mountOnHost;
        delete values["spire-agent"].sockets.admin.mountOnHost;
        assert.deepEqual(unknownKeys("spire", values, spireTree()), ["spire-agent.sockets.admin.mountOnhost"]);
    });
});
