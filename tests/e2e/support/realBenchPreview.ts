import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { EngineEvent } from "@pulumi/pulumi/automation";
import { recorder, Step } from "./project";
import { PeakRss, ProcEntry, procFs, ProcReader, processTable, sampleTree } from "./realBenchProcs";

/**
 * Samples /proc every intervalMs: the whole tree below this process (control planes, CLIs, plugins: all the
 * run started) and, while a preview runs, the tree below that preview's CLI. Remembers every process it saw
 * in the watched tree, so that whatever outlives the CLI can be found and stopped by PID.
 */
interface Watched {
    readonly root: number;
    readonly peak: PeakRss;
    readonly seen: Map<number, ProcEntry>;
    /** Each process's command line (NULs as spaces), read when first seen. */
    readonly commands: Map<number, string>;
}

export class TreeSampler {
    readonly whole = new PeakRss();
    /** CPU milliseconds this process spent reading /proc: the sampler's own cost, on the cores it measures. */
    samplingCpuMs = 0;
    ticks = 0;
    private timer: NodeJS.Timeout | undefined;
    private table: Map<number, ProcEntry> | undefined;
    private watched: Watched | undefined;

    constructor(private readonly reader: ProcReader = procFs, private readonly self = process.pid) {}

    start(intervalMs = 100): void {
        this.timer ??= setInterval(() => this.tick(), intervalMs);
    }

    stop(): void {
        clearInterval(this.timer);
        this.timer = undefined;
    }

    watch(root: number): Watched {
        this.watched = { root, peak: new PeakRss(), seen: new Map(), commands: new Map() };
        this.tick();
        return this.watched;
    }

    unwatch(): void {
        this.watched = undefined;
    }

    tick(): void {
        const started = process.cpuUsage();
        const table = this.table = processTable(this.reader, this.table);
        this.whole.add(sampleTree(this.reader, table, this.self));
        if (this.watched) {
            const sample = sampleTree(this.reader, table, this.watched.root, { pss: true });
            this.watched.peak.add(sample);
            for (const p of sample.processes) {
                if (this.watched.seen.has(p.pid)) continue;
                this.watched.seen.set(p.pid, table.get(p.pid) as ProcEntry);
                this.watched.commands.set(p.pid, (this.reader.read(p.pid, "cmdline") ?? p.name).replace(/\0+$/, "").replace(/\0/g, " "));
            }
        }
        const used = process.cpuUsage(started);
        this.samplingCpuMs += (used.user + used.system) / 1000;
        this.ticks++;
    }
}

export interface PreviewOptions {
    /** The pulumi CLI binary. */
    readonly pulumi: string;
    readonly cwd: string;
    readonly env: Readonly<Record<string, string>>;
    readonly stack: string;
    /** Where the event log and the CLI's output go (one file each per run, named by `label`). */
    readonly logDir: string;
    readonly label: string;
    readonly timeoutMs: number;
    readonly sampler: TreeSampler;
}

export interface PreviewRun {
    readonly ms: number;
    readonly steps: readonly Step[];
    readonly changeSummary: Readonly<Record<string, number>>;
    readonly peak: PeakRss;
    /** Command lines of the processes of this preview, in the order they were first seen. */
    readonly commands: readonly string[];
}

/** The processes of a preview that are still the ones seen (same PID and start time). */
function stillRunning(seen: ReadonlyMap<number, ProcEntry>, reader: ProcReader = procFs): ProcEntry[] {
    const now = processTable({ pids: () => [...seen.keys()], read: (pid, file) => reader.read(pid, file) });
    return [...seen.values()].filter((p) => now.get(p.pid)?.startTicks === p.startTicks);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `pulumi preview` exactly as a user types it, timed from spawn to exit, its process tree sampled meanwhile.
 * Fails on a non-zero exit (with the tail of the CLI's output, in which the CLI masks secrets), on a timeout,
 * and if any of its processes outlives it (those are SIGKILLed by PID first).
 */
export async function timedPreview(options: PreviewOptions): Promise<PreviewRun> {
    const eventLog = path.join(options.logDir, `${options.label}.events.jsonl`);
    const outputLog = path.join(options.logDir, `${options.label}.log`);
    const fd = fs.openSync(outputLog, "w");
    const args = ["preview", "--stack", options.stack, "--non-interactive", "--color", "never", "--event-log", eventLog];
    const started = performance.now();
    // The CLI defines --event-log (the engine's events as JSON lines, what the Automation API reads) only with debug commands on.
    const env = { ...process.env, ...options.env, PULUMI_DEBUG_COMMANDS: "true" };
    const child = spawn(options.pulumi, args, { cwd: options.cwd, env, stdio: ["ignore", fd, fd] });
    fs.closeSync(fd);
    const killOnExit = (): void => void child.kill("SIGKILL");
    process.once("exit", killOnExit);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((resolve, reject) => {
        child.once("exit", (code, signal) => resolve({ code, signal, ms: performance.now() - started }));
        child.once("error", reject);
    });
    if (child.pid === undefined) throw new Error(`could not start ${options.pulumi}: ${String(await exited.catch((e: unknown) => e))}`);
    const { peak, seen, commands } = options.sampler.watch(child.pid);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => { timer = setTimeout(() => resolve("timeout"), options.timeoutMs); });
    const measured = (async (): Promise<PreviewRun> => {
        const outcome = await Promise.race([exited, timedOut]);
        if (outcome === "timeout") {
            child.kill("SIGINT"); // the CLI cancels and shuts its plugins down
            await Promise.race([exited, sleep(30_000)]);
            throw new Error(`pulumi ${args.join(" ")}: no exit after ${options.timeoutMs / 1000} s (output: ${outputLog})`);
        }
        if (outcome.code !== 0) {
            const tail = fs.readFileSync(outputLog, "utf8").trimEnd().split("\n").slice(-30).join("\n");
            throw new Error(`pulumi ${args.join(" ")}: exit ${outcome.code ?? outcome.signal}\n${tail}`);
        }
        const run = recorder();
        let changeSummary: Record<string, number> | undefined;
        for (const line of fs.readFileSync(eventLog, "utf8").split("\n")) {
            if (line.trim() === "") continue;
            const event = JSON.parse(line) as EngineEvent;
            run.onEvent(event);
            changeSummary = event.summaryEvent?.resourceChanges ?? changeSummary;
        }
        if (!changeSummary) throw new Error(`${eventLog}: no summary event`);
        return { ms: outcome.ms, steps: run.steps, changeSummary, peak, commands: [...commands.values()] };
    })();
    const result = await measured.then((run) => ({ run }), (error: unknown) => ({ error }));
    clearTimeout(timer);
    options.sampler.unwatch();
    process.removeListener("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
    }
    const left = await stopLeftovers(seen);
    if ("error" in result) throw result.error;
    if (left.length > 0) throw new Error(`still running after pulumi preview ended, killed by PID: ${left.map((p) => `${p.pid} ${p.name}`).join(", ")}`);
    return result.run;
}

/** Plugins and the language host end as the CLI ends; what still runs a few seconds later is SIGKILLed by PID. */
async function stopLeftovers(seen: ReadonlyMap<number, ProcEntry>): Promise<ProcEntry[]> {
    let left = stillRunning(seen);
    for (let waited = 0; left.length > 0 && waited < 5_000; waited += 250) {
        await sleep(250);
        left = stillRunning(seen);
    }
    for (const p of left) process.kill(p.pid, "SIGKILL");
    return left;
}
