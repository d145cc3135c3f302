import assert from "node:assert/strict";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { Plan, PlannedResource } from "../infra/plan/model";
import { recordPlan } from "../infra/plan/recorder";
import { readStackConfig } from "../infra/plan/stackFiles";
import { program } from "../stacks";
import { input, named, ofType } from "./support/stacks";

const projectDir = path.resolve(__dirname, "..");
let plan: Plan;

/** Does `r` wait for `dependency`, directly or through its own dependencies and its parents' children? */
function waitsFor(p: Plan, r: PlannedResource, dependency: PlannedResource): boolean {
    const byUrn = new Map(p.resources.map((x) => [x.urn, x]));
    const descendants = (urn: string): string[] => p.resources.filter((x) => x.parent === urn).flatMap((x) => [x.urn, ...descendants(x.urn)]);
    const seen = new Set<string>();
    const stack = [...r.dependsOn];
    while (stack.length) {
        const urn = stack.pop()!;
        if (seen.has(urn)) continue;
        seen.add(urn);
        if (urn === dependency.urn) return true;
        // Waiting on a component waits on all its children.
        stack.push(...descendants(urn), ...(byUrn.get(urn)?.dependsOn ?? []));
    }
    return false;
}

before(async () => {
    // The committed stack file, as `npm run plan -- dev` reads it.
    plan = (await recordPlan(program, readStackConfig(projectDir, "dev"))).plan;
});

