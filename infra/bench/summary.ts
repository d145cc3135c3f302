import type { CaseResult } from "./case";
import type { FloorResult } from "./floorCase";

/** The floor case beside a program case: the same resources, components and nesting, no program logic. */
export interface FloorSummary {
    readonly medianMs: number;
    readonly minMs: number;
    readonly maxMs: number;
    readonly msPerResource: number;
    /** The program's median time over the floor's: how many times the SDK's bare cost the program takes. */
    readonly ratio: number;
}

/** One case as reported: the child's raw runs reduced to what the table, chart and targets read. */
export interface CaseSummary {
    readonly clusters: number;
    readonly peering: CaseResult["peering"];
    readonly resources: number;
    readonly peerLinks: number;
    readonly medianMs: number;
    /** Fastest and slowest timed run. */
    readonly minMs: number;
    readonly maxMs: number;
    readonly msPerResource: number;
    readonly peakRssBytes: number;
    readonly depth: number;
    /** Measured only for some N (by default 16 and 64); null elsewhere. */
    readonly floor: FloorSummary | null;
    /** With `--baseline`, at the floor's N: that commit's program, measured in the same run; null elsewhere. */
    readonly baseline: BaselineSummary | null;
}

/**
 * A baseline commit's case and its own floor, as the children reported them; or why its case failed. A past
 * program can fail where the current one does not (at N = 64 one ran out of the 768 MiB heap that Pulumi.yaml
 * gives both), and that is a finding to report beside the current case, not a reason to lose the run.
 */
export type BaselineRun =
    | { readonly label: string; readonly result: CaseResult; readonly floor: FloorResult }
    | { readonly label: string; readonly failure: string };

/** The baseline's figures beside a case: its own resource count, time, memory and program/floor ratio. */
export interface BaselineFigures {
    /** Short commit id and subject. */
    readonly label: string;
    readonly resources: number;
    readonly medianMs: number;
    readonly msPerResource: number;
    readonly peakRssBytes: number;
    readonly floor: FloorSummary;
}

export type BaselineSummary = BaselineFigures | { readonly label: string; readonly failure: string };

/** A failed child's output reduced to its reason: V8's fatal error line when there is one, else its last line. */
export function childFailure(output: string): string {
    const fatal = /FATAL ERROR: (.*)/.exec(output);
    if (fatal) return fatal[1]!.trim();
    const lines = output.split("\n").map((line) => line.trim()).filter((line) => line !== "");
    return lines[lines.length - 1] ?? "no output";
}

export function median(values: readonly number[]): number {
    if (values.length === 0) throw new Error("median of no values");
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function floorSummary(result: CaseResult, floor: FloorResult): FloorSummary {
    if (floor.resources !== result.resources) throw new Error(`floor of N=${result.clusters}: ${floor.resources} resources, the program ${result.resources}`);
    const floorMedianMs = median(floor.runsMs);
    return {
        medianMs: floorMedianMs,
        minMs: Math.min(...floor.runsMs),
        maxMs: Math.max(...floor.runsMs),
        msPerResource: floorMedianMs / floor.resources,
        ratio: median(result.runsMs) / floorMedianMs,
    };
}

function summariseBaseline(baseline: BaselineRun): BaselineSummary {
    if (!("result" in baseline)) return baseline;
    const medianMs = median(baseline.result.runsMs);
    return {
        label: baseline.label,
        resources: baseline.result.resources,
        medianMs,
        msPerResource: medianMs / baseline.result.resources,
        peakRssBytes: baseline.result.peakRssBytes,
        floor: floorSummary(baseline.result, baseline.floor),
    };
}

export function summarise(result: CaseResult, floor?: FloorResult, baseline?: BaselineRun): CaseSummary {
    const medianMs = median(result.runsMs);
    if (baseline && "result" in baseline && baseline.result.clusters !== result.clusters) throw new Error(`baseline of N=${result.clusters}: measured at N=${baseline.result.clusters}`);
    return {
        clusters: result.clusters,
        peering: result.peering,
        resources: result.resources,
        peerLinks: result.peerLinks,
        medianMs,
        minMs: Math.min(...result.runsMs),
        maxMs: Math.max(...result.runsMs),
        msPerResource: medianMs / result.resources,
        peakRssBytes: result.peakRssBytes,
        depth: result.depth,
        floor: floor ? floorSummary(result, floor) : null,
        baseline: baseline ? summariseBaseline(baseline) : null,
    };
}

export interface TargetCheck {
    readonly target: string;
    readonly measured: string;
    readonly met: boolean;
}

const gibibyte = 1024 ** 3;

/** The program's time at N = 64 over the SDK's bare registration of the same resources (issue 19, item 3). */
export const maxFloorRatioAt64 = 2.0;

/** The issue's four targets, read off the full-mesh cases. Missing cases fail their target rather than pass it. */
export function checkTargets(cases: readonly CaseSummary[]): TargetCheck[] {
    const fullMesh = cases.filter((c) => c.peering === "full-mesh");
    const at = (clusters: number) => fullMesh.find((c) => c.clusters === clusters);
    const at16 = at(16);
    const at64 = at(64);
    const checks: TargetCheck[] = [];

    if (at16 && at64) {
        const ratio = at64.msPerResource / at16.msPerResource;
        checks.push({
            target: "time per resource at N=64 ≤ 1.25 × at N=16",
            measured: `${at64.msPerResource.toFixed(2)} ms vs ${at16.msPerResource.toFixed(2)} ms: ${ratio.toFixed(2)}×`,
            met: ratio <= 1.25,
        });
    } else {
        checks.push({ target: "time per resource at N=64 ≤ 1.25 × at N=16", measured: "N=16 or N=64 not run", met: false });
    }

    const multi = fullMesh.filter((c) => c.clusters >= 2);
    const depths = [...new Set(multi.map((c) => c.depth))];
    checks.push({
        target: "critical-path depth equal for every N ≥ 2",
        measured: multi.length < 2 ? "fewer than two cases with N ≥ 2" : `depths ${multi.map((c) => `N=${c.clusters}:${c.depth}`).join(" ")}`,
        met: multi.length >= 2 && depths.length === 1,
    });

    checks.push({
        target: "peak RSS at N=64 < 1 GiB",
        measured: at64 ? `${(at64.peakRssBytes / 1024 ** 2).toFixed(0)} MiB` : "N=64 not run",
        met: at64 !== undefined && at64.peakRssBytes < gibibyte,
    });

    // Without the floor case (--floor leaving out 64) the ratio is unknown: that fails rather than passes.
    const floorTarget = `program/floor at N=64 ≤ ${maxFloorRatioAt64.toFixed(1)}×`;
    checks.push({
        target: floorTarget,
        measured: at64?.floor ? `${at64.floor.ratio.toFixed(2)}× (${at64.medianMs.toFixed(0)} ms vs ${at64.floor.medianMs.toFixed(0)} ms)` : "N=64 or its floor not run",
        met: at64?.floor != null && at64.floor.ratio <= maxFloorRatioAt64,
    });
    return checks;
}
