import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { diffPlans } from "../infra/plan/diff";
import { standInGatewayApiManifest } from "./support/gatewayApiManifest";
import { input, named, plan, settings } from "./support/stacks";

/** A chart directory as `helm create` would leave it: the program only checks that it exists. */
function chartDirectory(root: string, name: string): string {
    const dir = path.join(root, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "Chart.yaml"), `apiVersion: v2\nname: ${name}\nversion: 0.0.1\n`);
    return path.relative(process.cwd(), dir);
}

describe("sources: where charts, CRDs and images come from", () => {
    test("unset, every chart, the CRDs and the hub are the public ones (existing stacks plan as before)", async () => {
        // One at a time: the mock engine is process-global.
        const defaults = await plan(settings());
        const explicitEmpty = await plan(settings({ "ambient-spire:sources": { charts: {} } }));
        assert.deepEqual(diffPlans(defaults, explicitEmpty), { added: [], removed: [], replaced: [], changed: [] });
        assert.deepEqual(input(named(defaults, "cluster1-spire-release"), "repositoryOpts"), { repo: "https://spiffe.github.io/helm-charts-hardened/" });
        assert.equal(input(named(defaults, "cluster1-spire-release"), "chart"), "spire");
    });

    test("a mirror, a registry and chart directories each reach the release they name, and only it", async () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-charts-"));
        const ztunnelDir = chartDirectory(root, "ztunnel");
        const crdsFile = path.join(root, "gateway-api.yaml");
        fs.writeFileSync(crdsFile, standInGatewayApiManifest());
        const sources = {
            charts: { spire: "https://mirror.example.com/spiffe/", istiod: "oci://registry.example.com/istio-charts/", ztunnel: ztunnelDir },
            gatewayApiCrds: crdsFile,
            imageHub: "registry.example.com:5000/istio",
        };
        const p = await plan(settings({ "ambient-spire:sources": sources }));
        const spire = named(p, "cluster1-spire-release");
        assert.deepEqual([input(spire, "chart"), input(spire, "version"), input(spire, "repositoryOpts")], ["spire", "0.24.2", { repo: "https://mirror.example.com/spiffe/" }]);
        const crds = named(p, "cluster1-spire-crds");
        assert.deepEqual(input(crds, "repositoryOpts"), { repo: "https://spiffe.github.io/helm-charts-hardened/" }, "spireCrds was not redirected");
        const istiod = named(p, "cluster1-mesh-istiod");
        assert.deepEqual([input(istiod, "chart"), input(istiod, "version")], ["oci://registry.example.com/istio-charts/istiod", "1.27.8-solo"]);
        const ztunnel = named(p, "cluster1-mesh-ztunnel");
        assert.deepEqual([input(ztunnel, "chart"), input(ztunnel, "version"), input(ztunnel, "repositoryOpts")], [ztunnelDir, undefined, undefined]);
        assert.equal(input(named(p, "cluster1-mesh-istio-base"), "chart"), "oci://us-docker.pkg.dev/gloo-mesh/istio-helm-abcdef012345/base");
        // The mirror is read by the program (the plan too, since it is local): each CRD's spec is the file's.
        assert.equal(input(named(p, "cluster1-mesh-gateway-api-gateways"), "spec", "names", "kind"), "Gateway");
        assert.equal(input(named(p, "cluster1-mesh-gateway-api-httproutes"), "spec", "names", "kind"), "HTTPRoute");
        for (const release of ["cluster1-mesh-istiod", "cluster1-mesh-istio-cni"]) {
            assert.equal(input(named(p, release), "values", "global", "hub"), "registry.example.com:5000/istio", release);
        }
        assert.equal(input(ztunnel, "values", "hub"), "registry.example.com:5000/istio");
        fs.rmSync(root, { recursive: true, force: true });
    });
});
