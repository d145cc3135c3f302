import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { E2eProject } from "./project";

/** What `npm run verify -- <stack> --json` prints (docs/verify.md). */
export interface VerifyReport {
    readonly stack: string;
    readonly ok: boolean;
    readonly clusters: readonly { readonly name: string; readonly context: string; readonly checks: readonly VerifyCheck[] }[];
}

export interface VerifyCheck {
    readonly id: string;
    readonly ok: boolean;
    readonly detail: string;
}

export interface VerifyRun {
    readonly code: number | null;
    readonly report: VerifyReport;
    /** `cluster: id — detail` of each failed check. */
    readonly failed: string[];
    /** The text report, as a user sees it. */
    readonly text: string;
}

/**
 * `npm run verify -- <stack>` in the project copy, as a user runs it after `pulumi up`: once with `--json` for the
 * assertions, once as text, printed under `when` when given. The kubeconfig is the suite's, given as a user gives one.
 */
export function runVerify(project: E2eProject, stack: string, kubeconfig: string, when?: string): VerifyRun {
    const run = (json: boolean) => spawnSync(process.execPath, ["--import", "tsx", path.join(project.dir, "infra", "verify", "cli.ts"), stack, "--kubeconfig", kubeconfig, ...(json ? ["--json"] : [])], {
        cwd: project.dir,
        encoding: "utf8",
        env: { ...process.env, AMBIENT_SPIRE_PROJECT_DIR: project.dir },
        timeout: 120_000,
    });
    const json = run(true);
    let report: VerifyReport;
    try {
        report = JSON.parse(json.stdout) as VerifyReport;
    } catch {
        throw new Error(`npm run verify -- ${stack} --json: exit ${json.status}, no JSON report\n${json.stdout}\n${json.stderr}`);
    }
    const failed = report.clusters.flatMap((c) => c.checks.filter((check) => !check.ok).map((check) => `${c.name}: ${check.id} — ${check.detail}`));
    const text = run(false).stdout;
    if (when !== undefined) console.log(`npm run verify -- ${stack} (${when}):\n${text}`);
    return { code: json.status, report, failed, text };
}
