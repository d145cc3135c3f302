import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { criticalPath } from "../infra/bench/criticalPath";
import { renderChart } from "../infra/bench/chart";
import { ChartPanel, renderSmallMultiples } from "../infra/bench/smallMultiples";
import { floorProgram, skeletonOf } from "../infra/bench/floor";
import { CaseSummary, checkTargets, childFailure, median, summarise } from "../infra/bench/summary";
import { renderBeforeAfter, renderTable } from "../infra/bench/table";
import { Plan, PlannedResource } from "../infra/plan/model";
import { recordPlan } from "../infra/plan/recorder";
import { plan, settings } from "./support/stacks";

function resource(name: string, type: string, extra: Partial<PlannedResource> = {}): PlannedResource {
    return { urn: name, type, name, cluster: null, provider: null, parent: null, dependsOn: [], inputs: {}, options: { protect: false, retainOnDelete: false, replacementTrigger: null }, ...extra };
}

describe("critical path", () => {
    test("waiting on a component waits on everything beneath it, and a cluster's resources wait on its provider", () => {
        const p: Plan = {
            project: "p",
            stack: "s",
            resources: [
                resource("provider", "pulumi:providers:kubernetes", { name: "c1" }),
                resource("key", "tls:index/privateKey:PrivateKey"),
                resource("component", "ambient-spire:x:Component"),
                resource("first", "kubernetes:core/v1:Secret", { parent: "component", cluster: "c1", provider: "provider", dependsOn: ["key"] }),
                resource("second", "kubernetes:helm.sh/v3:Release", { parent: "component", cluster: "c1", provider: "provider", dependsOn: ["first"] }),
                resource("after", "kubernetes:core/v1:Namespace", { cluster: "c1", provider: "provider", dependsOn: ["component"] }),
            ],
        };
        const result = criticalPath(p);
        assert.equal(result.depth, 4);
        assert.deepEqual(result.chain.slice(1), ["first", "second", "after"]);
        const withoutComponentEdge: Plan = { ...p, resources: p.resources.map((r) => (r.name === "after" ? { ...r, dependsOn: [] } : r)) };
        assert.equal(criticalPath(withoutComponentEdge).depth, 3);
    });

    test("a cycle is an error, not an endless loop", () => {
        const p: Plan = { project: "p", stack: "s", resources: [resource("a", "t:a", { dependsOn: ["b"] }), resource("b", "t:b", { dependsOn: ["a"] })] };
        assert.throws(() => criticalPath(p), /cycle/);
    });

    test("on the real program, depth does not grow with clusters once there are links", async () => {
        const depths: number[] = [];
        // One recording at a time: the Pulumi runtime is process-global.
        for (const n of [1, 2, 3]) depths.push(criticalPath(await plan(settings({}, n))).depth);
        assert.equal(depths[1], depths[2]);
        assert.ok(depths[0] < depths[1], `one cluster needs no links or east-west gateway: ${depths}`);
    });
});

const summary = (clusters: number, msPerResource: number, depth: number, peakMiB: number, peering: CaseSummary["peering"] = "full-mesh"): CaseSummary => ({
    clusters,
    peering,
    resources: 100,
    peerLinks: clusters * (clusters - 1),
    medianMs: msPerResource * 100,
    minMs: msPerResource * 90,
    maxMs: msPerResource * 110,
    msPerResource,
    peakRssBytes: peakMiB * 1024 ** 2,
    depth,
    floor: null,
    baseline: null,
});

/** The case with a floor case whose median is the program's over `ratio`. */
const withFloor = (c: CaseSummary, ratio: number): CaseSummary => ({
    ...c,
    floor: { medianMs: c.medianMs / ratio, minMs: c.minMs / ratio, maxMs: c.maxMs / ratio, msPerResource: c.msPerResource / ratio, ratio },
});

