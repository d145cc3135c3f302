import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { recordPlan } from "../infra/plan/recorder";
import { ConfigError, Mesh, MeshArgs } from "../stacks";
import { runCounting } from "./support/counting";
import { byIdentity, meshRecording } from "./support/meshPlan";
import { licenceForTests, plan, settings } from "./support/stacks";

const devArgs: MeshArgs = {
    clusters: [{ name: "cluster1", context: "kind-cluster1" }],
    istio: { version: "1.27.8", repoKey: "abcdef012345" },
    licenseKey: pulumi.secret(licenceForTests),
};

describe("Mesh component", () => {
    it("registers what the stack program registers for the same mesh, under the Mesh and prefixed by its name", async () => {
        for (const count of [1, 2]) {
            const program = await plan(settings({}, count));
            const args: MeshArgs = { ...devArgs, clusters: Array.from({ length: count }, (_, i) => ({ name: `cluster${i + 1}`, context: `kind-cluster${i + 1}` })) };
            const component = await meshRecording("prod", args);
            assert.deepEqual(byIdentity(component.plan, "prod-"), byIdentity(program, ""), `${count} cluster(s)`);
            const mesh = component.plan.resources.find((r) => r.type === "ambient-spire:index:Mesh");
            assert.ok(mesh, "the Mesh itself is registered");
            const topLevel = component.plan.resources.filter((r) => r.parent === null);
            assert.deepEqual(topLevel.map((r) => r.type), ["ambient-spire:index:Mesh"], "everything else hangs under the Mesh");
        }
    });

    it("lets two meshes live in one stack", async () => {
        const recorded = await recordPlan(
            () => {
                new Mesh("blue", devArgs);
                new Mesh("green", devArgs);
            },
            { project: "consumer", stack: "test", config: {}, secretKeys: [] },
        );
        const names = recorded.plan.resources.map((r) => `${r.type}::${r.name}`);
        assert.equal(new Set(names).size, names.length);
    });

    it("gives a cluster its kubeconfig as a secret, and the outputs of the stack program", async () => {
        const kubeconfig = "apiVersion: v1\nkind: Config\n# KUBECONFIG-DO-NOT-LEAK\n";
        const recorded = await meshRecording("m", { ...devArgs, clusters: [{ name: "cluster1", kubeconfig: pulumi.secret(kubeconfig) }] });
        const providers = recorded.plan.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
        assert.equal(providers.length, 1, "one provider per cluster");
        for (const p of providers) assert.equal((p.inputs as Record<string, unknown>).kubeconfig, "[secret]");
        assert.doesNotMatch(JSON.stringify(recorded.plan), /KUBECONFIG-DO-NOT-LEAK|LICENCE-9f2c/);
    });

    it("refuses bad arguments with one line naming the Mesh argument, before anything is registered", async () => {
        const cases: { args: MeshArgs; message: RegExp }[] = [
            {
                args: { ...devArgs, clusters: [{ name: "cluster1", context: "a" }, { name: "cluster2", context: "b", network: "cluster1" }] },
                message: /^Mesh\.clusters\[1\]\.network: "cluster1" is already used by clusters\[0\]: networks must be unique.*Fix: /,
            },
            { args: { ...devArgs, clusters: [{ name: "Cluster1" }] }, message: /^Mesh\.clusters\[0\]\.name: "Cluster1" is not a DNS-1123 label\. Fix: / },
            { args: { ...devArgs, licenseKey: "" }, message: /^Mesh\.licenseKey: is not set\. Fix: pass your Solo licence key/ },
            { args: { ...devArgs, istio: { version: "1.27.8-solo", repoKey: "abcdef012345" } }, message: /^Mesh\.istio\.version: "1\.27\.8-solo" is not an Istio patch version/ },
            {
                args: { ...devArgs, clusters: [{ name: "a", context: "a" }, { name: "b", context: "b" }], links: [{ from: "a", to: "c" }] },
                message: /^Mesh\.links\[0\]\.to: "c" is not a cluster in Mesh\.clusters\. Fix: (did you mean a\? )?use one of a, b$/,
            },
            { args: { ...devArgs, peering: "none", links: [] }, message: /^Mesh\.peering: "none" is set together with links\. Fix: / },
        ];
        for (const { args, message } of cases) {
            const { error, registered } = await runCounting(() => new Mesh("m", args));
            assert.ok(error instanceof ConfigError, String(error));
            assert.match(error.message, message);
            assert.doesNotMatch(error.message, /\n/);
            assert.equal(registered, 0, `nothing registered for ${message}`);
        }
    });
});
