// What both benchmark children (the program's case and the floor's) share: the timed runs and the exit.

/**
 * Times `runs` calls of `record` (after the caller's warm-up); each must register `expected` resources, so
 * a run that silently did less work cannot look fast.
 */
export async function timedRuns(record: () => Promise<number>, expected: number, runs: number): Promise<number[]> {
    const runsMs: number[] = [];
    for (let run = 0; run < runs; run++) {
        const started = performance.now();
        const registered = await record();
        runsMs.push(performance.now() - started);
        if (registered !== expected) throw new Error(`run ${run} registered ${registered} resources, the warm-up ${expected}`);
    }
    return runsMs;
}

/** maxRSS is in KiB: the high-water mark of the whole process, warm-up included. */
export function peakRssBytes(): number {
    return process.resourceUsage().maxRSS * 1024;
}

/** Runs a child's main with its arguments; the parent reads its last stdout line, or its stderr on exit 1. */
export function runAsChild(main: (argv: string[]) => Promise<void>): void {
    main(process.argv.slice(2)).then(
        () => process.exit(0),
        (error: unknown) => {
            process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
            process.exit(1);
        },
    );
}
