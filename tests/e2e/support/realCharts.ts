import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { spireCharts } from "../../../components/spire/spireValues";

/**
 * The real charts for `npm run e2e -- --charts <dir>`: SPIFFE's spire-crds and spire at the versions the program
 * pins, and the community Istio base, istiod, cni and ztunnel charts (the public stand-in for Solo's) at two
 * 1.27 patch versions, for the bump. Found by what each directory's Chart.yaml says (name, version), anywhere up
 * to four levels below <dir>, so `helm pull … --untar` output, a tree per version or an unpacked release all do.
 * They are third-party files: obtained by whoever runs the suite, never part of the repository.
 */
export const chartsEnv = "AMBIENT_SPIRE_E2E_CHARTS";

export interface ChartDir {
    readonly name: string;
    readonly version: string;
    readonly dir: string;
}

export interface IstioCharts {
    readonly version: string;
    readonly base: ChartDir;
    readonly istiod: ChartDir;
    readonly cni: ChartDir;
    readonly ztunnel: ChartDir;
}

export interface RealCharts {
    readonly dir: string;
    readonly spireCrds: ChartDir;
    readonly spire: ChartDir;
    /** The lowest and highest Istio patch version all four charts are present at. */
    readonly istio: { readonly older: IstioCharts; readonly newer: IstioCharts };
}

const istioChartNames = ["base", "istiod", "cni", "ztunnel"] as const;
const istioMinor = "1.27";

/** Where each chart is published, for the message that says what is missing. */
const obtain: Record<string, string> = {
    "spire-crds": "spiffe/helm-charts-hardened charts/spire-crds (tag spire-crds-<v>), or `helm pull spire-crds --repo https://spiffe.github.io/helm-charts-hardened --version <v> --untar`",
    spire: "spiffe/helm-charts-hardened charts/spire with its charts/ (tag spire-<v>), or `helm pull spire --repo https://spiffe.github.io/helm-charts-hardened --version <v> --untar`",
    istio: "`helm pull <chart> --repo https://istio-release.storage.googleapis.com/charts --version <v> --untar` (istio/istio manifests/charts at a tag says version 1.0.0 until `helm package --version <v>` sets it)",
};

/** Every chart directory below `root` (a chart's own charts/ subcharts are part of it, not listed). */
export function chartDirs(root: string, depth = 6): ChartDir[] {
    const found: ChartDir[] = [];
    const visit = (dir: string, left: number): void => {
        const chartFile = path.join(dir, "Chart.yaml");
        if (fs.existsSync(chartFile)) {
            const chart = parse(fs.readFileSync(chartFile, "utf8")) as { name?: unknown; version?: unknown } | null;
            if (typeof chart?.name === "string" && chart.version !== undefined) found.push({ name: chart.name, version: String(chart.version), dir });
            return;
        }
        if (left === 0) return;
        for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            if (entry.isDirectory() && !entry.name.startsWith(".")) visit(path.join(dir, entry.name), left - 1);
        }
    };
    visit(root, depth);
    return found;
}

const patch = (version: string): number => Number(version.split(".")[2]);

/** The charts the real-chart scenarios need, or an Error naming each one missing and where it is published. */
export function findRealCharts(dir: string | undefined): RealCharts {
    if (dir === undefined || dir === "") {
        throw new Error(`the real-chart scenarios need a chart directory: run them with \`npm run e2e -- --charts <dir>\` (${chartsEnv} is not set)`);
    }
    const root = path.resolve(dir);
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
        throw new Error(`--charts ${JSON.stringify(dir)}: no such directory. Fix: give the directory holding the charts (see docs/e2e.md, "Real charts")`);
    }
    const all = chartDirs(root);
    const exactly = (name: string, version: string): ChartDir | undefined => all.find((c) => c.name === name && c.version === version);
    const missing: string[] = [];
    const spireCrds = exactly(spireCharts.crds.chart, spireCharts.crds.version);
    if (!spireCrds) missing.push(`${spireCharts.crds.chart} ${spireCharts.crds.version}: ${obtain["spire-crds"]}`);
    const spire = exactly(spireCharts.spire.chart, spireCharts.spire.version);
    if (!spire) missing.push(`${spireCharts.spire.chart} ${spireCharts.spire.version}: ${obtain.spire}`);
    const isIstio = (c: ChartDir) => new RegExp(`^${istioMinor.replace(".", "\\.")}\\.\\d+$`).test(c.version);
    const versionsOf = (name: string) => new Set(all.filter((c) => c.name === name && isIstio(c)).map((c) => c.version));
    const common = istioChartNames
        .map(versionsOf)
        .reduce((a, b) => new Set([...a].filter((v) => b.has(v))))
        .values();
    const versions = [...common].sort((a, b) => patch(a) - patch(b));
    if (versions.length < 2) {
        const have = istioChartNames.map((name) => `${name} ${[...versionsOf(name)].join(", ") || "none"}`).join("; ");
        missing.push(`Istio ${istioChartNames.join(", ")} at two ${istioMinor}.x versions, all four at each (have: ${have}): ${obtain.istio}`);
    }
    if (missing.length > 0 || !spireCrds || !spire) {
        const seen = all.length === 0 ? "no chart (no Chart.yaml within six levels)" : all.map((c) => `${c.name} ${c.version}`).join(", ");
        throw new Error(`--charts ${JSON.stringify(dir)} lacks what the real-chart scenarios need:\n- ${missing.join("\n- ")}\nFound: ${seen}.`);
    }
    const at = (version: string): IstioCharts => {
        const chart = (name: string) => exactly(name, version)!;
        return { version, base: chart("base"), istiod: chart("istiod"), cni: chart("cni"), ztunnel: chart("ztunnel") };
    };
    return { dir: root, spireCrds, spire, istio: { older: at(versions[0]), newer: at(versions[versions.length - 1]) } };
}

/** `ambient-spire:sources` for one Istio version of the real charts, relative to the project copy as a user writes them. */
export function realChartSources(charts: RealCharts, istio: IstioCharts, projectDir: string, gatewayApiCrds: string) {
    const relative = (chart: ChartDir) => path.relative(projectDir, chart.dir);
    return {
        charts: {
            spireCrds: relative(charts.spireCrds),
            spire: relative(charts.spire),
            istioBase: relative(istio.base),
            istiod: relative(istio.istiod),
            istioCni: relative(istio.cni),
            ztunnel: relative(istio.ztunnel),
        },
        gatewayApiCrds,
    };
}

/**
 * `ambient-spire:charts` of the suite's stacks: SPIRE's controller-manager webhook off. On simulated nodes no
 * process serves it, and the API server would dial its Service's cluster IP — not an address of this machine —
 * for every ClusterSPIFFEID. Off, the chart also renders none of its install/upgrade hook Jobs (they patch that
 * webhook). What this leaves unproven is said in docs/e2e.md.
 */
export const simulatedNodeChartValues = {
    spire: { values: { "spire-server": { controllerManager: { validatingWebhookConfiguration: { enabled: false } } } } },
} as const;
