/**
 * Small multiples as plain SVG text: one panel per measure, each against N clusters on a log₂ axis, one or more
 * series per panel. Pure: the same panels give the same bytes, so a chart can be checked in and diffed.
 */
export interface ChartPoint {
    readonly clusters: number;
    readonly value: number;
    /** Error-bar bounds, where the measure has a spread. */
    readonly range?: readonly [number, number];
}

export interface ChartSeries {
    readonly label: string;
    readonly color: string;
    readonly points: readonly ChartPoint[];
    /** Drawn dashed: a reference such as a floor, not the thing measured. */
    readonly dashed?: boolean;
}

export interface ChartPanel {
    readonly title: string;
    readonly series: readonly ChartSeries[];
    readonly format: (value: number) => string;
    /** A horizontal line at a target value, labelled. */
    readonly target?: { readonly value: number; readonly label: string };
}

const width = 300;
const height = 220;
const margin = { left: 48, right: 12, top: 28, bottom: 36 };
const legendLine = 13;

function escape(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function panel(p: ChartPanel, offsetX: number, legendRows: number): string {
    const points = p.series.flatMap((s) => s.points);
    if (points.length === 0) throw new Error(`chart panel "${p.title}" has no points`);
    const clusters = [...new Set(points.map((point) => point.clusters))].sort((a, b) => a - b);
    const xMax = Math.max(1, ...clusters.map(Math.log2));
    const tops = [...points.map((point) => point.range?.[1] ?? point.value), p.target?.value ?? 0];
    const yMax = Math.max(...tops) * 1.15 || 1;
    const plotWidth = width - margin.left - margin.right;
    const plotHeight = height - margin.top - margin.bottom;
    const x = (n: number) => offsetX + margin.left + (Math.log2(n) / xMax) * plotWidth;
    const y = (value: number) => margin.top + plotHeight - (value / yMax) * plotHeight;
    const parts: string[] = [];
    parts.push(`<text x="${offsetX + width / 2}" y="16" text-anchor="middle" font-weight="bold">${escape(p.title)}</text>`);
    parts.push(`<line x1="${offsetX + margin.left}" y1="${y(0)}" x2="${offsetX + width - margin.right}" y2="${y(0)}" stroke="#333"/>`);
    parts.push(`<line x1="${offsetX + margin.left}" y1="${margin.top}" x2="${offsetX + margin.left}" y2="${y(0)}" stroke="#333"/>`);
    for (const fraction of [0, 0.5, 1]) {
        const value = (yMax / 1.15) * fraction;
        parts.push(`<text x="${offsetX + margin.left - 4}" y="${y(value) + 4}" text-anchor="end">${p.format(value)}</text>`);
    }
    for (const n of clusters) {
        parts.push(`<text x="${x(n)}" y="${height - margin.bottom + 14}" text-anchor="middle">${n}</text>`);
    }
    parts.push(`<text x="${offsetX + margin.left + plotWidth / 2}" y="${height - 6}" text-anchor="middle">clusters (N, full mesh)</text>`);
    if (p.target) {
        const at = y(p.target.value).toFixed(1);
        parts.push(`<line x1="${offsetX + margin.left}" y1="${at}" x2="${offsetX + width - margin.right}" y2="${at}" stroke="#cf222e" stroke-dasharray="2 3"/>`);
        parts.push(`<text x="${offsetX + width - margin.right}" y="${Number(at) - 3}" text-anchor="end" fill="#cf222e">${escape(p.target.label)}</text>`);
    }
    for (const s of p.series) {
        const sorted = [...s.points].sort((a, b) => a.clusters - b.clusters);
        const dash = s.dashed ? ` stroke-dasharray="5 3"` : "";
        parts.push(`<polyline points="${sorted.map((point) => `${x(point.clusters).toFixed(1)},${y(point.value).toFixed(1)}`).join(" ")}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
        for (const point of sorted) {
            if (point.range) {
                const [low, high] = point.range;
                parts.push(`<line x1="${x(point.clusters)}" y1="${y(low).toFixed(1)}" x2="${x(point.clusters)}" y2="${y(high).toFixed(1)}" stroke="${s.color}"/>`);
            }
            parts.push(`<circle cx="${x(point.clusters).toFixed(1)}" cy="${y(point.value).toFixed(1)}" r="3" fill="${s.color}"><title>${escape(s.label)}, N=${point.clusters}: ${p.format(point.value)}</title></circle>`);
        }
    }
    if (legendRows > 0) {
        p.series.forEach((s, index) => {
            const top = height + 4 + index * legendLine;
            parts.push(`<rect x="${offsetX + margin.left}" y="${top}" width="10" height="10" fill="${s.color}"/>`);
            parts.push(`<text x="${offsetX + margin.left + 14}" y="${top + 9}">${escape(s.label)}</text>`);
        });
    }
    return parts.join("\n");
}

/** The panels side by side, a legend under each panel with several series, and `caption` at the bottom. */
export function renderSmallMultiples(panels: readonly ChartPanel[], caption: string): string {
    if (panels.length === 0) throw new Error("a chart needs at least one panel");
    const legendRows = Math.max(...panels.map((p) => (p.series.length > 1 ? p.series.length : 0)));
    const legendHeight = legendRows > 0 ? legendRows * legendLine + 6 : 0;
    const total = width * panels.length;
    const fullHeight = height + legendHeight + 20;
    return [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="${fullHeight}" viewBox="0 0 ${total} ${fullHeight}" font-family="sans-serif" font-size="11">`,
        `<rect width="100%" height="100%" fill="white"/>`,
        ...panels.map((p, index) => panel(p, index * width, legendRows)),
        `<text x="8" y="${fullHeight - 6}" fill="#555">${escape(caption)}</text>`,
        `</svg>`,
        "",
    ].join("\n");
}
