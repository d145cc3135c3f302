import { spawn } from "node:child_process";
import * as path from "node:path";
import { E2eProject } from "./project";
import { toolsBin } from "./tools";

/**
 * The real `pulumi` binary run as a user runs it from a shell in the project directory, with the environment
 * the suite's project has (file backend, its own PULUMI_HOME, passphrase, kubeconfig, PATH). Asynchronous, so
 * the suite's stand-in controllers keep running while `up` waits on them.
 *
 * PULUMI_SKIP_CONFIRMATIONS=true is the CLI's own way to answer "yes" to `up`'s confirmation prompt when no
 * terminal is attached (without it `pulumi up` refuses to run non-interactively); the commands stay as written.
 */
export interface CliRun {
    readonly command: string;
    /** Exit code; null if it ended by a signal. */
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
    readonly seconds: number;
    /** The "Resources:" summary the CLI printed, by operation (create, update, delete, replace, same). */
    readonly summary: Record<string, number>;
}

const timeoutMs = 30 * 60_000;

export function runPulumi(project: E2eProject, argv: readonly string[], options: { input?: string } = {}): Promise<CliRun> {
    const args = argv[0] === "pulumi" ? argv.slice(1) : [...argv];
    const command = ["pulumi", ...args].join(" ");
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const child = spawn(path.join(toolsBin, "pulumi"), args, {
            cwd: project.dir,
            env: { ...project.env, PULUMI_SKIP_CONFIRMATIONS: "true" },
            stdio: ["pipe", "pipe", "pipe"],
        });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
        child.stdin.end(options.input ?? "");
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.once("error", (error) => {
            clearTimeout(timer);
            reject(error);
        });
        child.once("close", (code) => {
            clearTimeout(timer);
            const stdout = Buffer.concat(out).toString("utf8");
            resolve({ command, code, stdout, stderr: Buffer.concat(err).toString("utf8"), seconds: (Date.now() - started) / 1000, summary: resourceSummary(stdout) });
        });
    });
}

/** A run that must succeed; the error carries what the CLI said (it never prints a secret's value). */
export async function runPulumiOk(project: E2eProject, argv: readonly string[], options: { input?: string } = {}): Promise<CliRun> {
    const run = await runPulumi(project, argv, options);
    if (run.code !== 0) throw new Error(`${run.command}: exit ${run.code}\n${tail(run.stdout)}\n${tail(run.stderr)}`);
    return run;
}

export function tail(text: string, lines = 40): string {
    return text.trimEnd().split("\n").slice(-lines).join("\n");
}

const operationWords: Record<string, string> = {
    created: "create", create: "create",
    updated: "update", update: "update",
    deleted: "delete", delete: "delete",
    replaced: "replace", replace: "replace",
    unchanged: "same",
};

/**
 * Parses the CLI's closing summary, e.g. "Resources:\n    + 8 created\n    ~ 1 updated\n    3 unchanged"
 * (previews say "+ 8 to create"). Empty when the command prints none.
 */
export function resourceSummary(stdout: string): Record<string, number> {
    const lines = stdout.split("\n");
    const start = lines.findIndex((line) => line.trim() === "Resources:");
    if (start < 0) return {};
    const counts: Record<string, number> = {};
    for (const line of lines.slice(start + 1)) {
        if (!/^\s+[+~\-]*\s*\d+\s/.test(line)) break;
        // "6 changes. 31 unchanged": the total is left out, the unchanged count kept.
        for (const match of line.matchAll(/(\d+)\s+(?:to\s+)?(\w+)/g)) {
            if (match[2] === "changes" || match[2] === "change") continue;
            const op = operationWords[match[2]] ?? match[2];
            counts[op] = (counts[op] ?? 0) + Number(match[1]);
        }
    }
    return counts;
}

/** `pulumi stack output --json -s <stack>`: what a StackReference to it reads. */
export async function stackOutputs(project: E2eProject, stack: string): Promise<Record<string, unknown>> {
    return JSON.parse((await runPulumiOk(project, ["stack", "output", "--json", "-s", stack])).stdout) as Record<string, unknown>;
}

export interface StateResource {
    readonly urn: string;
    readonly type: string;
    /** As exported: a secret stays ciphertext. */
    readonly outputs?: Record<string, unknown>;
}

/** `pulumi stack export -s <stack>`: every resource the state holds. */
export async function stateResources(project: E2eProject, stack: string): Promise<StateResource[]> {
    const exported = JSON.parse((await runPulumiOk(project, ["stack", "export", "-s", stack])).stdout) as { deployment: { resources?: StateResource[] } };
    return (exported.deployment.resources ?? []).map(({ urn, type, outputs }) => ({ urn, type, ...(outputs ? { outputs } : {}) }));
}
