import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { committedSdk, filesUnder, generateDotnetSdk } from "../../infra/package/sdk";
import { findToolchain, toolsBin } from "./support/tools";

/**
 * The committed .NET SDK is what the generator writes from the committed schema, file for file: a schema change
 * without `npm run sdk` fails here. The generator (pulumi-language-dotnet) is not built by `npm run e2e:tools`
 * (its module is not on our registries); without it on PATH this fails naming it.
 */
test("sdk/dotnet is what `pulumi package gen-sdk --language dotnet` writes from package/schema.json", async () => {
    const toolchain = findToolchain();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-e2e-sdk-"));
    try {
        const fresh = await generateDotnetSdk({ pulumi: path.join(toolsBin, "pulumi"), path: toolchain.path, home: path.join(root, "pulumi-home") }, path.join(root, "dotnet"));
        assert.deepEqual(filesUnder(fresh), filesUnder(committedSdk));
        const differing = filesUnder(fresh).filter((file) => !fs.readFileSync(path.join(fresh, file)).equals(fs.readFileSync(path.join(committedSdk, file))));
        assert.deepEqual(differing, [], "files that differ from a fresh generation: run `npm run sdk`");
    } finally {
        fs.rmSync(root, { recursive: true, force: true });
    }
});
