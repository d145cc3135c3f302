import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { Plan } from "../infra/plan/model";
import { ConfigError, Mesh, MeshArgs } from "../stacks";
import { runCounting } from "./support/counting";
import { GuideCas, guideCas, GuidePki, providedPki } from "./support/guidePki";
import { meshRecording, unprefixed } from "./support/meshPlan";
import { clusters, licenceForTests, plan, settings } from "./support/stacks";

/**
 * `Mesh.adopt`: the component takes over the guide's installation exactly as a stack with ambient-spire:adopt does
 * (tests/adopt.test.ts): the same objects imported by the same ids, kept on destroy by the same rule.
 */
const pki = new GuidePki(fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-mesh-adopt-")));
let cas: GuideCas;
before(() => {
    cas = guideCas(pki);
});

/** The guide's files as `pki` (provided), one value for the stack file and the Mesh alike. */
const provided = (count: number) => providedPki(pki, cas, count);
const meshArgs = (count: number, adopt: MeshArgs["adopt"]): MeshArgs => ({
    clusters: clusters(count),
    istio: { version: "1.27.8", repoKey: "abcdef012345" },
    licenseKey: pulumi.secret(licenceForTests),
    pki: provided(count),
    ...(adopt ? { adopt } : {}),
});
const stackPlan = (count: number, adopt: unknown) => plan(settings({ "ambient-spire:pki": provided(count), "ambient-spire:adopt": adopt }, count));

/** Per Kubernetes object (by the stack program's name): the id it is imported by, if any, and whether it is kept on destroy. */
function adoption(p: Plan, prefix = ""): Record<string, { import?: string; kept: boolean }> {
    return Object.fromEntries(
        p.resources
            .filter((r) => r.type.startsWith("kubernetes:") && !r.read)
            .map((r) => [unprefixed(r.name, prefix), { ...(r.import ? { import: r.import.id } : {}), kept: r.options.retainOnDelete }]),
    );
}
const imported = (a: ReturnType<typeof adoption>) => Object.entries(a).filter(([, v]) => v.import !== undefined);

describe("Mesh.adopt", () => {
    for (const count of [1, 2]) {
        test(`${count} cluster(s): the same imports, by the same ids, and the same objects kept as the stack program's`, async () => {
            const program = adoption(await stackPlan(count, true));
            const component = adoption((await meshRecording("prod", meshArgs(count, {}))).plan, "prod-");
            assert.deepEqual(component, program);
            // Not vacuous: the guide's objects are imported (12 a cluster, 4 more each with peers), every object kept.
            assert.equal(imported(component).length, count === 1 ? 12 : 2 * 16);
            assert.equal(component["cluster1-spire-upstream-ca"]?.import, "spire-server/spiffe-upstream-ca");
            assert.equal(component["cluster1-mesh-istiod"]?.import, "istio-system/istiod");
            if (count > 1) assert.equal(component["cluster2-to-cluster1-gateway"]?.import, "istio-eastwest/istio-remote-peer-cluster1");
            assert.ok(Object.values(component).every((v) => v.kept), "keepOnDestroy defaults to true");
        });
    }

    test("keepOnDestroy false: still imported, and kept only what any stack keeps, as the stack program's", async () => {
        const program = adoption(await stackPlan(1, { keepOnDestroy: false }));
        const component = adoption((await meshRecording("prod", meshArgs(1, { keepOnDestroy: false }))).plan, "prod-");
        assert.deepEqual(component, program);
        assert.equal(imported(component).length, 12);
        const kept = Object.entries(component).filter(([, v]) => v.kept).map(([name]) => name).sort();
        assert.ok(kept.includes("cluster1-spire-crds") && !kept.includes("cluster1-spire-upstream-ca"), kept.join(", "));
    });

    test("the Mesh's Kubernetes provider forces server-side apply conflicts, as the adopting stack's does", async () => {
        const providers = (await meshRecording("prod", meshArgs(1, {}))).plan.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
        assert.deepEqual(providers.map((p) => (p.inputs as Record<string, unknown>).enablePatchForce), ["true"]);
        const plain = (await meshRecording("prod", meshArgs(1, undefined))).plan;
        assert.deepEqual(adoption(plain, "prod-")["cluster1-spire-upstream-ca"], { kept: false }, "without adopt nothing is imported");
    });

    test("without provided CAs: one line naming Mesh.adopt, before anything is registered", async () => {
        const { pki: _provided, ...generated } = meshArgs(1, {});
        const { error, registered } = await runCounting(() => new Mesh("m", generated));
        assert.ok(error instanceof ConfigError, String(error));
        assert.match(
            error.message,
            /^Mesh\.adopt: is set but pki\.ca is "generated", which would replace the guide's CA in spiffe-upstream-ca on the first up\. Fix: set pki\.ca to provided and give the guide's files .*, or remove Mesh\.adopt$/,
        );
        assert.doesNotMatch(error.message, /ambient-spire:|\n/);
        assert.equal(registered, 0);
    });
});
