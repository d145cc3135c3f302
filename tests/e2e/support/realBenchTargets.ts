import type { RealCaseSummary } from "./realBenchReport";

/** One target of the real-engine bench: met, missed, or not checked because its N was not run. */
export interface TargetCheck {
    readonly target: string;
    readonly measured: string;
    /** null: a case it needs was not run. */
    readonly met: boolean | null;
    /** Whether a miss fails the bench (exit 1); the others are reported beside the targets, for comparison. */
    readonly gates: boolean;
}

const mebibyte = 1024 ** 2;

/** How a preview's memory is summed over its process tree (realBenchProcs.ts). */
export type MemoryMeasure = "pss" | "rss";
/** The figures a memory check reads of a case: its N and its two peaks. */
type MemoryPeaks = Pick<RealCaseSummary, "clusters" | "peakRssBytes" | "peakPssBytes">;
const peakOf = (c: MemoryPeaks, measure: MemoryMeasure) => (measure === "pss" ? c.peakPssBytes : c.peakRssBytes);

/** Least-squares slope of the peak over the number of clusters: what each added cluster costs, in bytes. */
export function bytesPerCluster(cases: readonly MemoryPeaks[], measure: MemoryMeasure = "pss"): number | undefined {
    if (cases.length < 2) return undefined;
    const n = cases.length;
    const meanX = cases.reduce((s, c) => s + c.clusters, 0) / n;
    const meanY = cases.reduce((s, c) => s + peakOf(c, measure), 0) / n;
    const sxx = cases.reduce((s, c) => s + (c.clusters - meanX) ** 2, 0);
    const sxy = cases.reduce((s, c) => s + (c.clusters - meanX) * (peakOf(c, measure) - meanY), 0);
    return sxy / sxx;
}

/**
 * The targets of issue 19, as ratios and sizes within one run: the memory of the preview's process tree at N = 8
 * ≤ 1,400 MiB, each added cluster ≤ 130 MiB, and time per resource at N = 16 no more than at N = 4. Memory gates
 * on summed PSS, the tree's memory with each page counted once; summed RSS, which counts the kubernetes plugin's
 * binary pages once per cluster although every plugin process maps the same ones, is checked against the same
 * limits beside it and reported, not gated on (docs/benchmarks.md).
 */
export function checkTargets(cases: readonly RealCaseSummary[]): TargetCheck[] {
    const at = (n: number) => cases.find((c) => c.clusters === n);
    const eight = at(8);
    const [four, sixteen] = [at(4), at(16)];
    const memory = (measure: MemoryMeasure, gates: boolean): TargetCheck[] => {
        const label = measure === "pss" ? "PSS" : "RSS";
        const slope = bytesPerCluster(cases, measure);
        const atEight = `peak ${label} at N=8 ≤ 1400 MiB`;
        const perCluster = `each added cluster ≤ 130 MiB (least-squares slope of peak ${label})`;
        return [
            eight
                ? { target: atEight, measured: `${(peakOf(eight, measure) / mebibyte).toFixed(0)} MiB`, met: peakOf(eight, measure) <= 1400 * mebibyte, gates }
                : { target: atEight, measured: "N=8 not run", met: null, gates },
            slope !== undefined
                ? { target: perCluster, measured: `${(slope / mebibyte).toFixed(0)} MiB`, met: slope <= 130 * mebibyte, gates }
                : { target: perCluster, measured: "fewer than 2 N run", met: null, gates },
        ];
    };
    const time = "time per resource at N=16 ≤ 1.0 × at N=4";
    return [
        ...memory("pss", true),
        four && sixteen
            ? { target: time, measured: `${(sixteen.msPerResource / four.msPerResource).toFixed(2)}×`, met: sixteen.msPerResource <= four.msPerResource, gates: true }
            : { target: time, measured: "N=4 or N=16 not run", met: null, gates: true },
        ...memory("rss", false),
    ];
}

/** The targets a miss of which fails the run. */
export function missedTargets(checks: readonly TargetCheck[]): TargetCheck[] {
    return checks.filter((c) => c.gates && c.met === false);
}

export function renderTargets(checks: readonly TargetCheck[]): string {
    const mark = (c: TargetCheck) => (c.met === null ? "not checked" : c.met ? "met" : c.gates ? "MISSED" : "over (reported, not a gate)");
    return `${checks.map((c) => `${c.gates ? "target" : "beside it"} ${c.target}: ${c.measured} — ${mark(c)}`).join("\n")}\n`;
}

/**
 * What summed RSS would be if the program cost no more than the floor: the floor's peak (CLI, language host and a
 * bare node program registering as many resources) plus the provider plugins' RSS at the case's own peak. The
 * plugins are the same processes whatever the program does, so no program with one kubernetes provider per
 * cluster can go below this; a limit this bound is over cannot be met by changing the program.
 */
export function rssWithProgramAtFloor(c: RealCaseSummary): number {
    const plugins = c.atRssPeak.filter((share) => share.name.startsWith("pulumi-resource-")).reduce((sum, share) => sum + share.bytes, 0);
    return c.floor.peakRssBytes + plugins;
}

/** The RSS limits against that bound: at N = 8, and its least-squares slope over N. */
export function renderRssBound(cases: readonly RealCaseSummary[]): string {
    const eight = cases.find((c) => c.clusters === 8);
    const bound = cases.map((c) => ({ ...c, peakRssBytes: rssWithProgramAtFloor(c) }));
    const slope = bytesPerCluster(bound, "rss");
    const verdict = (value: number, limit: number) => (value <= limit * mebibyte ? "within reach" : "out of reach for any program on these plugins");
    const lines = [
        "summed RSS if the program cost no more than the floor (floor + the plugins' RSS at the peak):",
        eight
            ? `  at N=8: ${(rssWithProgramAtFloor(eight) / mebibyte).toFixed(0)} MiB against 1400 — ${verdict(rssWithProgramAtFloor(eight), 1400)}`
            : "  at N=8: not run",
        slope !== undefined
            ? `  each added cluster: ${(slope / mebibyte).toFixed(0)} MiB against 130 — ${verdict(slope, 130)}`
            : "  each added cluster: fewer than 2 N run",
    ];
    return `${lines.join("\n")}\n`;
}
