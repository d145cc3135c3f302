import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { parseRunnerArgs, suiteNodeArgs } from "./e2e/support/realBenchArgs";
import { renderRealChart } from "./e2e/support/realBenchChart";
import { TreeSampler } from "./e2e/support/realBenchPreview";
import { byProgram, descendants, parsePss, parseStat, parseVmRss, PeakRss, processTable, ProcReader, programName, sampleTree } from "./e2e/support/realBenchProcs";
import { BaselineError, dependencyDifferences, resolveBaseline } from "../infra/bench/baseline";
import { writeBaselineProject } from "./e2e/support/realBenchBaseline";
import { BaselineSeries, planMismatch, RealCaseResult, ratioBetween, renderBeforeAfter, renderEntryTable, renderPeakBreakdown, renderRealTable, summariseRealCase } from "./e2e/support/realBenchReport";
import { projectDir } from "./e2e/support/tools";
import { bytesPerCluster, checkTargets, missedTargets, renderRssBound, renderTargets, rssWithProgramAtFloor, TargetCheck } from "./e2e/support/realBenchTargets";

/** The real-engine bench's pure parts: the runner's arguments, /proc parsing and summing, the table and ratio. */

describe("npm run e2e arguments", () => {
    test("no argument is the suite; --bench alone is N = 1, 2, 4, 8, 16 with 3 runs", () => {
        assert.deepEqual(parseRunnerArgs([]), { mode: "suite" });
        assert.deepEqual(parseRunnerArgs(["--bench"]), { mode: "bench", json: false, runs: 3, clusters: [1, 2, 4, 8, 16], chart: undefined, baseline: undefined });
        assert.deepEqual(parseRunnerArgs(["--bench", "--clusters", "8,2", "--json", "--runs", "1"]), { mode: "bench", json: true, runs: 1, clusters: [2, 8], chart: undefined, baseline: undefined });
        assert.deepEqual(parseRunnerArgs(["--bench", "--chart", "/tmp/r.svg"]), { mode: "bench", json: false, runs: 3, clusters: [1, 2, 4, 8, 16], chart: "/tmp/r.svg", baseline: undefined });
    });

    test("--baseline <rev> names the commit previewed beside the current program", () => {
        assert.deepEqual(parseRunnerArgs(["--bench", "--baseline", "adaaca7^", "--clusters", "8"]), { mode: "bench", json: false, runs: 3, clusters: [8], chart: undefined, baseline: "adaaca7^" });
    });

    test("--charts <dir> is the real-chart scenarios on that directory", () => {
        assert.deepEqual(parseRunnerArgs(["--charts", "/srv/charts"]), { mode: "charts", dir: "/srv/charts" });
        assert.deepEqual(suiteNodeArgs(["twoClusters.e2e.ts", "singleCluster.e2e.ts"], "tests/e2e/charts").slice(-2), ["tests/e2e/charts/singleCluster.e2e.ts", "tests/e2e/charts/twoClusters.e2e.ts"]);
    });

    test("anything else is refused, never run as the suite", () => {
        for (const argv of [["--charts"], ["--charts", ""], ["--charts", "--bench"], ["--charts", "a", "b"], ["--json"], ["bench"], ["--bench", "--bogus"], ["--bench", "--runs"], ["--bench", "--runs", "0"], ["--bench", "--runs", "1.5"],
            ["--bench", "--clusters", "1,1"], ["--bench", "--clusters", "2,x"], ["--bench", "--clusters", ""], ["--bench", "--json", "--json"], ["--bench", "--bench"], ["--bench", "--chart", "r.png"], ["--bench", "--chart"], ["--bench", "--chart", "a.svg", "--chart", "b.svg"],
            ["--bench", "--baseline"], ["--bench", "--baseline", ""], ["--bench", "--baseline", "--json"], ["--bench", "--baseline", "a", "--baseline", "b"]]) {
            assert.equal(parseRunnerArgs(argv), undefined, argv.join(" "));
        }
    });

    test("the suite runs with the flags and files the e2e script had, the bench's files left out", () => {
        const entries = ["run.ts", "multicluster.e2e.ts", "support", "realBench.ts", "dev.e2e.ts", "configErrors.e2e.ts"];
        assert.deepEqual(suiteNodeArgs(entries), [
            "--import", "tsx", "--test", "--test-concurrency=1", "--test-reporter=spec",
            "tests/e2e/configErrors.e2e.ts", "tests/e2e/dev.e2e.ts", "tests/e2e/multicluster.e2e.ts",
        ]);
    });
});

