import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { parseDocument } from "yaml";
import { packPlugin } from "../../../infra/package/pack";
import { cliEnvironment } from "./project";
import { projectDir, Toolchain, toolsBin, toolsDir } from "./tools";

/**
 * A program of another language that consumes the `ambient-spire` component package, run by the real CLI: the
 * plugin is packed (`npm run package`) and installed into a PULUMI_HOME of the suite's own with
 * `pulumi plugin install --file`, as a user installs it; each example is copied to a temp directory so that
 * edits and `config set` never touch the work tree.
 */
export interface ConsumerHome {
    readonly env: Readonly<Record<string, string>>;
    /** What `pulumi plugin ls` printed after the install. */
    readonly plugins: string;
    open(example: string, name: string): Promise<ConsumerProject>;
}

export interface ConsumerProject {
    readonly dir: string;
    readonly stack: Stack;
    /** `pulumi stack export` as a user runs it (the automation API's export adds --show-secrets). */
    exportState(): { deployment: { resources?: { urn: string }[] } };
    /** Edits the program's Pulumi.yaml as a user would: `path` into the document, undefined removes. */
    edit(pathInProgram: readonly (string | number)[], value: unknown): void;
}

export async function openConsumerHome(root: string, toolchain: Toolchain, kubeconfig: string): Promise<ConsumerHome> {
    const env = cliEnvironment(root, "consumer-", toolchain, kubeconfig);
    const archive = packPlugin(path.join(root, "plugin"));
    const pulumi = (args: string[]) => execFileSync(path.join(toolsBin, "pulumi"), args, { env: { ...process.env, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 });
    pulumi(["plugin", "install", "resource", "ambient-spire", archive.version, "--file", archive.file]);
    const plugins = pulumi(["plugin", "ls"]);
    const command = await PulumiCommand.get({ root: toolsDir, skipVersionCheck: true });
    return {
        env,
        plugins,
        async open(example, name) {
            const dir = path.join(root, "consumers", name);
            fs.cpSync(path.join(projectDir, "examples", example), dir, { recursive: true });
            const workspace = await LocalWorkspace.create({ workDir: dir, pulumiHome: env.PULUMI_HOME, envVars: env, pulumiCommand: command });
            const stack = await Stack.createOrSelect(name, workspace);
            return {
                dir,
                stack,
                exportState: () => JSON.parse(pulumi(["stack", "export", "--stack", name, "--cwd", dir])) as { deployment: { resources?: { urn: string }[] } },
                edit(pathInProgram, value) {
                    const file = path.join(dir, "Pulumi.yaml");
                    const document = parseDocument(fs.readFileSync(file, "utf8"));
                    if (value === undefined) document.deleteIn(pathInProgram);
                    else document.setIn(pathInProgram, value);
                    fs.writeFileSync(file, document.toString());
                },
            };
        },
    };
}
