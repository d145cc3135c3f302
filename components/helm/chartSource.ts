/**
 * Where a Helm chart comes from. Air-gapped clusters cannot reach the public repositories, so every chart a
 * component installs can be pointed at a mirror or at a chart directory on disk.
 */
export type ChartSource =
    | {
          /** A Helm repository URL (index.yaml there); the chart is looked up by name and version. */
          readonly repository: string;
      }
    | {
          /** An OCI registry path; the chart is `<registry>/<chart name>` at the version. */
          readonly registry: string;
      }
    | {
          /** A chart directory (or .tgz) on disk, taken as it is: its own version decides. */
          readonly directory: string;
      };

/** The chart fields of a `helm.v3.Release` for one chart from one source. */
export interface ReleaseChart {
    readonly chart: string;
    readonly version?: string;
    readonly repositoryOpts?: { readonly repo: string };
}

export function releaseChart(source: ChartSource, chartName: string, version: string): ReleaseChart {
    const given = (["repository", "registry", "directory"] as const).filter((key) => key in source);
    // Other languages build a source from a schema object, so exactly one member is checked here, not by types.
    if (given.length !== 1) throw new Error(`the source of chart ${chartName} needs exactly one of repository, registry, directory; got ${given.length === 0 ? "none" : given.join(", ")}`);
    if ("repository" in source) return { chart: chartName, version, repositoryOpts: { repo: source.repository } };
    if ("registry" in source) return { chart: `${source.registry.replace(/\/+$/, "")}/${chartName}`, version };
    return { chart: source.directory };
}