/** A made-up /proc: pid → [ppid, comm, VmRSS kB or undefined (a kernel thread), argv]. */
function fakeProc(processes: Record<number, [number, string, number | undefined, string[]]>, reads: string[] = []): ProcReader {
    return {
        pids: () => Object.keys(processes).map(Number),
        read(pid, file) {
            reads.push(`${pid}/${file}`);
            const entry = processes[pid];
            if (!entry) return undefined;
            const [ppid, comm, rssKiB, argv] = entry;
            if (file === "stat") return `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 1 0 0 0 5 3 0 0 20 0 9 0 ${1000 + pid} 1 2\n`;
            if (file === "cmdline") return argv.map((arg) => `${arg}\0`).join("");
            // Pss half of Rss: as if every process shared half its pages with one other.
            if (file === "smaps_rollup") return rssKiB === undefined ? "" : `00400000-7ffe0000 ---p 00000000 00:00 0 [rollup]\nRss:\t  ${rssKiB} kB\nPss:\t  ${rssKiB / 2} kB\nPss_Anon:\t  1 kB\n`;
            return `Name:\t${comm}\nPPid:\t${ppid}\n${rssKiB === undefined ? "" : `VmRSS:\t  ${rssKiB} kB\n`}Threads:\t1\n`;
        },
    };
}

const preview = {
    1: [0, "systemd", 10_000, ["/sbin/init"]],
    50: [1, "node", 80_000, ["node", "run.ts"]],
    100: [50, "pulumi", 100_000, ["/x/bin/pulumi", "preview"]],
    101: [100, "pulumi-language", 20_000, ["/x/bin/pulumi-language-nodejs"]],
    102: [101, "node", 400_000, ["/usr/bin/node", "run.js"]],
    103: [100, "pulumi-resource", 200_000, ["/p/pulumi-resource-kubernetes"]],
    104: [100, "pulumi-resource", 30_000, ["/p/pulumi-resource-tls"]],
    105: [100, "kworker) (x", undefined, []],
    200: [1, "kube-apiserver", 300_000, ["kube-apiserver"]],
} satisfies Record<number, [number, string, number | undefined, string[]]>;

