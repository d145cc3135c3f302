/**
 * What `npm run e2e` was asked: nothing (the suite on stand-in charts, as always), `--charts <dir>` (the
 * real-chart scenarios, on the charts in <dir>) or `--bench` with its options. Anything else is refused with the
 * usage line, so that a typo never silently runs the whole suite.
 */
export type RunnerArgs =
    | { readonly mode: "suite" }
    | { readonly mode: "charts"; readonly dir: string }
    | {
        readonly mode: "bench";
        readonly json: boolean;
        readonly runs: number;
        readonly clusters: readonly number[];
        /** Where the chart goes (its data beside it, as .json); undefined: docs/real-bench.svg. */
        readonly chart: string | undefined;
        /** A git revision whose program is previewed beside the current one at each N (before/after in one run). */
        readonly baseline: string | undefined;
    };

export const runnerUsage = "usage: npm run e2e [-- --charts <dir> | --bench [--json] [--runs <n ≥ 1>] [--clusters <N,N,…> (default 1,2,4,8,16)] [--chart <file.svg> (default docs/real-bench.svg)] [--baseline <git revision>]]";

export function parseRunnerArgs(argv: readonly string[]): RunnerArgs | undefined {
    if (argv.length === 0) return { mode: "suite" };
    if (argv[0] === "--charts") return argv.length === 2 && argv[1] !== "" && !argv[1].startsWith("--") ? { mode: "charts", dir: argv[1] } : undefined;
    if (argv[0] !== "--bench") return undefined;
    let json = false;
    let runs = 3;
    let clusters = [1, 2, 4, 8, 16];
    let chart: string | undefined;
    let baseline: string | undefined;
    for (let index = 1; index < argv.length; index++) {
        const [flag, value] = [argv[index], argv[index + 1]];
        if (flag === "--json" && !json) json = true;
        else if (flag === "--runs" && value !== undefined) [runs, index] = [Number(value), index + 1];
        else if (flag === "--clusters" && value !== undefined) [clusters, index] = [value.split(",").map(Number), index + 1];
        else if (flag === "--chart" && value !== undefined && value.endsWith(".svg") && chart === undefined) [chart, index] = [value, index + 1];
        else if (flag === "--baseline" && value !== undefined && value !== "" && !value.startsWith("-") && baseline === undefined) [baseline, index] = [value, index + 1];
        else return undefined;
    }
    const wholePositive = (n: number): boolean => Number.isInteger(n) && n >= 1;
    if (!wholePositive(runs) || clusters.length === 0 || !clusters.every(wholePositive) || new Set(clusters).size !== clusters.length) return undefined;
    return { mode: "bench", json, runs, clusters: [...clusters].sort((a, b) => a - b), chart, baseline };
}

/**
 * The node arguments of the suite, as the e2e script was before it took arguments:
 * `node --import tsx --test --test-concurrency=1 --test-reporter=spec tests/e2e/*.e2e.ts`, the files in the
 * shell's order (byte order, as in the C locale), given the names in tests/e2e.
 */
export function suiteNodeArgs(entries: readonly string[], dir = "tests/e2e"): string[] {
    const files = entries.filter((name) => name.endsWith(".e2e.ts")).sort().map((name) => `${dir}/${name}`);
    return ["--import", "tsx", "--test", "--test-concurrency=1", "--test-reporter=spec", ...files];
}
