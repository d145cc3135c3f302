import * as fs from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parse } from "yaml";
import { Plan } from "../../../infra/plan/model";
import { E2eProject } from "./project";
import { stackOutputs, StateResource } from "./pulumiCli";
import { ownSteps } from "./steps";

/** The settings of a committed stack file that the stack-per-cluster scenario reads. */
export interface StackFile {
    readonly name: string;
    readonly signFor?: readonly string[];
    readonly pkiStack?: string;
    readonly remotePeers?: readonly { name: string; stack: string }[];
    readonly clusters?: readonly { name: string; context: string; network?: string; rotation?: number }[];
}

export function readStackFile(dir: string, name: string): StackFile {
    const file = parse(fs.readFileSync(path.join(dir, `Pulumi.${name}.yaml`), "utf8")) as { config: Record<string, unknown> };
    const config = file.config;
    return {
        name,
        ...(config["ambient-spire:signFor"] ? { signFor: config["ambient-spire:signFor"] as string[] } : {}),
        ...(config["ambient-spire:pkiStack"] ? { pkiStack: config["ambient-spire:pkiStack"] as string } : {}),
        ...(config["ambient-spire:remotePeers"] ? { remotePeers: config["ambient-spire:remotePeers"] as StackFile["remotePeers"] } : {}),
        ...(config["ambient-spire:clusters"] ? { clusters: config["ambient-spire:clusters"] as StackFile["clusters"] } : {}),
    };
}

/** Every stack name a stack file refers to (signFor, pkiStack, remotePeers). */
export function referencedStacks(file: StackFile): string[] {
    return [...(file.signFor ?? []), ...(file.pkiStack ? [file.pkiStack] : []), ...(file.remotePeers ?? []).map((p) => p.stack)];
}

/**
 * `npm run plan -- <stack> --references <file>`'s input made from the real stacks: `pulumi stack output
 * --json` of each, under its fully qualified name, as docs/multicluster.md describes the file.
 */
export async function writeReferences(project: E2eProject, stacks: readonly { name: string; qualified: string }[], file: string): Promise<Record<string, Record<string, unknown>>> {
    const references: Record<string, Record<string, unknown>> = {};
    for (const stack of stacks) references[stack.qualified] = await stackOutputs(project, stack.name);
    fs.writeFileSync(file, JSON.stringify(references, null, 2));
    return references;
}

/** State URNs of what the program registered: without the stack, default providers and provider-side children. */
export function ownStateUrns(state: readonly StateResource[]): string[] {
    return ownSteps(state.map((r) => ({ op: "same", urn: r.urn, type: r.type, inputs: undefined, diffs: [] }))).map((s) => s.urn).sort();
}

export function planUrns(plan: Plan): string[] {
    return plan.resources.map((r) => r.urn).sort();
}

/** Top-level outputs of a referenced stack whose value the StackReference in `state` holds differently from `current`. */
export function staleReferenceOutputs(state: readonly StateResource[], current: Readonly<Record<string, Record<string, unknown>>>): Record<string, string[]> {
    const stale: Record<string, string[]> = {};
    for (const reference of state.filter((r) => r.type === "pulumi:pulumi:StackReference")) {
        const name = reference.outputs?.name as string;
        const recorded = (reference.outputs?.outputs ?? {}) as Record<string, unknown>;
        const live = current[name] ?? {};
        const keys = [...new Set([...Object.keys(recorded), ...Object.keys(live)])].filter((k) => !isDeepStrictEqual(recorded[k], live[k]));
        if (keys.length > 0) stale[name] = keys.sort();
    }
    return stale;
}