describe("/proc: memory of a process tree", () => {
    test("stat: parent and start time counted after the last ')', whatever the name holds", () => {
        assert.deepEqual(parseStat("42 (a) (b) c) R 7 42 42 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 12345 0 0"), { pid: 42, ppid: 7, name: "a) (b) c", startTicks: 12345 });
        assert.equal(parseStat("garbage"), undefined);
    });

    test("status: VmRSS in bytes, none for a kernel thread", () => {
        assert.equal(parseVmRss("Name:\tx\nVmPeak:\t 9 kB\nVmRSS:\t    1536 kB\nRssAnon:\t 1 kB\n"), 1536 * 1024);
        assert.equal(parseVmRss("Name:\tkworker\nThreads:\t1\n"), undefined);
    });

    test("smaps_rollup: Pss in bytes, not Pss_Anon or Pss_File; none when the kernel gives none", () => {
        assert.equal(parsePss("00400000-7ffe0000 ---p 00000000 00:00 0 [rollup]\nRss:\t 116596 kB\nPss:\t  42691 kB\nPss_Anon:\t 15808 kB\nPss_File:\t 26883 kB\n"), 42691 * 1024);
        assert.equal(parsePss(""), undefined);
    });

    test("with pss, each process's Pss is summed beside its RSS; without, smaps_rollup is not read and Pss counts as RSS", () => {
        const reads: string[] = [];
        const reader = fakeProc(preview, reads);
        const table = processTable(reader);
        const withPss = sampleTree(reader, table, 100, { pss: true });
        assert.equal(withPss.totalPssBytes, ((100_000 + 20_000 + 400_000 + 200_000 + 30_000) / 2) * 1024);
        assert.equal(withPss.totalBytes, 2 * withPss.totalPssBytes);
        reads.length = 0;
        const without = sampleTree(reader, table, 100);
        assert.equal(without.totalPssBytes, without.totalBytes);
        assert.ok(!reads.some((r) => r.endsWith("smaps_rollup")), reads.join(" "));
    });

    test("the preview's tree is the CLI and all below it; its sum leaves out its parent and other processes", () => {
        const reader = fakeProc(preview);
        const table = processTable(reader);
        assert.deepEqual(descendants(table, 100).sort(), [100, 101, 102, 103, 104, 105]);
        assert.deepEqual(descendants(table, 999), []);
        const sample = sampleTree(reader, table, 100);
        assert.equal(sample.totalBytes, (100_000 + 20_000 + 400_000 + 200_000 + 30_000) * 1024);
        assert.deepEqual(sample.processes.map((p) => p.name).sort(), ["node", "pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes", "pulumi-resource-tls"]);
        assert.equal(programName("", "comm-name"), "comm-name");
    });

    test("a process gone between listing and reading counts nothing", () => {
        const reader = fakeProc(preview);
        const table = processTable(reader);
        const { 103: _gone, ...rest } = preview;
        const sample = sampleTree(fakeProc(rest), table, 100);
        assert.equal(sample.totalBytes, (100_000 + 20_000 + 400_000 + 30_000) * 1024);
    });

    test("a later table reads only new processes and drops exited ones", () => {
        const first = processTable(fakeProc(preview));
        const reads: string[] = [];
        const { 104: _exited, ...rest } = preview;
        const later = processTable(fakeProc({ ...rest, 106: [100, "pulumi-resource", 5_000, ["x"]] }, reads), first);
        assert.deepEqual(reads, ["106/stat"]);
        assert.equal(later.has(104), false);
        assert.equal(later.get(106)?.ppid, 100);
    });

    test("the peak is the highest sum of one sample, not the sum of each process's highest", () => {
        const peak = new PeakRss();
        peak.add({ totalBytes: 300, totalPssBytes: 280, processes: [{ pid: 1, name: "cli", bytes: 100, pssBytes: 90 }, { pid: 2, name: "node", bytes: 200, pssBytes: 190 }] });
        peak.add({ totalBytes: 350, totalPssBytes: 250, processes: [{ pid: 1, name: "cli", bytes: 300, pssBytes: 220 }, { pid: 3, name: "plugin", bytes: 50, pssBytes: 30 }] });
        peak.add({ totalBytes: 120, totalPssBytes: 110, processes: [{ pid: 2, name: "node", bytes: 120, pssBytes: 110 }] });
        assert.equal(peak.totalBytes, 350);
        assert.equal(peak.totalPssBytes, 280, "each sum has its own peak, from whichever sample it was highest in");
        assert.deepEqual(peak.largest, { pid: 1, name: "cli", bytes: 300, pssBytes: 220 });
        assert.deepEqual(peak.atRssPeak, [
            { name: "cli", count: 1, bytes: 300, pssBytes: 220 },
            { name: "plugin", count: 1, bytes: 50, pssBytes: 30 },
        ], "the breakdown is of the summed-RSS peak's sample, not of the last one or the PSS peak's");
    });

    test("a sample by program sums each program's processes, largest RSS first", () => {
        const shares = byProgram([
            { pid: 5, name: "pulumi-resource-kubernetes", bytes: 120, pssBytes: 40 },
            { pid: 2, name: "node", bytes: 200, pssBytes: 190 },
            { pid: 6, name: "pulumi-resource-kubernetes", bytes: 130, pssBytes: 45 },
            { pid: 7, name: "tls", bytes: 60, pssBytes: 60 },
            { pid: 8, name: "cli", bytes: 60, pssBytes: 50 },
        ]);
        assert.deepEqual(shares, [
            { name: "pulumi-resource-kubernetes", count: 2, bytes: 250, pssBytes: 85 },
            { name: "node", count: 1, bytes: 200, pssBytes: 190 },
            { name: "cli", count: 1, bytes: 60, pssBytes: 50 },
            { name: "tls", count: 1, bytes: 60, pssBytes: 60 },
        ]);
    });

    test("the sampler watches one tree and the whole tree below itself, and remembers command lines", () => {
        const sampler = new TreeSampler(fakeProc(preview), 50);
        const watched = sampler.watch(100);
        assert.equal(watched.peak.totalBytes, 750_000 * 1024);
        assert.equal(watched.peak.totalPssBytes, 375_000 * 1024, "the watched preview's Pss is read");
        assert.equal(sampler.whole.totalBytes, 830_000 * 1024);
        assert.equal(watched.commands.get(103), "/p/pulumi-resource-kubernetes");
        sampler.unwatch();
        sampler.tick();
        assert.equal(sampler.ticks, 2);
    });
});

