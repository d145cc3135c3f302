import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { EngineEvent } from "@pulumi/pulumi/automation";
import { E2eProject } from "./project";
import { toolsBin } from "./tools";

/**
 * The `pulumi` CLI run as a user types it (not through the automation API), so that the test holds its PID and
 * can SIGKILL it halfway. Each run gets a process group of its own; the CLI then starts the language host and
 * every provider plugin in process groups of their own too, so a kill of the CLI's group leaves them running:
 * killTree records the whole tree first and ends every member it started.
 */
export interface CliResult {
    readonly command: string;
    readonly code: number | null;
    readonly signal: NodeJS.Signals | null;
    /** stdout and stderr interleaved as they arrived. */
    readonly output: string;
    readonly seconds: number;
}

const defaultLimitMs = 15 * 60_000;

/** Runs `pulumi <args>` to the end in the project's directory and environment; a run past the limit is killed whole and fails. */
export async function runCli(project: E2eProject, args: string[], limitMs = defaultLimitMs): Promise<CliResult> {
    const cli = startCli(project, args);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), limitMs)));
    const outcome = await Promise.race([cli.done, timeout]);
    clearTimeout(timer);
    if (outcome === "timeout") {
        await cli.killTree();
        throw new Error(`${cli.command}: still running after ${limitMs / 1000} s, killed\n${cli.output()}`);
    }
    return outcome;
}

export interface RunningCli {
    readonly command: string;
    readonly pid: number;
    /** Engine events parsed from `--json` output, in order (empty without --json). */
    readonly events: EngineEvent[];
    readonly done: Promise<CliResult>;
    output(): string;
    /** Resolves once `match` holds for the events so far; rejects when the CLI ends first or the limit passes. */
    waitFor(what: string, match: (events: readonly EngineEvent[]) => boolean, limitMs?: number): Promise<void>;
    /** SIGKILLs the CLI's process group, then every descendant still alive; resolves with those that outlived the CLI. */
    killTree(): Promise<Survivor[]>;
}

export interface Survivor {
    readonly pid: number;
    readonly command: string;
}

export function startCli(project: E2eProject, args: string[]): RunningCli {
    const command = `pulumi ${args.join(" ")}`;
    const started = Date.now();
    const child: ChildProcess = spawn(path.join(toolsBin, "pulumi"), args, {
        cwd: project.dir,
        env: { ...process.env, ...project.env },
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
    });
    if (child.pid === undefined) throw new Error(`${command}: did not start`);
    const pid = child.pid;
    const events: EngineEvent[] = [];
    let output = "";
    let pending = "";
    const listeners = new Set<() => void>();
    const notify = (): void => listeners.forEach((listener) => listener());
    child.stdout!.on("data", (chunk: Buffer) => {
        const text = chunk.toString();
        output += text;
        pending += text;
        const lines = pending.split("\n");
        pending = lines.pop()!;
        for (const line of lines) {
            if (!line.startsWith("{")) continue;
            try {
                events.push(JSON.parse(line) as EngineEvent);
            } catch {
                // A line of the human-readable display that happens to start with "{".
            }
        }
        notify();
    });
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    let ended = false;
    const done = new Promise<CliResult>((resolve) => {
        child.on("close", (code, signal) => {
            ended = true;
            notify();
            resolve({ command, code, signal, output, seconds: (Date.now() - started) / 1000 });
        });
    });

    return {
        command,
        pid,
        events,
        done,
        output: () => output,
        waitFor(what, match, limitMs = 10 * 60_000) {
            return new Promise((resolve, reject) => {
                let timer: NodeJS.Timeout | undefined;
                const check = (): void => {
                    if (match(events)) finish(undefined);
                    else if (ended) finish(new Error(`${command} ended before ${what}\n${output.slice(-4000)}`));
                };
                const finish = (error: Error | undefined): void => {
                    listeners.delete(check);
                    clearTimeout(timer);
                    if (error) reject(error);
                    else resolve();
                };
                timer = setTimeout(() => finish(new Error(`${command}: no ${what} within ${limitMs / 1000} s`)), limitMs);
                listeners.add(check);
                check();
            });
        },
        async killTree() {
            const tree = descendants(pid).map((p) => ({ pid: p, command: commandLine(p) }));
            try {
                process.kill(-pid, "SIGKILL");
            } catch {
                // The group is gone already.
            }
            await done;
            // Orphans are re-parented at once; give any that exit on their own (a closed engine connection) a moment.
            await new Promise((resolve) => setTimeout(resolve, 2000));
            const survivors = tree.filter((p) => commandLine(p.pid) === p.command);
            for (const survivor of survivors) {
                try {
                    process.kill(survivor.pid, "SIGKILL");
                } catch {
                    // Exited between the check and the kill.
                }
            }
            const deadline = Date.now() + 30_000;
            while (survivors.some((p) => commandLine(p.pid) === p.command)) {
                if (Date.now() > deadline) throw new Error(`still alive after SIGKILL: ${JSON.stringify(survivors)}`);
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
            return survivors;
        },
    };
}

/** Every process below `root`, read from /proc (children first appear in their parent's stat). */
export function descendants(root: number): number[] {
    const parentOf = new Map<number, number>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            // pid (comm) state ppid …; comm may contain spaces and parentheses, so read after the last ")".
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            parentOf.set(Number(entry), ppid);
        } catch {
            // Exited while listing.
        }
    }
    const found: number[] = [];
    const walk = (parent: number): void => {
        for (const [pid, ppid] of parentOf) {
            if (ppid === parent) {
                found.push(pid);
                walk(pid);
            }
        }
    };
    walk(root);
    return found;
}

/** The process's command line, "" once it has exited (used with the pid to tell it from a reused pid). */
function commandLine(pid: number): string {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) return "";
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
    } catch {
        return "";
    }
}

/** The lines a user reads in a CLI run's output: errors, warnings and the change counts, without the toolchain's plugin-path notices. */
export function messages(result: CliResult): string[] {
    const lines = result.output
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => /(^|\s)(error|warning):|^\* urn:|has been canceled|locked by|^[-+~]?\s*\d+ (created|updated|deleted|unchanged|errored|replaced)$/.test(line))
        .filter((line) => !/using pulumi-resource-|resource plugin tls is expected/.test(line));
    return [...new Set(lines)];
}
