import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { settingNames } from "../stacks/config/schema";
import { brokenLinks } from "./support/markdownLinks";
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

    test("pulumi up transpiles only: the tsconfig Pulumi reads, in the directory of main, sets noCheck", () => {
        // Pulumi's run.js works in the directory of `main` and reads that directory's tsconfig.json through this
        // function (its own compilerOptions, not an `extends`); a noCheck only in the project's tsconfig was never
        // seen there, so every preview type-checked (found by the real-engine bench).
        const { loadTypeScriptCompilerOptions } = require("@pulumi/pulumi/tsutils") as { loadTypeScriptCompilerOptions(file: string): Record<string, unknown> };
        const main = (parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as { main: string }).main;
        const seen = loadTypeScriptCompilerOptions(path.join(projectDir, path.dirname(main), "tsconfig.json"));
        assert.equal(seen.noCheck, true, `${path.dirname(main)}/tsconfig.json compilerOptions.noCheck`);
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
    test("README.md stays a front page: short, with both set-up commands; the detail is in docs/", () => {
        const readme = fs.readFileSync(path.join(projectDir, "README.md"), "utf8");
        const lines = readme.split("\n");
        assert.ok(lines.length < 300, `README.md has ${lines.length} lines: move detail into a docs/ page`);
        for (const command of ["npm ci && npm run plan -- dev", "npm test"]) {
            assert.ok(lines.some((line) => line === command || line.startsWith(`${command} `)), `README.md shows \`${command}\` as a line of its own`);
        }
    });

    test("every relative link and image in README.md and docs/*.md resolves, #anchors included", () => {
        const docs = path.join(projectDir, "docs");
        const pages = [path.join(projectDir, "README.md"), ...fs.readdirSync(docs).filter((f) => f.endsWith(".md")).map((f) => path.join(docs, f))];
        assert.deepEqual(brokenLinks(projectDir, pages), []);
    });

    test("the link check reports a missing file, a missing directory and a missing anchor (so the one above can fail)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "links-"));
        fs.mkdirSync(path.join(dir, "docs"));
        fs.writeFileSync(path.join(dir, "docs", "page.md"), "# A page\n\n## Setting `x`: what it does\n\n```sh\necho [not](a-link.md)\n```\n");
        fs.writeFileSync(
            path.join(dir, "README.md"),
            [
                "[ok](docs/page.md) [ok too](docs/page.md#setting-x-what-it-does) ![img](docs/) [web](https://example.com/x.md) `[code](gone.md)`",
                "[gone](docs/gone.md) [dir](examples/none/) [anchor](docs/page.md#no-such-heading) [self](#nothing-here)",
            ].join("\n"),
        );
        assert.deepEqual(brokenLinks(dir, [path.join(dir, "README.md"), path.join(dir, "docs", "page.md")]), [
            "README.md:2: docs/gone.md (no such file or directory)",
            "README.md:2: examples/none/ (no such file or directory)",
            "README.md:2: docs/page.md#no-such-heading (no heading with that anchor in docs/page.md)",
            "README.md:2: #nothing-here (no heading with that anchor in README.md)",
        ]);
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
