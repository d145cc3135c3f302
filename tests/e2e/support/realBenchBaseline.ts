import * as fs from "node:fs";
import * as path from "node:path";
import { Baseline, exportBaseline } from "../../../infra/bench/baseline";

/**
 * The real bench's baseline project: the commit's program in `dir`, a sibling of the current project copy so the
 * stack file's relative `sources` resolve the same, with the current copy's stack file: same settings, same
 * encryption salt, so it previews the same stack in the same backend.
 */
export function writeBaselineProject(baseline: Baseline, dir: string, currentProjectDir: string, stack: string): void {
    exportBaseline(baseline, dir);
    const stackFile = `Pulumi.${stack}.yaml`;
    fs.copyFileSync(path.join(currentProjectDir, stackFile), path.join(dir, stackFile));
}
