import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { EngineEvent, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { parseDocument } from "yaml";
import { Plan } from "../../../infra/plan/model";
import { projectDir, Toolchain, toolsDir } from "./tools";

/**
 * This project, run by the real CLI: a copy of its program and stack files in a temp directory (so `pulumi
 * config set` and `stack init` never write into the work tree), its node_modules linked, a file backend and a
 * PULUMI_HOME of its own, passphrase secrets. Stack files are copied as committed.
 */
export interface E2eProject {
    readonly dir: string;
    readonly workspace: LocalWorkspace;
    readonly env: Readonly<Record<string, string>>;
    stack(name: string): Promise<Stack>;
    /** Edits a stack file as a user would (values under `config:`; undefined removes a key). */
    editStackFile(stack: string, values: Record<string, unknown>): void;
    /**
     * `npm run plan -- <stack> --json` in the copy: the offline plan of exactly this stack file; with a
     * references file (`--references`), referenced stacks' outputs come from it.
     */
    plan(stack: string, referencesFile?: string): Plan;
}

const copied = ["Pulumi.yaml", "package.json", "tsconfig.json", "infra", "stacks", "components"];

/**
 * What the suite runs the CLI with: the built tools and plugins on PATH, the suite's kubeconfig, a file backend
 * and a PULUMI_HOME under `root` (named with `prefix`, so several homes can share a root), passphrase secrets, no
 * update checks and no plugin downloads.
 */
export function cliEnvironment(root: string, prefix: string, toolchain: Toolchain, kubeconfig: string): Record<string, string> {
    const backend = path.join(root, `${prefix}backend`);
    fs.mkdirSync(backend, { recursive: true });
    return {
        PATH: toolchain.path,
        KUBECONFIG: kubeconfig,
        PULUMI_BACKEND_URL: `file://${backend}`,
        PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_HOME: path.join(root, `${prefix}pulumi-home`),
    };
}

export async function openProject(root: string, toolchain: Toolchain, kubeconfig: string): Promise<E2eProject> {
    const dir = path.join(root, "project");
    fs.mkdirSync(dir, { recursive: true });
    for (const entry of [...copied, ...fs.readdirSync(projectDir).filter((f) => /^Pulumi\..+\.yaml$/.test(f))]) {
        fs.cpSync(path.join(projectDir, entry), path.join(dir, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(projectDir, "node_modules"), path.join(dir, "node_modules"));
    const env = cliEnvironment(root, "", toolchain, kubeconfig);
    const pulumiCommand = await PulumiCommand.get({ root: toolsDir, skipVersionCheck: true });
    const workspace = await LocalWorkspace.create({ workDir: dir, pulumiHome: env.PULUMI_HOME, envVars: env, pulumiCommand });
    const stackFile = (stack: string) => path.join(dir, `Pulumi.${stack}.yaml`);
    return {
        dir,
        workspace,
        env,
        stack: (name) => Stack.createOrSelect(name, workspace),
        editStackFile(stack, values) {
            const file = stackFile(stack);
            const document = parseDocument(fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "config: {}\n");
            for (const [key, value] of Object.entries(values)) {
                if (value === undefined) document.deleteIn(["config", key]);
                else document.setIn(["config", key], value);
            }
            fs.writeFileSync(file, document.toString());
        },
        plan(stack, referencesFile) {
            const references = referencesFile === undefined ? [] : ["--references", referencesFile];
            const result = spawnSync(process.execPath, ["--import", "tsx", path.join(dir, "infra", "plan", "cli.ts"), stack, "--json", ...references], {
                cwd: dir,
                encoding: "utf8",
                // The plan holds each cluster's Gateway API CRD specs when they come from a file: past spawnSync's 1 MiB default at N = 8.
                maxBuffer: 1 << 30,
                env: { ...process.env, AMBIENT_SPIRE_PROJECT_DIR: dir },
            });
            if (result.status !== 0) throw new Error(`npm run plan -- ${stack} --json ${references.join(" ")}: exit ${result.status}\n${result.stderr}`);
            return JSON.parse(result.stdout) as Plan;
        },
    };
}

/** One step the engine reported (a resourcePreEvent), with what a comparison needs. */
export interface Step {
    readonly op: string;
    readonly urn: string;
    readonly type: string;
    readonly inputs: Record<string, unknown> | undefined;
    readonly diffs: readonly string[];
}

export interface Run {
    readonly steps: Step[];
    readonly log: string[];
    onEvent(event: EngineEvent): void;
    onOutput(text: string): void;
}

/** Collects the engine's steps and the CLI's output of one operation. */
export function recorder(): Run {
    const steps: Step[] = [];
    const log: string[] = [];
    return {
        steps,
        log,
        onEvent(event) {
            const metadata = event.resourcePreEvent?.metadata;
            if (!metadata) return;
            steps.push({ op: metadata.op, urn: metadata.urn, type: metadata.type, inputs: metadata.new?.inputs, diffs: metadata.diffs ?? [] });
        },
        onOutput(text) {
            log.push(text);
        },
    };
}

/** URNs by operation, leaving out what an operation only looks at ("same", reads). */
export function changedUrns(steps: readonly Step[]): Record<string, string[]> {
    const byOp: Record<string, string[]> = {};
    for (const step of steps) {
        if (step.op === "same" || step.op === "read") continue;
        (byOp[step.op] ??= []).push(step.urn);
    }
    for (const list of Object.values(byOp)) list.sort();
    return byOp;
}
