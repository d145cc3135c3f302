/**
 * What a deployed stack must look like, from its stack file read exactly as the program reads it (the plan's
 * stack-file reader, then the stack-config loader): clusters with their contexts and networks, links, chart
 * versions, registrations and the renewal window. No licence and no Pulumi state are needed.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ChartSource } from "../../components/helm/chartSource";
import { soloTag } from "../../components/istio/meshValues";
import { spireReleaseDefaults } from "../../components/spire/spireRelease";
import { controllerClassName, meshRegistrations, spireCharts } from "../../components/spire/spireValues";
import { ChartName, loadStackSpec, MeshSpec } from "../../stacks/config/load";
import { readStackConfig } from "../plan/stackFiles";
import { releaseTargets } from "./targets";

export interface PeerExpectation {
    /** The remote cluster's name: its Gateway is `istio-remote-peer-<name>` in this cluster. */
    readonly name: string;
    /** Its network when this stack knows it; undefined for a cluster of another stack (its network is in that stack's outputs). */
    readonly network?: string;
    /** The stack that owns it, for a remote peer of another stack. */
    readonly stack?: string;
}

export interface ClusterExpectation {
    readonly name: string;
    /** The kubeconfig context; undefined means the kubeconfig's current context. */
    readonly context?: string;
    readonly network: string;
    readonly trustDomain: string;
    /** Remote clusters this cluster links to (a remote-peer Gateway each). */
    readonly peers: readonly PeerExpectation[];
}

export interface ReleaseExpectation {
    readonly name: string;
    readonly namespace: string;
    /** The chart version the program installs; undefined when it cannot be known (a packaged .tgz). */
    readonly version?: string;
    /** Where the version comes from, for messages. */
    readonly versionFrom: string;
}

export interface Expectations {
    readonly stack: string;
    /** More than one cluster (here or in peer stacks): networks, cacerts, east-west gateways and peers apply. */
    readonly multicluster: boolean;
    readonly clusters: readonly ClusterExpectation[];
    readonly releases: readonly ReleaseExpectation[];
    readonly registrations: readonly { readonly name: string; readonly className: string }[];
    /** pki.earlyRenewalDays: a CA expiring sooner than this is about to be renewed, or late. */
    readonly earlyRenewalDays: number;
}

/** A stack that verify cannot check (a `pki` stack installs nothing in any cluster). */
export class NotVerifiableError extends Error {}

/** The expectations of stack `stack` of the project in `projectDir`. Throws StackFileError or ConfigError on a bad stack file. */
export function expectationsFor(projectDir: string, stack: string): Expectations {
    const config = readStackConfig(projectDir, stack);
    const loaded = loadStackSpec(config.config, config.secretKeys);
    if (loaded.kind === "pki") {
        throw new NotVerifiableError(`stack ${JSON.stringify(stack)} is a pki stack (it sets ambient-spire:signFor) and installs nothing in a cluster. Fix: verify the cluster stacks it signs for (${loaded.spec.signFor.join(", ")})`);
    }
    return expectationsOf(stack, loaded.spec, projectDir);
}

/** Pure except for reading Chart.yaml of chart directories (relative to the project directory). */
export function expectationsOf(stack: string, spec: MeshSpec, projectDir: string): Expectations {
    const networks = new Map(spec.clusters.map((c) => [c.name, c.network] as const));
    const peerStacks = new Map(spec.remotePeers.map((p) => [p.name, p.stack] as const));
    const clusters = spec.clusters.map((cluster) => ({
        name: cluster.name,
        ...(cluster.context !== undefined ? { context: cluster.context } : {}),
        network: cluster.network,
        trustDomain: cluster.trustDomain,
        peers: spec.links
            .filter((link) => link.from === cluster.name)
            .map((link) => {
                const network = networks.get(link.to);
                const owner = peerStacks.get(link.to);
                return { name: link.to, ...(network !== undefined ? { network } : {}), ...(owner !== undefined ? { stack: owner } : {}) };
            }),
    }));
    const releases = releaseTargets.map((target) => ({ name: target.name, namespace: target.namespace, ...chartVersion(spec, target.chartKey, projectDir) }));
    const className = controllerClassName(spireReleaseDefaults.namespace, spireReleaseDefaults.releaseName);
    return {
        stack,
        multicluster: spec.multicluster,
        clusters,
        releases,
        registrations: meshRegistrations(className).map((r) => ({ name: r.name, className: r.spec.className })),
        earlyRenewalDays: spec.pki.earlyRenewalDays,
    };
}

/** The version the program pins for a chart from a repository or registry; a chart directory's own Chart.yaml version. */
function chartVersion(spec: MeshSpec, chart: ChartName, projectDir: string): { version?: string; versionFrom: string } {
    const source: ChartSource | undefined = spec.sources.charts[chart];
    if (source && "directory" in source) {
        const directory = path.resolve(projectDir, source.directory);
        const chartFile = path.join(directory, "Chart.yaml");
        if (!fs.existsSync(chartFile)) return { versionFrom: `ambient-spire:sources.charts.${chart} (${source.directory}: no Chart.yaml, e.g. a packaged .tgz; version not checked)` };
        const version = (parse(fs.readFileSync(chartFile, "utf8")) as { version?: unknown } | null)?.version;
        return typeof version === "string"
            ? { version, versionFrom: `${path.join(source.directory, "Chart.yaml")}` }
            : { versionFrom: `${chartFile} has no version` };
    }
    const pinned = chart === "spireCrds" ? spireCharts.crds.version : chart === "spire" ? spireCharts.spire.version : soloTag(spec.istio);
    return { version: pinned, versionFrom: "the version the program pins" };
}
