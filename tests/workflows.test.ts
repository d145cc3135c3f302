import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";

const projectDir = path.resolve(__dirname, "..");
const actionlint = path.join(projectDir, ".tools", "bin", "actionlint");

describe("GitHub workflows", () => {
    test("actionlint (the real linter) passes them, and fails a broken copy", () => {
        assert.ok(fs.existsSync(actionlint), "npm test installs it first (pretest: .github/scripts/install-actionlint.sh)");
        const ours = spawnSync(actionlint, ["-color=false"], { cwd: projectDir, encoding: "utf8" });
        assert.equal(ours.status, 0, ours.stdout + ours.stderr);

        const broken = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-lint-"));
        execFileSync("git", ["init", "-q", broken]);
        fs.mkdirSync(path.join(broken, ".github", "workflows"), { recursive: true });
        const text = fs.readFileSync(path.join(projectDir, ".github", "workflows", "pull-request.yml"), "utf8");
        fs.writeFileSync(path.join(broken, ".github", "workflows", "pr.yml"), text.replace("github.event.pull_request.base.sha", "github.event.pull_request.base.shaa").replace("runs-on:", "runs-onn:"));
        const theirs = spawnSync(actionlint, ["-color=false"], { cwd: broken, encoding: "utf8" });
        assert.notEqual(theirs.status, 0);
        assert.match(theirs.stdout, /runs-onn/);
    });

    test("plan-diff.sh writes one marked comment: the changed stack's diff, the unchanged stack's 'no changes'", () => {
        // The base checkout: the tracked files of this one, with dev on an older Istio.
        const base = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-base-"));
        const tracked = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: projectDir, encoding: "utf8" }).trim().split("\n");
        for (const file of tracked) {
            if (!fs.existsSync(path.join(projectDir, file))) continue;
            fs.mkdirSync(path.dirname(path.join(base, file)), { recursive: true });
            fs.copyFileSync(path.join(projectDir, file), path.join(base, file));
        }
        fs.symlinkSync(path.join(projectDir, "node_modules"), path.join(base, "node_modules"));
        const dev = path.join(base, "Pulumi.dev.yaml");
        fs.writeFileSync(dev, fs.readFileSync(dev, "utf8").replace("version: 1.27.8", "version: 1.27.7"));
        assert.match(fs.readFileSync(dev, "utf8"), /1\.27\.7/);

        const out = path.join(base, "comment.md");
        const run = spawnSync("bash", [path.join(projectDir, ".github", "scripts", "plan-diff.sh"), base, projectDir, out], { encoding: "utf8" });
        assert.equal(run.status, 0, run.stderr);
        const comment = fs.readFileSync(out, "utf8");
        assert.ok(comment.startsWith("<!-- ambient-spire-plan-diff -->\n"));
        assert.match(comment, /### ambient-spire\/dev: 0 to add, 4 to change, 0 to replace, 0 to delete/);
        assert.match(comment, /`version`: "1\.27\.7-solo" → "1\.27\.8-solo"/);
        assert.match(comment, /### ambient-spire\/multicluster: no changes/);
    });
});
