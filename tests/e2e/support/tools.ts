import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";

/**
 * The real-engine toolchain: the CLI, language host and control plane that `npm run e2e:tools` builds into
 * .tools/bin, and the provider plugins, found where Pulumi itself looks for them (PATH, then the plugin cache).
 * A missing piece fails the suite with what to run; nothing is skipped silently.
 */
export const projectDir = path.resolve(__dirname, "..", "..", "..");
export const toolsDir = path.join(projectDir, ".tools");
export const toolsBin = path.join(toolsDir, "bin");

const builtTools = ["pulumi", "pulumi-language-nodejs", "pulumi-language-yaml", "etcd", "kube-apiserver", "kube-controller-manager", "kubectl"] as const;

export interface Plugin {
    readonly name: string;
    /** The version the project's SDK asks for. */
    readonly wanted: string;
    readonly binary: string;
    /** Where it was found, and what that binary reports. */
    readonly foundIn: "PATH" | "plugin cache";
    readonly reports: string;
}

export interface Toolchain {
    readonly bin: string;
    readonly plugins: readonly Plugin[];
    /** PATH for the CLI: the built tools, then each plugin's directory. */
    readonly path: string;
    /** One line per tool, for the suite's log: which builds ran. */
    readonly summary: string;
}

function sdkVersion(pkg: string): string {
    const manifest = JSON.parse(fs.readFileSync(path.join(projectDir, "node_modules", "@pulumi", pkg, "package.json"), "utf8")) as { version: string };
    return manifest.version;
}

function onPath(binary: string): string | undefined {
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
        const candidate = path.join(dir, binary);
        if (dir !== "" && isExecutable(candidate)) return candidate;
    }
    return undefined;
}

function isExecutable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

function findPlugin(name: string): Plugin | string {
    const wanted = sdkVersion(name);
    const binary = `pulumi-resource-${name}`;
    const fromPath = onPath(binary);
    const cacheDir = path.join(process.env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi"), "plugins", `resource-${name}-v${wanted}`);
    const fromCache = isExecutable(path.join(cacheDir, binary)) ? path.join(cacheDir, binary) : undefined;
    const found = fromPath ?? fromCache;
    if (!found) {
        return `provider plugin ${name} ${wanted}: not on PATH and not in ${cacheDir}. Install it as Pulumi users do: ` +
            `\`pulumi plugin install resource ${name} ${wanted}\` (or put ${binary} on PATH)`;
    }
    return { name, wanted, binary: found, foundIn: fromPath ? "PATH" : "plugin cache", reports: reportedVersion(found) };
}

/** What a provider binary says it is: `-version` where it answers, else its file size (a build of our own). */
function reportedVersion(binary: string): string {
    try {
        return execFileSync(binary, ["-version"], { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "ignore"] }).trim() || "unknown";
    } catch {
        return `unknown (${fs.statSync(binary).size} bytes)`;
    }
}

/** Every tool and plugin, or an Error listing each missing one with the command that provides it. */
export function findToolchain(): Toolchain {
    const missing: string[] = [];
    for (const tool of builtTools) {
        if (!isExecutable(path.join(toolsBin, tool))) missing.push(`${tool}: not in ${toolsBin}; run \`npm run e2e:tools\` (builds it from the Go module proxy)`);
    }
    const plugins: Plugin[] = [];
    for (const name of ["kubernetes", "tls"]) {
        const found = findPlugin(name);
        if (typeof found === "string") missing.push(found);
        else plugins.push(found);
    }
    if (missing.length > 0) throw new Error(`the real-engine suite cannot run:\n- ${missing.join("\n- ")}`);
    const version = (tool: string) => fs.readFileSync(path.join(toolsBin, `.${tool}.version`), "utf8").trim();
    const summary = [
        ...builtTools.map((tool) => `${tool} ${fs.existsSync(path.join(toolsBin, `.${tool}.version`)) ? version(tool) : "(unstamped)"} (${toolsBin})`),
        ...plugins.map((p) => `plugin ${p.name}: wanted ${p.wanted}, using ${p.binary} from ${p.foundIn}, reports ${p.reports}`),
    ].join("\n");
    const dirs = [toolsBin, ...new Set(plugins.map((p) => path.dirname(p.binary))), ...(process.env.PATH ?? "").split(path.delimiter)];
    return { bin: toolsBin, plugins, path: dirs.join(path.delimiter), summary };
}

/** A committed stack file's clusters and Istio setting, as the scenarios start from them. */
export interface CommittedStack {
    readonly config: Record<string, unknown>;
    readonly clusters: { name: string; context: string }[];
    readonly istio: { version: string; repoKey: string };
}

export function committedStack(stack: string): CommittedStack {
    const { config } = parse(fs.readFileSync(path.join(projectDir, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
    return {
        config,
        clusters: config["ambient-spire:clusters"] as CommittedStack["clusters"],
        istio: config["ambient-spire:istio"] as CommittedStack["istio"],
    };
}
