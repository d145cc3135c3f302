import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/** Configuration as the Pulumi CLI would hand it to the program, read from the project's files instead. */
export interface StackConfig {
    readonly project: string;
    readonly stack: string;
    /** `namespace:key` to text (objects and lists as JSON), as `pulumi.runtime.allConfig()` returns them. */
    readonly config: Record<string, string>;
    /** Keys whose value is, or contains, a `secure:` value. */
    readonly secretKeys: string[];
    /** What the plan stood in for, to say on stderr (the licence of a stack file that leaves it out). */
    readonly notes: string[];
    /** Where Pulumi runs the program and its providers: the directory of `main` (relative paths resolve there). */
    readonly programDir: string;
}

export class StackFileError extends Error {}

/**
 * The plan never decrypts: each `secure:` value becomes this placeholder, which the program treats as an
 * opaque secret (so it prints as "[secret]").
 */
export const securePlaceholder = "offline-plan-placeholder";

export function readStackConfig(projectDir: string, stack: string): StackConfig {
    const projectFile = path.join(projectDir, "Pulumi.yaml");
    const project = readYaml(projectFile) as { name?: unknown; main?: unknown; config?: Record<string, unknown> } | null;
    if (!project || typeof project.name !== "string") throw new StackFileError(`${projectFile}: no project name`);
    const stackFile = path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        throw new StackFileError(`${stackFile} does not exist. Fix: name an existing stack (${listStacks(projectDir).join(", ") || "none found"})`);
    }
    const stackDoc = (readYaml(stackFile) ?? {}) as { config?: unknown };
    const stackValues = stackDoc.config ?? {};
    if (typeof stackValues !== "object" || Array.isArray(stackValues)) {
        throw new StackFileError(`${stackFile}: 'config' must be a map of settings`);
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    // Project-level defaults first; the stack file overrides them, as in the CLI.
    for (const [key, declaration] of Object.entries(project.config ?? {})) {
        const full = key.includes(":") ? key : `${project.name}:${key}`;
        const value = declaredDefault(declaration);
        if (value !== undefined) config[full] = encode(value).text;
    }
    for (const [key, value] of Object.entries(stackValues as Record<string, unknown>)) {
        const full = key.includes(":") ? key : `${project.name}:${key}`;
        const encoded = encode(value);
        config[full] = encoded.text;
        if (encoded.secret) secretKeys.push(full);
    }
    const notes: string[] = [];
    // Stack files leave the licence out (it is set encrypted per stack); the plan never reads its value.
    const licence = `${project.name}:soloLicenseKey`;
    if (config[licence] === undefined && config[`${project.name}:signFor`] === undefined) {
        config[licence] = securePlaceholder;
        secretKeys.push(licence);
        notes.push(`${licence} is not set in ${path.basename(stackFile)}; the plan stands in a secret placeholder (pulumi preview and up require it: pulumi config set --secret ${licence} <key>)`);
    }
    const main = typeof project.main === "string" ? project.main : ".";
    const programDir = path.resolve(projectDir, /\.[cm]?[jt]s$/.test(main) ? path.dirname(main) : main);
    return { project: project.name, stack, config, secretKeys: secretKeys.sort(), notes, programDir };
}

function declaredDefault(declaration: unknown): unknown {
    if (declaration !== null && typeof declaration === "object" && !Array.isArray(declaration)) {
        const record = declaration as Record<string, unknown>;
        return "value" in record ? record.value : record.default;
    }
    return declaration;
}

function encode(value: unknown): { text: string; secret: boolean } {
    let secret = false;
    const replaceSecure = (v: unknown): unknown => {
        if (Array.isArray(v)) return v.map(replaceSecure);
        if (v !== null && typeof v === "object") {
            const record = v as Record<string, unknown>;
            if (Object.keys(record).length === 1 && typeof record.secure === "string") {
                secret = true;
                return securePlaceholder;
            }
            return Object.fromEntries(Object.entries(record).map(([k, inner]) => [k, replaceSecure(inner)]));
        }
        return v;
    };
    const plain = replaceSecure(value);
    return { text: typeof plain === "string" ? plain : JSON.stringify(plain), secret };
}

function readYaml(file: string): unknown {
    try {
        return parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new StackFileError(`${file}: ${(error as Error).message.split("\n")[0]}`);
    }
}

/** The stack names of the `Pulumi.<stack>.yaml` files beside `Pulumi.yaml`, sorted. */
export function listStacks(projectDir: string): string[] {
    return fs
        .readdirSync(projectDir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}
