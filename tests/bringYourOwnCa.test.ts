import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { ConfigError, loadMeshSpec, program } from "../stacks";
import { checkGivenCas, deployTimeKeyCheck } from "../stacks/config/caMaterial";
import { runCounting } from "./support/counting";
import { GuidePki } from "./support/guidePki";
import { knownProviderOutputs } from "./support/providerOutputs";
import { resolved } from "./support/resolve";
import { asConfig, input, named, ofType, record, settings, StackSettings } from "./support/stacks";
import { X509Double } from "./support/x509Double";

const pki = new GuidePki(fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-byoca-")));
const at = (file: string) => path.join(pki.dir, file);
const pkiSecret = "ambient-spire:pki";

type Files = { crt: string; key: string };
let root: Files;
let spire: Record<string, Files & { chain: string }>;
let istio: Record<string, Files>;

before(() => {
    root = pki.root();
    spire = {};
    istio = {};
    for (const cluster of ["cluster1", "cluster2"]) {
        // The guide's multicluster step: `${cluster}/${cluster}-ca.*`, CN "SPIRE <cluster> CA".
        spire[cluster] = pki.intermediate(`${cluster}/${cluster}-ca`, `SPIRE ${cluster} CA`);
        // Istio's plug-in CA from the same root; pathlen 0 is enough there (istiod signs workloads directly).
        istio[cluster] = pki.intermediate(`${cluster}/${cluster}-istio-ca`, `Istio ${cluster} CA`, { basicConstraints: "critical, CA:true, pathlen:0" });
    }
});

const ca = (files: Files) => ({ cert: at(files.crt), key: at(files.key) });
const provided = (clusters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ ca: "provided", rootCert: at(root.crt), clusters, ...extra });
const providedOne = (overrides: Record<string, unknown> = {}): StackSettings => settings({ "ambient-spire:pki": provided({ cluster1: { spire: ca(spire.cluster1) } }, overrides) });
const providedTwo = (): StackSettings =>
    settings({ "ambient-spire:pki": provided({ cluster1: { spire: ca(spire.cluster1), istio: ca(istio.cluster1) }, cluster2: { spire: ca(spire.cluster2), istio: ca(istio.cluster2) } }) }, 2);

/** The mock run's whole view: the plan and every input the cluster would receive, secrets unwrapped. */
async function deployed(values: StackSettings, secretKeys: readonly string[] = []) {
    const double = new X509Double();
    const { plan, outputs } = await record(values, { preview: false, computed: double.computed, secretKeys });
    return { plan, outputs, double, everything: JSON.stringify({ plan, inputs: [...double.inputsByName] }) };
}

const secretData = (double: X509Double, name: string) => double.inputsByName.get(name)!.stringData as Record<string, string>;
const bodyOf = (pem: string) => pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");

