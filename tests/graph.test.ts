import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { renderMermaid } from "../infra/plan/graph";
import { recordPlan } from "../infra/plan/recorder";
import { readStackConfig } from "../infra/plan/stackFiles";
import { program } from "../stacks";
import { clusters, plan, settings } from "./support/stacks";

const projectDir = path.resolve(__dirname, "..");
const boxOf = (mermaid: string, id: string) => new RegExp(`${id}\\["([^"]+)"\\]`).exec(mermaid)?.[1] ?? "";

describe("plan --graph", () => {
    test("every dashed (cross-cluster) edge is a remote east-west gateway feeding a peer link, one per link", async () => {
        const peering = [
            { from: "cluster1", to: "cluster2" },
            { from: "cluster3", to: "cluster1" },
        ];
        const mermaid = renderMermaid(await plan(settings({ "ambient-spire:clusters": clusters(3), "ambient-spire:peering": peering })));
        const dashed = [...mermaid.matchAll(/^\s+(n\d+) -\. east-west address \.-> (n\d+)$/gm)].map(([, from, to]) => [boxOf(mermaid, from), boxOf(mermaid, to)]);
        assert.deepEqual(dashed.sort(), [
            ["EastWestGateway<br/>cluster1-eastwest", "PeerLink<br/>cluster3-to-cluster1"],
            ["EastWestGateway<br/>cluster2-eastwest", "PeerLink<br/>cluster1-to-cluster2"],
        ]);
    });

    test("each cluster's CAs sit in its subgraph; the root CA sits outside all of them", async () => {
        const mermaid = renderMermaid(await plan(settings({}, 2)));
        const blocks = mermaid.split(/^\s+subgraph /m).slice(1);
        assert.equal(blocks.length, 2);
        for (const [index, block] of blocks.entries()) {
            assert.match(block, new RegExp(`IntermediateCa<br/>cluster${index + 1}-spire-ca`));
            assert.doesNotMatch(block, /RootCa/);
        }
        assert.match(mermaid.split(/subgraph/)[0], /RootCa<br\/>mesh-root-ca/);
    });

    test("docs/plan.md shows the graph of Pulumi.multicluster.yaml as the program draws it today", async () => {
        const { plan: multicluster } = await recordPlan(program, readStackConfig(projectDir, "multicluster"));
        const page = fs.readFileSync(path.join(projectDir, "docs", "plan.md"), "utf8");
        assert.ok(page.includes("```mermaid\n" + renderMermaid(multicluster) + "```"), "regenerate docs/plan.md's picture with npm run plan -- multicluster --graph");
    });
});