/** A case whose PSS peak is `pssMiB` (default half its RSS peak). */
function result(clusters: number, resources: number, runsMs: number[], peakMiB: number, planResources = resources, pssMiB = peakMiB / 2): RealCaseResult {
    return {
        clusters, resources, peerLinks: clusters * (clusters - 1), engineSteps: resources + 4, changeSummary: { create: resources + 2 }, planResources, runsMs,
        peakRssBytes: peakMiB * 1024 ** 2, peakPssBytes: pssMiB * 1024 ** 2, largest: { pid: 1, name: "node", bytes: 512 * 1024 ** 2, pssBytes: 500 * 1024 ** 2 }, commands: [],
        atRssPeak: [
            { name: "pulumi-resource-kubernetes", count: clusters, bytes: clusters * 120 * 1024 ** 2, pssBytes: clusters * 40 * 1024 ** 2 },
            { name: "node", count: 1, bytes: 300 * 1024 ** 2, pssBytes: 290 * 1024 ** 2 },
        ],
        committedEntry: "transpile-only",
        otherEntries: [
            { entry: "type-check", runsMs: runsMs.map((ms) => ms * 2), peakRssBytes: peakMiB * 2 * 1024 ** 2, peakPssBytes: pssMiB * 2 * 1024 ** 2 },
            { entry: "precompiled", runsMs: runsMs.map((ms) => ms / 2), peakRssBytes: (peakMiB / 2) * 1024 ** 2, peakPssBytes: (pssMiB / 2) * 1024 ** 2 },
        ],
        floor: { runsMs: runsMs.map((ms) => ms / 4), peakRssBytes: 200 * 1024 ** 2, peakPssBytes: 150 * 1024 ** 2 },
    };
}

