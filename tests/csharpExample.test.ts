import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { readSdk, sdkMismatches } from "./support/csharpSdk";

const projectDir = path.resolve(__dirname, "..");
const program = fs.readFileSync(path.join(projectDir, "examples", "csharp", "Program.cs"), "utf8");
const sdk = readSdk(path.join(projectDir, "sdk", "dotnet"));
/** Classes Program.cs takes from Pulumi itself and the BCL, not from our SDK. */
const external = ["Config", "Dictionary"];
/** Lambda parameters over the Mesh's `clusters` output: each entry's value is a MeshClusterOutputs. */
const reads = { "entry.Value": "MeshClusterOutputs", "EastWestAddress?": "GatewayAddress" };

describe("the C# example against the generated .NET SDK (no compiler here: names are checked)", () => {
    it("reads the SDK: the Mesh, its args and outputs, and the building blocks", () => {
        for (const name of ["Pulumi.AmbientSpire.Mesh", "Pulumi.AmbientSpire.MeshArgs", "Pulumi.AmbientSpire.Inputs.MeshClusterArgs", "Pulumi.AmbientSpire.Pki.RootCa", "Pulumi.AmbientSpire.Istio.AmbientMesh", "Pulumi.AmbientSpire.Multicluster.PeerLink"]) {
            assert.ok(sdk.has(name), `${name} in sdk/dotnet`);
        }
        assert.ok(sdk.get("Pulumi.AmbientSpire.MeshArgs")!.members.has("LicenseKey"));
        assert.ok(sdk.get("Pulumi.AmbientSpire.Mesh")!.members.has("RootCaCertPem"));
    });

    it("Program.cs constructs, sets and reads only what the SDK has", () => {
        assert.deepEqual(sdkMismatches(program, sdk, external, reads), []);
        assert.match(program, /new Mesh\("mesh", new MeshArgs/);
    });

    it("the check fails on a renamed property, an unknown class and an unknown member", () => {
        const broken = program.replace("RepoKey =", "RepositoryKey =").replace("new MeshPkiArgs", "new MeshPkiSettings").replace("mesh.RootCaCertPem", "mesh.RootCertificate").replace("EastWestAddress?.Value", "EastWestAddress?.Address");
        assert.deepEqual(sdkMismatches(broken, sdk, external, reads).sort(), [
            "mesh.RootCertificate: Mesh has no member RootCertificate",
            "EastWestAddress?.Address: GatewayAddress has no member Address",
            "MeshIstioArgs { RepositoryKey = … }: MeshIstioArgs has no property RepositoryKey",
            "new MeshPkiSettings: no class MeshPkiSettings in System.Text.Json.Serialization, Pulumi, Pulumi.AmbientSpire, Pulumi.AmbientSpire.Inputs",
        ].sort());
    });

    it("the SDK is the one generated from the committed schema (same package version)", () => {
        const schema = JSON.parse(fs.readFileSync(path.join(projectDir, "package", "schema.json"), "utf8")) as { version: string };
        assert.equal(fs.readFileSync(path.join(projectDir, "sdk", "dotnet", "version.txt"), "utf8").trim(), schema.version);
        assert.match(fs.readFileSync(path.join(projectDir, "sdk", "dotnet", "Mesh.cs"), "utf8"), /\[AmbientSpireResourceType\("ambient-spire:index:Mesh"\)\]/);
    });
});
