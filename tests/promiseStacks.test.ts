import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { unformattedPromiseStack } from "../stacks/promiseStacks";

const probeFile = path.resolve(__dirname, "fixtures", "promiseStacksProbe.ts");

/** The line of the probe that carries `// marker: <name>`. */
function markedLine(name: string): number {
    const index = fs.readFileSync(probeFile, "utf8").split("\n").findIndex((line) => line.endsWith(`// marker: ${name}`));
    assert.ok(index >= 0, `no marker ${name}`);
    return index + 1;
}

/**
 * The probe runs in a process of its own (Error.prepareStackTrace is process-global, and the test runner's
 * must stay as it is) under tsx, with source maps, as `npm run plan` and the bench run the program.
 */
function probe(debugLeaks: string): { debuggable: unknown; error: string; sourceLine: number | undefined } {
    const result = spawnSync(process.execPath, ["--import", "tsx", probeFile], {
        env: { ...process.env, PULUMI_DEBUG_PROMISE_LEAKS: debugLeaks },
        encoding: "utf8",
    });
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout.trim().split("\n").pop() ?? "") as { debuggable: unknown; error: string; sourceLine: number | undefined };
}

test("the SDK's promise-leak stacks are not formatted; errors and resource source positions are, source-mapped as before", () => {
    const seen = probe("");
    assert.equal(seen.debuggable, unformattedPromiseStack);
    assert.match(seen.error, new RegExp(`^Error: probe\\n\\s+at .*promiseStacksProbe\\.ts:${markedLine("error")}:`));
    assert.equal(seen.sourceLine, markedLine("callsites"));
});

test("with PULUMI_DEBUG_PROMISE_LEAKS set, promise stacks are kept for the SDK's leak report", () => {
    const seen = probe("1");
    assert.match(String(seen.debuggable), /^Error\n\s+at .*debuggablePromise/);
});
