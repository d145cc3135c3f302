import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { syntheticStack } from "../../infra/bench/syntheticStack";
import { startControlPlanes } from "./support/controlPlane";
import { openProject } from "./support/project";
import { PeakRss } from "./support/realBenchProcs";
import { timedPreview, TreeSampler } from "./support/realBenchPreview";
import { BaselineSeries, planMismatch, RealCaseResult, ratioBetween, renderBeforeAfter, renderEntryTable, renderPeakBreakdown, renderRealTable, summariseRealCase } from "./support/realBenchReport";
import { Baseline, resolveBaseline } from "../../infra/bench/baseline";
import { writeBaselineProject } from "./support/realBenchBaseline";
import { writeStandIns } from "./support/standInCharts";
import { committedEntry, entries, entryEnvironment, Entry, usePrecompiledEntry, writeFloorProject } from "./support/realBenchEntries";
import { checkTargets, missedTargets, renderRssBound, renderTargets, rssWithProgramAtFloor } from "./support/realBenchTargets";
import { renderRealChart } from "./support/realBenchChart";
import { spawnSync } from "node:child_process";
import { ownSteps } from "./support/steps";
import { findToolchain, projectDir, Toolchain, toolsBin } from "./support/tools";

/**
 * `npm run e2e -- --bench`: the real `pulumi preview` of N clusters in full mesh, for each N on N local API
 * servers. What the mock-engine bench (`npm run bench`) measures in one process, here spans the CLI, the
 * language host, the node program and the provider plugins, talking to real API servers: time per resource
 * and the summed memory of those processes. The stack is Pulumi.multicluster.yaml with the mock bench's N
 * clusters (infra/bench/syntheticStack.ts), so the two tables describe the same stacks.
 *
 * Control planes: the N API servers share one etcd (each under its own --etcd-prefix), and no
 * kube-controller-manager runs: a preview creates nothing, so there is nothing for controllers to do, and
 * their CPU would compete with the processes measured on a 2-core machine.
 */
export interface RealBenchOptions {
    readonly json: boolean;
    readonly runs: number;
    readonly clusters: readonly number[];
    /** Where the chart goes, its data beside it as .json; undefined: docs/real-bench.svg. */
    readonly chart: string | undefined;
    /** A git revision previewed beside the current program at each N; undefined: none. */
    readonly baseline: string | undefined;
}

const licence = "BENCH-LICENCE-not-a-real-key";
const previewTimeoutMs = 20 * 60_000;
const mebibyte = 1024 ** 2;

function machine(): string {
    const cpus = os.cpus();
    return `${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}`;
}

const loadAverage = (): string => os.loadavg().map((l) => l.toFixed(2)).join(" / ");

/** The committed multicluster stack file's settings, with the mock bench's clusters and peering. */
function stackFileValues(clusters: number): { name: string; values: Record<string, unknown>; contexts: string[] } {
    const synthetic = syntheticStack(clusters, "full-mesh");
    const clusterList = JSON.parse(synthetic.config["ambient-spire:clusters"]) as { name: string; context: string }[];
    const committed = parse(fs.readFileSync(path.join(projectDir, "Pulumi.multicluster.yaml"), "utf8")) as { config: Record<string, unknown> };
    return {
        name: synthetic.stack,
        values: { ...committed.config, "ambient-spire:clusters": clusterList, "ambient-spire:peering": synthetic.config["ambient-spire:peering"] },
        contexts: clusterList.map((c) => c.context),
    };
}

interface Context {
    readonly toolchain: Toolchain;
    readonly baseline: Baseline | undefined;
    readonly root: string;
    readonly sampler: TreeSampler;
    readonly progress: (line: string) => void;
}

/** The entry point the project commits, measured first; the others follow it at each N. */
const committed: Entry = committedEntry(projectDir);