describe("the real-engine table and the N=8 / N=2 ratio", () => {
    const n2 = summariseRealCase(result(2, 70, [30_000, 28_000, 40_000], 1000));
    const n8 = summariseRealCase(result(8, 360, [90_000, 81_000, 84_000], 1500));

    test("the chart: entries against the floor, time per resource, RSS/PSS against the target, and the peak by program", () => {
        const svg = renderRealChart([n8, n2], "machine <m>");
        assert.equal((svg.match(/<polyline /g) ?? []).length, 4 + 1 + 4 + 2, "four time series, one per resource, four memory, two programs");
        for (const label of ["transpile-only", "type-check", "precompiled", "floor", "PSS", "floor RSS", "floor + plugins RSS", "pulumi-resource-kubernetes", "N=8 target 1400"]) {
            assert.ok(svg.includes(`>${label}</text>`), label);
        }
        assert.match(svg, /<title>type-check, N=8: 168\.0<\/title>/, "type-check's median, from its own runs (2 × 84 s)");
        assert.match(svg, /<title>pulumi-resource-kubernetes, N=8: 960<\/title>/);
        assert.match(svg, /machine &lt;m&gt;/);
        assert.throws(() => renderRealChart([], "x"), /no real-bench cases/);
        assert.throws(() => renderRealChart([n2, { ...n8, otherEntries: n8.otherEntries.slice(0, 1) }], "x"), /N=8 has no precompiled previews/);
    });

    test("the peak's breakdown names each program, its process count, RSS/PSS, and RSS each where there are several", () => {
        const one = summariseRealCase(result(1, 30, [5_000], 500));
        assert.equal(renderPeakBreakdown([one, n8]), [
            "at the peak of summed RSS, by program (RSS/PSS MiB):",
            "  N=1: 1 × pulumi-resource-kubernetes 120/40, 1 × node 300/290",
            "  N=8: 8 × pulumi-resource-kubernetes 960/320 (120 each), 1 × node 300/290",
            "",
        ].join("\n"));
    });

    test("median, spread and time per resource of each N", () => {
        assert.deepEqual([n2.medianMs, n2.minMs, n2.maxMs], [30_000, 28_000, 40_000]);
        assert.equal(n8.msPerResource, 84_000 / 360);
        assert.throws(() => summariseRealCase(result(1, 0, [1], 1)), /no resources/);
    });

    test("N=8 against N=2: per-resource time, peak memory, and the cost of each added resource", () => {
        const ratio = ratioBetween([n2, n8]);
        assert.ok(ratio);
        assert.equal(ratio.timePerResource, (84_000 / 360) / (30_000 / 70));
        assert.equal(ratio.peakRss, 1.5);
        assert.equal(ratio.marginalMsPerResource, (84_000 - 30_000) / (360 - 70));
        assert.equal(ratioBetween([n2]), undefined);
    });

    test("the table has the mock bench's columns and the ratio line", () => {
        const text = renderRealTable([n2, n8], ratioBetween([n2, n8]));
        const lines = text.split("\n");
        assert.match(lines[0], /^case\s+resources\s+links\s+median s\s+spread s\s+ms\/resource\s+peak RSS MiB\s+peak PSS MiB\s+largest process MiB$/);
        assert.match(lines[2], /^N=8 full-mesh\s+360\s+56\s+84\.00\s+81\.00–90\.00\s+233\.33\s+1500\s+750\s+512 node$/);
        assert.match(text, /N=8 vs N=2: time per resource 0\.54×, peak RSS 1\.50×; each resource added from N=2 to N=8 cost 186\.21 ms/);
        assert.match(renderRealTable([n2], undefined), /N=8 vs N=2: not both run/);
    });

    test("a preview whose resource count differs from the offline plan's is named", () => {
        assert.equal(planMismatch(result(2, 70, [1], 1)), undefined);
        assert.equal(planMismatch(result(2, 70, [1], 1, 69)), "N=2: the preview has 70 resources, npm run plan 69");
    });
});

