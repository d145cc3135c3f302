/**
 * A documented sequence of `pulumi up -s <stack>` commands (docs/multicluster.md) as the phases a matrix
 * would run: a phase is a run of consecutive stacks of one role, none twice, so `cluster1 && cluster2; pki;
 * cluster1 && cluster2; cluster1` is [[cluster1, cluster2], [pki], [cluster1, cluster2], [cluster1]].
 */
export function docPhases(stacks: readonly string[], isPki: (stack: string) => boolean): string[][] {
    const phases: string[][] = [];
    for (const stack of stacks) {
        const current = phases[phases.length - 1];
        const sameRole = current !== undefined && isPki(current[0]) === isPki(stack) && !isPki(stack);
        if (sameRole && !current.includes(stack)) current.push(stack);
        else phases.push([stack]);
    }
    return phases;
}
