// `npm run bench`: how evaluation cost and deployment depth grow with the number of clusters.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { Baseline, baselineId, exportBaseline, resolveBaseline } from "./baseline";
import type { CaseResult } from "./case";
import { renderChart } from "./chart";
import type { FloorResult } from "./floorCase";
import { BaselineRun, checkTargets, childFailure, summarise } from "./summary";
import type { BenchPeering } from "./syntheticStack";
import { renderBeforeAfter, renderTable } from "./table";

const usage = "usage: npm run bench -- [--json] [--runs <n>] [--clusters 1,2,4,...] [--floor 16,64] [--chart <file.svg>] [--baseline <git revision>]";
const projectDir = path.resolve(__dirname, "..", "..");

interface Options {
    readonly json: boolean;
    readonly runs: number;
    readonly cases: readonly { clusters: number; peering: BenchPeering }[];
    /** Full-mesh N whose case is followed by its floor case. */
    readonly floor: readonly number[];
    readonly chart: string;
    /** A git revision whose program is measured beside the current one at each floor N, with its own floor. */
    readonly baseline: string | undefined;
}

function parseArgs(argv: string[]): Options | undefined {
    let json = false;
    let runs = 3;
    let counts = [1, 2, 4, 8, 16, 32, 64];
    let floor = [16, 64];
    let chart = path.join(projectDir, "docs", "bench.svg");
    let baseline: string | undefined;
    for (let index = 0; index < argv.length; index++) {
        const flag = argv[index];
        const value = argv[index + 1];
        if (flag === "--json") json = true;
        else if (flag === "--runs" && value !== undefined) [runs, index] = [Number(value), index + 1];
        else if (flag === "--clusters" && value !== undefined) [counts, index] = [value.split(",").map(Number), index + 1];
        else if (flag === "--floor" && value !== undefined) [floor, index] = [value.split(",").map(Number), index + 1];
        else if (flag === "--chart" && value !== undefined) [chart, index] = [path.resolve(value), index + 1];
        else if (flag === "--baseline" && value !== undefined && value !== "" && !value.startsWith("-") && baseline === undefined) [baseline, index] = [value, index + 1];
        else return undefined;
    }
    if (!Number.isInteger(runs) || runs < 1 || [...counts, ...floor].some((n) => !Number.isInteger(n) || n < 1)) return undefined;
    const cases: { clusters: number; peering: BenchPeering }[] = counts.map((clusters) => ({ clusters, peering: "full-mesh" }));
    // The largest mesh without links shows what the links themselves cost.
    const largest = Math.max(...counts);
    if (largest > 1) cases.push({ clusters: largest, peering: "none" });
    return { json, runs, cases, floor: floor.filter((n) => counts.includes(n)), chart, baseline };
}

/** The Node flags `pulumi up` runs the program with (Pulumi.yaml runtime.options.nodeargs): measure the same. */
function projectNodeArgs(): string[] {
    const project = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as { runtime?: { options?: { nodeargs?: string } } };
    return (project.runtime?.options?.nodeargs ?? "").split(/\s+/).filter((arg) => arg !== "");
}

/**
 * Runs a child script with the project's node flags and returns what it printed on its last line; `tree` is the
 * project the script belongs to: this checkout, or a baseline's export.
 */
