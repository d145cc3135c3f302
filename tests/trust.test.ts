import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, test } from "node:test";
import { Plan } from "../infra/plan/model";
import { renderJson, renderTree } from "../infra/plan/render";
import { knownProviderOutputs } from "./support/providerOutputs";
import { input, licenceForTests, named, plan, record, settings } from "./support/stacks";

describe("secrets stay secret", () => {
    test("licence and CA keys never appear in plan output, human or JSON, even when every value is known", async () => {
        const { plan: p } = await record(settings({}, 2), {
            preview: false,
            // An update where providers return PEM-shaped values, so nothing hides behind "[unknown]".
            computed: knownProviderOutputs,
        });
        const outputs = [renderJson(p), renderTree(p)];
        for (const text of outputs) {
            assert.ok(!text.includes(licenceForTests), "licence leaked");
            assert.ok(!text.includes("PRIVATE KEY"), "private key leaked");
        }
        // The planting worked: public material does appear, so the absence above means something.
        assert.ok(outputs[0].includes("BEGIN CERTIFICATE-----\\nmesh-root-ca-cert"), "public certificates do print");
        assert.ok(outputs[0].includes("cluster2-eastwest-live.example.net"), "peer links carry the remote address once known");
        // Each Secret lists its keys (tests/secretKeys.test.ts holds which), and every value is masked.
        for (const name of ["cluster1-spire-upstream-ca", "cluster1-mesh-license", "cluster1-mesh-cacerts"]) {
            const values = Object.values(input(named(p, name), "stringData") as Record<string, unknown>);
            assert.ok(values.length > 0 && values.every((v) => v === "[secret]"), `${name}: ${values}`);
        }
        assert.equal(input(named(p, "cluster1-spire-ca-cert"), "caPrivateKeyPem"), "[secret]");
    });

    test("a licence given in plain text is still a secret", async () => {
        const { plan: p } = await record(settings(), { preview: false, computed: knownProviderOutputs });
        assert.deepEqual(input(named(p, "cluster1-mesh-license"), "stringData"), { "license-key": "[secret]" });
    });
});

describe("same config in, same plan out", () => {
    const cli = (stack: string) =>
        spawnSync(process.execPath, ["--import", "tsx", path.resolve(__dirname, "..", "infra", "plan", "cli.ts"), stack, "--json"], { encoding: "utf8" });
    for (const stack of ["dev", "multicluster"]) {
        test(`two separate evaluations of ${stack} print byte-identical JSON`, () => {
            const [a, b] = [cli(stack), cli(stack)];
            assert.equal(a.status, 0, a.stderr);
            assert.ok(a.stdout.length > 1000);
            assert.equal(a.stdout, b.stdout);
        });
    }
    test("reordering a cluster's keys changes nothing", async () => {
        const a = await plan(settings({ "ambient-spire:clusters": [{ name: "c1", context: "x", network: "n1" }] }));
        const b = await plan(settings({ "ambient-spire:clusters": [{ network: "n1", context: "x", name: "c1" }] }));
        assert.equal(renderJson(a), renderJson(b));
    });
});

describe("safe deletes", () => {
    test("root CA key and cert are protected by default, and only when asked otherwise are not", async () => {
        const protectedPlan = await plan(settings());
        const unprotected = await plan(settings({ "ambient-spire:pki": { protectRoot: false } }));
        for (const name of ["mesh-root-ca-key", "mesh-root-ca-cert"]) {
            assert.equal(named(protectedPlan, name).options.protect, true);
            assert.equal(named(unprotected, name).options.protect, false);
        }
        assert.equal(protectedPlan.resources.filter((r) => r.options.protect).length, 2, "nothing else is protected");
    });
    test("SPIRE and Gateway API CRDs are retained on delete; nothing else is", async () => {
        const p = await plan(settings({}, 2));
        const retained = p.resources.filter((r) => r.options.retainOnDelete).map((r) => r.name).sort();
        const crds = (cluster: string) => ["gatewayclasses", "gateways", "grpcroutes", "httproutes", "referencegrants"].map((plural) => `${cluster}-mesh-gateway-api-${plural}`);
        assert.deepEqual(retained, [...crds("cluster1"), "cluster1-spire-crds", ...crds("cluster2"), "cluster2-spire-crds"]);
    });
});

describe("renewal and rotation", () => {
    const triggers = (p: Plan) => Object.fromEntries(p.resources.map((r) => [r.name, JSON.stringify(r.options.replacementTrigger)]));

    test("bumping one cluster's rotation replaces exactly that cluster's intermediates", async () => {
        const before = await plan(settings({}, 3));
        const bumped = settings({}, 3);
        (bumped["ambient-spire:clusters"] as { rotation?: number }[])[1].rotation = 1;
        const after = await plan(bumped);
        const [a, b] = [triggers(before), triggers(after)];
        const changed = Object.keys(a).filter((name) => a[name] !== b[name]).sort();
        assert.deepEqual(changed, [
            "cluster2-istio-ca-cert", "cluster2-istio-ca-csr", "cluster2-istio-ca-key",
            "cluster2-spire-ca-cert", "cluster2-spire-ca-csr", "cluster2-spire-ca-key",
        ]);
        // Everything else, the root and the other clusters included, has the same inputs.
        for (const r of before.resources.filter((x) => !x.name.startsWith("cluster2-"))) {
            assert.deepEqual(named(after, r.name), r, r.name);
        }
        // The secrets that carry cluster2's intermediates take the new certificates.
        for (const secret of ["cluster2-spire-upstream-ca", "cluster2-mesh-cacerts"]) {
            assert.ok(named(after, secret).dependsOn.some((u) => u.endsWith("-ca-cert")), secret);
        }
    });

    test("certificates renew on pulumi up inside the configured early-renewal window", async () => {
        const p = await plan(settings({ "ambient-spire:pki": { earlyRenewalDays: 60 } }, 2));
        for (const name of ["mesh-root-ca-cert", "cluster1-spire-ca-cert", "cluster2-istio-ca-cert"]) {
            assert.equal(input(named(p, name), "earlyRenewalHours"), 60 * 24, name);
        }
    });
});
