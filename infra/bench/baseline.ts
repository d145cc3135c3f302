import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * `--baseline <rev>` of both benches: the program as an earlier commit had it, measured in the same run as the
 * current one, so that a before/after comparison is made under one machine state and not read off two runs days
 * apart (this machine's speed varies between sessions, and with it every absolute figure).
 */
export interface Baseline {
    /** The full commit id the revision resolved to. */
    readonly commit: string;
    /** Short id and subject, for tables: "6963a43 docs/e2e.md: …". */
    readonly label: string;
}

const projectDir = path.resolve(__dirname, "..", "..");

/** What a copy of the project needs of a commit to run its program and its bench cases, as far as it has them. */
const programPaths = ["Pulumi.yaml", "package.json", "tsconfig.json", "infra", "stacks", "components"];

function git(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync("git", args, { cwd: projectDir, encoding: "utf8", maxBuffer: 1 << 28 });
    return { status: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
}

/** A `--baseline` that cannot be measured: the runners print its message alone, without a stack. */
export class BaselineError extends Error {}

type Manifest = { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };

/**
 * The packages two package.json files pin differently, as "name: a → b" lines. The baseline runs on this checkout's
 * node_modules, so a baseline that pins other versions would measure packages it never ran with.
 */
export function dependencyDifferences(baseline: Manifest, current: Manifest): string[] {
    const pins = (m: Manifest) => ({ ...m.dependencies, ...m.devDependencies });
    const [before, now] = [pins(baseline), pins(current)];
    return [...new Set([...Object.keys(before), ...Object.keys(now)])]
        .sort()
        .filter((name) => before[name] !== now[name])
        .map((name) => `${name}: ${before[name] ?? "absent"} → ${now[name] ?? "absent"}`);
}

/** The short commit id a label starts with: how charts and progress lines name the baseline. */
export function baselineId(label: string): string {
    return label.split(" ")[0]!;
}

/** Resolves `revision` in this repository and checks that it can run on this checkout's node_modules. */
export function resolveBaseline(revision: string): Baseline {
    const resolved = git(["rev-parse", "--verify", "--quiet", `${revision}^{commit}`]);
    const commit = resolved.stdout.trim();
    if (resolved.status !== 0 || !/^[0-9a-f]{40}$/.test(commit)) {
        throw new BaselineError(`--baseline ${JSON.stringify(revision)}: not a commit of this repository. Give a commit id, tag or branch that \`git rev-parse\` resolves (e.g. --baseline adaaca7^).`);
    }
    const manifest = git(["show", `${commit}:package.json`]);
    if (manifest.status !== 0) throw new BaselineError(`--baseline ${revision}: commit ${commit.slice(0, 7)} has no package.json`);
    const differences = dependencyDifferences(JSON.parse(manifest.stdout) as Manifest, JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")) as Manifest);
    if (differences.length > 0) {
        throw new BaselineError(`--baseline ${revision}: commit ${commit.slice(0, 7)} pins other packages than this checkout's node_modules holds (${differences.join("; ")}). ` +
            "Pick a commit with the same package.json pins.");
    }
    const subject = git(["log", "-1", "--format=%s", commit]).stdout.trim();
    return { commit, label: `${commit.slice(0, 7)} ${subject.length > 60 ? `${subject.slice(0, 59)}…` : subject}` };
}

/** Writes the baseline's program into `dir` and links this checkout's node_modules into it. */
export function exportBaseline(baseline: Baseline, dir: string): void {
    const present = new Set(git(["ls-tree", "--name-only", baseline.commit]).stdout.split("\n"));
    const paths = programPaths.filter((p) => present.has(p));
    fs.mkdirSync(dir, { recursive: true });
    const archive = spawnSync("git", ["archive", "--format=tar", baseline.commit, "--", ...paths], { cwd: projectDir, maxBuffer: 1 << 28 });
    if (archive.status !== 0) throw new Error(`git archive ${baseline.commit.slice(0, 7)}: exit ${archive.status}\n${archive.stderr.toString()}`);
    const untar = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`tar -x into ${dir}: exit ${untar.status}\n${untar.stderr.toString()}`);
    fs.symlinkSync(path.join(projectDir, "node_modules"), path.join(dir, "node_modules"));
}