describe("bring your own CA: provided", () => {
    test("the guide's files go into spiffe-upstream-ca as they are; no root key, no tls resource anywhere", async () => {
        const { plan, double, everything } = await deployed(providedOne());
        assert.equal(ofType(plan, ":RootCa").length, 0);
        assert.deepEqual(plan.resources.filter((r) => r.type.startsWith("tls:")).map((r) => r.name), [], "no key, CSR or certificate is made");
        const data = secretData(double, "cluster1-spire-upstream-ca");
        assert.equal(data["tls.crt"], pki.read(spire.cluster1.crt));
        assert.equal(data["tls.key"], pki.read(spire.cluster1.key));
        assert.equal(data["bundle.crt"].trim(), pki.read(root.crt).trim(), "bundle.crt holds the root only");
        // The root key: not one line of it in the plan or any input.
        assert.ok(!everything.includes(bodyOf(pki.read(root.key)).slice(0, 64)), "the root key appears nowhere");
        assert.equal(input(named(plan, "cluster1-spire-upstream-ca"), "stringData", "tls.key"), "[secret]");
    });

    test("N = 2 with --secret PEM keys: each cluster's cacerts is the guide's four files", async () => {
        const pem = (files: Files) => ({ cert: pki.read(files.crt), key: pki.read(files.key) });
        const values = settings({ "ambient-spire:pki": provided({ cluster1: { spire: pem(spire.cluster1), istio: pem(istio.cluster1) }, cluster2: { spire: pem(spire.cluster2), istio: pem(istio.cluster2) } }) }, 2);
        const { double, everything } = await deployed(values, [pkiSecret]);
        for (const cluster of ["cluster1", "cluster2"]) {
            const cacerts = secretData(double, `${cluster}-mesh-cacerts`);
            assert.deepEqual(Object.keys(cacerts).sort(), ["ca-cert.pem", "ca-key.pem", "cert-chain.pem", "root-cert.pem"]);
            assert.equal(cacerts["ca-cert.pem"], pki.read(istio[cluster].crt));
            assert.equal(cacerts["ca-key.pem"], pki.read(istio[cluster].key));
            assert.equal(cacerts["cert-chain.pem"], pki.read(istio[cluster].crt) + pki.read(root.crt));
            assert.equal(cacerts["root-cert.pem"].trim(), pki.read(root.crt).trim());
        }
        assert.ok(!everything.includes(bodyOf(pki.read(root.key)).slice(0, 64)));
    });

    test("the guide's ca-chain.pem (intermediate then root) is accepted; tls.crt stops below the root", async () => {
        const { double } = await deployed(settings({ "ambient-spire:pki": provided({ cluster1: { spire: { cert: at(spire.cluster1.chain), key: at(spire.cluster1.key) } } }) }));
        assert.equal(secretData(double, "cluster1-spire-upstream-ca")["tls.crt"], pki.read(spire.cluster1.crt));
    });

    test("downstream of the CA Secrets, a provided stack plans exactly as a generated one", async () => {
        const given = (await record(providedTwo(), { preview: false, computed: knownProviderOutputs })).plan;
        const generated = (await record(settings({}, 2), { preview: false, computed: knownProviderOutputs })).plan;
        for (const name of ["cluster1-spire-release", "cluster1-mesh-istiod", "cluster2-mesh-ztunnel", "cluster1-eastwest-gateway", "cluster1-to-cluster2-gateway"]) {
            const strip = (inputs: unknown) => JSON.stringify(inputs).replace(/"-----BEGIN CERTIFICATE-----[^"]*"/g, '"[pem]"').replace(/"\[unknown\]"|"\[secret\]"/g, '"[pem]"');
            assert.equal(strip(named(given, name).inputs), strip(named(generated, name).inputs), name);
        }
    });

    test("stack outputs: the given root, no requests, no key", async () => {
        const { outputs } = await deployed(providedOne());
        const values = (await resolved(outputs)) as Record<string, unknown>;
        assert.equal(String(values.rootCaCertPem).trim(), pki.read(root.crt).trim());
        assert.ok(!("certificateRequests" in values) && !("awaitingSignature" in values));
        assert.doesNotMatch(JSON.stringify(values), /PRIVATE KEY/);
    });
});