describe("bench targets", () => {
    test("median of odd and even counts", () => {
        assert.equal(median([3, 1, 2]), 2);
        assert.equal(median([4, 1, 3, 2]), 2.5);
    });
    test("each target can fail on its own", () => {
        const good = [summary(1, 3, 7, 200), summary(2, 3, 8, 200), summary(16, 3, 8, 300), withFloor(summary(64, 3.7, 8, 900), 2.0)];
        assert.deepEqual(checkTargets(good).map((c) => c.met), [true, true, true, true]);
        assert.deepEqual(checkTargets([...good.slice(0, 3), withFloor(summary(64, 3.8, 8, 900), 2.0)]).map((c) => c.met), [false, true, true, true]);
        assert.deepEqual(checkTargets([...good.slice(0, 3), withFloor(summary(64, 3, 9, 900), 2.0)]).map((c) => c.met), [true, false, true, true]);
        assert.deepEqual(checkTargets([...good.slice(0, 3), withFloor(summary(64, 3, 8, 1024), 2.0)]).map((c) => c.met), [true, true, false, true]);
        assert.deepEqual(checkTargets([...good.slice(0, 3), withFloor(summary(64, 3, 8, 900), 2.01)]).map((c) => c.met), [true, true, true, false]);
    });
    test("a case not run fails its target, and the peering:none case does not count for depth", () => {
        assert.deepEqual(checkTargets([summary(2, 3, 8, 200)]).map((c) => c.met), [false, false, false, false]);
        // N = 64 run without its floor case: the ratio is unknown, so that target fails.
        assert.equal(checkTargets([summary(16, 3, 8, 300), summary(64, 3, 8, 900)])[3].met, false);
        const withNone = [summary(2, 3, 8, 200), summary(16, 3, 8, 300), summary(64, 3, 8, 900), summary(64, 3, 7, 500, "none")];
        assert.equal(checkTargets(withNone)[1].met, true);
    });
    test("the chart has one point per full-mesh case in each of its four panels", () => {
        const svg = renderChart([summary(1, 3, 7, 200), summary(4, 3, 8, 250), summary(4, 3, 7, 240, "none")], "machine <x>");
        assert.equal((svg.match(/<circle /g) ?? []).length, 2 * 4);
        assert.match(svg, /machine &lt;x&gt;/);
        assert.ok(!svg.includes("program / floor"), "no floor run, no ratio panel");
    });

    test("the chart's ratio panel: program/floor where a floor ran, the baseline's own where its case finished, the target", () => {
        const baselineOk = { label: "abc1234 x", resources: 90, medianMs: 400, msPerResource: 4, peakRssBytes: 1, floor: { medianMs: 100, minMs: 100, maxMs: 100, msPerResource: 1, ratio: 4 } };
        const cases = [
            summary(8, 3, 9, 300),
            { ...withFloor(summary(16, 3, 9, 350), 1.5), baseline: baselineOk },
            { ...withFloor(summary(64, 3, 9, 800), 1.8), baseline: { label: "abc1234 x", failure: "heap" } },
        ];
        const svg = renderChart(cases, "m");
        assert.ok(svg.includes(">program / floor (×)</text>") && svg.includes(">N=64 target 2.0</text>"));
        assert.match(svg, /<title>program, N=64: 1\.8<\/title>/);
        assert.match(svg, /<title>before abc1234, N=16: 4\.0<\/title>/);
        assert.ok(!/<title>before abc1234, N=64/.test(svg), "the failed baseline case has no point");
        // The ratio panel is the last one: its title starts its part of the SVG.
        const ratioPanel = svg.slice(svg.indexOf(">program / floor (×)</text>"));
        assert.ok(ratioPanel.includes("<title>program, N=16: 1.5</title>") && !ratioPanel.includes("<title>program, N=8:"), "N=8 had no floor: no ratio point");
    });
});

