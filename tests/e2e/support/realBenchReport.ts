import { median } from "../../../infra/bench/summary";
import type { ProcessRss, ProgramShare } from "./realBenchProcs";
import { bytesPerCluster } from "./realBenchTargets";

/** One N measured on the real engine: the engine's counts, the timed runs, memory of the preview's processes. */
export interface RealCaseResult {
    readonly clusters: number;
    /** Resources the program registered, counted from the engine's step events (the offline plan's unit). */
    readonly resources: number;
    readonly peerLinks: number;
    /** Every step event, including the stack, default providers and provider-side children. */
    readonly engineSteps: number;
    /** The engine's own summary of the preview (e.g. {create: n}). */
    readonly changeSummary: Readonly<Record<string, number>>;
    /** `npm run plan -- <stack> --json` on the same stack file. */
    readonly planResources: number;
    readonly runsMs: readonly number[];
    /** Highest sum of VmRSS over the preview's process tree in any timed run. */
    readonly peakRssBytes: number;
    /** Highest sum of Pss over the same tree: its memory with each shared page counted once (realBenchProcs.ts). */
    readonly peakPssBytes: number;
    readonly largest: ProcessRss;
    /** The sample with the highest summed RSS of all timed runs, by program. */
    readonly atRssPeak: readonly ProgramShare[];
    /** Command lines of the processes of the last timed preview. */
    readonly commands: readonly string[];
    /** How the previews above started the program: Pulumi.yaml as committed. */
    readonly committedEntry: string;
    /** The same stack's previews with each other entry point, in the order they ran. */
    readonly otherEntries: readonly (EntrySeries & { readonly entry: string })[];
    /** A bare program registering as many components, with no provider: the fixed cost of a preview. */
    readonly floor: EntrySeries;
    /** With `--baseline <rev>`: the same stack file previewed with that commit's program, as it was committed. */
    readonly baseline?: BaselineSeries;
}

/** An earlier commit's previews of the same stack: its own resource count, and what its summed-RSS peak held. */
export interface BaselineSeries extends EntrySeries {
    /** Short commit id and subject. */
    readonly label: string;
    readonly resources: number;
    readonly atRssPeak: readonly ProgramShare[];
}

/** Timed runs of one kind of preview, with the highest summed RSS and PSS of its process tree. */
export interface EntrySeries {
    readonly runsMs: readonly number[];
    readonly peakRssBytes: number;
    readonly peakPssBytes: number;
}

export interface RealCaseSummary extends RealCaseResult {
    readonly medianMs: number;
    readonly minMs: number;
    readonly maxMs: number;
    readonly msPerResource: number;
}

export interface Ratio {
    readonly low: number;
    readonly high: number;
    readonly timePerResource: number;
    readonly peakRss: number;
    /**
     * What each resource added between the two costs: (median time at high − at low) / (resources at high − at low).
     * Time per resource also spreads the fixed start-up (CLI, plugins, compiling the program) over the resources.
     */
    readonly marginalMsPerResource: number;
}

const mebibyte = 1024 ** 2;

export function summariseRealCase(result: RealCaseResult): RealCaseSummary {
    if (result.resources === 0) throw new Error(`N=${result.clusters}: the preview reported no resources`);
    const medianMs = median(result.runsMs);
    return { ...result, medianMs, minMs: Math.min(...result.runsMs), maxMs: Math.max(...result.runsMs), msPerResource: medianMs / result.resources };
}

/** Why the preview cannot be trusted as a measure of this stack, or undefined. */
export function planMismatch(result: RealCaseResult): string | undefined {
    return result.resources === result.planResources
        ? undefined
        : `N=${result.clusters}: the preview has ${result.resources} resources, npm run plan ${result.planResources}`;
}

/** N=high against N=low (by default 8 against 2), or undefined when either was not run. */
export function ratioBetween(cases: readonly RealCaseSummary[], low = 2, high = 8): Ratio | undefined {
    const [a, b] = [cases.find((c) => c.clusters === low), cases.find((c) => c.clusters === high)];
    if (!a || !b) return undefined;
    return {
        low,
        high,
        timePerResource: b.msPerResource / a.msPerResource,
        peakRss: b.peakRssBytes / a.peakRssBytes,
        marginalMsPerResource: (b.medianMs - a.medianMs) / (b.resources - a.resources),
    };
}

function pad(cells: readonly string[], widths: readonly number[]): string {
    return cells.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]) : cell.padStart(widths[index]))).join("  ");
}

/** The columns of `npm run bench`'s table that apply to a real preview, then the largest process and the ratio. */
export function renderRealTable(cases: readonly RealCaseSummary[], ratio: Ratio | undefined): string {
    const header = ["case", "resources", "links", "median s", "spread s", "ms/resource", "peak RSS MiB", "peak PSS MiB", "largest process MiB"];
    const rows = cases.map((c) => [
        `N=${c.clusters} full-mesh`,
        String(c.resources),
        String(c.peerLinks),
        (c.medianMs / 1000).toFixed(2),
        `${(c.minMs / 1000).toFixed(2)}–${(c.maxMs / 1000).toFixed(2)}`,
        c.msPerResource.toFixed(2),
        (c.peakRssBytes / mebibyte).toFixed(0),
        (c.peakPssBytes / mebibyte).toFixed(0),
        `${(c.largest.bytes / mebibyte).toFixed(0)} ${c.largest.name}`,
    ]);
    const widths = header.map((h, index) => Math.max(h.length, ...rows.map((row) => row[index].length)));
    const lines = [pad(header, widths), ...rows.map((row) => pad(row, widths)), ""];
    lines.push(ratio
        ? `N=${ratio.high} vs N=${ratio.low}: time per resource ${ratio.timePerResource.toFixed(2)}×, peak RSS ${ratio.peakRss.toFixed(2)}×; ` +
            `each resource added from N=${ratio.low} to N=${ratio.high} cost ${ratio.marginalMsPerResource.toFixed(2)} ms`
        : "N=8 vs N=2: not both run");
    return `${lines.join("\n")}\n`;
}

