import * as path from "path";
import { linksToRerun } from "./phases";
import { deployStacks, DeployStacksError } from "./stacks";

/**
 * The `deploy` workflow's matrices, as `name=value` lines for $GITHUB_OUTPUT (read back with fromJSON):
 *
 *   cli.ts stacks                  single=[…] pki=<name> clusters=[…]   (from the stack files)
 *   cli.ts links <awaiting stack>… linking=[…]                          (the cluster stacks to run once more)
 *
 * Which stacks: the JSON list in PULUMI_DEPLOY_STACKS (the repository variable), e.g. ["dev","pki"].
 */
function main(argv: readonly string[]): void {
    const projectDir = path.resolve(__dirname, "..", "..");
    const selected = parseList(process.env.PULUMI_DEPLOY_STACKS || "[]");
    if (!Array.isArray(selected) || !selected.every((s): s is string => typeof s === "string")) {
        throw new DeployStacksError(`PULUMI_DEPLOY_STACKS must be a JSON list of stack names, not ${JSON.stringify(selected)}`);
    }
    const stacks = deployStacks(projectDir, selected);
    const [command, ...rest] = argv;
    if (command === "stacks") {
        console.log(`single=${JSON.stringify(stacks.single)}`);
        console.log(`pki=${stacks.pki ?? ""}`);
        console.log(`clusters=${JSON.stringify(stacks.clusters)}`);
    } else if (command === "links") {
        // The workflow's phases run in parallel, so every stack with a newly signed peer needs another up.
        console.log(`linking=${JSON.stringify(linksToRerun(stacks, rest, "parallel"))}`);
    } else {
        throw new DeployStacksError(`usage: cli.ts stacks | cli.ts links <awaiting stack>…`);
    }
}

function parseList(text: string): unknown {
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return text;
    }
}

try {
    main(process.argv.slice(2));
} catch (error) {
    if (!(error instanceof DeployStacksError)) throw error;
    console.error(`deploy: ${error.message}`);
    process.exit(1);
}
