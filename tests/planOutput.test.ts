import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { stringify } from "yaml";
import { Plan } from "../infra/plan/model";
import { settings } from "./support/stacks";

/**
 * Into a pipe (`npm run plan -- x --json | jq`, or a parent reading it, as the e2e suite does), node writes
 * stdout asynchronously; a CLI that exits straight after writing cuts a large plan short. Eight clusters in full
 * mesh make about 430 KB of JSON, several times a pipe's buffer.
 */
test("plan --json of 8 clusters in full mesh arrives whole through a pipe", () => {
    const projectDir = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-pipe-"));
    try {
        fs.copyFileSync(path.resolve(__dirname, "..", "Pulumi.yaml"), path.join(projectDir, "Pulumi.yaml"));
        const config = settings({ "ambient-spire:soloLicenseKey": { secure: "v1:abc" } }, 8);
        fs.writeFileSync(path.join(projectDir, "Pulumi.eight.yaml"), stringify({ config }));
        const result = spawnSync(process.execPath, ["--import", "tsx", path.resolve(__dirname, "..", "infra", "plan", "cli.ts"), "eight", "--json"], {
            env: { ...process.env, AMBIENT_SPIRE_PROJECT_DIR: projectDir },
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
        });
        assert.equal(result.status, 0, result.stderr);
        assert.ok(result.stdout.length > 4 * 65536, `only ${result.stdout.length} bytes: not large enough to show a cut`);
        const plan = JSON.parse(result.stdout) as Plan;
        const links = plan.resources.filter((r) => r.type === "ambient-spire:multicluster:PeerLink");
        assert.equal(links.length, 8 * 7);
    } finally {
        fs.rmSync(projectDir, { recursive: true, force: true });
    }
});