/** Per N: the committed entry, the others and the floor, as medians and peaks, with program/floor time. */
export function renderEntryTable(cases: readonly RealCaseSummary[]): string {
    if (cases.length === 0) return "";
    const first = cases[0]!;
    const names = [first.committedEntry, ...first.otherEntries.map((e) => e.entry)];
    const header = ["case", ...names.map((n) => `${n} s`), "floor s", `${first.committedEntry}/floor`, ...names.map((n) => `${n} RSS/PSS MiB`), "floor RSS/PSS MiB"];
    const mib = (s: EntrySeries) => `${(s.peakRssBytes / mebibyte).toFixed(0)}/${(s.peakPssBytes / mebibyte).toFixed(0)}`;
    const rows = cases.map((c) => {
        const series: EntrySeries[] = [{ runsMs: c.runsMs, peakRssBytes: c.peakRssBytes, peakPssBytes: c.peakPssBytes }, ...c.otherEntries];
        return [
            `N=${c.clusters}`,
            ...series.map((s) => (median(s.runsMs) / 1000).toFixed(2)),
            (median(c.floor.runsMs) / 1000).toFixed(2),
            `${(c.medianMs / median(c.floor.runsMs)).toFixed(2)}×`,
            ...series.map(mib),
            mib(c.floor),
        ];
    });
    const widths = header.map((h, index) => Math.max(h.length, ...rows.map((row) => row[index]!.length)));
    return `${[pad(header, widths), ...rows.map((row) => pad(row, widths))].join("\n")}\n`;
}

/** Per N, what the summed-RSS peak was made of: each program's processes, their RSS and PSS, and RSS each. */
export function renderPeakBreakdown(cases: readonly RealCaseSummary[]): string {
    const lines = cases.map((c) => {
        const parts = c.atRssPeak.map((share) => {
            const each = share.count > 1 ? ` (${(share.bytes / share.count / mebibyte).toFixed(0)} each)` : "";
            return `${share.count} × ${share.name} ${(share.bytes / mebibyte).toFixed(0)}/${(share.pssBytes / mebibyte).toFixed(0)}${each}`;
        });
        return `N=${c.clusters}: ${parts.join(", ")}`;
    });
    return `${["at the peak of summed RSS, by program (RSS/PSS MiB):", ...lines.map((line) => `  ${line}`)].join("\n")}\n`;
}

/** How many processes of `program` the summed-RSS peak held. */
function processCount(atRssPeak: readonly ProgramShare[], program: string): number {
    return atRssPeak.find((share) => share.name === program)?.count ?? 0;
}

/**
 * Before (the baseline commit) against after (this checkout, as committed), per N and from the same run: medians,
 * summed RSS and PSS peaks, each as after/before, the kubernetes plugin processes at the peak, and what each added
 * cluster costs on both sides. Empty when the run had no baseline.
 */
export function renderBeforeAfter(cases: readonly RealCaseSummary[]): string {
    const paired = cases.filter((c): c is RealCaseSummary & { baseline: BaselineSeries } => c.baseline !== undefined);
    if (paired.length === 0) return "";
    const mib = (bytes: number) => (bytes / mebibyte).toFixed(0);
    const times = (after: number, before: number) => `${(after / before).toFixed(2)}×`;
    const header = ["case", "before resources", "after resources", "before s", "after s", "after/before s", "before RSS/PSS MiB", "after RSS/PSS MiB",
        "RSS after/before", "PSS after/before", "kubernetes plugins before/after"];
    const rows = paired.map((c) => {
        const before = c.baseline;
        return [
            `N=${c.clusters}`,
            String(before.resources),
            String(c.resources),
            (median(before.runsMs) / 1000).toFixed(2),
            (c.medianMs / 1000).toFixed(2),
            times(c.medianMs, median(before.runsMs)),
            `${mib(before.peakRssBytes)}/${mib(before.peakPssBytes)}`,
            `${mib(c.peakRssBytes)}/${mib(c.peakPssBytes)}`,
            times(c.peakRssBytes, before.peakRssBytes),
            times(c.peakPssBytes, before.peakPssBytes),
            `${processCount(before.atRssPeak, "pulumi-resource-kubernetes")}/${processCount(c.atRssPeak, "pulumi-resource-kubernetes")}`,
        ];
    });
    const widths = header.map((h, index) => Math.max(h.length, ...rows.map((row) => row[index]!.length)));
    const beforeCases = paired.map((c) => ({ clusters: c.clusters, peakRssBytes: c.baseline.peakRssBytes, peakPssBytes: c.baseline.peakPssBytes }));
    const slope = (measure: "rss" | "pss") => {
        const [before, after] = [bytesPerCluster(beforeCases, measure), bytesPerCluster(paired, measure)];
        return before === undefined || after === undefined ? "fewer than 2 N run" : `before ${mib(before)} → after ${mib(after)} MiB`;
    };
    return [
        `before: ${paired[0]!.baseline.label}; after: this checkout (previews of the same stack file, interleaved at each N)`,
        pad(header, widths),
        ...rows.map((row) => pad(row, widths)),
        `each added cluster (least-squares slope of the peak): RSS ${slope("rss")}; PSS ${slope("pss")}`,
        "",
    ].join("\n");
}
