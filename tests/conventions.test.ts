import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { settingNames } from "../stacks/config/schema";
import { knownProviderOutputs } from "./support/providerOutputs";
import { resolved } from "./support/resolve";
import { record, settings } from "./support/stacks";

const projectDir = path.resolve(__dirname, "..");
const project = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as {
    runtime: { options: { nodeargs: string; typescript: boolean } };
    config?: Record<string, unknown>;
};

const manifest = JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
};

/** Every TypeScript source of the program, its tools and its tests. */
function sources(): string {
    const dirs = ["infra", "stacks", "components", "tests"];
    const files = dirs.flatMap((dir) => fs.readdirSync(path.join(projectDir, dir), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts")).map((f) => path.join(projectDir, dir, f)));
    return files.map((f) => fs.readFileSync(f, "utf8")).join("\n");
}

describe("Pulumi conventions", () => {
    test("Pulumi.yaml documents every setting and declares none: a declared key is required on every stack", () => {
        const text = fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8");
        for (const name of settingNames) assert.ok(text.includes(`ambient-spire:${name}`), `${name} is not documented in Pulumi.yaml`);
        assert.equal(project.config, undefined, "the pki stack has no licence, so the licence may not be a declared key");
    });

    test("no stack file carries a licence: each stack sets its own, encrypted by its own secrets provider", () => {
        for (const file of fs.readdirSync(projectDir).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
            const config = (parse(fs.readFileSync(path.join(projectDir, file), "utf8")) as { config: Record<string, unknown> }).config;
            assert.equal(config["ambient-spire:soloLicenseKey"], undefined, file);
        }
    });

    test("npm run plan runs node with the flags pulumi up uses (runtime.options.nodeargs)", () => {
        const scripts = manifest.scripts;
        assert.ok(project.runtime.options.nodeargs.length > 0);
        assert.ok(scripts.plan.startsWith(`node ${project.runtime.options.nodeargs} `), scripts.plan);
    });

    test("stack outputs: root certificate and, per cluster, trust domain, network and east-west address; no private key", async () => {
        const { outputs } = await record(settings({}, 2), { preview: false, computed: knownProviderOutputs });
        const values = (await resolved(outputs)) as { rootCaCertPem: string; clusters: Record<string, { trustDomain: string; network: string; eastWestAddress: unknown }> };
        assert.match(values.rootCaCertPem, /BEGIN CERTIFICATE/);
        assert.deepEqual(Object.keys(values.clusters).sort(), ["cluster1", "cluster2"]);
        assert.deepEqual(values.clusters.cluster2, { trustDomain: "cluster2", network: "cluster2", eastWestAddress: { type: "Hostname", value: "cluster2-eastwest-live.example.net" } });
        assert.doesNotMatch(JSON.stringify(values), /PRIVATE KEY/);
    });

    test("every dependency is used, and docs/deploying.md's package list is package.json's", () => {
        const names = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)].sort();
        const code = sources();
        const tsconfig = JSON.parse(fs.readFileSync(path.join(projectDir, "tsconfig.json"), "utf8")) as { compilerOptions: { types: string[] } };
        // Packages used by a tool rather than imported, each with the place that uses it.
        const toolUses: Record<string, boolean> = {
            "ts-node": project.runtime.options.typescript === true,
            typescript: project.runtime.options.typescript === true && /\btsc\b/.test(manifest.scripts.test),
            tsx: Object.values(manifest.scripts).some((script) => /--import tsx|^tsx /.test(script)),
            "@types/node": tsconfig.compilerOptions.types.includes("node"),
        };
        for (const name of names) {
            const imported = new RegExp(`from "${name}(/[^"]*)?"|import "${name}"`).test(code);
            assert.ok(imported || toolUses[name] === true, `${name} is a dependency that nothing uses`);
        }
        const page = fs.readFileSync(path.join(projectDir, "docs", "deploying.md"), "utf8");
        const start = page.indexOf("\n## Packages\n");
        assert.ok(start >= 0, "docs/deploying.md has a ## Packages section");
        const next = page.indexOf("\n## ", start + 1);
        const section = page.slice(start, next < 0 ? undefined : next);
        // The table's first column: one or more package names in backticks.
        const rows = section.split("\n").filter((line) => line.startsWith("| `"));
        const listed = rows.flatMap((row) => [...row.split("|")[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
        assert.deepEqual(listed.sort(), names);
    });
});
