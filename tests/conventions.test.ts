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
    config?: Record<string, unknown>;
};


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
