import { z } from "zod";
import * as rules from "./rules";

/**
 * The stack configuration's shape. Every message is "<problem>\n<fix>", split by the loader into a ConfigError;
 * the loader puts the offending value in front of the problem (`"Cluster1" is not a DNS-1123 label`), unless
 * the setting is secret, so each problem is phrased to follow a value. Checks that span several settings
 * (duplicates, links, validity periods, stack shapes) live in load.ts.
 */
const say = (problem: string, fix: string) => `${problem}\n${fix}`;

function typed<T extends z.ZodType>(make: (error: (issue: { input?: unknown }) => string) => T, what: string, example: string): T {
    return make((issue) =>
        issue.input === undefined
            ? say("is required", `set it, e.g. ${example}`)
            : say(`is not ${what}`, `set it to ${what}, e.g. ${example}`),
    );
}
const str = (example: string) => typed((error) => z.string({ error }), "a string", example);
const int = (example: string) => typed((error) => z.number({ error }).int({ error }), "a whole number", example);
const bool = (example: string) => typed((error) => z.boolean({ error }), "true or false", example);

const clusterName = str("cluster1").regex(
    rules.dns1123Label,
    say("is not a DNS-1123 label", `use ${rules.dns1123LabelRule}`),
).max(63, say("is longer than 63 characters", "use a shorter name"));

const trustDomain = str("cluster1.example.org")
    .max(255, say("is longer than 255 characters", "use a shorter trust domain"))
    .refine((value) => !value.includes("://"), say("includes a scheme", "give the bare trust domain, e.g. cluster1.example.org, not spiffe://cluster1.example.org"))
    .refine((value) => rules.spiffeTrustDomain.test(value), say("is not a valid SPIFFE trust domain", `use ${rules.spiffeTrustDomainRule}`));

const network = str("network1")
    .max(63, say("is longer than 63 characters", "use a shorter network name"))
    .regex(rules.labelValue, say("is not a valid network name", `use ${rules.labelValueRule}`));

export const clusterSchema = z.strictObject({
    name: clusterName,
    context: str("kind-cluster1").min(1, say("is empty", "remove it to use the current kubeconfig context, or name one")).optional(),
    trustDomain: trustDomain.optional(),
    network: network.optional(),
    rotation: int("1").min(0, say("is negative", "use 0 or a larger whole number; bump it by one to rotate")).default(0),
});

const requiredObject = (what: string, example: string) => ({
    error: (issue: { input?: unknown }) =>
        issue.input === undefined ? say("is required", `set it, e.g. ${example}`) : say(`is not ${what}`, `set it as ${example}`),
});

export const istioSchema = z.strictObject({
    version: str("1.27.8").regex(
        rules.istioVersion,
        say("is not an Istio patch version", "use MAJOR.MINOR.PATCH such as 1.27.8, without the -solo suffix (it is added)"),
    ),
    repoKey: str("abcdef012345").regex(
        rules.repoKey,
        say("is not a Solo repo key", "use the 12 lowercase letters or digits at the end of us-docker.pkg.dev/gloo-mesh/istio-<repoKey>"),
    ),
    clusterDomain: str("cluster.local").regex(rules.dnsSubdomain, say("is not a DNS domain", "use the cluster's DNS domain, e.g. cluster.local")).default("cluster.local"),
}, requiredObject("an object with version and repoKey", "{version: 1.27.8, repoKey: <12-character key>}"));

const linkSchema = z.strictObject({ from: clusterName, to: clusterName });

export const peeringSchema = z
    .union([z.literal("full-mesh"), z.literal("none"), z.array(linkSchema)], {
        error: say("is not full-mesh, none, or a list of {from, to} links", "e.g. full-mesh, or [{from: cluster1, to: cluster2}]"),
    })
    .default("full-mesh");

/**
 * One intermediate CA brought from outside: its certificate (public) and, when provided, its key. Each is PEM
 * text or the path of a file holding it (relative to the project directory); a key as PEM text must be a
 * Pulumi secret (checked in load.ts). External signing gives only the certificate, signed from the CSR of
 * `rotation` that the stack exports.
 */
