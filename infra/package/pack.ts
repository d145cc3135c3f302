// `npm run package`: the plugin a program in any language installs, as one archive —
//   pulumi plugin install resource ambient-spire <version> --file .package/pulumi-resource-ambient-spire-v<version>.tar.gz
// It holds the launcher, the compiled components and provider, the schema, and the production dependencies
// (installed from the lock file). Node.js 20 or newer runs it on the user's machine.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const projectDir = path.resolve(__dirname, "..", "..");

export interface PluginArchive {
    readonly version: string;
    readonly file: string;
}

export function packPlugin(outDir: string = path.join(projectDir, ".package")): PluginArchive {
    const { version } = JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")) as { version: string };
    const stage = path.join(outDir, "stage");
    fs.rmSync(stage, { recursive: true, force: true });
    fs.mkdirSync(stage, { recursive: true });
    const run = (command: string, args: string[], cwd: string) => execFileSync(command, args, { cwd, stdio: ["ignore", "inherit", "inherit"] });
    run(process.execPath, [path.join(projectDir, "node_modules", "typescript", "bin", "tsc"), "-p", path.join(projectDir, "tsconfig.package.json"), "--outDir", path.join(stage, "dist")], projectDir);
    fs.mkdirSync(path.join(stage, "dist", "package"), { recursive: true });
    fs.copyFileSync(path.join(projectDir, "package", "schema.json"), path.join(stage, "dist", "package", "schema.json"));
    fs.copyFileSync(path.join(projectDir, "package", "pulumi-resource-ambient-spire"), path.join(stage, "pulumi-resource-ambient-spire"));
    fs.chmodSync(path.join(stage, "pulumi-resource-ambient-spire"), 0o755);
    for (const file of ["package.json", "package-lock.json"]) fs.copyFileSync(path.join(projectDir, file), path.join(stage, file));
    run("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"], stage);
    const file = path.join(outDir, `pulumi-resource-ambient-spire-v${version}.tar.gz`);
    run("tar", ["-czf", file, "-C", stage, "."], stage);
    return { version, file };
}

if (require.main === module) {
    const archive = packPlugin();
    process.stdout.write(`${path.relative(projectDir, archive.file)}\n`);
}
