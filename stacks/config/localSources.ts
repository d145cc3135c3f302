import * as fs from "fs";
import * as path from "path";
import { ConfigError, settingName } from "./errors";
import { MeshSources } from "./load";

/**
 * A chart directory or CRD file named in `sources` must exist: otherwise the run would fail half-way, in the
 * provider, after other resources were created. Paths are relative to the project directory, where Pulumi runs
 * the program and its providers.
 */
export function checkLocalSources(sources: MeshSources, projectDir: string = process.cwd()): void {
    for (const [chart, source] of Object.entries(sources.charts)) {
        if (source === undefined || !("directory" in source)) continue;
        requireExisting(["sources", "charts", chart], source.directory, projectDir, "a chart directory (with Chart.yaml) or a packaged chart (.tgz)");
    }
    const crds = sources.gatewayApiCrds;
    if (crds !== undefined && !/^[a-z][a-z0-9+.-]*:\/\//.test(crds)) {
        requireExisting(["sources", "gatewayApiCrds"], crds, projectDir, "a URL (https://…) or the path of the Gateway API standard-install YAML");
    }
}

function requireExisting(settingPath: string[], given: string, projectDir: string, expected: string): void {
    const resolved = path.resolve(projectDir, given);
    if (fs.existsSync(resolved)) return;
    throw new ConfigError(settingName(settingPath), `${JSON.stringify(given)} does not exist (looked for ${resolved})`, `give ${expected}, relative to the project directory`);
}
