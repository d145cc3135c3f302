import { ChartPanel, renderSmallMultiples } from "./smallMultiples";
import { baselineId } from "./baseline";
import { CaseSummary, maxFloorRatioAt64 } from "./summary";

const blue = "#1f6feb";
const brown = "#953800";

/**
 * Program/floor at the N that have a floor, and a `--baseline`'s own ratio where its case finished: the issue's
 * N = 64 target as a line. Undefined when no case has a floor.
 */
function floorRatioPanel(fullMesh: readonly CaseSummary[]): ChartPanel | undefined {
    const withFloor = fullMesh.filter((c) => c.floor !== null);
    if (withFloor.length === 0) return undefined;
    const before = withFloor.flatMap((c) => (c.baseline && "floor" in c.baseline ? [{ clusters: c.clusters, value: c.baseline.floor.ratio }] : []));
    return {
        title: "program / floor (×)",
        series: [
            { label: "program", color: blue, points: withFloor.map((c) => ({ clusters: c.clusters, value: c.floor!.ratio })) },
            ...(before.length > 0 ? [{ label: `before ${baselineId(withFloor.find((c) => c.baseline)!.baseline!.label)}`, color: brown, dashed: true, points: before }] : []),
        ],
        format: (v) => v.toFixed(1),
        target: { value: maxFloorRatioAt64, label: `N=64 target ${maxFloorRatioAt64.toFixed(1)}` },
    };
}

/**
 * The mock bench's full-mesh cases as panels side by side (time, time per resource, depth, peak RSS, and where
 * floors were run, program/floor); `caption` names the machine and run. Pure.
 */
export function renderChart(cases: readonly CaseSummary[], caption: string): string {
    const fullMesh = [...cases].filter((c) => c.peering === "full-mesh").sort((a, b) => a.clusters - b.clusters);
    if (fullMesh.length === 0) throw new Error("no full-mesh cases to chart");
    const one = (label: string, value: (c: CaseSummary) => number, range?: (c: CaseSummary) => readonly [number, number]) => [{
        label, color: blue, points: fullMesh.map((c) => ({ clusters: c.clusters, value: value(c), ...(range ? { range: range(c) } : {}) })),
    }];
    const panels: ChartPanel[] = [
        { title: "median wall time (s)", series: one("program", (c) => c.medianMs / 1000, (c) => [c.minMs / 1000, c.maxMs / 1000]), format: (v) => v.toFixed(1) },
        { title: "time per resource (ms)", series: one("program", (c) => c.msPerResource, (c) => [c.minMs / c.resources, c.maxMs / c.resources]), format: (v) => v.toFixed(2) },
        { title: "critical-path depth (steps)", series: one("program", (c) => c.depth), format: (v) => v.toFixed(0) },
        { title: "peak RSS (MiB)", series: one("program", (c) => c.peakRssBytes / 1024 ** 2), format: (v) => v.toFixed(0) },
    ];
    const ratios = floorRatioPanel(fullMesh);
    return renderSmallMultiples(ratios ? [...panels, ratios] : panels, caption);
}
