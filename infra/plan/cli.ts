import * as fs from "fs";
import * as path from "path";
import { ConfigError, program } from "../../stacks";
import { diffPlans, isEmpty, renderDiff } from "./diff";
import { renderMermaid } from "./graph";
import { Plan } from "./model";
import { recordPlan } from "./recorder";
import { renderJson, renderTree } from "./render";
import { readStackConfig, StackFileError } from "./stackFiles";

const usage = [
    "usage: npm run plan -- <stack> [--json | --graph] [--references <stack-outputs.json>]",
    "       npm run plan -- diff <before.json> <after.json>",
].join("\n");

/** Wrong arguments: usage on stderr, exit 64 (EX_USAGE), so that diff's exit 2 only ever means "changed". */
class UsageError extends Error {}

/**
 * `npm run plan -- <stack>`: what `pulumi up -s <stack>` would do, without a cluster or the CLI.
 * `diff`: what changes between two `--json` plans; exit 0 when nothing does, 2 when something does.
 */
async function main(argv: string[]): Promise<number> {
    if (argv[0] === "diff") return diff(argv.slice(1));
    const referencesAt = argv.indexOf("--references");
    const referencesFile = referencesAt >= 0 ? argv[referencesAt + 1] : undefined;
    if (referencesAt >= 0 && (referencesFile === undefined || referencesFile.startsWith("--"))) throw new UsageError(usage);
    const rest = referencesAt >= 0 ? argv.filter((_, index) => index !== referencesAt && index !== referencesAt + 1) : argv;
    const flags = new Set(rest.filter((a) => a.startsWith("--")));
    const positional = rest.filter((a) => !a.startsWith("--"));
    const unknownFlags = [...flags].filter((f) => !["--json", "--graph"].includes(f));
    if (positional.length !== 1 || unknownFlags.length > 0 || flags.size > 1) throw new UsageError(usage);
    const projectDir = process.env.AMBIENT_SPIRE_PROJECT_DIR ?? path.resolve(__dirname, "..", "..");
    const stack = readStackConfig(projectDir, positional[0]);
    for (const note of stack.notes) process.stderr.write(`note: ${note}\n`);
    const stackOutputs =
        referencesFile === undefined
            ? undefined
            : readJson<Record<string, Record<string, unknown>>>(referencesFile, "stack outputs", "a JSON object of stack name to that stack's `pulumi stack output --json`");
    // Where Pulumi runs the program (the directory of `main`), so that paths come out as `pulumi up` sends them
    // (a project directory holding only stack files, as tests write, has no such directory).
    process.chdir(fs.existsSync(stack.programDir) ? stack.programDir : projectDir);
    const { plan } = await recordPlan(program, { ...stack, ...(stackOutputs ? { stackOutputs } : {}) });
    process.stdout.write(flags.has("--json") ? renderJson(plan) : flags.has("--graph") ? renderMermaid(plan) : renderTree(plan));
    return 0;
}

function diff(files: string[]): number {
    if (files.length !== 2) throw new UsageError(usage);
    const [before, after] = files.map(readPlan);
    const result = diffPlans(before, after);
    const title = before.stack === after.stack ? `${after.project}/${after.stack}` : `${before.stack} → ${after.stack}`;
    process.stdout.write(renderDiff(result, title));
    return isEmpty(result) ? 0 : 2;
}

function readJson<T>(file: string, what: string, expected: string): T {
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new StackFileError(`${file}: cannot read ${what} (${error instanceof Error ? error.message : String(error)}); expected ${expected}`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new StackFileError(`${file}: not ${expected}`);
    return parsed as T;
}

function readPlan(file: string): Plan {
    const plan = readJson<Partial<Plan>>(file, "a plan", "a plan written by npm run plan -- <stack> --json");
    if (typeof plan.stack !== "string" || !Array.isArray(plan.resources)) {
        throw new StackFileError(`${file}: not a plan document (no stack or resources); write one with npm run plan -- <stack> --json`);
    }
    return plan as Plan;
}

main(process.argv.slice(2)).then(
    // Into a pipe stdout is written asynchronously: exiting at once cut a large --json plan short (131072 bytes of
    // an 8-cluster plan's 443862). The empty write's callback runs once everything queued before it is written.
    (code) => process.stdout.write("", () => process.exit(code)),
    (error: unknown) => {
        if (error instanceof UsageError) {
            process.stderr.write(`${error.message}\n`);
            process.exit(64);
        }
        if (error instanceof ConfigError || error instanceof StackFileError) {
            process.stderr.write(`error: ${error.message}\n`);
            process.exit(1);
        }
        process.stderr.write(`plan failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
        process.exit(3);
    },
);
