// One benchmark case in its own process, so no case inherits another's heap: a warm-up run, then timed runs.
import * as fs from "fs";
import { program } from "../../stacks";
import { recordPlan } from "../plan/recorder";
import { peakRssBytes, runAsChild, timedRuns } from "./child";
import { criticalPath } from "./criticalPath";
import { skeletonOf } from "./floor";
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

async function main([clusterText, peeringText, runsText, skeletonFile]: string[]): Promise<void> {
    const clusters = Number(clusterText);
    const peering = peeringText as BenchPeering;
    const runs = Number(runsText);
    if (!Number.isInteger(clusters) || clusters < 1 || !["full-mesh", "none"].includes(peering) || !Number.isInteger(runs) || runs < 1) {
        throw new Error("usage: case.ts <clusters> <full-mesh|none> <runs> [<skeleton.json> for the floor case]");
    }
    const stack = syntheticStack(clusters, peering);
    // Read what the warm-up tells, then let its plan go: holding it would add to the timed runs' heap.
    const warmUp = (await recordPlan(program, stack)).plan;
    const resources = warmUp.resources.length;
    const peerLinks = warmUp.resources.filter((r) => r.type === "ambient-spire:multicluster:PeerLink").length;
    const { depth, chain } = criticalPath(warmUp);
    if (skeletonFile !== undefined) fs.writeFileSync(skeletonFile, JSON.stringify(skeletonOf(warmUp)));
    const runsMs = await timedRuns(async () => (await recordPlan(program, stack)).plan.resources.length, resources, runs);
    const result: CaseResult = { clusters, peering, resources, peerLinks, runsMs, peakRssBytes: peakRssBytes(), depth, chain };
    process.stdout.write(`${JSON.stringify(result)}\n`);
}

runAsChild(main);
