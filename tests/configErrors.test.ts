import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { stringify } from "yaml";
import { ConfigError, program } from "../stacks";
import { runCounting } from "./support/counting";
import { asConfig, clusters, licenceForTests, settings, StackSettings } from "./support/stacks";

/**
 * What the message must show of the value at fault: the value itself, quoted as JSON; nothing, when it is
 * missing; or, for a secret, never its text.
 */
type Offending = { readonly quoted: unknown } | { readonly absent: true } | { readonly secret: string } | { readonly says: string };

interface BadInput {
    readonly why: string;
    readonly settings: StackSettings;
    /** Settings held as secrets, beside the licence (which always is, unless plainLicence). */
    readonly secretKeys?: readonly string[];
    /** The licence was set without --secret. */
    readonly plainLicence?: true;
    /** The setting the message must name. */
    readonly setting: string;
    /** A fragment of the fix the message must give. */
    readonly fix: RegExp;
    readonly offending: Offending;
}

const two = clusters(2);
const catalogue: BadInput[] = [
    { why: "misspelt top-level key", settings: settings({ "ambient-spire:clsuters": [] }), setting: "ambient-spire:clsuters", fix: /did you mean ambient-spire:clusters/, offending: { quoted: "clsuters" } },
    { why: "unknown key in a cluster", settings: settings({ "ambient-spire:clusters": [{ name: "c1", contxt: "x" }] }), setting: "ambient-spire:clusters[0].contxt", fix: /did you mean context/, offending: { quoted: "contxt" } },
    { why: "unknown key in istio", settings: settings({ "ambient-spire:istio": { version: "1.27.8", repoKey: "abcdef012345", hub: "x" } }), setting: "ambient-spire:istio.hub", fix: /remove it/, offending: { quoted: "hub" } },
    { why: "clusters missing", settings: settings({ "ambient-spire:clusters": undefined }), setting: "ambient-spire:clusters", fix: /set it/, offending: { absent: true } },
    { why: "empty cluster list", settings: settings({ "ambient-spire:clusters": [] }), setting: "ambient-spire:clusters", fix: /at least one cluster/, offending: { quoted: [] } },
    { why: "clusters is not a list", settings: settings({ "ambient-spire:clusters": { name: "c1" } }), setting: "ambient-spire:clusters", fix: /\[\{name: cluster1/, offending: { quoted: { name: "c1" } } },
    { why: "cluster without a name", settings: settings({ "ambient-spire:clusters": [{ context: "x" }] }), setting: "ambient-spire:clusters[0].name", fix: /set it/, offending: { absent: true } },
    { why: "cluster name is not a DNS label", settings: settings({ "ambient-spire:clusters": [{ name: "Cluster_1" }] }), setting: "ambient-spire:clusters[0].name", fix: /DNS-1123/, offending: { quoted: "Cluster_1" } },
    { why: "cluster name too long", settings: settings({ "ambient-spire:clusters": [{ name: "c".repeat(64) }] }), setting: "ambient-spire:clusters[0].name", fix: /shorter/, offending: { quoted: "c".repeat(64) } },
    { why: "cluster name of the wrong type", settings: settings({ "ambient-spire:clusters": [{ name: 7 }] }), setting: "ambient-spire:clusters[0].name", fix: /a string/, offending: { quoted: 7 } },
    { why: "trust domain with upper case", settings: settings({ "ambient-spire:clusters": [{ name: "c1", trustDomain: "Example.org" }] }), setting: "ambient-spire:clusters[0].trustDomain", fix: /lowercase/, offending: { quoted: "Example.org" } },
    { why: "trust domain given as a SPIFFE ID", settings: settings({ "ambient-spire:clusters": [{ name: "c1", trustDomain: "spiffe://example.org" }] }), setting: "ambient-spire:clusters[0].trustDomain", fix: /not spiffe:\/\//, offending: { quoted: "spiffe://example.org" } },
    { why: "trust domain with a path", settings: settings({ "ambient-spire:clusters": [{ name: "c1", trustDomain: "example.org/ns" }] }), setting: "ambient-spire:clusters[0].trustDomain", fix: /SPIFFE trust domain/, offending: { quoted: "example.org/ns" } },
    { why: "network that is not a label value", settings: settings({ "ambient-spire:clusters": [{ name: "c1", network: "net 1" }] }), setting: "ambient-spire:clusters[0].network", fix: /label value/, offending: { quoted: "net 1" } },
    { why: "empty context", settings: settings({ "ambient-spire:clusters": [{ name: "c1", context: "" }] }), setting: "ambient-spire:clusters[0].context", fix: /current kubeconfig context/, offending: { quoted: "" } },
    { why: "negative rotation", settings: settings({ "ambient-spire:clusters": [{ name: "c1", rotation: -1 }] }), setting: "ambient-spire:clusters[0].rotation", fix: /bump it by one/, offending: { quoted: -1 } },
    { why: "fractional rotation", settings: settings({ "ambient-spire:clusters": [{ name: "c1", rotation: 1.5 }] }), setting: "ambient-spire:clusters[0].rotation", fix: /whole number/, offending: { quoted: 1.5 } },
    { why: "duplicate cluster names", settings: settings({ "ambient-spire:clusters": [two[0], { ...two[1], name: "cluster1", network: "n2" }] }), setting: "ambient-spire:clusters[1].name", fix: /its own name/, offending: { quoted: "cluster1" } },
    { why: "duplicate networks", settings: settings({ "ambient-spire:clusters": [{ ...two[0], network: "shared" }, { ...two[1], network: "shared" }] }), setting: "ambient-spire:clusters[1].network", fix: /its own network/, offending: { quoted: "shared" } },
    { why: "network defaulting onto another's", settings: settings({ "ambient-spire:clusters": [{ ...two[0], network: "cluster2" }, two[1]] }), setting: "ambient-spire:clusters[1].network", fix: /its own network/, offending: { quoted: "cluster2" } },
    { why: "two clusters on one context", settings: settings({ "ambient-spire:clusters": [two[0], { ...two[1], context: "kind-cluster1" }] }), setting: "ambient-spire:clusters[1].context", fix: /its own context/, offending: { quoted: "kind-cluster1" } },
    { why: "two clusters on the current context", settings: settings({ "ambient-spire:clusters": [{ name: "a" }, { name: "b" }] }), setting: "ambient-spire:clusters[1].context", fix: /its own context/, offending: { says: "no context (the current one) is already used by clusters[0]" } },
    { why: "istio missing", settings: settings({ "ambient-spire:istio": undefined }), setting: "ambient-spire:istio", fix: /set it/, offending: { absent: true } },
    { why: "istio version with -solo", settings: settings({ "ambient-spire:istio": { version: "1.27.8-solo", repoKey: "abcdef012345" } }), setting: "ambient-spire:istio.version", fix: /without the -solo suffix/, offending: { quoted: "1.27.8-solo" } },
    { why: "istio version not a patch version", settings: settings({ "ambient-spire:istio": { version: "1.27", repoKey: "abcdef012345" } }), setting: "ambient-spire:istio.version", fix: /MAJOR.MINOR.PATCH/, offending: { quoted: "1.27" } },
    { why: "repo key too short", settings: settings({ "ambient-spire:istio": { version: "1.27.8", repoKey: "abc" } }), setting: "ambient-spire:istio.repoKey", fix: /12 lowercase/, offending: { quoted: "abc" } },
    { why: "repo key left as the guide's placeholder", settings: settings({ "ambient-spire:istio": { version: "1.27.8", repoKey: "<repo_key>" } }), setting: "ambient-spire:istio.repoKey", fix: /12 lowercase/, offending: { quoted: "<repo_key>" } },
    { why: "licence missing", settings: settings({ "ambient-spire:soloLicenseKey": undefined }), setting: "ambient-spire:soloLicenseKey", fix: /pulumi config set --secret ambient-spire:soloLicenseKey/, offending: { absent: true } },
    { why: "licence empty", settings: settings({ "ambient-spire:soloLicenseKey": "" }), setting: "ambient-spire:soloLicenseKey", fix: /pulumi config set --secret/, offending: { secret: "" } },
    { why: "peering word misspelt", settings: settings({ "ambient-spire:peering": "fullmesh" }, 2), setting: "ambient-spire:peering", fix: /full-mesh/, offending: { quoted: "fullmesh" } },
    { why: "link to an unknown cluster", settings: settings({ "ambient-spire:peering": [{ from: "cluster1", to: "clusterr2" }] }, 2), setting: "ambient-spire:peering[0].to", fix: /did you mean cluster2/, offending: { quoted: "clusterr2" } },
    { why: "link to itself", settings: settings({ "ambient-spire:peering": [{ from: "cluster1", to: "cluster1" }] }, 2), setting: "ambient-spire:peering[0]", fix: /no link to itself/, offending: { quoted: { from: "cluster1", to: "cluster1" } } },
    { why: "duplicate link", settings: settings({ "ambient-spire:peering": [{ from: "cluster1", to: "cluster2" }, { from: "cluster1", to: "cluster2" }] }, 2), setting: "ambient-spire:peering[1]", fix: /remove the duplicate/, offending: { quoted: { from: "cluster1", to: "cluster2" } } },
    { why: "link missing its end", settings: settings({ "ambient-spire:peering": [{ from: "cluster1" }] }, 2), setting: "ambient-spire:peering", fix: /from: cluster1, to: cluster2/, offending: { quoted: [{ from: "cluster1" }] } },
    { why: "intermediate outlives the root", settings: settings({ "ambient-spire:pki": { rootValidityDays: 365, intermediateValidityDays: 400 } }), setting: "ambient-spire:pki.intermediateValidityDays", fix: /no longer than pki.rootValidityDays/, offending: { quoted: 400 } },
    { why: "renewal window as long as the validity", settings: settings({ "ambient-spire:pki": { intermediateValidityDays: 30, earlyRenewalDays: 30 } }), setting: "ambient-spire:pki.earlyRenewalDays", fix: /smaller than pki.intermediateValidityDays/, offending: { quoted: 30 } },
    { why: "zero-day validity", settings: settings({ "ambient-spire:pki": { rootValidityDays: 0 } }), setting: "ambient-spire:pki.rootValidityDays", fix: /positive number of days/, offending: { quoted: 0 } },
    { why: "unsupported key algorithm", settings: settings({ "ambient-spire:pki": { keyAlgorithm: "DSA" } }), setting: "ambient-spire:pki.keyAlgorithm", fix: /RSA .* or ECDSA/, offending: { quoted: "DSA" } },
    { why: "weak RSA key", settings: settings({ "ambient-spire:pki": { rsaBits: 1024 } }), setting: "ambient-spire:pki.rsaBits", fix: /2048/, offending: { quoted: 1024 } },
    { why: "RSA size on an ECDSA key", settings: settings({ "ambient-spire:pki": { keyAlgorithm: "ECDSA", rsaBits: 2048 } }), setting: "ambient-spire:pki.rsaBits", fix: /remove rsaBits/, offending: { quoted: 2048 } },
    { why: "remote peers without a pki stack", settings: settings({ "ambient-spire:remotePeers": [{ name: "cluster9", stack: "org/ambient-spire/cluster9" }] }), setting: "ambient-spire:remotePeers", fix: /pkiStack/, offending: { quoted: ["cluster9"] } },
    { why: "a remote peer that is also a local cluster", settings: settings({ "ambient-spire:pkiStack": "org/ambient-spire/pki", "ambient-spire:remotePeers": [{ name: "cluster1", stack: "org/ambient-spire/x" }] }), setting: "ambient-spire:remotePeers[0].name", fix: /list each cluster once/, offending: { quoted: "cluster1" } },
    { why: "a link starting in a remote peer", settings: settings({ "ambient-spire:pkiStack": "org/ambient-spire/pki", "ambient-spire:remotePeers": [{ name: "cluster2", stack: "org/ambient-spire/cluster2" }], "ambient-spire:peering": [{ from: "cluster2", to: "cluster1" }] }), setting: "ambient-spire:peering[0].from", fix: /use one of cluster1$/, offending: { quoted: "cluster2" } },
    { why: "a pki stack name with a space", settings: settings({ "ambient-spire:pkiStack": "org/ambient spire/pki" }), setting: "ambient-spire:pkiStack", fix: /fully qualified/, offending: { quoted: "org/ambient spire/pki" } },
    { why: "a pki stack that also has clusters", settings: settings({ "ambient-spire:signFor": ["org/ambient-spire/cluster1"] }), setting: "ambient-spire:clusters", fix: /remove ambient-spire:signFor/, offending: { quoted: clusters(1) } },
    { why: "a pki stack signing for nobody", settings: { "ambient-spire:signFor": [] }, setting: "ambient-spire:signFor", fix: /at least one cluster stack/, offending: { quoted: [] } },
    {
        why: "a misspelt licence setting: its key is quoted, never its value",
        settings: settings({ "ambient-spire:soloLicenceKey": licenceForTests }),
        setting: "ambient-spire:soloLicenceKey",
        fix: /did you mean ambient-spire:soloLicenseKey/,
        offending: { secret: licenceForTests },
    },
    {
        why: "a bad value in a setting held as a secret is not quoted",
        settings: settings({ "ambient-spire:istio": { version: "1.27.8", repoKey: "SECRET-repo-key" } }),
        secretKeys: ["ambient-spire:istio"],
        setting: "ambient-spire:istio.repoKey",
        fix: /12 lowercase/,
        offending: { secret: "SECRET-repo-key" },
    },
    { why: "protectRoot not a boolean", settings: settings({ "ambient-spire:pki": { protectRoot: "yes" } }), setting: "ambient-spire:pki.protectRoot", fix: /true or false/, offending: { quoted: "yes" } },
    { why: "licence stored in plain text", settings: settings(), plainLicence: true, setting: "ambient-spire:soloLicenseKey", fix: /pulumi config set --secret ambient-spire:soloLicenseKey/, offending: { secret: licenceForTests } },
    { why: "misspelt chart in sources", settings: settings({ "ambient-spire:sources": { charts: { istioD: "oci://mirror.example.com/istio" } } }), setting: "ambient-spire:sources.charts.istioD", fix: /did you mean istiod/, offending: { quoted: "istioD" } },
    { why: "chart source with an unsupported scheme", settings: settings({ "ambient-spire:sources": { charts: { spire: "s3://bucket/charts" } } }), setting: "ambient-spire:sources.charts.spire", fix: /oci:\/\//, offending: { quoted: "s3://bucket/charts" } },
    { why: "chart directory that does not exist", settings: settings({ "ambient-spire:sources": { charts: { ztunnel: "./no-such-chart-dir" } } }), setting: "ambient-spire:sources.charts.ztunnel", fix: /chart directory/, offending: { quoted: "./no-such-chart-dir" } },
    { why: "Gateway API file that does not exist", settings: settings({ "ambient-spire:sources": { gatewayApiCrds: "mirror/none.yaml" } }), setting: "ambient-spire:sources.gatewayApiCrds", fix: /standard-install YAML/, offending: { quoted: "mirror/none.yaml" } },
    { why: "image hub given as a URL", settings: settings({ "ambient-spire:sources": { imageHub: "https://registry.example.com/istio" } }), setting: "ambient-spire:sources.imageHub", fix: /without https:\/\//, offending: { quoted: "https://registry.example.com/istio" } },
    { why: "sources on a pki stack", settings: { "ambient-spire:signFor": ["org/ambient-spire/cluster1"], "ambient-spire:sources": { imageHub: "r.example.com/istio" } }, setting: "ambient-spire:sources", fix: /remove ambient-spire:signFor/, offending: { quoted: { imageHub: "r.example.com/istio" } } },
];

/** Runs the program on counting mocks: returns the error and how many resources it registered. */
function run(values: StackSettings, secretKeys: readonly string[] = [], plainLicence = false): Promise<{ error: unknown; registered: number }> {
    return runCounting(program, asConfig(values), [...(plainLicence ? [] : ["ambient-spire:soloLicenseKey"]), ...secretKeys]);
}

/** The problem quotes the value at fault, as JSON; a secret's text appears nowhere in the message. */
function assertShowsOffending(error: ConfigError, offending: Offending): void {
    if ("quoted" in offending) {
        const quoted = JSON.stringify(offending.quoted);
        assert.ok(error.problem.startsWith(`${quoted} `) || error.problem.includes(` ${quoted}`), `${error.problem} does not quote ${quoted}`);
    } else if ("says" in offending) {
        assert.ok(error.problem.includes(offending.says), error.problem);
    } else if ("secret" in offending) {
        assert.ok(!error.message.includes(JSON.stringify(offending.secret)), error.message);
        if (offending.secret !== "") assert.ok(!error.message.includes(offending.secret), error.message);
    } else {
        assert.match(error.problem, /^is (required|not set)$/);
    }
}

describe("bad stack settings end the run with one message naming the setting and the fix", () => {
    test("the catalogue holds at least 25 distinct bad inputs", () => {
        assert.ok(catalogue.length >= 25);
        assert.equal(new Set(catalogue.map((c) => c.why)).size, catalogue.length);
    });
    for (const bad of catalogue) {
        test(bad.why, async () => {
            const { error, registered } = await run(bad.settings, bad.secretKeys, bad.plainLicence);
            assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
            assert.equal(error.setting, bad.setting);
            assert.match(error.message, new RegExp(`^${bad.setting.replace(/[[\].]/g, "\\$&")}: `));
            assert.match(error.fix, bad.fix);
            assertShowsOffending(error, bad.offending);
            assert.equal(registered, 0, "no resource may be registered");
        });
    }
    test("a good stack registers resources (so the zero above can fail)", async () => {
        const { error, registered } = await run(settings());
        assert.equal(error, undefined);
        assert.ok(registered > 20);
    });
});

describe("npm run plan on a bad stack file", () => {
    const projectDir = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-bad-"));
    fs.copyFileSync(path.resolve(__dirname, "..", "Pulumi.yaml"), path.join(projectDir, "Pulumi.yaml"));
    // The licence as `pulumi config set --secret` writes it: an encrypted value the plan never decrypts.
    const planCli = (stack: string, config: StackSettings) => {
        const encrypted = config["ambient-spire:soloLicenseKey"] === undefined ? config : { ...config, "ambient-spire:soloLicenseKey": { secure: "v1:abc" } };
        fs.writeFileSync(path.join(projectDir, `Pulumi.${stack}.yaml`), stringify({ config: encrypted }));
        return spawnSync(process.execPath, ["--import", "tsx", path.resolve(__dirname, "..", "infra", "plan", "cli.ts"), stack, "--json"], {
            env: { ...process.env, AMBIENT_SPIRE_PROJECT_DIR: projectDir },
            encoding: "utf8",
        });
    };
    for (const bad of [catalogue[0], catalogue[10], catalogue[18], catalogue[30]]) {
        test(`exit 1, one line, no JSON, no stack trace: ${bad.why}`, () => {
            const result = planCli("bad", bad.settings);
            assert.equal(result.status, 1, result.stderr);
            assert.equal(result.stdout, "");
            const lines = result.stderr.trim().split("\n");
            assert.equal(lines.length, 1, result.stderr);
            assert.ok(lines[0].startsWith(`error: ${bad.setting}: `), lines[0]);
            assert.doesNotMatch(result.stderr, /\s+at\s.+:\d+:\d+/);
        });
    }
    test("a secure value in the stack file plans without decryption", () => {
        const result = planCli("secure", settings());
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stderr, "");
        assert.ok(JSON.parse(result.stdout).resources.length > 20);
    });
    test("a stack file without the licence plans, and says the licence stands in as a placeholder", () => {
        const result = planCli("nolicence", settings({ "ambient-spire:soloLicenseKey": undefined }));
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stderr, /^note: ambient-spire:soloLicenseKey is not set in Pulumi\.nolicence\.yaml.*pulumi config set --secret/);
        assert.ok(JSON.parse(result.stdout).resources.length > 20);
    });
    test("a plain-text licence in the stack file is refused, as pulumi preview refuses it", () => {
        fs.writeFileSync(path.join(projectDir, "Pulumi.plain.yaml"), stringify({ config: settings() }));
        const result = spawnSync(process.execPath, ["--import", "tsx", path.resolve(__dirname, "..", "infra", "plan", "cli.ts"), "plain"], {
            env: { ...process.env, AMBIENT_SPIRE_PROJECT_DIR: projectDir },
            encoding: "utf8",
        });
        assert.equal(result.status, 1);
        assert.match(result.stderr, /^error: ambient-spire:soloLicenseKey: is stored in plain text/);
        assert.doesNotMatch(result.stderr, new RegExp(licenceForTests));
    });
    test("an unknown stack names the ones that exist", () => {
        const result = planCli("secure", settings());
        assert.equal(result.status, 0);
        const missing = spawnSync(process.execPath, ["--import", "tsx", path.resolve(__dirname, "..", "infra", "plan", "cli.ts"), "nope"], {
            env: { ...process.env, AMBIENT_SPIRE_PROJECT_DIR: projectDir },
            encoding: "utf8",
        });
        assert.equal(missing.status, 1);
        assert.match(missing.stderr, /Pulumi\.nope\.yaml does not exist.*secure/);
    });
});
