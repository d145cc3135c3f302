import * as path from "path";
import { ConfigError, program } from "../../stacks";
import { recordPlan } from "./recorder";
import { renderJson, renderTree } from "./render";
import { readStackConfig, StackFileError } from "./stackFiles";

const usage = "usage: npm run plan -- <stack> [--json]";

/** `npm run plan -- <stack> [--json]`: what `pulumi up -s <stack>` would do, without a cluster or the CLI. */
async function main(argv: string[]): Promise<number> {
    const flags = new Set(argv.filter((a) => a.startsWith("--")));
    const positional = argv.filter((a) => !a.startsWith("--"));
    const unknownFlags = [...flags].filter((f) => !["--json"].includes(f));
    if (positional.length !== 1 || unknownFlags.length > 0) {
        process.stderr.write(`${usage}\n`);
        return 2;
    }
    const projectDir = process.env.AMBIENT_SPIRE_PROJECT_DIR ?? path.resolve(__dirname, "..", "..");
    try {
        const stack = readStackConfig(projectDir, positional[0]);
        const { plan } = await recordPlan(program, stack);
        process.stdout.write(flags.has("--json") ? renderJson(plan) : renderTree(plan));
        return 0;
    } catch (error) {
        if (error instanceof ConfigError || error instanceof StackFileError) {
            process.stderr.write(`error: ${error.message}\n`);
            return 1;
        }
        throw error;
    }
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
        process.stderr.write(`plan failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
        process.exit(3);
    },
);
