import { isComponentType, Plan } from "../plan/model";

export interface CriticalPath {
    /** Resources on the longest chain, each awaited resource (Helm release, Gateway, key…) counting one step. */
    readonly depth: number;
    /** The URNs of one longest chain, first to last. */
    readonly chain: readonly string[];
}

/**
 * The longest chain of resources that must wait for each other, as the engine schedules `pulumi up`.
 * Components do no work of their own: depending on one means waiting for every resource beneath it, so
 * such an edge is expanded to the component's non-component descendants. A Kubernetes resource also waits
 * for its cluster's provider. Throws on a cycle, which the engine would reject too.
 */
export function criticalPath(plan: Plan): CriticalPath {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r] as const));
    const children = new Map<string, string[]>();
    for (const r of plan.resources) {
        if (r.parent === null) continue;
        const list = children.get(r.parent) ?? [];
        list.push(r.urn);
        children.set(r.parent, list);
    }
    const leavesCache = new Map<string, readonly string[]>();
    const workingResources = (urn: string): readonly string[] => {
        const cached = leavesCache.get(urn);
        if (cached) return cached;
        const resource = byUrn.get(urn);
        let result: string[];
        if (resource === undefined) result = [];
        else if (!isComponentType(resource.type)) result = [urn];
        else result = (children.get(urn) ?? []).flatMap((child) => workingResources(child));
        leavesCache.set(urn, result);
        return result;
    };

    const waitsFor = (urn: string): string[] => {
        const resource = byUrn.get(urn)!;
        const direct = resource.dependsOn.flatMap((d) => workingResources(d));
        return [...new Set(resource.provider !== null ? [...direct, resource.provider] : direct)].filter((d) => d !== urn);
    };

    // Longest path ending at each resource, memoised; `onStack` catches cycles.
    const longest = new Map<string, { depth: number; previous: string | null }>();
    const onStack = new Set<string>();
    const visit = (urn: string): number => {
        const known = longest.get(urn);
        if (known) return known.depth;
        if (onStack.has(urn)) throw new Error(`dependency cycle through ${urn}`);
        onStack.add(urn);
        let best: { depth: number; previous: string | null } = { depth: 1, previous: null };
        for (const dependency of waitsFor(urn).sort()) {
            const depth = visit(dependency) + 1;
            if (depth > best.depth) best = { depth, previous: dependency };
        }
        onStack.delete(urn);
        longest.set(urn, best);
        return best.depth;
    };

    let end: string | null = null;
    let depth = 0;
    for (const r of plan.resources) {
        if (isComponentType(r.type)) continue;
        const d = visit(r.urn);
        if (d > depth) [depth, end] = [d, r.urn];
    }
    const chain: string[] = [];
    for (let at = end; at !== null; at = longest.get(at)!.previous) chain.unshift(at);
    return { depth, chain };
}
