import type { CaseSummary } from "./summary";

/** A small multiple: one measure against N (log₂ axis), one panel each, as plain SVG text. Pure. */
interface Panel {
    readonly title: string;
    readonly value: (c: CaseSummary) => number;
    /** Error bar bounds, where the measure has a spread. */
    readonly range?: (c: CaseSummary) => readonly [number, number];
    readonly format: (value: number) => string;
}

const panels: readonly Panel[] = [
    { title: "median wall time (s)", value: (c) => c.medianMs / 1000, range: (c) => [c.minMs / 1000, c.maxMs / 1000], format: (v) => v.toFixed(1) },
    { title: "time per resource (ms)", value: (c) => c.msPerResource, range: (c) => [c.minMs / c.resources, c.maxMs / c.resources], format: (v) => v.toFixed(2) },
    { title: "critical-path depth (steps)", value: (c) => c.depth, format: (v) => v.toFixed(0) },
    { title: "peak RSS (MiB)", value: (c) => c.peakRssBytes / 1024 ** 2, format: (v) => v.toFixed(0) },
];

const width = 300;
const height = 220;
const margin = { left: 48, right: 12, top: 28, bottom: 36 };

function escape(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function panel(p: Panel, cases: readonly CaseSummary[], offsetX: number): string {
    const xs = cases.map((c) => Math.log2(c.clusters));
    const xMax = Math.max(1, ...xs);
    const tops = cases.map((c) => (p.range ? p.range(c)[1] : p.value(c)));
    const yMax = Math.max(...tops) * 1.15 || 1;
    const plotWidth = width - margin.left - margin.right;
    const plotHeight = height - margin.top - margin.bottom;
    const x = (clusters: number) => offsetX + margin.left + (Math.log2(clusters) / xMax) * plotWidth;
    const y = (value: number) => margin.top + plotHeight - (value / yMax) * plotHeight;
    const parts: string[] = [];
    parts.push(`<text x="${offsetX + width / 2}" y="16" text-anchor="middle" font-weight="bold">${escape(p.title)}</text>`);
    parts.push(`<line x1="${offsetX + margin.left}" y1="${y(0)}" x2="${offsetX + width - margin.right}" y2="${y(0)}" stroke="#333"/>`);
    parts.push(`<line x1="${offsetX + margin.left}" y1="${margin.top}" x2="${offsetX + margin.left}" y2="${y(0)}" stroke="#333"/>`);
    for (const fraction of [0, 0.5, 1]) {
        const value = (yMax / 1.15) * fraction;
        parts.push(`<text x="${offsetX + margin.left - 4}" y="${y(value) + 4}" text-anchor="end">${p.format(value)}</text>`);
    }
    for (const c of cases) {
        parts.push(`<text x="${x(c.clusters)}" y="${height - margin.bottom + 14}" text-anchor="middle">${c.clusters}</text>`);
    }
    parts.push(`<text x="${offsetX + margin.left + plotWidth / 2}" y="${height - 6}" text-anchor="middle">clusters (N, full mesh)</text>`);
    const points = cases.map((c) => `${x(c.clusters).toFixed(1)},${y(p.value(c)).toFixed(1)}`).join(" ");
    parts.push(`<polyline points="${points}" fill="none" stroke="#1f6feb" stroke-width="2"/>`);
    for (const c of cases) {
        if (p.range) {
            const [low, high] = p.range(c);
            parts.push(`<line x1="${x(c.clusters)}" y1="${y(low).toFixed(1)}" x2="${x(c.clusters)}" y2="${y(high).toFixed(1)}" stroke="#1f6feb"/>`);
        }
        parts.push(`<circle cx="${x(c.clusters).toFixed(1)}" cy="${y(p.value(c)).toFixed(1)}" r="3" fill="#1f6feb"><title>N=${c.clusters}: ${p.format(p.value(c))}</title></circle>`);
    }
    return parts.join("\n");
}

/** The full-mesh cases as four panels side by side; `caption` names the machine and run. */
export function renderChart(cases: readonly CaseSummary[], caption: string): string {
    const fullMesh = [...cases].filter((c) => c.peering === "full-mesh").sort((a, b) => a.clusters - b.clusters);
    if (fullMesh.length === 0) throw new Error("no full-mesh cases to chart");
    const total = width * panels.length;
    return [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="${height + 20}" viewBox="0 0 ${total} ${height + 20}" font-family="sans-serif" font-size="11">`,
        `<rect width="100%" height="100%" fill="white"/>`,
        ...panels.map((p, index) => panel(p, fullMesh, index * width)),
        `<text x="8" y="${height + 14}" fill="#555">${escape(caption)}</text>`,
        `</svg>`,
        "",
    ].join("\n");
}
