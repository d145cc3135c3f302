// One benchmark case in its own process, so no case inherits another's heap: a warm-up run, then timed runs.
import { program } from "../../stacks";
import { recordPlan } from "../plan/recorder";
import { criticalPath } from "./criticalPath";
import { BenchPeering, syntheticStack } from "./syntheticStack";

/** What the child prints as its last line, for cli.ts. */
export interface CaseResult {
    readonly clusters: number;
    readonly peering: BenchPeering;
    readonly resources: number;
    readonly peerLinks: number;
    readonly runsMs: number[];
    readonly peakRssBytes: number;
    readonly depth: number;
    readonly chain: readonly string[];
}

async function main([clusterText, peeringText, runsText]: string[]): Promise<void> {
    const clusters = Number(clusterText);
    const peering = peeringText as BenchPeering;
    const runs = Number(runsText);
    if (!Number.isInteger(clusters) || clusters < 1 || !["full-mesh", "none"].includes(peering) || !Number.isInteger(runs) || runs < 1) {
        throw new Error("usage: case.ts <clusters> <full-mesh|none> <runs>");
    }
    const stack = syntheticStack(clusters, peering);
    // Read what the warm-up tells, then let its plan go: holding it would add to the timed runs' heap.
    const warmUp = (await recordPlan(program, stack)).plan;
    const resources = warmUp.resources.length;
    const peerLinks = warmUp.resources.filter((r) => r.type === "ambient-spire:multicluster:PeerLink").length;
    const { depth, chain } = criticalPath(warmUp);
    const runsMs: number[] = [];
    for (let run = 0; run < runs; run++) {
        const started = performance.now();
        const registered = (await recordPlan(program, stack)).plan.resources.length;
        runsMs.push(performance.now() - started);
        if (registered !== resources) throw new Error(`run ${run} registered ${registered} resources, the warm-up ${resources}`);
    }
    const result: CaseResult = {
        clusters,
        peering,
        resources,
        peerLinks,
        runsMs,
        // maxRSS is in KiB: the high-water mark of the whole process, warm-up included.
        peakRssBytes: process.resourceUsage().maxRSS * 1024,
        depth,
        chain,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
}

main(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
        process.exit(1);
    },
);
