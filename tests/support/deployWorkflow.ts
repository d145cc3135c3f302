import { parse } from "yaml";
import { Phase } from "../../infra/deploy/phases";

/** A job of deploy.yml that runs `pulumi up`, as far as its phase is concerned. */
export interface UpJob {
    readonly job: string;
    /** The output its stacks come from (`clusters`, `pki`, `linking`, `single`), read from its expressions. */
    readonly from: string | undefined;
    /** Every job it waits on, directly or through another. */
    readonly after: readonly string[];
    readonly if: string;
    readonly environment: string | undefined;
    /** Its matrix's strategy, when it has a matrix. */
    readonly strategy: { readonly "max-parallel"?: unknown; readonly "fail-fast"?: unknown } | undefined;
}

interface Job {
    needs?: string | string[];
    if?: string;
    environment?: string;
    strategy?: { "max-parallel"?: unknown; "fail-fast"?: unknown; matrix?: { stack?: string } };
    steps?: { uses?: string; with?: Record<string, string> }[];
}

/** The `pulumi up` jobs of a workflow, in the order their `needs` run them (a job after everything it needs). */
export function upJobs(workflowText: string): UpJob[] {
    const jobs = (parse(workflowText) as { jobs: Record<string, Job> }).jobs;
    const needsOf = (name: string): string[] => [jobs[name]?.needs ?? []].flat();
    const after = (name: string): string[] => [...new Set(needsOf(name).flatMap((n) => [n, ...after(n)]))];
    const upsOf = (job: Job) => (job.steps ?? []).filter((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === "up");
    const ups = Object.entries(jobs).filter(([, job]) => upsOf(job).length > 0).map(([name, job]): UpJob => {
        const stackName = upsOf(job)[0].with?.["stack-name"] ?? "";
        const source = stackName.includes("matrix.stack") ? (job.strategy?.matrix?.stack ?? "") : stackName;
        return {
            job: name,
            from: /outputs\.([\w-]+)/.exec(source)?.[1],
            after: after(name),
            if: job.if ?? "",
            environment: job.environment,
            strategy: job.strategy?.matrix ? job.strategy : undefined,
        };
    });
    return ups.sort((a, b) => (b.after.includes(a.job) ? -1 : a.after.includes(b.job) ? 1 : 0));
}

/**
 * How the workflow's up jobs of the stack-per-cluster shape differ from the derived phases: the same jobs in
 * the same needs-order, each reading its stacks from the phase's output, waiting on the phase before it,
 * running only when the phase runs, in its stack's environment, with a bounded matrix that lets running
 * legs finish. Empty when they agree.
 */
export function workflowProblems(phases: readonly Phase[], jobs: readonly UpJob[]): string[] {
    const problems: string[] = [];
    const chain = jobs.filter((j) => j.from !== "single");
    const names = chain.map((j) => j.job);
    if (names.join() !== phases.map((p) => p.job).join()) problems.push(`up jobs in needs-order are ${names.join(" → ")}, the phases ${phases.map((p) => p.job).join(" → ")}`);
    for (const [index, phase] of phases.entries()) {
        const job = chain.find((j) => j.job === phase.job);
        if (!job) continue;
        if (job.from !== phase.from) problems.push(`${job.job} deploys the stacks of ${job.from}, not ${phase.from}`);
        const previous = phases[index - 1];
        if (previous && !job.after.includes(previous.job)) problems.push(`${job.job} does not wait on ${previous.job}`);
        const condition = { always: "", "pki changes": "needs.check.outputs.sign", "after signing": "", "a peer was signed": "needs.check.outputs.linking" }[phase.when];
        if (condition === "" ? job.if !== "" : !job.if.includes(condition)) problems.push(`${job.job} runs on "${job.if}", the phase when ${phase.when}`);
        if (!job.environment?.includes(phase.from === "pki" ? "outputs.pki" : "matrix.stack")) problems.push(`${job.job} does not run in its stack's environment`);
        if (phase.from !== "pki" && (job.strategy?.["max-parallel"] === undefined || job.strategy["fail-fast"] !== false)) problems.push(`${job.job}: its matrix needs max-parallel and fail-fast: false`);
    }
    return problems;
}
