import type { RealCaseSummary } from "./realBenchReport";

/** One target of the real-engine bench: met, missed, or not checked because its N was not run. */
export interface TargetCheck {
    readonly target: string;
    readonly measured: string;
    /** null: a case it needs was not run. */
    readonly met: boolean | null;
}

const mebibyte = 1024 ** 2;

/** Least-squares slope of peak RSS over the number of clusters: what each added cluster costs, in bytes. */
export function bytesPerCluster(cases: readonly RealCaseSummary[]): number | undefined {
    if (cases.length < 2) return undefined;
    const n = cases.length;
    const meanX = cases.reduce((s, c) => s + c.clusters, 0) / n;
    const meanY = cases.reduce((s, c) => s + c.peakRssBytes, 0) / n;
    const sxx = cases.reduce((s, c) => s + (c.clusters - meanX) ** 2, 0);
    const sxy = cases.reduce((s, c) => s + (c.clusters - meanX) * (c.peakRssBytes - meanY), 0);
    return sxy / sxx;
}

/**
 * The targets of issue 19, as ratios and sizes within one run: peak RSS at N = 8 ≤ 1,400 MiB, each added
 * cluster ≤ 130 MiB, and time per resource at N = 16 no more than at N = 4.
 */
export function checkTargets(cases: readonly RealCaseSummary[]): TargetCheck[] {
    const at = (n: number) => cases.find((c) => c.clusters === n);
    const eight = at(8);
    const slope = bytesPerCluster(cases);
    const [four, sixteen] = [at(4), at(16)];
    return [
        eight
            ? { target: "peak RSS at N=8 ≤ 1400 MiB", measured: `${(eight.peakRssBytes / mebibyte).toFixed(0)} MiB`, met: eight.peakRssBytes <= 1400 * mebibyte }
            : { target: "peak RSS at N=8 ≤ 1400 MiB", measured: "N=8 not run", met: null },
        slope !== undefined
            ? { target: "each added cluster ≤ 130 MiB (least-squares slope of peak RSS)", measured: `${(slope / mebibyte).toFixed(0)} MiB`, met: slope <= 130 * mebibyte }
            : { target: "each added cluster ≤ 130 MiB (least-squares slope of peak RSS)", measured: "fewer than 2 N run", met: null },
        four && sixteen
            ? { target: "time per resource at N=16 ≤ 1.0 × at N=4", measured: `${(sixteen.msPerResource / four.msPerResource).toFixed(2)}×`, met: sixteen.msPerResource <= four.msPerResource }
            : { target: "time per resource at N=16 ≤ 1.0 × at N=4", measured: "N=4 or N=16 not run", met: null },
    ];
}

export function renderTargets(checks: readonly TargetCheck[]): string {
    const mark = (met: boolean | null) => (met === null ? "not checked" : met ? "met" : "MISSED");
    return `${checks.map((c) => `target ${c.target}: ${c.measured} — ${mark(c.met)}`).join("\n")}\n`;
}