describe("the real-engine targets, checked by the bench itself", () => {
    const mib = 1024 ** 2;
    // Peak PSS = 300 MiB + 120 MiB per cluster, peak RSS twice that; time per resource falls with N.
    const linear = [1, 2, 4, 8, 16].map((n) => summariseRealCase(result(n, 45 * n, [10_000 + 1_000 * n], 2 * (300 + 120 * n))));
    const gating = (checks: readonly TargetCheck[]) => checks.filter((t) => t.gates).map((t) => t.met);
    const beside = (checks: readonly TargetCheck[]) => checks.filter((t) => !t.gates).map((t) => t.met);

    test("each added cluster is the least-squares slope of the peak over N, of PSS or of RSS", () => {
        assert.ok(Math.abs(bytesPerCluster(linear)! - 120 * mib) < 1);
        assert.ok(Math.abs(bytesPerCluster(linear, "rss")! - 240 * mib) < 1);
        assert.equal(bytesPerCluster(linear.slice(0, 1)), undefined);
    });

    test("PSS and time gate; RSS is checked against the same limits beside them and never fails the run", () => {
        const checks = checkTargets(linear);
        assert.deepEqual(gating(checks), [true, true, true]);
        assert.deepEqual(beside(checks), [false, false], "RSS at twice the PSS is over both limits");
        assert.deepEqual(missedTargets(checks), []);
        assert.match(renderTargets(checks), /beside it peak RSS at N=8 ≤ 1400 MiB: 2520 MiB — over \(reported, not a gate\)/);
    });

    test("each gating limit can be missed on its own; a missing N is not checked", () => {
        const heavy = linear.map((c) => (c.clusters === 8 ? { ...c, peakPssBytes: 1401 * mib } : c));
        assert.deepEqual(gating(checkTargets(heavy)), [false, true, true]);
        assert.deepEqual(missedTargets(checkTargets(heavy)).map((t) => t.target), ["peak PSS at N=8 ≤ 1400 MiB"]);
        const steep = [1, 2, 4, 8, 16].map((n) => summariseRealCase(result(n, 45 * n, [10_000], 200, n, 100 + 140 * n)));
        assert.deepEqual(gating(checkTargets(steep)), [true, false, true]);
        const slower = linear.map((c) => (c.clusters === 16 ? { ...c, msPerResource: linear[2]!.msPerResource * 1.01 } : c));
        assert.deepEqual(gating(checkTargets(slower)), [true, true, false]);
        assert.deepEqual(gating(checkTargets(linear.slice(0, 2))), [null, true, null]);
        assert.match(renderTargets(checkTargets(heavy)), /target peak PSS at N=8 ≤ 1400 MiB: 1401 MiB — MISSED/);
    });

    test("the RSS bound: the floor's RSS plus the plugins' at the peak, and whether each limit is within its reach", () => {
        // The fixture's peak: N × 120 MiB of kubernetes plugins and a 300 MiB node; the floor 200 MiB.
        assert.equal(rssWithProgramAtFloor(linear[3]!), (200 + 8 * 120) * mib, "node is the program, not a plugin: left out");
        assert.equal(renderRssBound(linear), [
            "summed RSS if the program cost no more than the floor (floor + the plugins' RSS at the peak):",
            "  at N=8: 1160 MiB against 1400 — within reach",
            "  each added cluster: 120 MiB against 130 — within reach",
            "",
        ].join("\n"));
        const heavier = linear.map((c) => ({ ...c, atRssPeak: c.atRssPeak.map((s) => (s.name === "node" ? s : { ...s, bytes: s.bytes * 1.2 })) }));
        assert.match(renderRssBound(heavier), /at N=8: 1352 MiB against 1400 — within reach\n  each added cluster: 144 MiB against 130 — out of reach for any program on these plugins/);
        assert.match(renderRssBound(linear.slice(0, 1)), /at N=8: not run\n  each added cluster: fewer than 2 N run/);
    });

    test("the entry table puts both entries and the floor side by side, RSS/PSS", () => {
        const lines = renderEntryTable(linear).split("\n");
        assert.match(lines[0]!, /^case\s+transpile-only s\s+type-check s\s+precompiled s\s+floor s\s+transpile-only\/floor\s+transpile-only RSS\/PSS MiB\s+type-check RSS\/PSS MiB\s+precompiled RSS\/PSS MiB\s+floor RSS\/PSS MiB$/);
        assert.match(lines[1]!, /^N=1\s+11\.00\s+22\.00\s+5\.50\s+2\.75\s+4\.00×\s+840\/420\s+1680\/840\s+420\/210\s+200\/150$/);
    });
});