describe("bring your own CA: external signing", () => {
    const external = (clusters?: Record<string, unknown>) => settings({ "ambient-spire:pki": { ca: "external", rootCert: at(root.crt), ...(clusters ? { clusters } : {}) } }, 1);

    test("until certificates are given, only keys and CSRs, exported as certificateRequests, awaiting signature", async () => {
        const { plan, outputs } = await record(external(), { preview: false, computed: knownProviderOutputs });
        const working = plan.resources.filter((r) => !r.type.startsWith("ambient-spire:"));
        assert.deepEqual(working.map((r) => r.name).sort(), ["cluster1-spire-ca-r0-csr", "cluster1-spire-ca-r0-key"]);
        const values = (await resolved(outputs)) as { awaitingSignature: string[]; certificateRequests: Record<string, { rotation: number; maxPathLength: number | null }[]>; rootCaCertPem: string };
        assert.deepEqual(values.awaitingSignature, ["cluster1"]);
        assert.deepEqual(values.certificateRequests["cluster1-spire-ca"].map((r) => [r.rotation, r.maxPathLength]), [[0, 1]]);
        assert.equal(values.rootCaCertPem.trim(), pki.read(root.crt).trim());
    });

    test("once the certificate is given, SPIRE is built on the stack's own r0 key, and its certificate", async () => {
        const { plan } = await record(external({ cluster1: { spire: { cert: at(spire.cluster1.crt) } } }));
        const secret = named(plan, "cluster1-spire-upstream-ca");
        assert.ok(secret.dependsOn.some((u) => u.endsWith("cluster1-spire-ca-r0-key")));
        assert.equal(ofType(plan, ":RootCa").length, 0);
        assert.equal(ofType(plan, ":LocallySignedCert").length, 0, "nothing is signed in Pulumi");
    });

    test("at deploy, a certificate not made from the stack's CSR stops the run, naming the setting", () => {
        const given = { setting: "ambient-spire:pki.clusters.cluster1.spire.cert", chainPem: pki.read(spire.cluster1.crt), rotation: 0 };
        const check = deployTimeKeyCheck(given, "cluster1-spire-ca");
        const ownKey = createPublicKey(createPrivateKey(pki.read(spire.cluster1.key))).export({ type: "spki", format: "pem" }) as string;
        check(given.chainPem, ownKey, 0); // the key it was signed for: passes
        const otherKey = createPublicKey(createPrivateKey(pki.read(spire.cluster2.key))).export({ type: "spki", format: "pem" }) as string;
        assert.throws(() => check(given.chainPem, otherKey, 0), (e: unknown) => {
            assert.ok(e instanceof ConfigError);
            assert.match(e.message, /^ambient-spire:pki\.clusters\.cluster1\.spire\.cert: certificate "CN=SPIRE cluster1 CA" \(serial [0-9A-F]+\) was not signed from this stack's CSR of rotation 0 .*Fix: sign the CSR this stack exports in certificateRequests\.cluster1-spire-ca/);
            assert.doesNotMatch(e.message, /\n/);
            return true;
        });
    });
});

/** A bad input: the settings, the setting the one-line message must name, and fragments it must hold. */
interface Bad {
    readonly why: string;
    readonly values: () => StackSettings;
    readonly secretKeys?: readonly string[];
    readonly setting: string;
    readonly says: RegExp;
}

const catalogue: Bad[] = [
    {
        why: "signed by another root",
        values: () => {
            pki.root("other-root", "Other Root CA");
            const stray = pki.intermediate("stray/cluster1-ca", "SPIRE cluster1 CA", { root: "other-root" });
            return settings({ "ambient-spire:pki": provided({ cluster1: { spire: ca(stray) } }) });
        },
        setting: "ambient-spire:pki.clusters.cluster1.spire.cert",
        says: /certificate "CN=SPIRE cluster1 CA" \(serial [0-9A-F]+\) is not signed by the root in ambient-spire:pki\.rootCert certificate "CN=SPIRE Root CA".*its issuer is "CN=Other Root CA"\. Fix: sign it with that root/,
    },
    {
        why: "SPIRE's intermediate with pathlen 0",
        values: () => settings({ "ambient-spire:pki": provided({ cluster1: { spire: ca(pki.intermediate("p0/cluster1-ca", "SPIRE cluster1 CA", { basicConstraints: "critical, CA:true, pathlen:0" })) } }) }),
        setting: "ambient-spire:pki.clusters.cluster1.spire.cert",
        says: /has pathlen 0, but SPIRE signs its own intermediate CA below it\. Fix: issue it with basicConstraints = critical, CA:true, pathlen:1/,
    },
    {
        why: "a key that is not the certificate's",
        values: () => settings({ "ambient-spire:pki": provided({ cluster1: { spire: { cert: at(spire.cluster1.crt), key: at(spire.cluster2.key) } } }) }),
        setting: "ambient-spire:pki.clusters.cluster1.spire.cert",
        says: /certificate "CN=SPIRE cluster1 CA" .* does not match the key in ambient-spire:pki\.clusters\.cluster1\.spire\.key\. Fix: give the key the certificate was issued for/,
    },
    {
        why: "not a CA",
        values: () => settings({ "ambient-spire:pki": provided({ cluster1: { spire: ca(pki.intermediate("leaf/cluster1-ca", "SPIRE cluster1 CA", { basicConstraints: "critical, CA:false" })) } }) }),
        setting: "ambient-spire:pki.clusters.cluster1.spire.cert",
        says: /is not a CA \(basicConstraints CA:TRUE is missing\)\. Fix: issue it with basicConstraints = critical, CA:true/,
    },
    {
        why: "a CA without keyCertSign",
        values: () => settings({ "ambient-spire:pki": provided({ cluster1: { spire: ca(pki.intermediate("nosign/cluster1-ca", "SPIRE cluster1 CA", { keyUsage: "critical, digitalSignature" })) } }) }),
        setting: "ambient-spire:pki.clusters.cluster1.spire.cert",
        says: /does not allow keyCertSign .*Fix: issue it with keyUsage = critical, keyCertSign, cRLSign/,
    },
    {
        why: "expired",
        values: () => settings({ "ambient-spire:pki": provided({ cluster1: { spire: { cert: at("expired/cluster1-ca.crt"), key: at("expired/cluster1-ca.key") } } }) }),
        setting: "ambient-spire:pki.clusters.cluster1.spire.cert",
        says: /certificate "CN=SPIRE cluster1 CA" \(serial 0E\) expired on \d{4}-\d\d-\d\dT.*Fix: issue a new certificate/,
    },
    {
        why: "a key as PEM text in plain text",
        values: () => settings({ "ambient-spire:pki": provided({ cluster1: { spire: { cert: at(spire.cluster1.crt), key: pki.read(spire.cluster1.key) } } }) }),
        setting: "ambient-spire:pki.clusters.cluster1.spire.key",
        says: /is a private key stored in plain text in the stack file\. Fix: run pulumi config set --secret --path 'ambient-spire:pki\.clusters\.cluster1\.spire\.key'/,
    },
    {
        why: "N > 1 without Istio's plug-in CA for one cluster",
        values: () => settings({ "ambient-spire:pki": provided({ cluster1: { spire: ca(spire.cluster1), istio: ca(istio.cluster1) }, cluster2: { spire: ca(spire.cluster2) } }) }, 2),
        setting: "ambient-spire:pki.clusters.cluster2.istio",
        says: /is required when pki\.ca is "provided" and there is more than one cluster .*cacerts.*Fix: give its certificate and key/,
    },
    {
        why: "a cluster without its material",
        values: () => settings({ "ambient-spire:pki": provided({}) }),
        setting: "ambient-spire:pki.clusters.cluster1.spire",
        says: /is required when pki\.ca is "provided" \(SPIRE's upstream CA/,
    },
    {
        why: "no root certificate",
        values: () => settings({ "ambient-spire:pki": { ca: "external" } }),
        setting: "ambient-spire:pki.rootCert",
        says: /is required when pki\.ca is "external"/,
    },
    {
        why: "a root file that does not exist",
        values: () => settings({ "ambient-spire:pki": { ca: "external", rootCert: "./no/such/root.crt" } }),
        setting: "ambient-spire:pki.rootCert",
        says: /"\.\/no\/such\/root\.crt" is neither PEM text nor an existing file/,
    },
    {
        why: "material for a cluster the stack does not have",
        values: () => settings({ "ambient-spire:pki": provided({ cluster1: { spire: ca(spire.cluster1) }, clutser2: { spire: ca(spire.cluster2) } }) }),
        setting: "ambient-spire:pki.clusters.clutser2",
        says: /"clutser2" is not a cluster of this stack\. Fix: use one of cluster1/,
    },
    {
        why: "a key given for external signing",
        values: () => settings({ "ambient-spire:pki": { ca: "external", rootCert: at(root.crt), clusters: { cluster1: { spire: ca(spire.cluster1) } } } }),
        setting: "ambient-spire:pki.clusters.cluster1.spire.key",
        says: /this stack makes the key itself/,
    },
    {
        why: "root certificate with generated CAs",
        values: () => settings({ "ambient-spire:pki": { rootCert: at(root.crt) } }),
        setting: "ambient-spire:pki.rootCert",
        says: /is set but pki\.ca is "generated"/,
    },
    {
        why: "a provided CA on a cluster stack of a pki stack",
        values: () => settings({ "ambient-spire:pkiStack": "org/ambient-spire/pki", "ambient-spire:pki": provided({ cluster1: { spire: ca(spire.cluster1) } }) }),
        setting: "ambient-spire:pki.ca",
        says: /"provided" is set on a cluster stack whose root comes from ambient-spire:pkiStack/,
    },
    {
        why: "a misspelt key in a cluster's CA",
        values: () => settings({ "ambient-spire:pki": provided({ cluster1: { spire: { cert: at(spire.cluster1.crt), kye: "x" } } }) }),
        setting: "ambient-spire:pki.clusters.cluster1.spire.kye",
        says: /did you mean key\?/,
    },
];

describe("bring your own CA: each bad input is one line naming the setting, before anything is registered", () => {
    before(async () => {
        await pki.expired("expired/cluster1-ca", "SPIRE cluster1 CA");
    });
    for (const bad of catalogue) {
        test(bad.why, async () => {
            const { error, registered } = await runCounting(program, asConfig(bad.values()), ["ambient-spire:soloLicenseKey", ...(bad.secretKeys ?? [])]);
            assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
            assert.equal(error.setting, bad.setting);
            assert.match(error.message, bad.says);
            assert.doesNotMatch(error.message, /\n/, "one line");
            assert.doesNotMatch(error.message, /PRIVATE KEY|MII/, "no key material");
            assert.equal(registered, 0);
        });
    }

    test("a PEM key held as a secret is accepted", async () => {
        const values = settings({ "ambient-spire:pki": provided({ cluster1: { spire: { cert: at(spire.cluster1.crt), key: pki.read(spire.cluster1.key) } } }) });
        const { error } = await runCounting(program, asConfig(values), ["ambient-spire:soloLicenseKey", pkiSecret]);
        assert.equal(error, undefined);
    });

    test("a certificate inside the renewal window is a warning, not an error; the clock reaches no input", async () => {
        const soon = pki.intermediate("soon/cluster1-ca", "SPIRE cluster1 CA", { days: 10 });
        const spec = loadMeshSpec(asConfig(settings({ "ambient-spire:pki": provided({ cluster1: { spire: ca(soon) } }) })));
        const given = checkGivenCas(spec, { cwd: process.cwd(), now: new Date() })!;
        // The guide's root is an X.509 v1 certificate (req -x509 ignores req_extensions): a warning of its own.
        assert.equal(given.warnings.length, 2);
        assert.match(given.warnings[0], /^ambient-spire:pki\.rootCert: certificate "CN=SPIRE Root CA" .* is an X\.509 v1 certificate without extensions.*Fix: add x509_extensions = v3_req/);
        assert.match(given.warnings[1], /^ambient-spire:pki\.clusters\.cluster1\.spire\.cert: certificate "CN=SPIRE cluster1 CA" \(serial [0-9A-F]+\) expires on \d{4}-.*within pki\.earlyRenewalDays \(30 days\)\. Renew it/);
        // Two runs at different times plan the same.
        const values = settings({ "ambient-spire:pki": provided({ cluster1: { spire: ca(soon) } }) });
        const first = JSON.stringify((await record(values)).plan);
        await new Promise((resolve) => setTimeout(resolve, 1100));
        assert.equal(JSON.stringify((await record(values)).plan), first);
        assert.throws(() => checkGivenCas(spec, { cwd: process.cwd(), now: new Date(Date.now() + 11 * 86_400_000) }), /expired on/, "ten days on, it has expired");
    });
});

describe("bring your own CA: the Mesh component", () => {
    test("takes the same pki fields: provided makes no tls resource, and errors name Mesh.pki…", async () => {
        const { Mesh } = await import("../stacks");
        const { recordPlan } = await import("../infra/plan/recorder");
        const pulumi = await import("@pulumi/pulumi");
        const args = {
            clusters: [{ name: "cluster1", context: "kind-cluster1" }],
            istio: { version: "1.27.8", repoKey: "abcdef012345" },
            licenseKey: pulumi.secret("licence"),
            pki: { ca: "provided" as const, rootCert: at(root.crt), clusters: { cluster1: { spire: ca(spire.cluster1) } } },
        };
        const { plan } = await recordPlan(() => ({ root: new Mesh("prod", args).rootCaCertPem }), { project: "consumer", stack: "test", config: {}, secretKeys: [] });
        assert.deepEqual(plan.resources.filter((r) => r.type.startsWith("tls:")), []);
        assert.ok(plan.resources.some((r) => r.name === "prod-cluster1-spire-upstream-ca"));
        const wrong = { ...args, pki: { ...args.pki, clusters: { cluster1: { spire: { cert: at(spire.cluster1.crt), key: at(spire.cluster2.key) } } } } };
        assert.throws(() => new Mesh("bad", wrong), /^ConfigError: Mesh\.pki\.clusters\.cluster1\.spire\.cert: certificate "CN=SPIRE cluster1 CA" .* does not match the key in Mesh\.pki\.clusters\.cluster1\.spire\.key/);
    });
});
