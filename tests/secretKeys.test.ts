import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, test } from "node:test";
import { diffPlans, renderDiff } from "../infra/plan/diff";
import { JsonValue, Plan } from "../infra/plan/model";
import { renderJson, renderTree } from "../infra/plan/render";
import { knownProviderOutputs } from "./support/providerOutputs";
import { input, licenceForTests, named, record, settings } from "./support/stacks";

/** The keys each Secret must carry: the names SPIRE's disk plugin and istiod's plug-in CA read. */
const expectedKeys: Record<string, readonly string[]> = {
    "spire-upstream-ca": ["bundle.crt", "tls.crt", "tls.key"],
    "mesh-cacerts": ["ca-cert.pem", "ca-key.pem", "cert-chain.pem", "root-cert.pem"],
    "mesh-license": ["license-key"],
};

const cli = (...args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", path.resolve(__dirname, "..", "infra", "plan", "cli.ts"), ...args], { encoding: "utf8" });

describe("a Secret's plan shows each of its keys", () => {
    test("plan --json and the tree of the multicluster stack list every key, each as [unknown] or [secret]", () => {
        const json = cli("multicluster", "--json");
        const tree = cli("multicluster");
        assert.equal(json.status, 0, json.stderr);
        assert.equal(tree.status, 0, tree.stderr);
        const p = JSON.parse(json.stdout) as Plan;
        for (const cluster of ["cluster1", "cluster2"]) {
            for (const [suffix, keys] of Object.entries(expectedKeys)) {
                const name = `${cluster}-${suffix}`;
                const data = input(named(p, name), "stringData") as Record<string, JsonValue>;
                assert.deepEqual(Object.keys(data), keys, name);
                // PEMs come from the tls provider, so unknown in a preview; the licence is known and secret.
                const marker = suffix === "mesh-license" ? "[secret]" : "[unknown]";
                assert.deepEqual(Object.values(data), keys.map(() => marker), name);
                const line = tree.stdout.split("\n").find((l) => l.trim().startsWith(`Secret ${name} `));
                assert.ok(line, `no tree line for ${name}`);
                for (const key of keys) assert.ok(line.includes(`"${key}":"${marker}"`), `${name}: ${key} missing from ${line}`);
            }
        }
    });

    test("once values are known, every key is still listed and every value is [secret]", async () => {
        const { plan: p } = await record(settings({}, 2), { preview: false, computed: knownProviderOutputs });
        for (const [suffix, keys] of Object.entries(expectedKeys)) {
            const data = input(named(p, `cluster1-${suffix}`), "stringData");
            assert.deepEqual(data, Object.fromEntries(keys.map((k) => [k, "[secret]"])), suffix);
        }
    });

    test("a map that is partly known in a preview shows the known values as [secret], never their text", async () => {
        // Keys known, certificates not: the map reaches the engine as one unknown holding a known private key.
        const { plan: p } = await record(settings({}, 2), { computed: (r) => (r.type.endsWith(":PrivateKey") ? knownProviderOutputs(r) : {}) });
        assert.deepEqual(input(named(p, "cluster1-spire-upstream-ca"), "stringData"), { "bundle.crt": "[unknown]", "tls.crt": "[unknown]", "tls.key": "[secret]" });
        assert.deepEqual(input(named(p, "cluster1-mesh-cacerts"), "stringData"), {
            "ca-cert.pem": "[unknown]",
            "ca-key.pem": "[secret]",
            "cert-chain.pem": "[unknown]",
            "root-cert.pem": "[unknown]",
        });
        for (const text of [renderJson(p), renderTree(p)]) {
            assert.doesNotMatch(text, /PRIVATE KEY/);
            assert.ok(!text.includes(licenceForTests));
        }
    });
});

describe("plan diff reports a Secret's keys one by one", () => {
    test("a renamed key is one path removed and one added; a dropped key is one path removed", async () => {
        const { plan: before } = await record(settings({}, 2));
        named(before, "cluster1-mesh-cacerts");
        const edit = (from: string, to: string | undefined): Plan => ({
            ...before,
            resources: before.resources.map((r) => {
                if (r.name !== "cluster1-mesh-cacerts") return r;
                const data = { ...(input(r, "stringData") as Record<string, JsonValue>) };
                const value = data[from];
                delete data[from];
                if (to !== undefined) data[to] = value;
                return { ...r, inputs: { ...(r.inputs as Record<string, JsonValue>), stringData: data } };
            }),
        });
        const renamed = diffPlans(before, edit("ca-cert.pem", "ca.crt"));
        assert.deepEqual([renamed.added.length, renamed.removed.length, renamed.replaced.length], [0, 0, 0]);
        assert.deepEqual(
            renamed.changed.flatMap((c) => c.changes.map((x) => [c.resource.name, x.path, x.before, x.after])),
            [
                ["cluster1-mesh-cacerts", 'stringData["ca-cert.pem"]', "[unknown]", undefined],
                ["cluster1-mesh-cacerts", 'stringData["ca.crt"]', undefined, "[unknown]"],
            ],
        );
        const text = renderDiff(renamed, "t");
        assert.match(text, /`stringData\["ca-cert\.pem"\]`: \[unknown\] \(known at deploy\) → \(absent\)/);
        assert.match(text, /`stringData\["ca\.crt"\]`: \(absent\) → \[unknown\] \(known at deploy\)/);

        const dropped = diffPlans(before, edit("root-cert.pem", undefined));
        assert.deepEqual(dropped.changed.flatMap((c) => c.changes.map((x) => x.path)), ['stringData["root-cert.pem"]']);
    });
});