const givenCa = z.strictObject({
    cert: str("./certs/cluster1/cluster1-ca.crt").min(1, say("is empty", "give the certificate as PEM text or the path of a .crt file")),
    key: str("./certs/cluster1/cluster1-ca.key").min(1, say("is empty", "give the key as a --secret PEM value or the path of a .key file")).optional(),
    rotation: int("0").min(0, say("is negative", "give the rotation of the CSR this certificate was signed from, e.g. 0")).optional(),
}, requiredObject("an object with cert (and key when provided)", "{cert: ./certs/cluster1/cluster1-ca.crt, key: ./certs/cluster1/cluster1-ca.key}"));

/** Per cluster: SPIRE's upstream intermediate and (N > 1) Istio's plug-in CA. */
const givenClusterCas = z.strictObject({ spire: givenCa.optional(), istio: givenCa.optional() }, requiredObject("an object with spire and istio", "{spire: {cert: …, key: …}}"));

export const pkiSchema = z
    .strictObject({
        /**
         * Where the CAs come from: `generated` (a root made by this stack, or by the `pki` stack), `provided` (a
         * root certificate and every intermediate's certificate and key, made elsewhere), `external` (keys and
         * CSRs made here, certificates signed elsewhere).
         */
        ca: z.enum(["generated", "provided", "external"], { error: say("is not generated, provided or external", "set it to generated (the default), provided or external") }).default("generated"),
        /** provided/external: the root certificate (public), PEM text or a file. */
        rootCert: str("./certs/root-ca/root-ca.crt").min(1, say("is empty", "give the root certificate as PEM text or the path of a .crt file")).optional(),
        /** provided/external: by cluster name. */
        clusters: z.record(clusterName, givenClusterCas, requiredObject("a map of cluster name to {spire, istio}", "{cluster1: {spire: {cert: …, key: …}}}")).optional(),
        keyAlgorithm: z.enum(["RSA", "ECDSA"], { error: say("is not RSA or ECDSA", "set it to RSA (the guide's) or ECDSA") }).default("RSA"),
        rsaBits: z.union([z.literal(2048), z.literal(3072), z.literal(4096)], { error: say("is not 2048, 3072 or 4096", "use 2048 (the guide's) or larger") }).optional(),
        ecdsaCurve: z.enum(["P256", "P384"], { error: say("is not P256 or P384", "use P256 or P384") }).optional(),
        rootValidityDays: int("3650").min(1, say("is less than 1 day", "use a positive number of days, e.g. 3650")).default(3650),
        intermediateValidityDays: int("1825").min(1, say("is less than 1 day", "use a positive number of days, e.g. 1825")).default(1825),
        earlyRenewalDays: int("30").min(0, say("is negative", "use 0 or more days, e.g. 30")).default(30),
        protectRoot: bool("true").default(true),
    })
    .default({ ca: "generated", keyAlgorithm: "RSA", rootValidityDays: 3650, intermediateValidityDays: 1825, earlyRenewalDays: 30, protectRoot: true });

const setLicence = "run `pulumi config set --secret ambient-spire:soloLicenseKey <your Solo licence key>`";
export const licenseSchema = z
    .string({ error: (issue) => say(issue.input === undefined ? "is not set" : "is not a string", setLicence) })
    .min(1, say("is empty", setLicence));

const stackReference = str("acme/ambient-spire/pki").regex(rules.stackName, say("is not a stack name", `use ${rules.stackNameRule}`));

/** On a cluster stack: the `pki` stack that holds the root and signs this stack's CA requests. */
export const pkiStackSchema = stackReference;

/** On the `pki` stack: the cluster stacks whose CA requests it signs. */
export const signForSchema = z
    .array(stackReference, requiredObject("a list of stack names", "[acme/ambient-spire/cluster1]"))
    .min(1, say("is empty", "name at least one cluster stack, e.g. [acme/ambient-spire/cluster1]"));

/** On a cluster stack: clusters owned by other stacks that this stack's clusters link to. */
export const remotePeersSchema = z.array(
    z.strictObject({ name: clusterName, stack: stackReference }),
    requiredObject("a list of {name, stack}", "[{name: cluster2, stack: acme/ambient-spire/cluster2}]"),
).default([]);

const chartSource = str("oci://registry.example.com/istio-charts")
    .min(1, say("is empty", `remove it to use the public location, or give ${rules.chartSourceRule}`))
    .refine(
        (value) => !value.includes("://") || rules.helmRepositoryUrl.test(value) || rules.ociRegistryUrl.test(value),
        say("has a scheme that is neither https://, http:// nor oci://", `give ${rules.chartSourceRule}`),
    );

