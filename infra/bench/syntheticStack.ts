import { RecordOptions } from "../plan/recorder";

export type BenchPeering = "full-mesh" | "none";

/**
 * A stack of `clusterCount` clusters, built in memory as the CLI would hand it to the program: the same
 * settings as Pulumi.multicluster.yaml, one context per cluster, so only N and the peering vary.
 */
export function syntheticStack(clusterCount: number, peering: BenchPeering): RecordOptions {
    const clusters = Array.from({ length: clusterCount }, (_, index) => ({ name: `cluster${index + 1}`, context: `kind-cluster${index + 1}` }));
    return {
        project: "ambient-spire",
        stack: `bench-${clusterCount}-${peering}`,
        config: {
            "ambient-spire:clusters": JSON.stringify(clusters),
            "ambient-spire:istio": JSON.stringify({ version: "1.27.8", repoKey: "abcdef012345" }),
            "ambient-spire:peering": peering,
            "ambient-spire:soloLicenseKey": "bench-licence",
        },
        secretKeys: ["ambient-spire:soloLicenseKey"],
    };
}
