/** The report as text (one line per check) or as the one JSON document `--json` prints. */
import { StackReport } from "./checks";

export function renderText(report: StackReport): string {
    const lines = [`stack ${report.stack}`];
    let failed = 0;
    let total = 0;
    for (const cluster of report.clusters) {
        lines.push("", `${cluster.name} (context ${cluster.context})`);
        for (const check of cluster.checks) {
            total++;
            if (!check.ok) failed++;
            lines.push(`  ${check.ok ? "✅" : "❌"} ${check.id}: ${check.detail}`);
        }
    }
    lines.push("", failed === 0 ? `all ${total} checks passed` : `${failed} of ${total} checks failed`);
    return lines.join("\n") + "\n";
}

export function renderJson(report: StackReport): string {
    const document = {
        stack: report.stack,
        ok: report.ok,
        clusters: report.clusters.map((c) => ({ name: c.name, context: c.context, checks: c.checks.map(({ id, ok, detail }) => ({ id, ok, detail })) })),
    };
    return JSON.stringify(document, null, 2) + "\n";
}
