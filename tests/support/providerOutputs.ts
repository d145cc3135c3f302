/**
 * What providers would return on an update, for tests that need every value known: PEM-shaped placeholders
 * and a programmed east-west gateway. Certificates that must be real come from the X.509 double instead.
 */
export function knownProviderOutputs({ type, name }: { type: string; name: string }): Record<string, unknown> {
    if (type === "tls:index/privateKey:PrivateKey") return { privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${name}\n-----END PRIVATE KEY-----\n` };
    if (type === "tls:index/locallySignedCert:LocallySignedCert" || type === "tls:index/selfSignedCert:SelfSignedCert") {
        return { certPem: `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n` };
    }
    if (type === "tls:index/certRequest:CertRequest") return { certRequestPem: `CSR ${name}` };
    if (type.endsWith(":Gateway")) return { status: { addresses: [{ type: "Hostname", value: `${name}.example.net` }] } };
    return {};
}