describe("dev stack: the guide's single-cluster section", () => {
    test("every Kubernetes resource is on cluster1's one explicit provider, which upserts nothing; PKI is cluster-free", () => {
        const providers = ofType(plan, "pulumi:providers:kubernetes");
        assert.deepEqual(
            providers.map((p) => [p.name, input(p, "context"), input(p, "enableSecretMutable"), input(p, "upsertExistingObjects")]),
            [["cluster1", "kind-cluster1", "true", undefined]],
        );
        for (const r of plan.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
            assert.equal(r.cluster, "cluster1", `${r.name} is not on cluster1's provider`);
        }
        for (const r of plan.resources.filter((x) => x.type.startsWith("tls:"))) assert.equal(r.cluster, null, r.name);
    });

    test("every child is parented to its component and named from it", () => {
        for (const r of plan.resources.filter((x) => x.parent !== null)) {
            const parent = plan.resources.find((x) => x.urn === r.parent)!;
            assert.ok(r.name.startsWith(`${parent.name}-`), `${r.name} is not named from ${parent.name}`);
        }
        const topLevel = plan.resources.filter((x) => x.parent === null).map((x) => x.type);
        assert.ok(topLevel.every((t) => t.startsWith("ambient-spire:") || t === "pulumi:providers:kubernetes"), topLevel.join());
    });

    test("each (type, name) pair is unique in the stack", () => {
        const keys = plan.resources.map((r) => `${r.type}::${r.name}`);
        assert.equal(new Set(keys).size, keys.length);
    });

    test("root CA: RSA 2048, CA pathlen 2, cert-signing uses, subject key id, 3650 days, protected", () => {
        const key = named(plan, "mesh-root-ca-key");
        const cert = named(plan, "mesh-root-ca-cert");
        assert.deepEqual([input(key, "algorithm"), input(key, "rsaBits")], ["RSA", 2048]);
        assert.equal(input(cert, "isCaCertificate"), true);
        assert.equal(input(cert, "maxPathLength"), 2);
        assert.deepEqual(input(cert, "allowedUses"), ["cert_signing", "crl_signing"]);
        assert.equal(input(cert, "setSubjectKeyId"), true);
        assert.equal(input(cert, "validityPeriodHours"), 3650 * 24);
        assert.deepEqual(input(cert, "subject"), { commonName: "SPIRE Root CA" });
        assert.ok(key.options.protect && cert.options.protect);
    });

    test("SPIRE intermediate: pathlen 1 (SPIRE signs its own CA under it), 1825 days, signed by the root", () => {
        const cert = named(plan, "cluster1-spire-ca-cert");
        assert.equal(input(cert, "maxPathLength"), 1);
        assert.equal(input(cert, "validityPeriodHours"), 1825 * 24);
        assert.ok(cert.dependsOn.includes(named(plan, "mesh-root-ca-cert").urn));
        assert.ok(cert.dependsOn.includes(named(plan, "mesh-root-ca-key").urn));
        assert.equal(input(named(plan, "cluster1-spire-ca-csr"), "subject", "commonName"), "SPIRE cluster1 CA");
    });

    test("single cluster: no plug-in CA, no east-west gateway, no network label", () => {
        assert.equal(plan.resources.filter((r) => /istio-ca|eastwest|-to-/.test(r.name)).length, 0);
        assert.equal(input(named(plan, "cluster1-mesh-system-namespace"), "metadata", "labels"), undefined);
    });

    test("spiffe-upstream-ca secret in spire-server, carrying the intermediate, its key and the root", () => {
        const secret = named(plan, "cluster1-spire-upstream-ca");
        assert.deepEqual(input(secret, "metadata"), { name: "spiffe-upstream-ca", namespace: "spire-server" });
        for (const source of ["cluster1-spire-ca-cert", "cluster1-spire-ca-key", "mesh-root-ca-cert"]) {
            assert.ok(secret.dependsOn.includes(named(plan, source).urn), source);
        }
        assert.ok(!secret.dependsOn.includes(named(plan, "mesh-root-ca-key").urn), "the root key must never reach a cluster");
    });

    test("spire-crds 0.5.0 and spire 0.24.2 from the hardened charts, with explicit release names", () => {
        const crds = named(plan, "cluster1-spire-crds");
        const spire = named(plan, "cluster1-spire-release");
        const repo = { repo: "https://spiffe.github.io/helm-charts-hardened/" };
        assert.deepEqual([input(crds, "name"), input(crds, "chart"), input(crds, "version"), input(crds, "namespace"), input(crds, "repositoryOpts")], ["spire-crds", "spire-crds", "0.5.0", "spire-server", repo]);
        assert.deepEqual([input(spire, "name"), input(spire, "chart"), input(spire, "version"), input(spire, "namespace"), input(spire, "repositoryOpts")], ["spire", "spire", "0.24.2", "spire-server", repo]);
        assert.ok(crds.options.retainOnDelete, "SPIRE CRDs are kept on delete");
        assert.ok(waitsFor(plan, spire, crds) && waitsFor(plan, spire, named(plan, "cluster1-spire-upstream-ca")));
    });

    test("spire values: the guide's, plus clusterName and the root as bundle", () => {
        const values = input(named(plan, "cluster1-spire-release"), "values") as Record<string, any>;
        const tolerations = [
            { effect: "NoSchedule", operator: "Exists" },
            { key: "CriticalAddonsOnly", operator: "Exists" },
            { effect: "NoExecute", operator: "Exists" },
        ];
        assert.deepEqual(values.global, { spire: { trustDomain: "cluster1", clusterName: "cluster1" } });
        assert.deepEqual(values["spire-agent"], {
            authorizedDelegates: ["spiffe://cluster1/ns/istio-system/sa/ztunnel"],
            sockets: { admin: { enabled: true, mountOnHost: true }, hostBasePath: "/run/spire/agent/sockets" },
            tolerations,
        });
        assert.deepEqual(values["spiffe-csi-driver"], { tolerations });
        const disk = values["spire-server"].upstreamAuthority.disk;
        assert.equal(disk.enabled, true);
        assert.equal(disk.secret.create, false);
        assert.equal(disk.secret.name, "spiffe-upstream-ca");
        // Guide gap: without data.bundle the chart drops bundle_file_path. It is the root's PEM (unknown in preview).
        assert.equal(disk.secret.data.bundle, "[unknown]");
        assert.ok(named(plan, "cluster1-spire-release").dependsOn.includes(named(plan, "mesh-root-ca-cert").urn));
    });

    test("ClusterSPIFFEIDs: the guide's three plus namespace-labelled ambient pods, all with className", () => {
        const ids = ofType(plan, ":ClusterSPIFFEID");
        const template = "spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}";
        const byName = Object.fromEntries(ids.map((r) => [input(r, "metadata", "name"), input(r, "spec")]));
        assert.deepEqual(Object.keys(byName).sort(), ["istio-ambient-ns-reg", "istio-ambient-reg", "istio-waypoint-reg", "istio-ztunnel-reg"]);
        assert.deepEqual(byName["istio-ztunnel-reg"], { className: "spire-server-spire", spiffeIDTemplate: template, podSelector: { matchLabels: { app: "ztunnel" } } });
        assert.deepEqual((byName["istio-waypoint-reg"] as any).podSelector, { matchLabels: { "istio.io/gateway-name": "waypoint" } });
        assert.deepEqual((byName["istio-ambient-reg"] as any).podSelector, { matchLabels: { "istio.io/dataplane-mode": "ambient" } });
        assert.deepEqual((byName["istio-ambient-ns-reg"] as any).namespaceSelector, { matchLabels: { "istio.io/dataplane-mode": "ambient" } });
        for (const r of ids) {
            assert.equal(input(r, "apiVersion"), "spire.spiffe.io/v1alpha1");
            assert.equal((input(r, "spec") as any).className, "spire-server-spire", "the controller manager skips ids without its class");
            assert.ok(waitsFor(plan, r, named(plan, "cluster1-spire-crds")) && waitsFor(plan, r, named(plan, "cluster1-spire-release")));
        }
    });

    test("Gateway API v1.3.0 standard-install: one server-side apply per CRD, kept on delete, on the cluster's provider", () => {
        const crds = ofType(plan, "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinitionPatch");
        assert.deepEqual(crds.map((r) => input(r, "metadata", "name")).sort(), [
            "gatewayclasses.gateway.networking.k8s.io",
            "gateways.gateway.networking.k8s.io",
            "grpcroutes.gateway.networking.k8s.io",
            "httproutes.gateway.networking.k8s.io",
            "referencegrants.gateway.networking.k8s.io",
        ]);
        for (const crd of crds) {
            // A Patch creates the CRD or takes over the cluster's: a cluster that already has them must not fail.
            assert.ok(crd.options.retainOnDelete, `${crd.name}: a Patch delete would fail on the fields it owns`);
            assert.equal(crd.provider, named(plan, "cluster1").urn);
            assert.equal(input(crd, "metadata", "annotations", "pulumi.com/patchFieldManager"), "ambient-spire-gateway-api");
            // The plan does not fetch: it says where pulumi up reads the spec from.
            assert.deepEqual(input(crd, "spec"), { readAtDeploy: "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.3.0/standard-install.yaml" });
        }
        assert.equal(plan.resources.filter((r) => r.type === "kubernetes:yaml/v2:ConfigFile").length, 0);
    });

    test("top-level URNs are the engine's: no mock stack type in the type chain", () => {
        for (const r of plan.resources) assert.doesNotMatch(r.urn, /pulumi:pulumi:Stack/, r.urn);
        assert.equal(named(plan, "cluster1-mesh").urn, "urn:pulumi:dev::ambient-spire::ambient-spire:istio:AmbientMesh::cluster1-mesh");
        assert.equal(named(plan, "cluster1-mesh-istiod").parent, named(plan, "cluster1-mesh").urn);
    });

    test("Istio releases: Solo OCI charts at <version>-solo, explicit names, in istio-system", () => {
        const expected = [
            ["cluster1-mesh-istio-base", "istio-base", "base"],
            ["cluster1-mesh-istiod", "istiod", "istiod"],
            ["cluster1-mesh-istio-cni", "istio-cni", "cni"],
            ["cluster1-mesh-ztunnel", "ztunnel", "ztunnel"],
        ];
        for (const [resource, release, chart] of expected) {
            const r = named(plan, resource);
            assert.equal(input(r, "name"), release);
            assert.equal(input(r, "chart"), `oci://us-docker.pkg.dev/gloo-mesh/istio-helm-yourrepokey0/${chart}`);
            assert.equal(input(r, "version"), "1.27.8-solo");
            assert.equal(input(r, "namespace"), "istio-system");
        }
    });

    test("istio-base, istiod, istio-cni and ztunnel values are the guide's", () => {
        const values = (name: string) => input(named(plan, name), "values") as Record<string, any>;
        const hub = "us-docker.pkg.dev/gloo-mesh/istio-yourrepokey0";
        assert.deepEqual(values("cluster1-mesh-istio-base"), { defaultRevision: "", profile: "ambient" });
        assert.deepEqual(values("cluster1-mesh-istiod"), {
            global: { hub, proxy: { clusterDomain: "cluster.local" }, tag: "1.27.8-solo" },
            gateways: { spire: { workloads: true } },
            meshConfig: {
                accessLogFile: "/dev/stdout",
                defaultConfig: { proxyMetadata: { ISTIO_META_DNS_AUTO_ALLOCATE: "true", ISTIO_META_DNS_CAPTURE: "true" } },
                trustDomain: "cluster1",
            },
            env: { PILOT_ENABLE_IP_AUTOALLOCATE: "true", PILOT_SKIP_VALIDATE_TRUST_DOMAIN: "true" },
            pilot: { cni: { namespace: "istio-system", enabled: true } },
            profile: "ambient",
            license: { secretRef: { name: "solo-istio-license", namespace: "istio-system" } },
        });
        assert.deepEqual(values("cluster1-mesh-istio-cni"), {
            ambient: { dnsCapture: true },
            excludeNamespaces: ["istio-system", "kube-system"],
            global: { hub, tag: "1.27.8-solo" },
            profile: "ambient",
        });
        assert.deepEqual(values("cluster1-mesh-ztunnel"), {
            configValidation: true,
            enabled: true,
            env: { L7_ENABLED: "true" },
            hub,
            istioNamespace: "istio-system",
            namespace: "istio-system",
            profile: "ambient",
            proxy: { clusterDomain: "cluster.local" },
            spire: { enabled: true },
            tag: "1.27.8-solo",
            terminationGracePeriodSeconds: 29,
            variant: "distroless",
        });
    });

    test("one trust domain: istiod's meshConfig.trustDomain equals SPIRE's (the guide's ${cluster1} mismatch)", async () => {
        const { plan: custom } = await recordPlan(program, {
            ...readStackConfig(projectDir, "dev"),
            config: {
                ...readStackConfig(projectDir, "dev").config,
                "ambient-spire:clusters": JSON.stringify([{ name: "cluster1", trustDomain: "prod.example.org" }]),
            },
        });
        const spire = input(named(custom, "cluster1-spire-release"), "values", "global", "spire", "trustDomain");
        const istiod = input(named(custom, "cluster1-mesh-istiod"), "values", "meshConfig", "trustDomain");
        assert.equal(spire, "prod.example.org");
        assert.equal(istiod, spire);
        assert.deepEqual(input(named(custom, "cluster1-spire-release"), "values", "spire-agent", "authorizedDelegates"), ["spiffe://prod.example.org/ns/istio-system/sa/ztunnel"]);
    });

    test("order: CRDs before their objects; SPIRE and its registrations ready before ztunnel", () => {
        const ztunnel = named(plan, "cluster1-mesh-ztunnel");
        for (const needed of ["cluster1-spire-release", "cluster1-spire-crds", "cluster1-spire-istio-ztunnel-reg", "cluster1-mesh-istiod", "cluster1-mesh-istio-cni"]) {
            assert.ok(waitsFor(plan, ztunnel, named(plan, needed)), `ztunnel does not wait for ${needed}`);
        }
        const istiod = named(plan, "cluster1-mesh-istiod");
        assert.ok(waitsFor(plan, istiod, named(plan, "cluster1-mesh-istio-base")));
        assert.ok(waitsFor(plan, istiod, named(plan, "cluster1-mesh-license")), "the licence secret exists before istiod starts");
        assert.ok(!waitsFor(plan, named(plan, "cluster1-spire-release"), istiod), "SPIRE does not wait for the mesh");
    });

    test("the licence reaches istiod only through a Secret", () => {
        const licence = named(plan, "cluster1-mesh-license");
        assert.deepEqual(input(licence, "metadata"), { name: "solo-istio-license", namespace: "istio-system" });
        assert.deepEqual(input(licence, "stringData"), { "license-key": "[secret]" });
        assert.equal(input(named(plan, "cluster1-mesh-istiod"), "values", "license", "value"), undefined);
    });
});
