import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import { chartDirs, findRealCharts, realChartSources } from "./e2e/support/realCharts";

/** `npm run e2e -- --charts <dir>`: which charts it finds, and what it says when one is missing. */
const root = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-real-charts-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function chart(dir: string, name: string, version: string): string {
    const at = path.join(root, dir);
    fs.mkdirSync(path.join(at, "charts", "sub"), { recursive: true });
    fs.writeFileSync(path.join(at, "Chart.yaml"), `apiVersion: v2\nname: ${name}\nversion: ${version}\n`);
    // A subchart is part of its chart, not a chart of the directory.
    fs.writeFileSync(path.join(at, "charts", "sub", "Chart.yaml"), "apiVersion: v2\nname: base\nversion: 1.27.1\n");
    return at;
}

function fullSet(dir: string): void {
    chart(`${dir}/spire-crds`, "spire-crds", "0.5.0");
    chart(`${dir}/spire`, "spire", "0.24.2");
    for (const version of ["1.27.9", "1.27.10", "1.27.8"]) {
        for (const name of ["base", "istiod", "cni", "ztunnel"]) chart(`${dir}/istio/${version}/${name}`, name, version);
    }
}

describe("the real charts for the e2e", () => {
    test("are found by Chart.yaml name and version at any depth; the Istio bump goes from the lowest patch to the highest", () => {
        fullSet("full");
        const found = findRealCharts(path.join(root, "full"));
        assert.equal(found.spire.dir, path.join(root, "full", "spire"));
        assert.deepEqual([found.istio.older.version, found.istio.newer.version], ["1.27.8", "1.27.10"], "patch versions compare as numbers");
        assert.equal(found.istio.newer.istiod.dir, path.join(root, "full", "istio", "1.27.10", "istiod"));
        assert.equal(chartDirs(path.join(root, "full")).filter((c) => c.name === "base").length, 3, "subcharts are not listed");
        const sources = realChartSources(found, found.istio.older, path.join(root, "project"), "crds.yaml");
        assert.equal(sources.charts.ztunnel, path.join("..", "full", "istio", "1.27.8", "ztunnel"));
    });

    test("a missing or wrong version, or one Istio version only, is named with where to get it; nothing found is said", () => {
        chart("partial/spire", "spire", "0.24.1");
        for (const name of ["base", "istiod", "cni"]) chart(`partial/${name}`, name, "1.27.8");
        chart("partial/ztunnel", "ztunnel", "1.28.0");
        assert.throws(() => findRealCharts(path.join(root, "partial")), (error: Error) => {
            assert.match(error.message, /^--charts ".*partial" lacks what the real-chart scenarios need:/);
            assert.match(error.message, /\n- spire-crds 0\.5\.0: .*helm pull spire-crds/);
            assert.match(error.message, /\n- spire 0\.24\.2: /);
            assert.match(error.message, /two 1\.27\.x versions.*have: base 1\.27\.8; istiod 1\.27\.8; cni 1\.27\.8; ztunnel none/);
            assert.match(error.message, /Found: .*spire 0\.24\.1/);
            return true;
        });
        fs.mkdirSync(path.join(root, "empty"));
        assert.throws(() => findRealCharts(path.join(root, "empty")), /Found: no chart/);
        assert.throws(() => findRealCharts(path.join(root, "nowhere")), /no such directory\. Fix: /);
        assert.throws(() => findRealCharts(undefined), /npm run e2e -- --charts <dir>/);
    });
});