async function measure(n: number, runs: number, { toolchain, baseline, root, sampler, progress }: Context): Promise<RealCaseResult> {
    const caseRoot = path.join(root, `n${n}`);
    const stackFile = stackFileValues(n);
    progress(`N=${n}: ${n} API server(s) on one etcd…`);
    const planes = await startControlPlanes({
        contexts: stackFile.contexts, binDir: toolsBin, workDir: path.join(caseRoot, "control-plane"), sharedEtcd: true, controllerManager: false,
    });
    try {
        const project = await openProject(caseRoot, toolchain, planes.kubeconfig);
        const standIns = writeStandIns(path.join(caseRoot, "stand-ins"), project.dir);
        const stack = await project.stack(stackFile.name);
        await stack.setConfig("ambient-spire:soloLicenseKey", { value: licence, secret: true });
        project.editStackFile(stackFile.name, { ...stackFile.values, "ambient-spire:sources": standIns.sources });
        // Before the previews: a plan that cannot run fails the case at once, not after minutes of measuring.
        const planResources = project.plan(stackFile.name).resources.length;
        const logDir = path.join(caseRoot, "logs");
        fs.mkdirSync(logDir);
        const preview = (label: string) => timedPreview({
            pulumi: path.join(toolchain.bin, "pulumi"), cwd: project.dir, env: project.env, stack: stackFile.name, logDir, label, timeoutMs: previewTimeoutMs, sampler,
        });
        progress(`N=${n}: warm-up preview…`);
        const warmUp = await preview("warm-up");
        const own = ownSteps(warmUp.steps);
        const runsMs: number[] = [];
        const peaks: PeakRss[] = [];
        let commands: readonly string[] = [];
        for (let run = 1; run <= runs; run++) {
            const timed = await preview(`run-${run}`);
            progress(`N=${n}: run ${run}/${runs} ${(timed.ms / 1000).toFixed(1)} s, peak RSS ${(timed.peak.totalBytes / mebibyte).toFixed(0)} MiB, PSS ${(timed.peak.totalPssBytes / mebibyte).toFixed(0)} MiB (load ${loadAverage()})`);
            const count = ownSteps(timed.steps).length;
            if (count !== own.length) throw new Error(`N=${n} run ${run}: ${count} resources in the preview, the warm-up had ${own.length}`);
            runsMs.push(timed.ms);
            peaks.push(timed.peak);
            commands = timed.commands;
        }
        const largest = peaks.map((p) => p.largest).reduce((a, b) => ((b?.bytes ?? 0) > (a?.bytes ?? 0) ? b : a));
        if (!largest) throw new Error(`N=${n}: no process of the preview was ever sampled`);
        const highest = peaks.reduce((a, b) => (b.totalBytes > a.totalBytes ? b : a));

        // The same stack with the other entry point, then the floor: same runs, same sampler, same machine state.
        // `expected`: the resource count every run must have; undefined (the baseline, another program): the warm-up's.
        const timedSeries = async (label: string, run: (label: string) => Promise<{ ms: number; peak: PeakRss; steps: readonly { type: string }[] }>, expected: number | undefined) => {
            const resourcesOf = (steps: readonly { type: string }[]) => steps.filter((s) => s.type !== "pulumi:pulumi:Stack" && !s.type.startsWith("pulumi:providers:")).length;
            progress(`N=${n}: ${label} warm-up…`);
            const warmUp = await run(`${label}-warm-up`);
            const want = expected ?? resourcesOf(warmUp.steps);
            const series: { ms: number; peak: PeakRss }[] = [];
            for (let index = 1; index <= runs; index++) {
                const timed = await run(`${label}-${index}`);
                const count = resourcesOf(timed.steps);
                if (count !== want) throw new Error(`N=${n} ${label} run ${index}: ${count} resources, want ${want}`);
                progress(`N=${n}: ${label} run ${index}/${runs} ${(timed.ms / 1000).toFixed(1)} s, peak RSS ${(timed.peak.totalBytes / mebibyte).toFixed(0)} MiB, PSS ${(timed.peak.totalPssBytes / mebibyte).toFixed(0)} MiB`);
                series.push(timed);
            }
            const highestRun = series.reduce((a, b) => (b.peak.totalBytes > a.peak.totalBytes ? b : a));
            return {
                runsMs: series.map((t) => t.ms),
                peakRssBytes: Math.max(...series.map((t) => t.peak.totalBytes)),
                peakPssBytes: Math.max(...series.map((t) => t.peak.totalPssBytes)),
                resources: want,
                atRssPeak: highestRun.peak.atRssPeak,
            };
        };
        const ownCount = own.filter((s) => !s.type.startsWith("pulumi:providers:")).length;
        // The other entries, precompiled last: it rewrites the project copy's Pulumi.yaml.
        const otherEntries = [];
        for (const entry of entries.filter((e) => e !== committed)) {
            if (entry === "precompiled") usePrecompiledEntry(project.dir);
            const withEntry = (label: string) => timedPreview({
                pulumi: path.join(toolchain.bin, "pulumi"), cwd: project.dir, env: { ...project.env, ...entryEnvironment(entry) }, stack: stackFile.name, logDir, label, timeoutMs: previewTimeoutMs, sampler,
            });
            otherEntries.push({ entry, ...(await timedSeries(entry, withEntry, ownCount)) });
        }
        const floorDir = path.join(caseRoot, "floor");
        writeFloorProject(floorDir);
        const cli = (args: string[]) => {
            const result = spawnSync(path.join(toolchain.bin, "pulumi"), args, { cwd: floorDir, env: { ...process.env, ...project.env }, encoding: "utf8" });
            if (result.status !== 0) throw new Error(`pulumi ${args.join(" ")} (floor): exit ${result.status}\n${result.stdout}${result.stderr}`);
        };
        cli(["stack", "init", "floor", "--non-interactive"]);
        cli(["config", "set", "resources", String(own.length), "--stack", "floor"]);
        const floorPreview = (label: string) => timedPreview({
            pulumi: path.join(toolchain.bin, "pulumi"), cwd: floorDir, env: project.env, stack: "floor", logDir, label, timeoutMs: previewTimeoutMs, sampler,
        });
        const floor = await timedSeries("floor", floorPreview, own.length);
        // Last: the baseline commit's program on the same stack file, stack and backend, from a sibling directory.
        let before: BaselineSeries | undefined;
        if (baseline) {
            const baselineDir = path.join(caseRoot, "baseline");
            writeBaselineProject(baseline, baselineDir, project.dir, stackFile.name);
            const baselinePreview = (label: string) => timedPreview({
                pulumi: path.join(toolchain.bin, "pulumi"), cwd: baselineDir, env: project.env, stack: stackFile.name, logDir, label, timeoutMs: previewTimeoutMs, sampler,
            });
            before = { label: baseline.label, ...(await timedSeries("baseline", baselinePreview, undefined)) };
        }
        return {
            committedEntry: committed,
            otherEntries,
            floor,
            baseline: before,
            clusters: n,
            resources: own.length,
            peerLinks: own.filter((s) => s.type === "ambient-spire:multicluster:PeerLink").length,
            engineSteps: warmUp.steps.length,
            changeSummary: warmUp.changeSummary,
            planResources,
            runsMs,
            peakRssBytes: Math.max(...peaks.map((p) => p.totalBytes)),
            peakPssBytes: Math.max(...peaks.map((p) => p.totalPssBytes)),
            largest,
            atRssPeak: highest.atRssPeak,
            commands,
        };
    } finally {
        await planes.stop();
        const alive = planes.pids().filter((pid) => fs.existsSync(`/proc/${pid}`));
        if (alive.length > 0) progress(`N=${n}: control-plane processes still present after stop: ${alive.join(", ")}`);
        if (!process.env.AMBIENT_SPIRE_E2E_KEEP) fs.rmSync(caseRoot, { recursive: true, force: true });
    }
}

