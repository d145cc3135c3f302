/**
 * `npm run verify -- <stack> [--json] [--kubeconfig <file>]`: reads the live clusters of a deployed stack and
 * reports, per cluster, one line per check. Exit 0: every check passed; 1: one failed (an unreachable cluster
 * included); 2: the command was used wrongly (one line naming the argument, with the fix).
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../../stacks/config/errors";
import { StackFileError } from "../plan/stackFiles";
import { runChecks, StackReport } from "./checks";
import { collectFrom, KubeconfigError, loadKubeConfig } from "./collect";
import { expectationsFor, NotVerifiableError } from "./expected";
import { renderJson, renderText } from "./report";

const usage = "usage: npm run verify -- <stack> [--json] [--kubeconfig <file>]";

/** Wrong use of the command: exit 2 with this one line. */
export class UsageError extends Error {}

export interface VerifyArguments {
    readonly stack: string;
    readonly json: boolean;
    readonly kubeconfig?: string;
}

export function parseArguments(argv: readonly string[]): VerifyArguments {
    const positional: string[] = [];
    let json = false;
    let kubeconfig: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--json") json = true;
        else if (arg === "--kubeconfig" || arg.startsWith("--kubeconfig=")) {
            const value = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : argv[++i];
            if (value === undefined || value === "" || value.startsWith("--")) throw new UsageError(`--kubeconfig: needs a file. Fix: --kubeconfig <file> (${usage})`);
            kubeconfig = value;
        } else if (arg.startsWith("-")) throw new UsageError(`${JSON.stringify(arg)} is not an option of verify. Fix: use --json or --kubeconfig <file> (${usage})`);
        else positional.push(arg);
    }
    if (positional.length === 0) throw new UsageError(`<stack> is missing. Fix: name the stack to verify, e.g. npm run verify -- dev (${usage})`);
    if (positional.length > 1) throw new UsageError(`${JSON.stringify(positional[1])}: only one stack may be given. Fix: run verify once per stack (${usage})`);
    if (kubeconfig !== undefined && !fs.existsSync(kubeconfig)) throw new UsageError(`--kubeconfig ${JSON.stringify(kubeconfig)}: no such file. Fix: give the path of a kubeconfig file`);
    return { stack: positional[0], json, ...(kubeconfig !== undefined ? { kubeconfig } : {}) };
}

/** The project directory as `npm run plan` finds it. */
export function projectDirectory(): string {
    return process.env.AMBIENT_SPIRE_PROJECT_DIR ?? path.resolve(__dirname, "..", "..");
}

/** Reads every cluster of the stack (in parallel) and runs the checks. */
export async function verifyStack(args: VerifyArguments, projectDir: string = projectDirectory(), now: Date = new Date()): Promise<StackReport> {
    const expected = expectationsFor(projectDir, args.stack);
    const kc = loadKubeConfig(args.kubeconfig);
    const snapshots = await Promise.all(expected.clusters.map((c) => collectFrom(kc, c.context, { clusterName: c.name })));
    return runChecks(expected, snapshots, now);
}

async function main(argv: readonly string[]): Promise<number> {
    const args = parseArguments(argv);
    let report: StackReport;
    try {
        report = await verifyStack(args);
    } catch (error) {
        // The stack file's own message names the file; say which argument led there.
        if (error instanceof StackFileError) throw new StackFileError(`<stack> ${JSON.stringify(args.stack)}: ${error.message}`);
        throw error;
    }
    process.stdout.write(args.json ? renderJson(report) : renderText(report));
    return report.ok ? 0 : 1;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        // Exit once stdout is flushed (a pipe is written asynchronously).
        (code) => process.stdout.write("", () => process.exit(code)),
        (error: unknown) => {
            const usageLike = error instanceof UsageError || error instanceof StackFileError || error instanceof ConfigError || error instanceof NotVerifiableError || error instanceof KubeconfigError;
            if (usageLike) {
                process.stderr.write(`verify: ${error.message}\n`);
                process.exit(2);
            }
            // Not a usage error, and nothing was verified: a failure.
            process.stderr.write(`verify failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
            process.exit(1);
        },
    );
}
