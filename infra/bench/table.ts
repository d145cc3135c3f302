import type { CaseSummary, TargetCheck } from "./summary";

function pad(cells: readonly string[], widths: readonly number[]): string {
    return cells.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]) : cell.padStart(widths[index]))).join("  ");
}

/** The cases as a fixed-width table, then each target with its measurement and verdict. */
export function renderTable(cases: readonly CaseSummary[], checks: readonly TargetCheck[]): string {
    const header = ["case", "resources", "links", "median s", "spread s", "ms/resource", "peak RSS MiB", "depth", "floor ms/resource", "program/floor"];
    const rows = cases.map((c) => [
        `N=${c.clusters} ${c.peering}`,
        String(c.resources),
        String(c.peerLinks),
        (c.medianMs / 1000).toFixed(2),
        `${(c.minMs / 1000).toFixed(2)}–${(c.maxMs / 1000).toFixed(2)}`,
        c.msPerResource.toFixed(2),
        (c.peakRssBytes / 1024 ** 2).toFixed(0),
        String(c.depth),
        c.floor ? c.floor.msPerResource.toFixed(2) : "—",
        c.floor ? `${c.floor.ratio.toFixed(2)}×` : "—",
    ]);
    const widths = header.map((h, index) => Math.max(h.length, ...rows.map((row) => row[index].length)));
    const lines = [pad(header, widths), ...rows.map((row) => pad(row, widths)), ""];
    for (const check of checks) lines.push(`${check.met ? "met   " : "MISSED"}  ${check.target}: ${check.measured}`);
    return `${lines.join("\n")}\n`;
}

/**
 * Before (the baseline commit) against after (this checkout), at each N that has both, from the same run: time,
 * peak RSS, and each side's program/floor ratio on its own floor. Empty when the run had no baseline.
 */
export function renderBeforeAfter(cases: readonly CaseSummary[]): string {
    const paired = cases.filter((c) => c.baseline !== null && c.floor !== null);
    if (paired.length === 0) return "";
    const header = ["case", "before resources", "after resources", "before s", "after s", "after/before", "before peak RSS MiB", "after peak RSS MiB", "before program/floor", "after program/floor"];
    const rows = paired.map((c) => {
        const before = c.baseline!;
        const after = [(c.medianMs / 1000).toFixed(2), (c.peakRssBytes / 1024 ** 2).toFixed(0), `${c.floor!.ratio.toFixed(2)}×`];
        if ("failure" in before) return [`N=${c.clusters} ${c.peering}`, "—", String(c.resources), "failed", after[0]!, "—", "—", after[1]!, "—", after[2]!];
        return [
            `N=${c.clusters} ${c.peering}`,
            String(before.resources),
            String(c.resources),
            (before.medianMs / 1000).toFixed(2),
            after[0]!,
            `${(c.medianMs / before.medianMs).toFixed(2)}×`,
            (before.peakRssBytes / 1024 ** 2).toFixed(0),
            after[1]!,
            `${before.floor.ratio.toFixed(2)}×`,
            after[2]!,
        ];
    });
    const failures = paired.flatMap((c) => (c.baseline && "failure" in c.baseline ? [`N=${c.clusters} ${c.peering}: the baseline's case failed: ${c.baseline.failure}`] : []));
    const widths = header.map((h, index) => Math.max(h.length, ...rows.map((row) => row[index].length)));
    return [`\nbefore: ${paired[0]!.baseline!.label}; after: this checkout (each program then its floor, in the same run)`, pad(header, widths), ...rows.map((row) => pad(row, widths)), ...failures, ""].join("\n") + "\n";
}