/** Where charts, the Gateway API CRDs and Istio's images come from: a mirror, or files on disk (air-gapped). */
export const sourcesSchema = z
    .strictObject(
        {
            charts: z
                .strictObject(
                    {
                        spireCrds: chartSource.optional(),
                        spire: chartSource.optional(),
                        istioBase: chartSource.optional(),
                        istiod: chartSource.optional(),
                        istioCni: chartSource.optional(),
                        ztunnel: chartSource.optional(),
                    },
                    requiredObject("an object of chart name to source", "{spire: oci://registry.example.com/spire-charts}"),
                )
                .default({}),
            gatewayApiCrds: str("./mirror/gateway-api-standard-install.yaml")
                .min(1, say("is empty", "remove it to use the Gateway API release on GitHub, or give a URL or a file"))
                .optional(),
            imageHub: str("registry.example.com/istio").regex(rules.imageRegistry, say("is not an image registry path", `use ${rules.imageRegistryRule}`)).optional(),
        },
        requiredObject("an object with charts, gatewayApiCrds and imageHub", "{imageHub: registry.example.com/istio}"),
    )
    .default({ charts: {} });

const chartValues = z.strictObject(
    { values: z.record(z.string(), z.unknown(), requiredObject("a map of Helm values", "{values: {nodeSelector: {pool: mesh}}}")) },
    requiredObject("an object with values", "{values: {nodeSelector: {pool: mesh}}}"),
);

/** Helm values per chart, merged over the program's own (the chart names are those of `sources.charts`). */
export const chartsSchema = z
    .strictObject(
        {
            spireCrds: chartValues.optional(),
            spire: chartValues.optional(),
            istioBase: chartValues.optional(),
            istiod: chartValues.optional(),
            istioCni: chartValues.optional(),
            ztunnel: chartValues.optional(),
        },
        requiredObject("an object of chart name to {values}", "{spire: {values: {global: {spire: {image: {registry: registry.example.com}}}}}}"),
    )
    .default({});

/**
 * Take over an installation made by the guide's commands instead of creating it: `true`, or an object. Off by
 * default. `keepOnDestroy` (default true) keeps every object in the clusters on `pulumi destroy`.
 */
export const adoptSchema = z
    .union([bool("true"), z.strictObject({ keepOnDestroy: bool("true").default(true) }, requiredObject("true, false or {keepOnDestroy}", "{keepOnDestroy: true}"))], {
        error: say("is not true, false or {keepOnDestroy: true|false}", "set it to true to adopt the guide's installation, e.g. pulumi config set ambient-spire:adopt true"),
    })
    .default(false);

export const clustersSchema = z
    .array(clusterSchema, requiredObject("a list of clusters", "[{name: cluster1, context: kind-cluster1}]"))
    .min(1, say("is empty", "give at least one cluster, e.g. [{name: cluster1}]"));

/** Every setting of the `ambient-spire` namespace, with the schema that reads it. */
export const settingSchemas = {
    clusters: clustersSchema,
    istio: istioSchema,
    soloLicenseKey: licenseSchema,
    peering: peeringSchema,
    pki: pkiSchema,
    pkiStack: pkiStackSchema.optional(),
    signFor: signForSchema.optional(),
    remotePeers: remotePeersSchema,
    sources: sourcesSchema,
    charts: chartsSchema,
    adopt: adoptSchema,
} as const;

export type SettingName = keyof typeof settingSchemas;
export const settingNames = Object.keys(settingSchemas) as SettingName[];
/** Settings that hold objects or lists, which Pulumi passes to the program as JSON text. */
export const structuredSettings: ReadonlySet<SettingName> = new Set(["clusters", "istio", "peering", "pki", "signFor", "remotePeers", "sources", "charts", "adopt"]);

export type ClusterInput = z.output<typeof clusterSchema>;
export type IstioInput = z.output<typeof istioSchema>;
export type PeeringInput = z.output<typeof peeringSchema>;
export type PkiInput = z.output<typeof pkiSchema>;
export type GivenCaInput = z.output<typeof givenCa>;
export type SourcesInput = z.output<typeof sourcesSchema>;
export type ChartsInput = z.output<typeof chartsSchema>;
export type AdoptInput = z.output<typeof adoptSchema>;
export type RemotePeerInput = z.output<typeof remotePeersSchema>[number];