/** Runs every N in turn; 0 when each preview succeeded and matched the offline plan, 1 otherwise. */
export async function runRealBench(options: RealBenchOptions): Promise<number> {
    const progress = (line: string): void => void process.stderr.write(`${line}\n`);
    const started = performance.now();
    const loadAtStart = loadAverage();
    const toolchain = findToolchain();
    progress(`toolchain:\n${toolchain.summary}`);
    // Before any API server starts: a revision that cannot run here is one message, not a failure minutes in.
    const baseline = options.baseline === undefined ? undefined : resolveBaseline(options.baseline);
    if (baseline) progress(`baseline: ${baseline.label}`);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-e2e-bench-"));
    const sampler = new TreeSampler();
    sampler.start(100);
    const results: RealCaseResult[] = [];
    try {
        for (const n of options.clusters) results.push(await measure(n, options.runs, { toolchain, baseline, root, sampler, progress }));
    } finally {
        sampler.stop();
        if (!process.env.AMBIENT_SPIRE_E2E_KEEP) fs.rmSync(root, { recursive: true, force: true });
    }
    const cases = results.map(summariseRealCase);
    const ratio = ratioBetween(cases);
    const mismatches = results.map(planMismatch).filter((m): m is string => m !== undefined);
    const targets = checkTargets(cases);
    const missed = missedTargets(targets);
    const wholeRun = {
        seconds: (performance.now() - started) / 1000,
        peakRssBytes: sampler.whole.totalBytes,
        samplerCpuMsPerTick: sampler.samplingCpuMs / Math.max(1, sampler.ticks),
    };
    const host = machine();
    const load = { start: loadAtStart, end: loadAverage() };
    const rssAtFloorProgram = cases.map((c) => ({ clusters: c.clusters, bytes: rssWithProgramAtFloor(c) }));
    const report = { machine: host, loadAverage: load, runs: options.runs, cases, ratio: ratio ?? null, targets, rssAtFloorProgram, wholeRun, planMismatches: mismatches };
    const chart = path.resolve(options.chart ?? path.join(projectDir, "docs", "real-bench.svg"));
    fs.mkdirSync(path.dirname(chart), { recursive: true });
    fs.writeFileSync(chart, renderRealChart(cases, `${host}; real pulumi preview, median of ${options.runs}; load ${load.start} at start, ${load.end} at end`));
    // The data without the command lines: they hold this run's temporary paths, not what the chart shows.
    fs.writeFileSync(chart.replace(/\.svg$/, ".json"), `${JSON.stringify({ ...report, cases: cases.map(({ commands: _commands, ...rest }) => rest) }, null, 2)}\n`);
    if (options.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
        process.stdout.write([
            `${host}; real pulumi preview, one warm-up then ${options.runs} timed run(s) per N; load average (1/5/15 min) ${load.start} at start, ${load.end} at end`,
            "",
            renderRealTable(cases, ratio).trimEnd(),
            "",
            renderEntryTable(cases).trimEnd(),
            "",
            renderPeakBreakdown(cases).trimEnd(),
            "",
            ...(baseline ? [renderBeforeAfter(cases).trimEnd(), ""] : []),
            renderTargets(targets).trimEnd(),
            renderRssBound(cases).trimEnd(),
            `engine steps per preview (stack, providers, provider-side children included): ${cases.map((c) => `N=${c.clusters}: ${c.engineSteps} (${Object.entries(c.changeSummary).map(([op, k]) => `${op} ${k}`).join(", ")})`).join("; ")}`,
            `processes of the last preview of N=${cases[cases.length - 1].clusters}:`,
            ...cases[cases.length - 1].commands.map((command) => `  ${command.length > 200 ? `${command.slice(0, 200)}…` : command}`),
            `chart: ${path.relative(process.cwd(), chart)} (data: ${path.relative(process.cwd(), chart.replace(/\.svg$/, ".json"))})`,
            `offline plan: ${mismatches.length === 0 ? "same resource count as every preview" : mismatches.join("; ")}`,
            `whole run: ${wholeRun.seconds.toFixed(0)} s, peak RSS of everything it ran (control planes included) ${(wholeRun.peakRssBytes / mebibyte).toFixed(0)} MiB; ` +
                `sampling /proc cost ${wholeRun.samplerCpuMsPerTick.toFixed(1)} ms of CPU per 100 ms tick`,
            "",
        ].join("\n"));
    }
    return mismatches.length === 0 && missed.length === 0 ? 0 : 1;
}
