// The floor case in its own process: the program's skeleton (from its case's warm-up) registered as bare SDK
// resources, with the same warm-up, timed runs and recorder as the program's case. It never loads the program.
import * as fs from "fs";
import { recordPlan } from "../plan/recorder";
import { peakRssBytes, runAsChild, timedRuns } from "./child";
import { floorProgram, Skeleton } from "./floor";

/** What the child prints as its last line, for cli.ts. */
export interface FloorResult {
    readonly resources: number;
    readonly components: number;
    readonly runsMs: number[];
    readonly peakRssBytes: number;
}

async function main([skeletonFile, runsText]: string[]): Promise<void> {
    const runs = Number(runsText);
    if (skeletonFile === undefined || !Number.isInteger(runs) || runs < 1) throw new Error("usage: floorCase.ts <skeleton.json> <runs>");
    const skeleton = JSON.parse(fs.readFileSync(skeletonFile, "utf8")) as Skeleton;
    const stack = { project: "ambient-spire", stack: "bench-floor", config: {}, secretKeys: [] };
    const record = async () => (await recordPlan(floorProgram(skeleton), stack)).plan.resources.length;
    const resources = await record();
    if (resources !== skeleton.length) throw new Error(`the floor registered ${resources} resources, the skeleton has ${skeleton.length}`);
    const runsMs = await timedRuns(record, resources, runs);
    const result: FloorResult = { resources, components: skeleton.filter((e) => e.component).length, runsMs, peakRssBytes: peakRssBytes() };
    process.stdout.write(`${JSON.stringify(result)}\n`);
}

runAsChild(main);