describe("--baseline: an earlier commit's program beside the current one, in the same run", () => {
    const mib = 1024 ** 2;
    // Before: two kubernetes plugins per cluster, 250 MiB of RSS and 100 of PSS each added cluster, twice as slow.
    const paired = (n: number) => summariseRealCase({
        ...result(n, 45 * n, [10_000 + 1_000 * n], 2 * (300 + 120 * n)),
        baseline: {
            label: "abc1234 before", resources: 45 * n + 6, runsMs: [20_000 + 2_000 * n], peakRssBytes: (400 + 250 * n) * mib, peakPssBytes: (300 + 100 * n) * mib,
            atRssPeak: [{ name: "pulumi-resource-kubernetes", count: 2 * n, bytes: 2 * n * 120 * mib, pssBytes: 2 * n * 40 * mib }],
        } satisfies BaselineSeries,
    });

    test("each N: both resource counts, medians, RSS/PSS peaks as after/before, plugin processes; the slopes of both", () => {
        const lines = renderBeforeAfter([1, 8].map(paired)).split("\n");
        assert.equal(lines[0], "before: abc1234 before; after: this checkout (previews of the same stack file, interleaved at each N)");
        assert.match(lines[1]!, /^case\s+before resources\s+after resources\s+before s\s+after s\s+after\/before s\s+before RSS\/PSS MiB\s+after RSS\/PSS MiB\s+RSS after\/before\s+PSS after\/before\s+kubernetes plugins before\/after$/);
        assert.match(lines[3]!, /^N=8\s+366\s+360\s+36\.00\s+18\.00\s+0\.50×\s+2400\/1100\s+2520\/1260\s+1\.05×\s+1\.15×\s+16\/8$/);
        assert.equal(lines[4], "each added cluster (least-squares slope of the peak): RSS before 250 → after 240 MiB; PSS before 100 → after 120 MiB");
        assert.match(renderBeforeAfter([paired(8)]), /RSS fewer than 2 N run; PSS fewer than 2 N run/);
    });

    test("no baseline, no table; the chart draws the baseline only when every N has one", () => {
        const plain = [1, 8].map((n) => summariseRealCase(result(n, 45 * n, [10_000], 1000)));
        assert.equal(renderBeforeAfter(plain), "");
        const svg = renderRealChart([1, 8].map(paired), "m");
        assert.equal((svg.match(/<polyline /g) ?? []).length, 4 + 1 + 4 + 2 + 2, "the before time and the before RSS added");
        assert.ok(svg.includes(">before abc1234</text>") && svg.includes(">before abc1234 RSS</text>"), "named by the baseline's short commit id");
        assert.match(svg, /<title>before abc1234 RSS, N=8: 2400<\/title>/);
        const mixed = renderRealChart([paired(1), plain[1]!], "m");
        assert.ok(!mixed.includes(">before abc1234 RSS</text>"), "a baseline on some N only is not drawn as a line");
    });

    test("package pins that differ are listed, so a baseline never runs on packages it did not pin", () => {
        assert.deepEqual(dependencyDifferences({ dependencies: { a: "1" }, devDependencies: { b: "2" } }, { dependencies: { a: "1" }, devDependencies: { b: "2" } }), []);
        assert.deepEqual(dependencyDifferences({ dependencies: { a: "1", gone: "3" } }, { dependencies: { a: "2" }, devDependencies: { added: "4" } }), [
            "a: 1 → 2", "added: absent → 4", "gone: 3 → absent",
        ]);
    });

    test("a revision git cannot resolve is one message quoting it; HEAD resolves to its commit", () => {
        assert.throws(() => resolveBaseline("no-such-revision-here"), (error: unknown) => error instanceof BaselineError && /^--baseline "no-such-revision-here": not a commit of this repository\. .*--baseline adaaca7\^/.test(error.message));
        const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd: projectDir, encoding: "utf8" }).stdout.trim();
        const baseline = resolveBaseline("HEAD");
        assert.equal(baseline.commit, head);
        assert.ok(baseline.label.startsWith(`${head.slice(0, 7)} `));
    });

    test("the baseline's project: that commit's program files, this checkout's node_modules, the current copy's stack file", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "baseline-test-"));
        try {
            const current = path.join(root, "project");
            fs.mkdirSync(current);
            fs.writeFileSync(path.join(current, "Pulumi.bench-2-full-mesh.yaml"), "encryptionsalt: v1:abc\nconfig: {}\n");
            const dir = path.join(root, "baseline");
            writeBaselineProject(resolveBaseline("HEAD"), dir, current, "bench-2-full-mesh");
            const atHead = (file: string) => spawnSync("git", ["show", `HEAD:${file}`], { cwd: projectDir, encoding: "utf8" }).stdout;
            assert.equal(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"), atHead("Pulumi.yaml"));
            assert.equal(fs.readFileSync(path.join(dir, "stacks", "program.ts"), "utf8"), atHead("stacks/program.ts"));
            assert.equal(fs.readlinkSync(path.join(dir, "node_modules")), path.join(projectDir, "node_modules"));
            assert.equal(fs.readFileSync(path.join(dir, "Pulumi.bench-2-full-mesh.yaml"), "utf8"), "encryptionsalt: v1:abc\nconfig: {}\n");
            assert.deepEqual(fs.readdirSync(dir).sort(), ["Pulumi.bench-2-full-mesh.yaml", "Pulumi.yaml", "components", "infra", "node_modules", "package.json", "stacks", "tsconfig.json"]);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});