describe("small multiples", () => {
    const panel = (target?: { value: number; label: string }): ChartPanel => ({
        title: "t",
        format: (v) => v.toFixed(0),
        series: [
            { label: "a", color: "#111111", points: [{ clusters: 4, value: 100 }, { clusters: 1, value: 50, range: [40, 60] }] },
            { label: "b", color: "#222222", dashed: true, points: [{ clusters: 1, value: 10 }, { clusters: 4, value: 20 }] },
        ],
        ...(target ? { target } : {}),
    });

    test("a series is drawn in N order, on a log₂ axis, with its error bars; the y axis fits the highest value or target", () => {
        const svg = renderSmallMultiples([panel()], "c");
        // x: N=1 at the left edge of the plot (48), N=4 at its right (300 − 12); y: 0 at 184, the top (115) at 28.
        assert.match(svg, /<polyline points="48\.0,[\d.]+ 288\.0,[\d.]+" fill="none" stroke="#111111"/);
        assert.match(svg, /stroke="#222222" stroke-width="2" stroke-dasharray="5 3"/);
        assert.equal((svg.match(/<circle /g) ?? []).length, 4);
        assert.equal((svg.match(/<line x1="48" /g) ?? []).length, 3, "two axes and the one error bar, at N=1");
        const withTarget = renderSmallMultiples([panel({ value: 200, label: "limit" })], "c");
        assert.match(withTarget, />limit<\/text>/);
        assert.match(withTarget, />200<\/text>/, "the axis reaches the target above every value");
        assert.ok(!svg.includes(">200</text>"));
    });

    test("a panel with several series has a legend; no panels or no points is an error", () => {
        const svg = renderSmallMultiples([panel()], "c");
        assert.ok(svg.includes(">a</text>") && svg.includes(">b</text>"));
        assert.throws(() => renderSmallMultiples([], "c"), /at least one panel/);
        assert.throws(() => renderSmallMultiples([{ title: "empty", format: String, series: [] }], "c"), /"empty" has no points/);
    });
});

