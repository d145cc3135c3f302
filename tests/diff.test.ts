import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { diffPlans, isEmpty, renderDiff } from "../infra/plan/diff";
import { renderJson } from "../infra/plan/render";
import { clusters, licenceForTests, plan, settings } from "./support/stacks";

const names = (resources: readonly { name: string }[]) => resources.map((r) => r.name).sort();

describe("plan diff on real plan pairs", () => {
    test("the same settings give no changes", async () => {
        const diff = diffPlans(await plan(settings({}, 2)), await plan(settings({}, 2)));
        assert.ok(isEmpty(diff));
        assert.match(renderDiff(diff, "t"), /no changes/);
    });

    test("a resource deployed under an alias of its URN (AmbientMesh's module was `mesh`) is the same resource", async () => {
        const now = await plan(settings({}, 2));
        const aliased = now.resources.filter((r) => r.aliases);
        assert.deepEqual([...new Set(aliased.map((r) => r.urn.split("::")[2].split("$")[0]))], ["ambient-spire:istio:AmbientMesh"]);
        // The plan an earlier version of the program printed: the old type in each chain, no aliases.
        const earlier = { ...now, resources: now.resources.map(({ aliases, ...r }) => ({ ...r, urn: aliases?.[0] ?? r.urn })) };
        assert.ok(isEmpty(diffPlans(earlier, now)), "matched through the aliases: nothing changes");
        const withoutAliases = { ...now, resources: now.resources.map(({ aliases: _gone, ...r }) => r) };
        const blind = diffPlans(earlier, withoutAliases);
        assert.deepEqual([blind.added.length, blind.removed.length], [aliased.length, aliased.length], "without them every aliased resource would be deleted and created");
    });

    test("an Istio version bump changes exactly the four Istio releases, in place, at their version paths", async () => {
        const before = await plan(settings({}, 2));
        const after = await plan(settings({ "ambient-spire:istio": { version: "1.27.9", repoKey: "abcdef012345" } }, 2));
        const diff = diffPlans(before, after);
        assert.deepEqual([diff.added.length, diff.removed.length, diff.replaced.length], [0, 0, 0]);
        const expected = ["base", "istiod", "istio-cni", "ztunnel"].flatMap((c) => [`cluster1-mesh-${c === "base" ? "istio-base" : c}`, `cluster2-mesh-${c === "base" ? "istio-base" : c}`]).sort();
        assert.deepEqual(names(diff.changed.map((c) => c.resource)), expected);
        for (const change of diff.changed) {
            const version = change.changes.find((c) => c.path === "version");
            assert.deepEqual([version?.before, version?.after], ["1.27.8-solo", "1.27.9-solo"], change.resource.name);
            for (const c of change.changes) assert.match(JSON.stringify(c.after), /1\.27\.9/, `${change.resource.name} ${c.path}`);
        }
        const text = renderDiff(diff, "multicluster");
        assert.match(text, /0 to add, 8 to change, 0 to replace, 0 to delete/);
        assert.match(text, /`version`: "1\.27\.8-solo" → "1\.27\.9-solo"/);
    });

    test("adding a cluster adds its resources and its four links, and changes nothing that exists", async () => {
        const diff = diffPlans(await plan(settings({}, 2)), await plan(settings({}, 3)));
        assert.deepEqual([diff.removed.length, diff.replaced.length, diff.changed.length], [0, 0, 0]);
        const added = names(diff.added);
        const links = added.filter((n) => /^cluster\d-to-cluster\d$/.test(n));
        assert.deepEqual(links, ["cluster1-to-cluster3", "cluster2-to-cluster3", "cluster3-to-cluster1", "cluster3-to-cluster2"]);
        for (const name of added) assert.match(name, /cluster3/, name);
        // The read of cluster3's live gateway is counted apart, as the engine's summary counts "read".
        const text = renderDiff(diff, "ambient-spire/x");
        assert.match(text, new RegExp(`${diff.added.length - 1} to add \\(\\+1 read\\), 0 to change`));
        assert.match(text, /`Gateway cluster3-eastwest-live` \(cluster3\) — a read of the live object, not managed/);
    });

    test("moving one link removes the old link's resources and adds the new one's, nothing else", async () => {
        const three = clusters(3);
        const before = await plan(settings({ "ambient-spire:clusters": three, "ambient-spire:peering": [{ from: "cluster1", to: "cluster2" }, { from: "cluster2", to: "cluster1" }] }));
        const after = await plan(settings({ "ambient-spire:clusters": three, "ambient-spire:peering": [{ from: "cluster1", to: "cluster2" }, { from: "cluster3", to: "cluster1" }] }));
        const diff = diffPlans(before, after);
        assert.deepEqual(names(diff.removed), ["cluster2-to-cluster1", "cluster2-to-cluster1-gateway"]);
        assert.deepEqual(names(diff.added), ["cluster3-to-cluster1", "cluster3-to-cluster1-gateway"]);
        assert.deepEqual([diff.changed.length, diff.replaced.length], [0, 0]);
    });

    test("a shorter renewal window updates every certificate in place: early renewal is the one TLS input the provider can edit", async () => {
        const diff = diffPlans(await plan(settings({}, 2)), await plan(settings({ "ambient-spire:pki": { earlyRenewalDays: 20 } }, 2)));
        assert.deepEqual([diff.added.length, diff.removed.length, diff.replaced.length], [0, 0, 0]);
        assert.deepEqual(names(diff.changed.map((c) => c.resource)), ["cluster1-istio-ca-cert", "cluster1-spire-ca-cert", "cluster2-istio-ca-cert", "cluster2-spire-ca-cert", "mesh-root-ca-cert"]);
        for (const c of diff.changed) assert.deepEqual(c.changes.map((x) => [x.path, x.before, x.after]), [["earlyRenewalHours", 720, 480]], c.resource.name);
    });

    test("a rotation replaces that cluster's intermediates, says why, and shows no key or licence", async () => {
        const rotated = clusters(2).map((c) => (c.name === "cluster2" ? { ...c, rotation: 1 } : c));
        const diff = diffPlans(await plan(settings({}, 2)), await plan(settings({ "ambient-spire:clusters": rotated })));
        assert.ok(diff.replaced.length > 0);
        for (const c of diff.replaced) {
            assert.match(c.resource.name, /^cluster2-(spire|istio)-ca-/);
            assert.ok(c.replaceBecause.includes("options.replacementTrigger"), c.resource.name);
        }
        // The Secrets carrying the new certificates change in place, as the real preview shows (tests/e2e).
        assert.deepEqual(diff.changed.map((c) => c.resource.name).sort(), ["cluster2-mesh-cacerts", "cluster2-spire-upstream-ca"]);
        const text = renderDiff(diff, "t");
        assert.doesNotMatch(text, /PRIVATE KEY/);
        assert.ok(!text.includes(licenceForTests));
    });
});

describe("npm run plan -- diff", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-diff-"));
    const cli = (...args: string[]) =>
        spawnSync(process.execPath, ["--import", "tsx", path.resolve(__dirname, "..", "infra", "plan", "cli.ts"), "diff", ...args], { encoding: "utf8" });

    test("exit 0 for equal plans, 2 for changed ones, 64 for wrong arguments, 1 for a file that is no plan", async () => {
        const before = path.join(dir, "before.json");
        const after = path.join(dir, "after.json");
        fs.writeFileSync(before, renderJson(await plan(settings())));
        fs.writeFileSync(after, renderJson(await plan(settings({ "ambient-spire:istio": { version: "1.28.1", repoKey: "abcdef012345" } }))));
        assert.equal(cli(before, before).status, 0);
        const changed = cli(before, after);
        assert.equal(changed.status, 2, changed.stderr);
        assert.match(changed.stdout, /1\.27\.8-solo" → "1\.28\.1-solo"/);
        assert.equal(cli(before).status, 64);
        const notPlan = path.join(dir, "not.json");
        fs.writeFileSync(notPlan, "{}");
        const bad = cli(notPlan, after);
        assert.equal(bad.status, 1);
        assert.match(bad.stderr, /not a plan document/);
    });
});
