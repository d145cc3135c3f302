import { ChartPanel, renderSmallMultiples } from "./smallMultiples";
import type { CaseSummary } from "./summary";

const blue = "#1f6feb";

/** The mock bench's full-mesh cases as four panels side by side; `caption` names the machine and run. Pure. */
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
    return renderSmallMultiples(panels, caption);
}