describe("the floor case", () => {
    test("registers the program's resources and components, by type and name, nested identically, with none of its logic", async () => {
        const program = await plan(settings({}, 3));
        const skeleton = skeletonOf(program);
        const floor = (await recordPlan(floorProgram(skeleton), { project: "ambient-spire", stack: "test", config: {}, secretKeys: [] })).plan;
        assert.deepEqual(skeletonOf(floor), skeleton);
        // The comparison has teeth: the program has both kinds, and most of its resources sit under a component.
        assert.ok(skeleton.some((e) => e.component) && skeleton.some((e) => !e.component));
        assert.ok(skeleton.filter((e) => e.parent !== null).length > skeleton.length / 2);
        // No program logic: no dependencies, no providers, the same static inputs everywhere.
        assert.ok(floor.resources.every((r) => r.dependsOn.length === 0 && (r.cluster === null || r.type === "pulumi:providers:kubernetes")));
        assert.deepEqual([...new Set(floor.resources.filter((r) => !r.type.startsWith("ambient-spire:")).map((r) => JSON.stringify(r.inputs)))], ['{"floor":"static"}']);
    });

    test("a plan whose child comes before its parent has no skeleton", () => {
        const p: Plan = { project: "p", stack: "s", resources: [resource("child", "t:a", { parent: "parent" }), resource("parent", "ambient-spire:x:C")] };
        assert.throws(() => skeletonOf(p), /not registered before it/);
    });

    test("the ratio is the program's median over the floor's, shown beside the cases that have a floor", () => {
        const result = { clusters: 16, peering: "full-mesh" as const, resources: 200, peerLinks: 240, runsMs: [900, 1000, 1200], peakRssBytes: 1, depth: 8, chain: [] };
        const withFloor = summarise(result, { resources: 200, components: 50, runsMs: [400, 250, 300], peakRssBytes: 1 });
        assert.deepEqual(withFloor.floor, { medianMs: 300, minMs: 250, maxMs: 400, msPerResource: 1.5, ratio: 1000 / 300 });
        assert.throws(() => summarise(result, { resources: 199, components: 50, runsMs: [300], peakRssBytes: 1 }), /floor of N=16/);
        const table = renderTable([summarise({ ...result, clusters: 8 }), withFloor], []);
        const [header, without, withRatio] = table.split("\n");
        assert.match(header, /floor ms\/resource\s+program\/floor$/);
        assert.match(without, /—\s+—$/);
        assert.match(withRatio, /1\.50\s+3\.33×$/);
    });

    test("--baseline: that commit's case and its own floor beside the current one, as after/before and both ratios", () => {
        const result = { clusters: 16, peering: "full-mesh" as const, resources: 200, peerLinks: 240, runsMs: [900, 1000, 1200], peakRssBytes: 300 * 1024 ** 2, depth: 8, chain: [] };
        const floor = { resources: 200, components: 50, runsMs: [500], peakRssBytes: 1 };
        const before = { ...result, resources: 180, runsMs: [4000, 3900, 4100], peakRssBytes: 500 * 1024 ** 2 };
        const paired = summarise(result, floor, { label: "abc1234 before", result: before, floor: { ...floor, resources: 180, runsMs: [1000] } });
        assert.deepEqual(paired.baseline, {
            label: "abc1234 before", resources: 180, medianMs: 4000, msPerResource: 4000 / 180, peakRssBytes: 500 * 1024 ** 2,
            floor: { medianMs: 1000, minMs: 1000, maxMs: 1000, msPerResource: 1000 / 180, ratio: 4 },
        });
        assert.throws(() => summarise(result, floor, { label: "x", result: before, floor }), /floor of N=16: 200 resources, the program 180/, "the baseline's floor is of its own skeleton");
        assert.throws(() => summarise(result, floor, { label: "x", result: { ...before, clusters: 8 }, floor: { ...floor, resources: 180 } }), /baseline of N=16: measured at N=8/);
        const lines = renderBeforeAfter([summarise({ ...result, clusters: 8 }), paired]).split("\n");
        assert.equal(lines[1], "before: abc1234 before; after: this checkout (each program then its floor, in the same run)");
        assert.match(lines[2]!, /^case\s+before resources\s+after resources\s+before s\s+after s\s+after\/before\s+before peak RSS MiB\s+after peak RSS MiB\s+before program\/floor\s+after program\/floor$/);
        assert.match(lines[3]!, /^N=16 full-mesh\s+180\s+200\s+4\.00\s+1\.00\s+0\.25×\s+500\s+300\s+4\.00×\s+2\.00×$/);
        assert.equal(lines.length, 6, "only the case with a baseline has a row");
        assert.equal(renderBeforeAfter([summarise(result, floor)]), "");
    });

    test("a baseline case that failed is a row saying so and its reason, not a lost run", () => {
        const result = { clusters: 64, peering: "full-mesh" as const, resources: 200, peerLinks: 4032, runsMs: [1000], peakRssBytes: 300 * 1024 ** 2, depth: 9, chain: [] };
        const floor = { resources: 200, components: 50, runsMs: [500], peakRssBytes: 1 };
        const output = "baseline case N=64 full-mesh failed (exit null): \n<--- Last few GCs --->\n\nFATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed - JavaScript heap out of memory\n----- Native stack trace -----\n 1: 0xb78db3 node::OOMErrorHandler\n";
        const reason = childFailure(output);
        assert.equal(reason, "Ineffective mark-compacts near heap limit Allocation failed - JavaScript heap out of memory");
        assert.equal(childFailure("case failed (exit 1): Error: boom\n    at main (case.ts:3)\n"), "at main (case.ts:3)", "no fatal line: the last line");
        const failed = summarise(result, floor, { label: "abc1234 before", failure: reason });
        assert.deepEqual(failed.baseline, { label: "abc1234 before", failure: reason });
        const lines = renderBeforeAfter([failed]).split("\n");
        assert.match(lines[3]!, /^N=64 full-mesh\s+—\s+200\s+failed\s+1\.00\s+—\s+—\s+300\s+—\s+2\.00×$/);
        assert.equal(lines[4], `N=64 full-mesh: the baseline's case failed: ${reason}`);
    });
});
