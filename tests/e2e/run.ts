// `npm run e2e`: the real-engine suite on stand-in charts, exactly as the script ran it before (every
// tests/e2e/*.e2e.ts, one file at a time, spec reporter, node's exit code); `npm run e2e -- --charts <dir>`: the
// real-chart scenarios (tests/e2e/charts/*.e2e.ts) on the charts in <dir>; `npm run e2e -- --bench`: the
// real-engine bench instead.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BaselineError } from "../../infra/bench/baseline";
import { runRealBench } from "./realBench";
import { chartsEnv, findRealCharts } from "./support/realCharts";
import { parseRunnerArgs, runnerUsage, suiteNodeArgs } from "./support/realBenchArgs";

const projectDir = path.resolve(__dirname, "..", "..");

/** The suite in a child node, with the arguments the e2e script used to give node; `charts`: the real-chart scenarios. */
function runSuite(charts?: string): Promise<number> {
    const dir = charts === undefined ? "tests/e2e" : "tests/e2e/charts";
    const args = suiteNodeArgs(fs.readdirSync(path.join(projectDir, dir)), dir);
    const env = charts === undefined ? process.env : { ...process.env, [chartsEnv]: charts };
    const child = spawn(process.execPath, args, { cwd: projectDir, stdio: "inherit", env });
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
    if (args.mode === "charts") {
        // Before any control plane starts: a missing chart is one message naming it, not a failure ten minutes in.
        let charts: ReturnType<typeof findRealCharts>;
        try {
            charts = findRealCharts(args.dir);
        } catch (error) {
            process.stderr.write(`e2e: ${error instanceof Error ? error.message : String(error)}\n`);
            return 1;
        }
        process.stdout.write(`real charts from ${charts.dir}: ${[charts.spireCrds, charts.spire, ...Object.values(charts.istio).flatMap((set) => [set.base, set.istiod, set.cni, set.ztunnel])].map((c) => `${c.name} ${c.version}`).join(", ")}\n`);
        return runSuite(charts.dir);
    }
    // Exit through process.exit so the exit hooks stop what the bench started (control planes, a running CLI).
    process.once("SIGINT", () => process.exit(130));
    process.once("SIGTERM", () => process.exit(143));
    return runRealBench(args);
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
        if (error instanceof BaselineError) {
            process.stderr.write(`e2e: ${error.message}\n`);
            process.exit(2);
        }
        process.stderr.write(`e2e: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
        process.exit(1);
    },
);
