// Plans recorded from `npm run plan -- <stack> --json`, so a change meant to be invisible (a speed-up, a
// refactoring) can be shown to leave every plan byte-identical. Run this file to record them anew:
//   node --import tsx tests/support/planFixtures.ts --write
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { settings } from "./stacks";

const projectDir = path.resolve(__dirname, "..", "..");
export const fixtureDir = path.join(projectDir, "tests", "fixtures", "plans");

/** A stack a fixture is recorded from: a committed stack file, or a synthetic N-cluster mesh. */
export interface PlanCase {
    /** The fixture's file name without extension. */
    readonly name: string;
    /** The stack name passed to `npm run plan`. */
    readonly stack: string;
    /** Synthetic stacks only: the number of clusters in full mesh, written to a temporary project. */
    readonly clusters?: number;
    /** true: only the plan's SHA-256 is kept (a large plan; its fixture would be megabytes). */
    readonly hashOnly?: boolean;
    /** `--references <file>` (relative to the project): a cluster stack planned with its peers' outputs. */
    readonly references?: string;
}

/** Every committed stack file (Pulumi.<stack>.yaml), as the plan reads it: licence placeholder included. */
export function committedStacks(): string[] {
    return fs
        .readdirSync(projectDir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** 8 clusters are kept whole (about 440 KB); 16 (about 1000 resources, the bench's other floor case) by hash. */
export function planCases(): PlanCase[] {
    return [
        ...committedStacks().map((stack) => ({ name: stack, stack })),
        { name: "cluster1-references", stack: "cluster1", references: "docs/plan-references.json" },
        { name: "mesh-8", stack: "mesh-8", clusters: 8 },
        { name: "mesh-16", stack: "mesh-16", clusters: 16, hashOnly: true },
    ];
}

/** The plan's JSON exactly as `npm run plan -- <stack> --json` prints it, with the same node flags. */
export function planJson(c: PlanCase): string {
    const scratch = c.clusters === undefined ? undefined : syntheticProject(c);
    try {
        const result = spawnSync(
            process.execPath,
            ["--max-old-space-size=768", "--import", "tsx", path.join(projectDir, "infra", "plan", "cli.ts"), c.stack, "--json", ...(c.references ? ["--references", c.references] : [])],
            {
                cwd: projectDir,
                env: { ...process.env, ...(scratch ? { AMBIENT_SPIRE_PROJECT_DIR: scratch } : {}) },
                encoding: "utf8",
                maxBuffer: 256 * 1024 * 1024,
            },
        );
        if (result.status !== 0) throw new Error(`plan of ${c.stack} exited ${result.status}: ${result.stderr}`);
        return result.stdout;
    } finally {
        if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    }
}

/** A project holding only Pulumi.yaml and one stack file of `clusters` clusters in full mesh. */
function syntheticProject(c: PlanCase): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-fixture-"));
    fs.copyFileSync(path.join(projectDir, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    // A secure value, so the plan stands in its placeholder exactly as for a real stack's encrypted licence.
    const config = settings({ "ambient-spire:soloLicenseKey": { secure: "v1:abc" } }, c.clusters);
    fs.writeFileSync(path.join(dir, `Pulumi.${c.stack}.yaml`), stringify({ config }));
    return dir;
}

export function sha256(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

export function fixtureFile(c: PlanCase): string {
    return path.join(fixtureDir, c.hashOnly ? `${c.name}.sha256` : `${c.name}.json`);
}

/** What is kept for a case: the plan itself, or its hash and size. */
export function fixtureText(c: PlanCase, json: string): string {
    return c.hashOnly ? `${sha256(json)} ${Buffer.byteLength(json)}\n` : json;
}

if (require.main === module) {
    if (process.argv[2] !== "--write") {
        process.stderr.write("usage: node --import tsx tests/support/planFixtures.ts --write\n");
        process.exit(64);
    }
    fs.mkdirSync(fixtureDir, { recursive: true });
    for (const c of planCases()) {
        fs.writeFileSync(fixtureFile(c), fixtureText(c, planJson(c)));
        process.stdout.write(`${path.relative(projectDir, fixtureFile(c))}\n`);
    }
}
