import * as fs from "node:fs";
import * as path from "node:path";
import { gatewayApi, gatewayApiCrdNames } from "../../../components/istio/gatewayApiCrds";
import { standInGatewayApiManifest, upstreamDir } from "../../support/gatewayApiManifest";

/**
 * Local stand-ins for the charts, so that `pulumi up` runs without a registry. spire-crds carries the real
 * ClusterSPIFFEID CRD (a template, as in the real chart, so Helm owns it); every other chart renders the values
 * Helm received into a ConfigMap `<release>-received-values`, which the suite reads back and compares with the
 * values the program meant to send. No pods: the API servers have no kubelet.
 */
export { upstreamDir };

/** The chart keys of `ambient-spire:sources.charts`, with the chart each stands in for. */
export const standInCharts = {
    spireCrds: "spire-crds",
    spire: "spire",
    istioBase: "base",
    istiod: "istiod",
    istioCni: "cni",
    ztunnel: "ztunnel",
} as const;

export type ChartKey = keyof typeof standInCharts;

export interface StandIns {
    /** `ambient-spire:sources` pointing every chart and the Gateway API CRDs at the stand-ins. */
    readonly sources: { charts: Record<ChartKey, string>; gatewayApiCrds: string };
    /** The CRD names the Gateway API file creates. */
    readonly gatewayApiCrdNames: readonly string[];
}

const receivedValuesTemplate = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-received-values
  namespace: {{ .Release.Namespace }}
data:
  chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
  values.json: {{ toJson .Values | quote }}
`;

/** Writes the stand-ins under `dir` and returns sources relative to `projectDir` (as a user would write them). */
export function writeStandIns(dir: string, projectDir: string): StandIns {
    const charts = {} as Record<ChartKey, string>;
    for (const [key, chart] of Object.entries(standInCharts) as [ChartKey, string][]) {
        const chartDir = path.join(dir, "charts", chart);
        fs.mkdirSync(path.join(chartDir, "templates"), { recursive: true });
        fs.writeFileSync(path.join(chartDir, "Chart.yaml"), `apiVersion: v2\nname: ${chart}\nversion: 0.0.0-stand-in\ndescription: e2e stand-in for ${chart}\n`);
        fs.writeFileSync(path.join(chartDir, "values.yaml"), "{}\n");
        if (key === "spireCrds") {
            fs.copyFileSync(path.join(upstreamDir, "spire-crds-0.5.0", "spire.spiffe.io_clusterspiffeids.yaml"), path.join(chartDir, "templates", "clusterspiffeids.yaml"));
        } else {
            fs.writeFileSync(path.join(chartDir, "templates", "received-values.yaml"), receivedValuesTemplate);
        }
        charts[key] = path.relative(projectDir, chartDir);
    }
    const crdFile = path.join(dir, "gateway-api-standard-install.yaml");
    fs.writeFileSync(crdFile, standInGatewayApiManifest());
    return { sources: { charts, gatewayApiCrds: path.relative(projectDir, crdFile) }, gatewayApiCrdNames: gatewayApiCrdNames(gatewayApi.version) };
}
