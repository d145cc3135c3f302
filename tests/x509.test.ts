import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { X509Double } from "./support/x509Double";
import { record, settings } from "./support/stacks";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-x509-"));
const write = (name: string, pem: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, pem);
    return file;
};
const pemBlocks = (pem: string) => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

/** `openssl verify` with the root as the only trust anchor and the rest as untrusted intermediates. */
function verify(root: string, untrusted: string[], leaf: string): { ok: boolean; output: string } {
    const args = ["verify", "-x509_strict", "-CAfile", write("anchor.pem", root)];
    if (untrusted.length) args.push("-untrusted", write("untrusted.pem", untrusted.join("")));
    args.push(write("leaf.pem", leaf));
    const result = spawnSync("openssl", args, { encoding: "utf8" });
    return { ok: result.status === 0, output: result.stdout + result.stderr };
}

const text = (pem: string) => spawnSync("openssl", ["x509", "-noout", "-text", "-in", write("show.pem", pem)], { encoding: "utf8" }).stdout;

const double = new X509Double();
const secret = (name: string) => double.inputsByName.get(name)!.stringData as Record<string, string>;
const clusterNames = ["cluster1", "cluster2", "cluster3"];

before(async () => {
    await record(settings({}, 3), { preview: false, computed: double.computed });
});

/** What SPIRE does under its upstream CA: mint its own signing CA, then workload leaves under that. */
async function spireShapedChain(intermediateKeyPem: string, intermediatePem: string) {
    const spireKey = await double.newKey();
    const spireCa = await double.signed(spireKey.pem, intermediatePem, intermediateKeyPem, {
        subject: "CN=SPIRE server CA", isCa: true, usages: ["cert_signing", "crl_signing"], validityHours: 24, subjectKeyId: true,
    });
    const leafKey = await double.newKey();
    const leaf = await double.signed(leafKey.pem, spireCa, spireKey.pem, {
        subject: "CN=workload", isCa: false, usages: ["digital_signature", "key_encipherment"], validityHours: 1, subjectKeyId: true,
    });
    return { spireCa, leaf };
}

describe("the PKI, issued for real and checked with openssl", () => {
    test("the root is a self-signed CA with the guide's constraints", () => {
        const root = secret("cluster1-spire-upstream-ca")["bundle.crt"];
        const cert = new X509Certificate(root);
        assert.ok(cert.ca);
        assert.ok(cert.checkIssued(cert) && cert.verify(cert.publicKey), "self-signed");
        assert.match(cert.subject, /CN=SPIRE Root CA/);
        const details = text(root);
        assert.match(details, /X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:2/);
        assert.match(details, /X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
        assert.match(details, /X509v3 Subject Key Identifier/);
        const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
        assert.ok(Math.abs(days - 3650) < 1, `${days} days`);
    });

    test("bundle.crt holds the root only, the same root in every cluster", () => {
        const bundles = clusterNames.map((c) => secret(`${c}-spire-upstream-ca`)["bundle.crt"]);
        for (const bundle of bundles) {
            assert.equal(pemBlocks(bundle).length, 1);
            assert.equal(bundle, bundles[0]);
        }
    });

    test("each cluster's SPIRE intermediate chains to the root and can sign a CA that signs a leaf", async () => {
        for (const c of clusterNames) {
            const upstream = secret(`${c}-spire-upstream-ca`);
            const root = upstream["bundle.crt"];
            assert.ok(verify(root, [], upstream["tls.crt"]).ok, `${c}: ${verify(root, [], upstream["tls.crt"]).output}`);
            assert.match(text(upstream["tls.crt"]), /CA:TRUE, pathlen:1/);
            const { spireCa, leaf } = await spireShapedChain(upstream["tls.key"], upstream["tls.crt"]);
            const result = verify(root, [upstream["tls.crt"], spireCa], leaf);
            assert.ok(result.ok, `${c}: ${result.output}`);
        }
    });

    test("negative: an intermediate with path length 0 makes the SPIRE-shaped chain fail", async () => {
        const upstream = secret("cluster1-spire-upstream-ca");
        const root = upstream["bundle.crt"];
        const rootKey = double.inputsByName.get("mesh-root-ca-cert")!.privateKeyPem as string;
        const key = await double.newKey();
        const shallow = await double.signed(key.pem, root, rootKey, {
            subject: "CN=pathlen 0", isCa: true, pathLength: 0, usages: ["cert_signing", "crl_signing"], validityHours: 24, subjectKeyId: true,
        });
        assert.ok(verify(root, [], shallow).ok, "the intermediate itself is valid");
        const { spireCa, leaf } = await spireShapedChain(key.pem, shallow);
        const result = verify(root, [shallow, spireCa], leaf);
        assert.equal(result.ok, false);
        assert.match(result.output, /path length/i);
    });

    test("cacerts: cert-chain.pem is the Istio intermediate then the root; all chain to the one root", () => {
        for (const c of clusterNames) {
            const cacerts = secret(`${c}-mesh-cacerts`);
            const chain = pemBlocks(cacerts["cert-chain.pem"]);
            assert.equal(chain.length, 2);
            assert.equal(chain[0], pemBlocks(cacerts["ca-cert.pem"])[0]);
            assert.equal(chain[1], pemBlocks(cacerts["root-cert.pem"])[0]);
            assert.equal(cacerts["root-cert.pem"], secret("cluster1-spire-upstream-ca")["bundle.crt"]);
            assert.ok(verify(cacerts["root-cert.pem"], [], cacerts["ca-cert.pem"]).ok);
            // What the real tls provider issues for Istio's CA: CA:TRUE with no path length (it cannot issue pathlen:0).
            assert.match(text(cacerts["ca-cert.pem"]), /CA:TRUE\s*\n/);
            assert.doesNotMatch(text(cacerts["ca-cert.pem"]), /pathlen/);
            assert.ok(new X509Certificate(cacerts["ca-cert.pem"]).checkPrivateKey(createPrivateKey(cacerts["ca-key.pem"])), "ca-key.pem is ca-cert.pem's key");
        }
    });

    test("no intermediate outlives the root", () => {
        const root = new X509Certificate(secret("cluster1-spire-upstream-ca")["bundle.crt"]);
        for (const c of clusterNames) {
            for (const pem of [secret(`${c}-spire-upstream-ca`)["tls.crt"], secret(`${c}-mesh-cacerts`)["ca-cert.pem"]]) {
                assert.ok(Date.parse(new X509Certificate(pem).validTo) <= Date.parse(root.validTo));
            }
        }
    });
});
