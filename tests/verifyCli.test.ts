import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import { parseArguments, UsageError } from "../infra/verify/cli";

/**
 * The verify command as a user meets it: usage errors are one line with exit 2, and a cluster that cannot be
 * reached is a failing check (exit 1), not a crash. No real cluster: the kubeconfig points at a loopback port
 * that was just closed, so nothing ever leaves the machine.
 */
const cli = path.resolve(__dirname, "..", "infra", "verify", "cli.ts");
const projectDir = path.resolve(__dirname, "..");
let dir: string;
let kubeconfig: string;

function run(args: string[]) {
    const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: path.join(dir, "no-such-kubeconfig") };
    delete env.AMBIENT_SPIRE_PROJECT_DIR;
    return spawnSync(process.execPath, ["--import", "tsx", cli, ...args], { cwd: projectDir, env, encoding: "utf8", timeout: 120_000 });
}

/** A port on 127.0.0.1 that nothing listens on: bound by a server of this test, then closed. */
async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-verify-"));
    const port = await closedPort();
    kubeconfig = path.join(dir, "kubeconfig");
    // The contexts Pulumi.multicluster.yaml names, both at the closed port.
    fs.writeFileSync(kubeconfig, stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "closed", cluster: { server: `https://127.0.0.1:${port}`, "insecure-skip-tls-verify": true } }],
        users: [{ name: "nobody", user: { token: "not-a-secret" } }],
        contexts: ["kind-cluster1", "kind-cluster2"].map((name) => ({ name, context: { cluster: "closed", user: "nobody" } })),
        "current-context": "kind-cluster1",
    }));
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("verify's arguments", () => {
    const usage = (argv: string[], pattern: RegExp) => assert.throws(() => parseArguments(argv), (error: unknown) => error instanceof UsageError && pattern.test(error.message) && !error.message.includes("\n"));
    test("a missing stack names <stack>", () => usage([], /^<stack> is missing\. Fix: name the stack/));
    test("an unknown option is quoted", () => usage(["dev", "--jsn"], /^"--jsn" is not an option of verify\. Fix: use --json/));
    test("two stacks are refused", () => usage(["dev", "multicluster"], /^"multicluster": only one stack may be given/));
    test("--kubeconfig needs a file", () => usage(["dev", "--kubeconfig"], /^--kubeconfig: needs a file/));
    test("--kubeconfig of a missing file is quoted", () => usage(["dev", "--kubeconfig", "/nonexistent/kc"], /^--kubeconfig "\/nonexistent\/kc": no such file/));
    test("good arguments", () => assert.deepEqual(parseArguments(["dev", "--json", "--kubeconfig=/dev/null"]), { stack: "dev", json: true, kubeconfig: "/dev/null" }));
});

describe("npm run verify", () => {
    test("an unknown stack: exit 2, one line naming it and the existing stacks", () => {
        const result = run(["nope", "--kubeconfig", kubeconfig]);
        assert.equal(result.status, 2, result.stderr);
        assert.equal(result.stdout, "");
        const lines = result.stderr.trim().split("\n");
        assert.equal(lines.length, 1, result.stderr);
        assert.match(lines[0], /^verify: <stack> "nope": .*Pulumi\.nope\.yaml does not exist\. Fix: name an existing stack \(.*dev.*multicluster/);
    });

    test("no kubeconfig anywhere: exit 2 with the fix", () => {
        const result = run(["dev"]);
        assert.equal(result.status, 2, result.stderr);
        assert.match(result.stderr.trim(), /^verify: KUBECONFIG=".*no-such-kubeconfig": no such kubeconfig file\. Fix: pass --kubeconfig <file>/);
    });

    test("unreachable clusters: exit 1, each a ❌ naming its cluster, as JSON", () => {
        const result = run(["multicluster", "--kubeconfig", kubeconfig, "--json"]);
        assert.equal(result.status, 1, result.stderr);
        const report = JSON.parse(result.stdout) as { stack: string; ok: boolean; clusters: { name: string; context: string; checks: { id: string; ok: boolean; detail: string }[] }[] };
        assert.equal(report.stack, "multicluster");
        assert.equal(report.ok, false);
        assert.deepEqual(report.clusters.map((c) => [c.name, c.context]), [["cluster1", "kind-cluster1"], ["cluster2", "kind-cluster2"]]);
        for (const cluster of report.clusters) {
            assert.equal(cluster.checks.length, 1);
            assert.equal(cluster.checks[0].id, "reachable");
            assert.equal(cluster.checks[0].ok, false);
            assert.match(cluster.checks[0].detail, new RegExp(`^cluster ${cluster.name} \\(context ${cluster.context}\\): API server https://127\\.0\\.0\\.1:\\d+ not reachable: .*ECONNREFUSED`));
        }
    });

    test("unreachable cluster as text: one ❌ line per cluster and the count", () => {
        const result = run(["dev", "--kubeconfig", kubeconfig]);
        assert.equal(result.status, 1, result.stderr);
        assert.match(result.stdout, /^stack dev\n\ncluster1 \(context kind-cluster1\)\n {2}❌ reachable: cluster cluster1 \(context kind-cluster1\): API server/);
        assert.match(result.stdout, /\n1 of 1 checks failed\n$/);
    });
});
