import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { parse, stringify } from "yaml";
import { deployPhases } from "../infra/deploy/phases";
import { deployStacks } from "../infra/deploy/stacks";
import { docCommands, stackOf, subcommandOf } from "./e2e/support/docCommands";
import { docPhases } from "./support/docPhases";
import { upJobs, workflowProblems } from "./support/deployWorkflow";

/**
 * deploy.yml runs the stack-per-cluster stacks as matrices, in phases derived from the stack files
 * (infra/deploy). This checks the derived phases against docs/multicluster.md's sequences (the blocks the
 * real-engine suite runs) and the workflow's jobs against the derived phases, and that each check fails on
 * a mutated copy.
 */
const projectDir = path.resolve(__dirname, "..");
const multicluster = path.join(projectDir, "docs", "multicluster.md");
const workflow = fs.readFileSync(path.join(projectDir, ".github", "workflows", "deploy.yml"), "utf8");
const stacks = deployStacks(projectDir, ["pki"]);
const isPki = (stack: string) => stack === stacks.pki;
const ups = (page: string, intro: string) => docCommands(page, intro).filter((c) => subcommandOf(c.argv) === "up").map((c) => stackOf(c.argv) ?? "");

describe("deploy phases", () => {
    test("derived from the stack files: pki by signFor, its cluster stacks by pkiStack; a new cluster file joins without a workflow edit", () => {
        assert.deepEqual(stacks, { single: [], pki: "pki", clusters: ["cluster1", "cluster2"], peers: { cluster1: ["cluster2"], cluster2: ["cluster1"] } });
        assert.deepEqual(deployStacks(projectDir, ["dev", "pki"]).single, ["dev"]);
        assert.throws(() => deployStacks(projectDir, ["cluster1"]), /cluster1 is a cluster stack\. Fix: list its pki stack \(pki\)/);

        const copy = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-phases-"));
        for (const file of ["Pulumi.yaml", "Pulumi.pki.yaml", "Pulumi.cluster1.yaml", "Pulumi.cluster2.yaml"]) fs.copyFileSync(path.join(projectDir, file), path.join(copy, file));
        const cluster2 = fs.readFileSync(path.join(copy, "Pulumi.cluster2.yaml"), "utf8");
        fs.writeFileSync(path.join(copy, "Pulumi.cluster3.yaml"), cluster2.replace(/name: cluster2/g, "name: cluster3").replace(/context: kind-cluster2/, "context: kind-cluster3"));
        assert.throws(() => deployStacks(copy, ["pki"]), /signs for cluster1, cluster2, but the stack files naming pki as pkiStack are cluster1, cluster2, cluster3/);
        const pki = path.join(copy, "Pulumi.pki.yaml");
        fs.writeFileSync(pki, `${fs.readFileSync(pki, "utf8")}    - organization/ambient-spire/cluster3\n`);
        const three = deployStacks(copy, ["pki"]);
        assert.deepEqual(three.clusters, ["cluster1", "cluster2", "cluster3"]);
        assert.deepEqual(three.peers.cluster3, ["cluster1"]);
        fs.rmSync(copy, { recursive: true, force: true });
    });

    test("the CLI prints the matrices as $GITHUB_OUTPUT lines", () => {
        const cli = path.join(projectDir, "infra", "deploy", "cli.ts");
        const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", cli, ...args], { cwd: projectDir, encoding: "utf8", env: { ...process.env, PULUMI_DEPLOY_STACKS: '["dev","pki"]' } });
        assert.equal(run("stacks").stdout, 'single=["dev"]\npki=pki\nclusters=["cluster1","cluster2"]\n');
        assert.equal(run("links", "cluster1", "cluster2").stdout, 'linking=["cluster1","cluster2"]\n');
        assert.equal(run("links").stdout, "linking=[]\n");
    });

    test("the docs' first deployment is the derived phases, in the docs' one-at-a-time order", () => {
        const derived = deployPhases(stacks, stacks.clusters, "sequential").map((p) => p.stacks);
        assert.deepEqual(derived, [["cluster1", "cluster2"], ["pki"], ["cluster1", "cluster2"], ["cluster1"]]);
        assert.deepEqual(docPhases(ups(multicluster, "First deployment"), isPki), derived);

        // A copy with pki signing after the installs, and one without the last link, no longer agree.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-phases-docs-"));
        const page = fs.readFileSync(multicluster, "utf8");
        const pkiLine = /^pulumi up -s pki .*\n/m.exec(page)?.[0] ?? "";
        const installLine = /^pulumi up -s cluster1 && pulumi up -s cluster2 +# SPIRE.*\n/m.exec(page)?.[0] ?? "";
        const mutants = [
            page.replace(pkiLine, "").replace(installLine, `${installLine}${pkiLine}`),
            page.replace(/^pulumi up -s cluster1 +# now that.*\n/m, ""),
        ];
        for (const [index, text] of mutants.entries()) {
            assert.notEqual(text, page, `mutant ${index} changed the page`);
            fs.writeFileSync(path.join(dir, "multicluster.md"), text);
            assert.notDeepEqual(docPhases(ups(path.join(dir, "multicluster.md"), "First deployment"), isPki), derived, `mutant ${index}`);
        }
        fs.rmSync(dir, { recursive: true, force: true });
    });

    test("in parallel the same phases, but every stack with a newly signed peer links again", () => {
        const sequential = deployPhases(stacks, stacks.clusters, "sequential");
        const parallel = deployPhases(stacks, stacks.clusters, "parallel");
        assert.deepEqual(parallel.map((p) => p.job), sequential.map((p) => p.job));
        assert.deepEqual(parallel.slice(0, -1), sequential.slice(0, -1));
        assert.deepEqual(parallel[parallel.length - 1].stacks, ["cluster1", "cluster2"]);
        // Steady state (nothing awaits a first signature): no link phase; pki and the second up only on a pki change.
        assert.deepEqual(deployPhases(stacks, [], "parallel").map((p) => `${p.job} (${p.when})`), ["up-clusters (always)", "up-pki (pki changes)", "up-signed (after signing)"]);
    });

    test("the docs' rotation is the steady state's phases, for the rotated stack", () => {
        const docs = docPhases(ups(multicluster, "Rotating a cluster's CAs in this shape"), isPki);
        const steady = deployPhases(stacks, [], "parallel").map((p) => p.stacks);
        assert.equal(docs.length, steady.length);
        for (const [index, phase] of docs.entries()) assert.ok(phase.every((s) => steady[index].includes(s)), `docs phase ${index} (${phase.join()}) is in ${steady[index].join()}`);
    });

    test("deploy.yml's up jobs encode the phases: order by needs, stacks, conditions, environments, bounded matrices", () => {
        const phases = deployPhases(stacks, stacks.clusters, "parallel");
        assert.deepEqual(workflowProblems(phases, upJobs(workflow)), []);
        const single = upJobs(workflow).find((j) => j.from === "single");
        assert.deepEqual(single?.after, ["stacks"], "all-in-one stacks wait on no stack");

        // Mutated copies: a phase dropped, two reordered, a link phase no longer after the installs.
        const mutate = (change: (jobs: Record<string, { needs?: string | string[] }>) => void): string => {
            const doc = parse(workflow) as { jobs: Record<string, { needs?: string | string[] }> };
            change(doc.jobs);
            return stringify(doc);
        };
        const mutants = {
            dropped: mutate((jobs) => { delete jobs["up-pki"]; jobs["up-signed"].needs = ["stacks", "check"]; }),
            reordered: mutate((jobs) => { jobs["up-pki"].needs = ["stacks", "check", "up-signed"]; jobs["up-signed"].needs = ["stacks", "check"]; }),
            unlinked: mutate((jobs) => { jobs["up-links"].needs = ["check"]; }),
        };
        for (const [name, text] of Object.entries(mutants)) assert.notDeepEqual(workflowProblems(phases, upJobs(text)), [], name);
    });
});
