import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, mock, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { ComputedOutputs } from "../infra/plan/recorder";
import { ConfigError, MeshArgs } from "../stacks";
import { deployTimeKeyCheck } from "../stacks/config/caMaterial";
import { checkedGivenCas } from "../stacks/config/givenCas";
import { meshSpecOf } from "../stacks/mesh";
import { GuideCas, guideCas, GuidePki } from "./support/guidePki";
import { byIdentity, meshRecording } from "./support/meshPlan";
import { knownProviderOutputs } from "./support/providerOutputs";
import { resolved } from "./support/resolve";
import { X509Double } from "./support/x509Double";
import { clusters, licenceForTests, plan, record, settings } from "./support/stacks";

/**
 * `Mesh.pki.ca: "external"`, as the stack program does it (tests/bringYourOwnCa.test.ts): the Mesh makes each
 * intermediate's key and CSR, exports the CSRs, builds nothing else of a cluster until its certificates are given,
 * then builds it on its own keys.
 */
const pki = new GuidePki(fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-mesh-external-")));
const at = (file: string) => path.join(pki.dir, file);
let cas: GuideCas;
before(() => {
    cas = guideCas(pki);
});

/** `pki` with ca external and the certificates signed so far (by cluster: both of its CAs with N > 1). */
const externalPki = (count: number, signed: readonly string[] = []) => ({
    ca: "external" as const,
    rootCert: at(cas.root.crt),
    ...(signed.length > 0
        ? { clusters: Object.fromEntries(signed.map((c) => [c, count > 1 ? { spire: { cert: at(cas.spire[c].crt) }, istio: { cert: at(cas.istio[c].crt) } } : { spire: { cert: at(cas.spire[c].crt) } }])) }
        : {}),
});
const meshArgs = (count: number, signed: readonly string[] = []): MeshArgs => ({
    clusters: clusters(count),
    istio: { version: "1.27.8", repoKey: "abcdef012345" },
    licenseKey: pulumi.secret(licenceForTests),
    pki: externalPki(count, signed),
});
const stackSettings = (count: number, signed: readonly string[] = []) => settings({ "ambient-spire:pki": externalPki(count, signed) }, count);

interface ExternalOutputs {
    rootCaCertPem: string;
    clusters: Record<string, unknown>;
    certificateRequests: Record<string, { rotation: number; maxPathLength: number | null; certRequestPem: string }[]>;
    awaitingSignature: string[];
}

/** The Mesh's outputs on an update where every provider value is known. */
async function meshOutputs(args: MeshArgs): Promise<ExternalOutputs> {
    return (await resolved((await meshRecording("prod", args, guideKeys("prod-"))).outputs)) as ExternalOutputs;
}

/** The Mesh's warnings while `run` runs. */
async function warningsOf(run: () => Promise<unknown>): Promise<string[]> {
    const warn = mock.method(pulumi.log, "warn", () => Promise.resolve());
    try {
        await run();
        return warn.mock.calls.map((call) => String(call.arguments[0]));
    } finally {
        warn.mock.restore();
    }
}

describe("Mesh.pki.ca external", () => {
    test("until certificates are given: only each CA's key and CSR, the CSRs exported, every cluster awaiting signature", async () => {
        const { plan: meshPlan } = await meshRecording("prod", meshArgs(2), knownProviderOutputs);
        const working = meshPlan.resources.filter((r) => !r.type.startsWith("ambient-spire:")).map((r) => r.name).sort();
        assert.deepEqual(working, ["cluster1-istio-ca", "cluster1-spire-ca", "cluster2-istio-ca", "cluster2-spire-ca"].flatMap((ca) => [`prod-${ca}-r0-csr`, `prod-${ca}-r0-key`]).sort());
        const outputs = await meshOutputs(meshArgs(2));
        assert.deepEqual(outputs.awaitingSignature, ["cluster1", "cluster2"]);
        assert.deepEqual(outputs.clusters, {});
        assert.equal(outputs.rootCaCertPem.trim(), pki.read(cas.root.crt).trim(), "the root is the given one");
        const requests = Object.fromEntries(Object.entries(outputs.certificateRequests).map(([caName, list]) => [caName, list.map((r) => [r.rotation, r.maxPathLength, r.certRequestPem])]));
        assert.deepEqual(requests, {
            "cluster1-spire-ca": [[0, 1, "CSR prod-cluster1-spire-ca-r0-csr"]],
            "cluster1-istio-ca": [[0, null, "CSR prod-cluster1-istio-ca-r0-csr"]],
            "cluster2-spire-ca": [[0, 1, "CSR prod-cluster2-spire-ca-r0-csr"]],
            "cluster2-istio-ca": [[0, null, "CSR prod-cluster2-istio-ca-r0-csr"]],
        });
        assert.doesNotMatch(JSON.stringify(outputs), /PRIVATE KEY/, "no key in the outputs");
    });

    test("the same outputs and resources as the stack program for the same pki, but for the Mesh's prefix", async () => {
        for (const [count, signed] of [[1, []], [2, ["cluster1"]]] as const) {
            const component = await meshRecording("prod", meshArgs(count, signed), guideKeys("prod-"));
            const program = await record(stackSettings(count, signed), { preview: false, computed: guideKeys("") });
            assert.deepEqual(byIdentity(component.plan, "prod-"), byIdentity(program.plan, ""), `${count} cluster(s), signed: ${signed.join(", ") || "none"}`);
            const unprefixedOutputs = JSON.parse(JSON.stringify(await resolved(component.outputs)).replaceAll("prod-", "")) as ExternalOutputs;
            assert.deepEqual(unprefixedOutputs, await resolved(program.outputs));
        }
    });

    test("with one of two clusters signed: that one is built, the other only keys and CSRs; no link reaches it", async () => {
        const { plan: meshPlan } = await meshRecording("prod", meshArgs(2, ["cluster1"]));
        const names = meshPlan.resources.map((r) => r.name);
        for (const built of ["prod-cluster1-spire-upstream-ca", "prod-cluster1-mesh-istiod", "prod-cluster1-mesh-cacerts", "prod-cluster1-eastwest-gateway"]) assert.ok(names.includes(built), built);
        const ofCluster2 = names.filter((n) => n.startsWith("prod-cluster2-")).sort();
        assert.deepEqual(ofCluster2, ["prod-cluster2-istio-ca", "prod-cluster2-istio-ca-r0-csr", "prod-cluster2-istio-ca-r0-key", "prod-cluster2-spire-ca", "prod-cluster2-spire-ca-r0-csr", "prod-cluster2-spire-ca-r0-key"]);
        assert.ok(!names.some((n) => n.includes("-to-")), "no peer link while cluster2 awaits its signature");
        const outputs = await meshOutputs(meshArgs(2, ["cluster1"]));
        assert.deepEqual(outputs.awaitingSignature, ["cluster2"]);
        assert.deepEqual(Object.keys(outputs.clusters), ["cluster1"]);
    });

    test("the warning of a cluster awaiting signature names the Mesh argument to give its certificates in", async () => {
        const warnings = await warningsOf(() => meshRecording("prod", meshArgs(1)));
        const awaiting = warnings.filter((w) => w.includes("await"));
        assert.deepEqual(awaiting, ["cluster1: its CA requests await certificates signed outside Pulumi; sign the CSRs of the certificateRequests output and give them in Mesh.pki.clusters.cluster1, then pulumi up again"]);
        // The guide's root is X.509 v1: the certificate checks warn too, and name the Mesh argument as well.
        assert.ok(warnings.some((w) => /^Mesh\.pki\.rootCert: certificate "CN=SPIRE Root CA" .* is an X\.509 v1 certificate/.test(w)), warnings.join("\n"));
        assert.ok(warnings.every((w) => !w.includes("ambient-spire:")), warnings.join("\n"));
    });

    test("once signed, SPIRE and cacerts are built on the Mesh's own r0 keys with the given certificates; nothing signed in Pulumi", async () => {
        const { plan: meshPlan } = await meshRecording("prod", meshArgs(2, ["cluster1", "cluster2"]));
        assert.deepEqual(meshPlan.resources.filter((r) => r.type.endsWith(":RootCa") || r.type.endsWith(":LocallySignedCert")), []);
        for (const cluster of ["cluster1", "cluster2"]) {
            const upstream = meshPlan.resources.find((r) => r.name === `prod-${cluster}-spire-upstream-ca`);
            assert.ok(upstream?.dependsOn.some((u) => u.endsWith(`prod-${cluster}-spire-ca-r0-key`)), `${cluster}'s SPIRE Secret holds its own key`);
            const cacerts = meshPlan.resources.find((r) => r.name === `prod-${cluster}-mesh-cacerts`);
            assert.ok(cacerts?.dependsOn.some((u) => u.endsWith(`prod-${cluster}-istio-ca-r0-key`)), `${cluster}'s cacerts holds its own key`);
        }
        assert.ok(meshPlan.resources.some((r) => r.name === "prod-cluster1-to-cluster2-gateway") && meshPlan.resources.some((r) => r.name === "prod-cluster2-to-cluster1-gateway"));
        assert.deepEqual(byIdentity(meshPlan, "prod-"), byIdentity(await plan(stackSettings(2, ["cluster1", "cluster2"])), ""));
    });
});

/**
 * An update whose intermediates' keys are the guide's (by CA name, `<cluster>-<spire|istio>-ca`), so the
 * certificates it signed certify them, as a real CA signing the exported CSRs would; `swap` gives a CA another's.
 */
function guideKeys(prefix: string, swap: Readonly<Record<string, string>> = {}): ComputedOutputs {
    const files: Record<string, string> = Object.fromEntries(["cluster1", "cluster2"].flatMap((c) => [[`${c}-spire-ca`, cas.spire[c].key], [`${c}-istio-ca`, cas.istio[c].key]]));
    return (resource) => {
        const caName = resource.type === "tls:index/privateKey:PrivateKey" ? /^(.*)-r\d+-key$/.exec(resource.name.slice(prefix.length))?.[1] : undefined;
        if (caName === undefined || !(caName in files)) return knownProviderOutputs(resource);
        const privateKeyPem = pki.read(files[swap[caName] ?? caName]);
        return { privateKeyPem, publicKeyPem: createPublicKey(createPrivateKey(privateKeyPem)).export({ type: "spki", format: "pem" }) as string };
    };
}

describe("Mesh.pki.ca external at deploy", () => {
    test("certificates of the Mesh's keys reach spiffe-upstream-ca and cacerts as given", async () => {
        const double = new X509Double();
        const keys = guideKeys("prod-");
        const recorded = await meshRecording("prod", meshArgs(2, ["cluster1", "cluster2"]), async (resource) => ({ ...(await double.computed(resource)), ...keys(resource) }));
        const outputs = (await resolved(recorded.outputs)) as ExternalOutputs;
        assert.deepEqual(outputs.awaitingSignature, []);
        assert.deepEqual(Object.keys(outputs.clusters).sort(), ["cluster1", "cluster2"]);
        for (const cluster of ["cluster1", "cluster2"]) {
            const stringData = (name: string) => double.inputsByName.get(name)?.stringData as Record<string, string> | undefined;
            assert.equal(stringData(`prod-${cluster}-spire-upstream-ca`)?.["tls.crt"], pki.read(cas.spire[cluster].crt));
            assert.equal(stringData(`prod-${cluster}-mesh-cacerts`)?.["ca-cert.pem"], pki.read(cas.istio[cluster].crt));
        }
    });

    test("a certificate not signed from the Mesh's CSR: the deploy-time check names the Mesh argument", () => {
        // On the mock engine a failed registration never settles, so the check is run as the Mesh hands it over:
        // its CAs' settings renamed as its warnings are (the test above sees no ambient-spire: in them).
        const spec = meshSpecOf(meshArgs(1, ["cluster1"]));
        const given = checkedGivenCas(spec, (text) => text.replaceAll("ambient-spire:", "Mesh."))!;
        const ca = given.clusters.cluster1.spire!;
        assert.equal(ca.setting, "Mesh.pki.clusters.cluster1.spire.cert");
        const otherKey = createPublicKey(createPrivateKey(pki.read(cas.spire.cluster2.key))).export({ type: "spki", format: "pem" }) as string;
        assert.throws(() => deployTimeKeyCheck(ca, "cluster1-spire-ca")(ca.chainPem, otherKey, 0), (error: unknown) => {
            assert.ok(error instanceof ConfigError);
            assert.match(error.message, /^Mesh\.pki\.clusters\.cluster1\.spire\.cert: certificate "CN=SPIRE cluster1 CA" \(serial [0-9A-F]+\) was not signed from this stack's CSR of rotation 0 .*Fix: sign the CSR this stack exports in certificateRequests\.cluster1-spire-ca/);
            return true;
        });
    });
});
