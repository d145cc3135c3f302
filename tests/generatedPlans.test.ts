import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";

/**
 * The committed stacks' plans, recorded with `npm run plan -- <stack> --json` before `pki.ca` (bring your own
 * CA) existed: a stack that does not set it must plan byte for byte as then. Regenerate a fixture only for a
 * change meant to alter these plans, and say so in its commit.
 */
const fixtures = path.resolve(__dirname, "fixtures", "plans-generated");
const cases: [fixture: string, args: string[]][] = [
    ["dev.json", ["dev"]],
    ["multicluster.json", ["multicluster"]],
    ["cluster1.json", ["cluster1"]],
    ["cluster1-references.json", ["cluster1", "--references", "docs/plan-references.json"]],
    ["pki.json", ["pki"]],
];

for (const [fixture, args] of cases) {
    test(`generated CAs: npm run plan -- ${args.join(" ")} is as recorded before bring-your-own-CA`, () => {
        const result = spawnSync(process.execPath, ["--import", "tsx", path.resolve(__dirname, "..", "infra", "plan", "cli.ts"), ...args, "--json"], {
            cwd: path.resolve(__dirname, ".."),
            encoding: "utf8",
            maxBuffer: 16 * 1024 * 1024,
        });
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stdout, fs.readFileSync(path.join(fixtures, fixture), "utf8"));
    });
}
