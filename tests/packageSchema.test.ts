import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { packageComponents } from "../infra/package/components";
import { schemaFile, schemaText } from "../infra/package/schema/cli";
import { generateSchema } from "../infra/package/schema/generate";
import { PackageSchema, PropertySpec, TypeSpec } from "../infra/package/schema/model";

const committed = JSON.parse(fs.readFileSync(schemaFile, "utf8")) as PackageSchema;
const projectDir = path.resolve(__dirname, "..");

/** Every property a consumer can set, with where it is: resource inputs, then the input types they reach. */
function inputProperties(schema: PackageSchema): { where: string; name: string; spec: PropertySpec; optional: boolean; oneOf: boolean }[] {
    const found: { where: string; name: string; spec: PropertySpec; optional: boolean; oneOf: boolean }[] = [];
    const seen = new Set<string>();
    const visitType = (spec: TypeSpec) => {
        if ("items" in spec) return visitType(spec.items);
        if ("additionalProperties" in spec) return visitType(spec.additionalProperties);
        if (!("$ref" in spec) || !spec.$ref.startsWith("#/types/")) return;
        const token = spec.$ref.slice("#/types/".length);
        if (seen.has(token)) return;
        seen.add(token);
        const type = schema.types[token];
        assert.ok(type, `${token} is referenced but not defined`);
        const oneOf = /Give exactly one of/.test(type.description ?? "");
        for (const [name, member] of Object.entries(type.properties)) {
            found.push({ where: token, name, spec: member, optional: !(type.required ?? []).includes(name), oneOf });
            visitType(member);
        }
    };
    for (const [token, resource] of Object.entries(schema.resources)) {
        for (const [name, spec] of Object.entries(resource.inputProperties)) {
            found.push({ where: token, name, spec, optional: !resource.requiredInputs.includes(name), oneOf: false });
            visitType(spec);
        }
    }
    return found;
}

describe("package schema", () => {
    it("is what the components' TypeScript says (run `npm run schema` after changing an args interface)", () => {
        assert.equal(fs.readFileSync(schemaFile, "utf8"), schemaText());
    });

    it("offers the Mesh and the six building blocks, each with the inputs its args interface declares", () => {
        assert.deepEqual(Object.keys(committed.resources).sort(), [
            "ambient-spire:index:Mesh",
            "ambient-spire:istio:AmbientMesh",
            "ambient-spire:multicluster:EastWestGateway",
            "ambient-spire:multicluster:PeerLink",
            "ambient-spire:pki:IntermediateCa",
            "ambient-spire:pki:RootCa",
            "ambient-spire:spire:SpireRelease",
        ]);
        const mesh = committed.resources["ambient-spire:index:Mesh"];
        assert.deepEqual(Object.keys(mesh.inputProperties), ["clusters", "istio", "licenseKey", "peering", "links", "pki", "sources", "charts", "adopt"]);
        assert.deepEqual(mesh.requiredInputs, ["clusters", "istio", "licenseKey"]);
        assert.deepEqual(Object.keys(mesh.properties), ["rootCaCertPem", "clusters", "certificateRequests", "awaitingSignature"]);
        assert.deepEqual(mesh.required, ["rootCaCertPem", "clusters"], "the CSR outputs exist only with pki.ca external");
        // Resources to wait for are the dependsOn option in other languages, not inputs.
        assert.ok(!("spireReady" in committed.resources["ambient-spire:istio:AmbientMesh"].inputProperties));
        assert.ok(!("after" in committed.resources["ambient-spire:multicluster:PeerLink"].inputProperties));
        for (const resource of Object.values(committed.resources)) assert.equal(resource.isComponent, true);
    });

    it("documents every input, and every optional one with its default", () => {
        for (const p of inputProperties(committed)) {
            assert.ok(p.spec.description, `${p.where}.${p.name} has no description`);
            if (p.optional && !p.oneOf) assert.match(p.spec.description, /Default/, `${p.where}.${p.name} does not say its default`);
        }
    });

    it("marks exactly the licence, kubeconfigs and CA keys secret, inputs and outputs alike", () => {
        const secrets = inputProperties(committed).filter((p) => p.spec.secret).map((p) => `${p.where}.${p.name}`).sort();
        assert.deepEqual(secrets, [
            "ambient-spire:index:Mesh.licenseKey",
            "ambient-spire:index:MeshCluster.kubeconfig",
            "ambient-spire:index:MeshGivenCa.key",
            "ambient-spire:istio:AmbientMesh.licenseKey",
            "ambient-spire:istio:PluginCa.caKeyPem",
            "ambient-spire:pki:SigningCa.privateKeyPem",
            "ambient-spire:spire:UpstreamCa.privateKeyPem",
        ]);
        assert.equal(committed.resources["ambient-spire:pki:RootCa"].properties.privateKeyPem.secret, true);
        assert.equal(committed.types["ambient-spire:pki:SignedCaMaterial"].properties.privateKeyPem.secret, true);
    });

    it("lets eventual values flow only where a component takes pulumi.Input; everything else is plain", () => {
        const eventual = inputProperties(committed).filter((p) => !p.spec.plain && !("$ref" in p.spec && p.spec.$ref.startsWith("/kubernetes/"))).map((p) => `${p.where}.${p.name}`).sort();
        assert.deepEqual(eventual, [
            "ambient-spire:index:Mesh.licenseKey",
            "ambient-spire:index:MeshCluster.kubeconfig",
            "ambient-spire:istio:AmbientMesh.licenseKey",
            "ambient-spire:istio:PluginCa.caCertPem",
            "ambient-spire:istio:PluginCa.caKeyPem",
            "ambient-spire:istio:PluginCa.certChainPem",
            "ambient-spire:istio:PluginCa.rootCertPem",
            "ambient-spire:multicluster:RemotePeer.address",
            "ambient-spire:pki:IntermediateSignerSignedElsewhere.issuerCertPem",
            "ambient-spire:pki:SigningCa.certPem",
            "ambient-spire:pki:SigningCa.privateKeyPem",
            "ambient-spire:spire:UpstreamCa.certChainPem",
            "ambient-spire:spire:UpstreamCa.privateKeyPem",
            "ambient-spire:spire:UpstreamCa.trustBundlePem",
        ]);
    });

    it("references the kubernetes provider of the SDK version this project installs", () => {
        const version = (JSON.parse(fs.readFileSync(path.join(projectDir, "node_modules", "@pulumi", "kubernetes", "package.json"), "utf8")) as { version: string }).version;
        const ref = committed.resources["ambient-spire:spire:SpireRelease"].inputProperties.provider;
        assert.deepEqual(ref, { $ref: `/kubernetes/v${version}/schema.json#/provider`, description: "Provider of the cluster to install into. Required." });
    });

    it("refuses an argument of resources that is not the component's dependsOnArg", () => {
        const { dependsOnArg: _omitted, ...peerLink } = packageComponents.find((c) => c.className === "PeerLink")!;
        assert.throws(() => generateSchema([peerLink], projectDir), /PeerLink\.after: resources are no schema type; make it the component's dependsOnArg/);
    });
});
