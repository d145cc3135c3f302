import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, test } from "node:test";
import { committedStacks, fixtureFile, fixtureText, planCases, planJson } from "./support/planFixtures";

/**
 * Changes made for speed alone (docs/benchmarks.md: the program near the SDK's floor) must not change what
 * `pulumi up` would do. Every committed stack's plan, and a synthetic mesh's, must stay byte-identical to the
 * plan recorded before them; a change that means to alter plans records them anew
 * (`node --import tsx tests/support/planFixtures.ts --write`) and the diff of the fixtures shows what it alters.
 */
describe("plans byte-identical to the recorded fixtures", () => {
    test("every committed stack file has a fixture", () => {
        for (const stack of committedStacks()) assert.ok(fs.existsSync(fixtureFile({ name: stack, stack })), `no fixture for Pulumi.${stack}.yaml: record one`);
    });

    for (const c of planCases()) {
        test(`${c.name}${c.clusters === undefined ? "" : ` (${c.clusters} clusters in full mesh)`}`, () => {
            const expected = fs.readFileSync(fixtureFile(c), "utf8");
            const actual = fixtureText(c, planJson(c));
            // Compare lengths first: a mismatch of a 400 KB document would otherwise print both whole.
            assert.equal(actual.length, expected.length, `${c.name}: plan differs from ${fixtureFile(c)} in length`);
            assert.ok(actual === expected, `${c.name}: plan differs from ${fixtureFile(c)}; compare with npm run plan -- diff`);
        });
    }
});
