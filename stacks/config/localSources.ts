import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ChartSource } from "../../components/helm/chartSource";
import { chartValuesTree, unknownValues, ValuesTree } from "../../components/helm/values";
import { descopePilot, IstioChart, istioValuesBeyondValuesYaml } from "../../components/istio/meshValues";
import { closest, ConfigError, quoteValue, settingName } from "./errors";
import { ChartName, MeshSpec, MeshSources } from "./load";
import { isUrl } from "../../components/istio/gatewayApiCrds";

/** The spec with its local files found and handed on (see localiseSources), and chart values checked against local charts. */
export function withLocalFiles(spec: MeshSpec, cwd: string = process.cwd()): MeshSpec {
    const sources = localiseSources(spec.sources, cwd);
    checkChartValues(spec.charts, sources, cwd);
    return { ...spec, sources };
}

const istioCharts: Partial<Record<ChartName, IstioChart>> = { istioBase: "base", istiod: "istiod", istioCni: "cni", ztunnel: "ztunnel" };

/**
 * Chart values for a chart that is a local directory are held to its values.yaml: a key it does not declare is
 * a typo until shown otherwise (keys the chart reads beyond values.yaml, such as Solo's, are accepted). Charts
 * from a repository or registry are not read here, so their values are not checked.
 */
export function checkChartValues(charts: MeshSpec["charts"], sources: MeshSources, cwd: string): void {
    for (const [chart, values] of Object.entries(charts) as [ChartName, MeshSpec["charts"][ChartName]][]) {
        const source = sources.charts[chart];
        if (!values || !source || !("directory" in source)) continue;
        const tree = chartValuesTree(path.resolve(cwd, source.directory));
        if (!tree) continue;
        const istio = istioCharts[chart];
        // istiod's chart copies everything under `pilot.` to the top level (templates/zzy_descope_legacy.yaml).
        const declared: ValuesTree = istio === "istiod" ? { ...tree, ...descopePilot(tree) } : tree;
        const [first] = unknownValues(values, declared, istio ? Object.keys(istioValuesBeyondValuesYaml[istio]) : []);
        if (!first) continue;
        const key = first.path.split(".").pop()!;
        const guess = closest(key, first.siblings);
        throw new ConfigError(
            settingName(["charts", chart, "values", ...first.path.split(".")]),
            `${quoteValue(key)} is not a value of the chart in ${source.directory} (its values.yaml has no such key)`,
            (guess ? `did you mean ${guess}? ` : "") + `use a key its values.yaml declares`,
        );
    }
}

/**
 * Chart directories and CRD files named in `sources` are written relative to the project directory (where
 * Pulumi.yaml is), but Pulumi runs the program and its providers in the directory of `main` (infra/). So each
 * one must exist — else the run would fail half-way, in the provider, after other resources were created — and
 * is handed on relative to the working directory, which keeps plans the same in any checkout.
 */
export function localiseSources(sources: MeshSources, cwd: string = process.cwd(), root: string = projectRoot(cwd)): MeshSources {
    const charts: Record<string, ChartSource> = {};
    for (const [chart, source] of Object.entries(sources.charts)) {
        if (source === undefined) continue;
        charts[chart] = "directory" in source
            ? { directory: localPath(["sources", "charts", chart], source.directory, cwd, root, "a chart directory (with Chart.yaml) or a packaged chart (.tgz)") }
            : source;
    }
    const crds = sources.gatewayApiCrds;
    return {
        ...sources,
        charts,
        ...(crds !== undefined && !isUrl(crds)
            ? { gatewayApiCrds: localPath(["sources", "gatewayApiCrds"], crds, cwd, root, "a URL (https://…) or the path of the Gateway API standard-install YAML") }
            : {}),
    };
}

/**
 * The project directory: as the engine says, or else the nearest directory above `cwd` holding Pulumi.yaml.
 * (The Node.js language host v3.68 passes no root directory: the SDK then answers the literal "rootDirectory".)
 */
export function projectRoot(cwd: string): string {
    const given = pulumi.getRootDirectory();
    if (given && path.isAbsolute(given) && fs.existsSync(path.join(given, "Pulumi.yaml"))) return given;
    for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) return path.resolve(cwd);
    }
}

function localPath(settingPath: string[], given: string, cwd: string, root: string, expected: string): string {
    const resolved = path.resolve(root, given);
    if (!fs.existsSync(resolved)) {
        throw new ConfigError(settingName(settingPath), `${JSON.stringify(given)} does not exist (looked for ${resolved})`, `give ${expected}, relative to the project directory`);
    }
    if (path.isAbsolute(given)) return given;
    const relative = path.relative(cwd, resolved);
    // Helm reads "name/chart" as a repository chart: a local path must look like one.
    return relative.startsWith("..") ? relative : `./${relative}`;
}