function runChild<T>(nodeArgs: readonly string[], script: string, args: readonly string[], label: string, tree = projectDir): T {
    const child = spawnSync(process.execPath, [...nodeArgs, "--import", "tsx", path.join(tree, "infra", "bench", script), ...args], {
        cwd: tree,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    if (child.status !== 0) throw new Error(`${label} failed (exit ${child.status}): ${child.stderr}`);
    const lines = child.stdout.trim().split("\n");
    return JSON.parse(lines[lines.length - 1]) as T;
}

/** A program's case (this checkout's, or from `tree`) and its floor: the skeleton of the case's warm-up, registered bare. */
function caseWithFloor(nodeArgs: readonly string[], clusters: number, peering: BenchPeering, runs: number, label: string, tree = projectDir): { result: CaseResult; floor: FloorResult } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-bench-"));
    try {
        const skeleton = path.join(dir, "skeleton.json");
        const result = runChild<CaseResult>(nodeArgs, "case.ts", [String(clusters), peering, String(runs), skeleton], label, tree);
        // The floor is the measuring stick, so it is always this checkout's, on the skeleton of the program measured.
        const floor = runChild<FloorResult>(nodeArgs, "floorCase.ts", [skeleton, String(runs)], `floor of ${label}`);
        return { result, floor };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The program's case and, when asked, its floor, and after them the baseline's case and its floor. */
function runCase(nodeArgs: readonly string[], clusters: number, peering: BenchPeering, runs: number, withFloor: boolean, baseline: { readonly of: Baseline; readonly dir: string } | undefined): {
    result: CaseResult; floor?: FloorResult; baseline?: BaselineRun;
} {
    const label = `case N=${clusters} ${peering}`;
    if (!withFloor) return { result: runChild<CaseResult>(nodeArgs, "case.ts", [String(clusters), peering, String(runs)], label) };
    const current = caseWithFloor(nodeArgs, clusters, peering, runs, label);
    if (!baseline) return current;
    try {
        return { ...current, baseline: { label: baseline.of.label, ...caseWithFloor(nodeArgs, clusters, peering, runs, `baseline ${label}`, baseline.dir) } };
    } catch (error) {
        return { ...current, baseline: { label: baseline.of.label, failure: childFailure(error instanceof Error ? error.message : String(error)) } };
    }
}

function machine(): string {
    const cpus = os.cpus();
    return `${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}`;
}

function main(argv: string[]): number {
    const options = parseArgs(argv);
    if (!options) {
        process.stderr.write(`${usage}\n`);
        return 2;
    }
    const nodeArgs = projectNodeArgs();
    // Before any case runs: a revision that cannot run here is one message, not a failure minutes in.
    const resolved = options.baseline === undefined ? undefined : resolveBaseline(options.baseline);
    const baseline = resolved ? { of: resolved, dir: fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-bench-baseline-")) } : undefined;
    const runs: { result: CaseResult; floor?: FloorResult; baseline?: BaselineRun }[] = [];
    try {
        if (baseline) exportBaseline(baseline.of, baseline.dir);
        for (const c of options.cases) {
            const withFloor = c.peering === "full-mesh" && options.floor.includes(c.clusters);
            const extra = withFloor ? ` and its floor${baseline ? `, then ${baselineId(baseline.of.label)}'s and its floor` : ""}` : "";
            if (!options.json) process.stderr.write(`running N=${c.clusters} ${c.peering}${extra} (warm-up + ${options.runs} runs each)…\n`);
            runs.push(runCase(nodeArgs, c.clusters, c.peering, options.runs, withFloor, baseline));
        }
    } finally {
        if (baseline) fs.rmSync(baseline.dir, { recursive: true, force: true });
    }
    const cases = runs.map((r) => summarise(r.result, r.floor, r.baseline));
    const checks = checkTargets(cases);
    const host = machine();
    const caption = `${host}; node ${nodeArgs.join(" ") || "(no flags)"}; ${options.runs} timed runs per case after a warm-up; bars: fastest–slowest run`;
    fs.mkdirSync(path.dirname(options.chart), { recursive: true });
    fs.writeFileSync(options.chart, renderChart(cases, caption));
    const report = { machine: host, nodeArgs, runs: options.runs, cases, targets: checks, chains: Object.fromEntries(runs.map(({ result: r }) => [`${r.clusters}-${r.peering}`, r.chain])) };
    fs.writeFileSync(options.chart.replace(/\.svg$/, "") + ".json", `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${host}; node ${nodeArgs.join(" ")}\n\n${renderTable(cases, checks)}${renderBeforeAfter(cases)}chart: ${path.relative(process.cwd(), options.chart)}\n`);
    return checks.every((c) => c.met) ? 0 : 1;
}

try {
    process.exit(main(process.argv.slice(2)));
} catch (error) {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(3);
}
