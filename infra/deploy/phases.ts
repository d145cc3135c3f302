import { DeployStacks } from "./stacks";

/** Which output of the workflow's `stacks` job (or, for links, its `check` job) carries a phase's stack list. */
export type PhaseStacks = "clusters" | "pki" | "linking";

/**
 * One phase of docs/multicluster.md's stack-per-cluster sequence as the `deploy` workflow runs it: one job,
 * a matrix over its stacks (every leg at once, up to max-parallel), started only when the phase before it
 * succeeded. The order is the docs': a CA is requested, then signed, then installed, then linked to.
 */
export interface Phase {
    /** The job of `.github/workflows/deploy.yml` that runs it. */
    readonly job: string;
    readonly stacks: readonly string[];
    readonly from: PhaseStacks;
    /** When it runs: every time, or only when the `check` job (after the first phase) says it is needed. */
    readonly when: "always" | "pki changes" | "after signing" | "a peer was signed";
}

/**
 * Parallel: a phase's stacks run at once, so a stack cannot see what a peer exports in the same phase.
 * Sequential: they run in `clusters` order (the docs' `cluster1 && cluster2`), so a stack sees its earlier peers'.
 */
export type Order = "parallel" | "sequential";

/**
 * Every phase, for a run in which the cluster stacks in `awaiting` still await their first signature after
 * the first phase (they export a non-empty `awaitingSignature` and no gateway yet). On a first deployment that
 * is all of them, and every phase runs. In the steady state it is none: only the first phase runs, plus `pki`
 * and then the cluster stacks again when pki's preview shows a change (a rotation's new request, which waits
 * beside the CA in use and so is not "awaiting", shows there).
 */
export function deployPhases(stacks: DeployStacks, awaiting: readonly string[], order: Order): Phase[] {
    if (stacks.pki === undefined) return [];
    const phases: Phase[] = [
        { job: "up-clusters", stacks: stacks.clusters, from: "clusters", when: "always" },
        { job: "up-pki", stacks: [stacks.pki], from: "pki", when: "pki changes" },
        { job: "up-signed", stacks: stacks.clusters, from: "clusters", when: "after signing" },
        { job: "up-links", stacks: linksToRerun(stacks, awaiting, order), from: "linking", when: "a peer was signed" },
    ];
    return phases.filter((phase) => phase.stacks.length > 0);
}

/**
 * The cluster stacks to run once more after the signed ones installed: a stack reads each peer's east-west
 * address (a StackReference) before it registers anything, so its link to a peer that got its gateway in the
 * same phase, or in parallel, is missing until its next `up`.
 */
export function linksToRerun(stacks: DeployStacks, awaiting: readonly string[], order: Order): string[] {
    const position = (name: string): number => stacks.clusters.indexOf(name);
    return stacks.clusters.filter((name) =>
        (stacks.peers[name] ?? []).some((peer) => awaiting.includes(peer) && (order === "parallel" || position(peer) > position(name))),
    );
}
