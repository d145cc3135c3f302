import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { projectDir } from "./tools";

/**
 * How `pulumi preview` starts the program: ts-node type-checking the program on every run (Pulumi's default),
 * ts-node transpiling only (tsconfig `noCheck`, what Pulumi then does), or precompiled (`tsc` output, `main:`
 * pointing at the JavaScript, ts-node off).
 */
export type Entry = "type-check" | "transpile-only" | "precompiled";

export const entries: readonly Entry[] = ["type-check", "transpile-only", "precompiled"];

/** The entry the project commits: precompiled when Pulumi.yaml turns TypeScript off, else as tsconfig's noCheck says. */
export function committedEntry(dir: string): Entry {
    if (/typescript:\s*false/.test(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"))) return "precompiled";
    const options = (JSON.parse(fs.readFileSync(path.join(dir, "tsconfig.json"), "utf8")) as { compilerOptions: { noCheck?: boolean } }).compilerOptions;
    return options.noCheck === true ? "transpile-only" : "type-check";
}

/**
 * The environment that makes Pulumi's ts-node check or not, whatever tsconfig says (its PULUMI_NODEJS_TRANSPILE_ONLY),
 * for the entries other than the committed one, which runs with none, as users run it.
 */
export function entryEnvironment(entry: Entry): Record<string, string> {
    return entry === "precompiled" ? {} : { PULUMI_NODEJS_TRANSPILE_ONLY: entry === "transpile-only" ? "true" : "false" };
}

/** Compiles the project copy with its own tsconfig and points Pulumi.yaml at the output. */
export function usePrecompiledEntry(dir: string): void {
    const tsc = path.join(projectDir, "node_modules", "typescript", "bin", "tsc");
    const built = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json", "--noCheck", "false"], { cwd: dir, encoding: "utf8" });
    if (built.status !== 0) throw new Error(`tsc in ${dir}: exit ${built.status}\n${built.stdout}${built.stderr}`);
    const outDir = (JSON.parse(fs.readFileSync(path.join(dir, "tsconfig.json"), "utf8")) as { compilerOptions: { outDir: string } }).compilerOptions.outDir;
    const file = path.join(dir, "Pulumi.yaml");
    const document = parseDocument(fs.readFileSync(file, "utf8"));
    const main = String(document.get("main"));
    document.set("main", path.posix.join(outDir, main.replace(/\.ts$/, ".js")));
    document.setIn(["runtime", "options", "typescript"], false);
    fs.writeFileSync(file, document.toString());
}

/** The floor's project: Pulumi.yaml, its one program file, the project's tsconfig and node_modules. */
export function writeFloorProject(dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: ambient-spire-floor\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n");
    fs.copyFileSync(path.join(__dirname, "floorProgram.ts"), path.join(dir, "index.ts"));
    const tsconfig = JSON.parse(fs.readFileSync(path.join(projectDir, "tsconfig.json"), "utf8")) as Record<string, unknown>;
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ ...tsconfig, include: ["index.ts"] }, null, 2));
    fs.symlinkSync(path.join(projectDir, "node_modules"), path.join(dir, "node_modules"));
}
