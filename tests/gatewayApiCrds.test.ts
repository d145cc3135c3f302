import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import { stringify } from "yaml";
import { recordPlan } from "../infra/plan/recorder";
import { AmbientMesh } from "../components";
import { gatewayApiCrdDocuments, gatewayApiCrdNames, GatewayApiManifestError, readManifestSource } from "../components/istio/gatewayApiCrds";
import { ConfigError, program } from "../stacks";
import { runCounting } from "./support/counting";
import { standInGatewayApiManifest } from "./support/gatewayApiManifest";
import { asConfig, settings } from "./support/stacks";

/**
 * The Gateway API CRDs are read by the program (a file, or a URL fetched), checked against the release's standard
 * channel, and registered one server-side apply per CRD on the cluster's one provider.
 */
const names = gatewayApiCrdNames("v1.3.0");
const manifest = standInGatewayApiManifest();
const experimentalExtra = stringify({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "tcproutes.gateway.networking.k8s.io" },
    spec: { group: "gateway.networking.k8s.io" },
});

describe("the Gateway API manifest", () => {
    let server: http.Server;
    let base = "";
    before(async () => {
        server = http.createServer((request, response) => {
            if (request.url === "/v1.3.0/standard-install.yaml") response.writeHead(200).end(manifest);
            else response.writeHead(404).end("not found");
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    test("a URL is fetched by the program; a failed fetch says which URL and why", async () => {
        assert.equal(await readManifestSource(`${base}/v1.3.0/standard-install.yaml`), manifest);
        await assert.rejects(readManifestSource(`${base}/v9.9.9/standard-install.yaml`), (e: unknown) => e instanceof GatewayApiManifestError && /HTTP 404/.test(e.problem) && /9\.9\.9/.test(e.problem));
        await assert.rejects(readManifestSource("/no/such/standard-install.yaml"), (e: unknown) => e instanceof GatewayApiManifestError && /ENOENT/.test(e.problem));
    });

    test("it must hold exactly the standard channel's CRDs", () => {
        assert.deepEqual([...gatewayApiCrdDocuments(manifest, "m.yaml", names).keys()].sort(), [...names].sort());
        // The upstream Gateway CRD carries creationTimestamp: null and a status; an apply must own neither.
        const gateway = gatewayApiCrdDocuments(manifest, "m.yaml", names).get("gateways.gateway.networking.k8s.io")!;
        assert.deepEqual(Object.keys(gateway).sort(), ["metadata", "spec"]);
        assert.deepEqual(Object.keys(gateway.metadata).sort(), ["annotations", "name"]);
        const refused: [string, RegExp][] = [
            [manifest.split("\n---\n").slice(1).join("\n---\n"), /holds the CRDs gatewayclasses.*, not the standard channel's .*gateways\.gateway/],
            [`${manifest}\n---\n${experimentalExtra}`, /tcproutes\.gateway\.networking\.k8s\.io/],
            ["apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", /holds a ConfigMap, not a named CustomResourceDefinition/],
            ["kind: [unclosed\n", /is not valid YAML/],
        ];
        for (const [text, problem] of refused) {
            assert.throws(() => gatewayApiCrdDocuments(text, "m.yaml", names), (e: unknown) => e instanceof GatewayApiManifestError && problem.test(e.problem) && /standard-install\.yaml/.test(e.fix));
        }
        assert.throws(() => gatewayApiCrdNames("v1.4.0"), /"v1\.4\.0" is not a version this release knows.*use v1\.3\.0/);
    });

    test("every cluster of a stack shares one parse of the manifest; another manifest, source or version is parsed anew", () => {
        const first = gatewayApiCrdDocuments(manifest, "m.yaml", names);
        assert.equal(gatewayApiCrdDocuments(manifest, "m.yaml", names), first, "the same text from the same source is not parsed again");
        const reordered = manifest.split("\n---\n").reverse().join("\n---\n");
        const other = gatewayApiCrdDocuments(reordered, "m.yaml", names);
        assert.notEqual(other, first);
        assert.deepEqual([...other.keys()].sort(), [...first.keys()].sort());
        assert.notEqual(gatewayApiCrdDocuments(reordered, "n.yaml", names), other, "a different source is parsed (its errors name it)");
        // A manifest that fails is never remembered: the next call with it fails again, with the same message.
        for (let attempt = 0; attempt < 2; attempt++) assert.throws(() => gatewayApiCrdDocuments("kind: [unclosed\n", "m.yaml", names), /is not valid YAML/);
    });

    test("a stack whose manifest is wrong stops before anything is registered, naming the setting", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-gateway-api-"));
        try {
            const file = path.join(dir, "experimental-install.yaml");
            fs.writeFileSync(file, `${manifest}\n---\n${experimentalExtra}`);
            for (const source of [file, `${base}/v9.9.9/standard-install.yaml`]) {
                const config = asConfig(settings({ "ambient-spire:sources": { gatewayApiCrds: source } }));
                const { error, registered } = await runCounting(program, config, ["ambient-spire:soloLicenseKey"], { fetchUrls: true });
                assert.ok(error instanceof ConfigError, `${source}: ${String(error)}`);
                assert.equal(error.setting, "ambient-spire:sources.gatewayApiCrds");
                assert.equal(registered, 0, source);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("retainCrdsOnDelete", () => {
    const meshWith = (retainCrdsOnDelete: boolean) =>
        recordPlan(
            async () => {
                const provider = new k8s.Provider("c1", { context: "kind-c1" });
                new AmbientMesh("m", {
                    provider,
                    istio: { version: "1.27.8", repoKey: "abcdef012345" },
                    trustDomain: "c1",
                    licenseKey: "licence",
                    spireReady: [],
                    gatewayApiCrdsManifest: manifest,
                    retainCrdsOnDelete,
                });
                return {};
            },
            { project: "p", stack: "s", config: {}, secretKeys: [] },
        );

    test("true (the default): server-side applies, retained; false: created and deleted like any resource", async () => {
        const kept = (await meshWith(true)).plan.resources.filter((r) => r.name.startsWith("m-gateway-api-"));
        const owned = (await meshWith(false)).plan.resources.filter((r) => r.name.startsWith("m-gateway-api-"));
        assert.deepEqual(kept.map((r) => [r.type, r.options.retainOnDelete]), names.map(() => ["kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinitionPatch", true]));
        assert.deepEqual(owned.map((r) => [r.type, r.options.retainOnDelete]), names.map(() => ["kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", false]));
        // Either way the spec is the manifest's, unchanged.
        const httpRoute = (p: typeof kept) => (p.find((r) => r.name === "m-gateway-api-httproutes")!.inputs as { spec: { names: { kind: string } } }).spec.names.kind;
        assert.deepEqual([httpRoute(kept), httpRoute(owned)], ["HTTPRoute", "HTTPRoute"]);
    });
});
