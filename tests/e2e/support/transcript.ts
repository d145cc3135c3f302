/** Each step of a scenario with its change counts and time, printed at the end as the suite's transcript. */
export class Transcript {
    private readonly rows: { step: string; changes: string; seconds: number; ok: boolean }[] = [];

    constructor(private readonly scenario: string) {}

    async step<T>(name: string, run: () => Promise<T>, counts?: (result: T) => Record<string, number> | undefined): Promise<T> {
        const started = Date.now();
        try {
            const result = await run();
            this.rows.push({ step: name, changes: counts ? format(counts(result)) : "", seconds: (Date.now() - started) / 1000, ok: true });
            return result;
        } catch (error) {
            this.rows.push({ step: name, changes: "failed", seconds: (Date.now() - started) / 1000, ok: false });
            throw error;
        }
    }

    render(): string {
        const total = this.rows.reduce((sum, row) => sum + row.seconds, 0);
        const lines = this.rows.map((row) => `| ${row.step} | ${row.changes} | ${row.seconds.toFixed(1)} |`);
        return [`### e2e ${this.scenario}: ${this.rows.length} steps, ${total.toFixed(0)} s in the CLI`, "", "| step | changes | s |", "|---|---|---|", ...lines].join("\n");
    }
}

function format(counts: Record<string, number> | undefined): string {
    if (!counts) return "";
    return Object.entries(counts)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([op, n]) => `${op} ${n}`)
        .join(", ");
}
