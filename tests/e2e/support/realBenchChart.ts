import { baselineId } from "../../../infra/bench/baseline";
import { median } from "../../../infra/bench/summary";
import { ChartPanel, ChartSeries, renderSmallMultiples } from "../../../infra/bench/smallMultiples";
import type { BaselineSeries, RealCaseSummary } from "./realBenchReport";
import { rssWithProgramAtFloor } from "./realBenchTargets";

/**
 * The real bench's cases as four panels: preview time by entry point against the floor, time per resource,
 * summed memory (RSS, PSS, the floor's RSS, and the floor's with the plugins' added) against the N = 8 target, and what the summed-RSS peak was made
 * of, program by program. Pure, like the mock bench's chart (infra/bench/chart.ts).
 */
const colors = ["#1f6feb", "#bf8700", "#1a7f37", "#8250df", "#cf222e", "#57606a"];
const floorColor = "#57606a";
const baselineColor = "#953800";
const mebibyte = 1024 ** 2;

/** The programs of the peak, largest at the largest N first, so colours follow size; the rest are "other". */
function programSeries(cases: readonly RealCaseSummary[], shown = 4): ChartSeries[] {
    const last = cases[cases.length - 1];
    const names = (last?.atRssPeak ?? []).slice(0, shown).map((share) => share.name);
    const of = (c: RealCaseSummary, name: string) => c.atRssPeak.filter((share) => share.name === name).reduce((sum, share) => sum + share.bytes, 0);
    const series: ChartSeries[] = names.map((name, index) => ({
        label: name, color: colors[index % colors.length]!, points: cases.map((c) => ({ clusters: c.clusters, value: of(c, name) / mebibyte })),
    }));
    const rest = cases.map((c) => ({ clusters: c.clusters, value: c.atRssPeak.filter((share) => !names.includes(share.name)).reduce((sum, share) => sum + share.bytes, 0) / mebibyte }));
    if (rest.some((point) => point.value > 0)) series.push({ label: "other", color: floorColor, points: rest, dashed: true });
    return series;
}

/** A `--baseline` run's figures as one more series, drawn only where every case has them. */
function baselineSeries(cases: readonly RealCaseSummary[], measure: string, value: (baseline: BaselineSeries) => number): ChartSeries[] {
    if (!cases.every((c) => c.baseline !== undefined)) return [];
    // Named by its short commit id, so the chart says which code "before" was without the docs beside it.
    const label = [`before ${baselineId(cases[0]!.baseline!.label)}`, measure].filter((part) => part !== "").join(" ");
    return [{ label, color: baselineColor, dashed: true, points: cases.map((c) => ({ clusters: c.clusters, value: value(c.baseline as BaselineSeries) })) }];
}

export function renderRealChart(unsorted: readonly RealCaseSummary[], caption: string): string {
    const cases = [...unsorted].sort((a, b) => a.clusters - b.clusters);
    if (cases.length === 0) throw new Error("no real-bench cases to chart");
    const first = cases[0]!;
    const seconds = (ms: number) => ms / 1000;
    const entrySeries: ChartSeries[] = [
        { label: first.committedEntry, color: colors[0]!, points: cases.map((c) => ({ clusters: c.clusters, value: seconds(c.medianMs), range: [seconds(c.minMs), seconds(c.maxMs)] as const })) },
        ...first.otherEntries.map((entry, index) => ({
            label: entry.entry,
            color: colors[index + 1]!,
            points: cases.map((c) => {
                const series = c.otherEntries.find((e) => e.entry === entry.entry);
                if (!series) throw new Error(`N=${c.clusters} has no ${entry.entry} previews to chart`);
                return { clusters: c.clusters, value: seconds(median(series.runsMs)) };
            }),
        })),
        { label: "floor", color: floorColor, dashed: true, points: cases.map((c) => ({ clusters: c.clusters, value: seconds(median(c.floor.runsMs)) })) },
        ...baselineSeries(cases, "", (b) => seconds(median(b.runsMs))),
    ];
    const panels: ChartPanel[] = [
        { title: "median preview time (s)", series: entrySeries, format: (v) => v.toFixed(1) },
        {
            title: "time per resource (ms)",
            series: [{ label: first.committedEntry, color: colors[0]!, points: cases.map((c) => ({ clusters: c.clusters, value: c.msPerResource, range: [c.minMs / c.resources, c.maxMs / c.resources] as const })) }],
            format: (v) => v.toFixed(0),
        },
        {
            title: "peak of the summed tree (MiB)",
            series: [
                { label: "RSS", color: colors[0]!, points: cases.map((c) => ({ clusters: c.clusters, value: c.peakRssBytes / mebibyte })) },
                { label: "PSS", color: colors[2]!, points: cases.map((c) => ({ clusters: c.clusters, value: c.peakPssBytes / mebibyte })) },
                { label: "floor RSS", color: floorColor, dashed: true, points: cases.map((c) => ({ clusters: c.clusters, value: c.floor.peakRssBytes / mebibyte })) },
                { label: "floor + plugins RSS", color: colors[4]!, dashed: true, points: cases.map((c) => ({ clusters: c.clusters, value: rssWithProgramAtFloor(c) / mebibyte })) },
                ...baselineSeries(cases, "RSS", (b) => b.peakRssBytes / mebibyte),
            ],
            format: (v) => v.toFixed(0),
            target: { value: 1400, label: "N=8 target 1400" },
        },
        { title: "RSS at the peak, by program (MiB)", series: programSeries(cases), format: (v) => v.toFixed(0) },
    ];
    return renderSmallMultiples(panels, caption);
}
