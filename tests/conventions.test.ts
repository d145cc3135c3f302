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
    runtime: { options: { nodeargs: string } };
    config: Record<string, { type: string; secret?: boolean; description: string }>;
};


describe("Pulumi conventions", () => {
    test("Pulumi.yaml names every setting, and declares the licence a secret string", () => {
        const text = fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8");
        for (const name of settingNames) assert.ok(text.includes(`ambient-spire:${name}`) || name in project.config, `${name} is not documented in Pulumi.yaml`);
        assert.deepEqual([project.config.soloLicenseKey.type, project.config.soloLicenseKey.secret], ["string", true]);
    });

    test("npm run plan runs node with the flags pulumi up uses (runtime.options.nodeargs)", () => {
        const scripts = (JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
        assert.ok(project.runtime.options.nodeargs.length > 0);
        assert.ok(scripts.plan.startsWith(`node ${project.runtime.options.nodeargs} `), scripts.plan);
    });

    test("stack outputs: root certificate and, per cluster, trust domain, network and east-west address; no private key", async () => {
        const { outputs } = await record(settings({}, 2), { preview: false, computed: knownProviderOutputs });
        const values = (await resolved(outputs)) as { rootCaCertPem: string; clusters: Record<string, { trustDomain: string; network: string; eastWestAddress: unknown }> };
        assert.match(values.rootCaCertPem, /BEGIN CERTIFICATE/);
        assert.deepEqual(Object.keys(values.clusters).sort(), ["cluster1", "cluster2"]);
        assert.deepEqual(values.clusters.cluster2, { trustDomain: "cluster2", network: "cluster2", eastWestAddress: { type: "Hostname", value: "cluster2-eastwest-gateway.example.net" } });
        assert.doesNotMatch(JSON.stringify(values), /PRIVATE KEY/);
    });
});
