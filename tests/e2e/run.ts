// `npm run e2e`: the real-engine suite, exactly as the script ran it before (every tests/e2e/*.e2e.ts, one file
// at a time, spec reporter, node's exit code); `npm run e2e -- --bench`: the real-engine bench instead.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runRealBench } from "./realBench";
import { parseRunnerArgs, runnerUsage, suiteNodeArgs } from "./support/realBenchArgs";

const projectDir = path.resolve(__dirname, "..", "..");

/** The suite in a child node, with the arguments the e2e script used to give node. */
function runSuite(): Promise<number> {
    const args = suiteNodeArgs(fs.readdirSync(path.join(projectDir, "tests", "e2e")));
    const child = spawn(process.execPath, args, { cwd: projectDir, stdio: "inherit" });
    // Ctrl-C reaches the child from the terminal; this process waits for it to finish and reports its code.
    process.on("SIGINT", () => undefined);
    process.on("SIGTERM", () => child.kill("SIGTERM"));
    return new Promise((resolve, reject) => {
        child.once("error", reject);
        child.once("exit", (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
    });
}

async function main(argv: string[]): Promise<number> {
    const args = parseRunnerArgs(argv);
    if (!args) {
        process.stderr.write(`${runnerUsage}\n`);
        return 2;
    }
    if (args.mode === "suite") return runSuite();
    // Exit through process.exit so the exit hooks stop what the bench started (control planes, a running CLI).
    process.once("SIGINT", () => process.exit(130));
    process.once("SIGTERM", () => process.exit(143));
    return runRealBench(args);
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
        process.stderr.write(`e2e: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
        process.exit(1);
    },
);
