import { Plan, PlannedResource } from "./model";

/**
 * The plan as a Mermaid flowchart: one box per top-level component (or resource), grouped by cluster, and an
 * arrow wherever something under one box waits for something under another. Edges that cross clusters are
 * dashed: in this program they should only be peer links waiting for a remote east-west address.
 * Pure: the same plan gives the same text.
 */
export function renderMermaid(plan: Plan): string {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r] as const));
    const topOf = (urn: string): PlannedResource => {
        let resource = byUrn.get(urn)!;
        while (resource.parent !== null && byUrn.has(resource.parent)) resource = byUrn.get(resource.parent)!;
        return resource;
    };
    const boxes = plan.resources.filter((r) => r.parent === null && r.type !== "pulumi:providers:kubernetes");

    const edges = new Map<string, { from: PlannedResource; to: PlannedResource }>();
    for (const r of plan.resources) {
        const to = topOf(r.urn);
        for (const dependency of r.dependsOn) {
            const from = topOf(dependency);
            if (from.urn === to.urn || from.type === "pulumi:providers:kubernetes") continue;
            edges.set(`${from.urn}->${to.urn}`, { from, to });
        }
    }

    // A box without a provider (a CA) belongs to the one cluster whose boxes wait for it, if there is one.
    const clusterOf = new Map<string, string | null>();
    for (const box of boxes) {
        if (box.cluster !== null) {
            clusterOf.set(box.urn, box.cluster);
            continue;
        }
        const users = new Set([...edges.values()].filter((e) => e.from.urn === box.urn).map((e) => e.to.cluster));
        clusterOf.set(box.urn, users.size === 1 ? [...users][0] : null);
    }

    const ids = new Map(boxes.map((box, index) => [box.urn, `n${index}`] as const));
    const node = (box: PlannedResource) => `${ids.get(box.urn)}["${box.type.split(":").pop()}<br/>${box.name}"]`;
    const lines = ["flowchart LR"];
    const clusters = [...new Set(boxes.map((b) => clusterOf.get(b.urn)).filter((c): c is string => c !== null && c !== undefined))].sort();
    for (const box of boxes.filter((b) => clusterOf.get(b.urn) === null)) lines.push(`    ${node(box)}`);
    for (const cluster of clusters) {
        lines.push(`    subgraph ${cluster.replace(/[^A-Za-z0-9_]/g, "_")}_cluster["cluster ${cluster}"]`);
        for (const box of boxes.filter((b) => clusterOf.get(b.urn) === cluster)) lines.push(`        ${node(box)}`);
        lines.push("    end");
    }
    const order = new Map(boxes.map((box, index) => [box.urn, index] as const));
    const byBoxes = (a: { from: PlannedResource; to: PlannedResource }, b: { from: PlannedResource; to: PlannedResource }) =>
        order.get(a.from.urn)! - order.get(b.from.urn)! || order.get(a.to.urn)! - order.get(b.to.urn)!;
    for (const { from, to } of [...edges.values()].sort(byBoxes)) {
        const fromCluster = clusterOf.get(from.urn);
        const toCluster = clusterOf.get(to.urn);
        const crosses = fromCluster !== null && toCluster !== null && fromCluster !== toCluster;
        lines.push(`    ${ids.get(from.urn)} ${crosses ? "-. east-west address .->" : "-->"} ${ids.get(to.urn)}`);
    }
    return `${lines.join("\n")}\n`;
}
