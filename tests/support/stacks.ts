import { program } from "../../stacks";
import { Plan, PlannedResource } from "../../infra/plan/model";
import { ComputedOutputs, recordPlan, Recording } from "../../infra/plan/recorder";

/** A stack file's `config:` block, as a test writes it (values as YAML would parse them). */
export type StackSettings = Record<string, unknown>;

export const licenceForTests = "LICENCE-9f2c-DO-NOT-LEAK";

/** N clusters named cluster1..clusterN, each with its own context, as the multicluster guide. */
export function clusters(count: number): { name: string; context: string }[] {
    return Array.from({ length: count }, (_, i) => ({ name: `cluster${i + 1}`, context: `kind-cluster${i + 1}` }));
}

export function settings(overrides: StackSettings = {}, clusterCount = 1): StackSettings {
    return {
        "ambient-spire:clusters": clusters(clusterCount),
        "ambient-spire:istio": { version: "1.27.8", repoKey: "abcdef012345" },
        "ambient-spire:soloLicenseKey": licenceForTests,
        ...overrides,
    };
}

/** Encodes settings as the Pulumi CLI passes them: objects as JSON text; undefined removes a key. */
export function asConfig(values: StackSettings): Record<string, string> {
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) {
        if (value === undefined) continue;
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return config;
}

export async function record(
    values: StackSettings,
    options: { preview?: boolean; computed?: ComputedOutputs; stack?: string; stackOutputs?: Record<string, Record<string, unknown>>; secretKeys?: readonly string[] } = {},
): Promise<Recording> {
    return recordPlan(program, {
        project: "ambient-spire",
        stack: options.stack ?? "test",
        config: asConfig(values),
        secretKeys: ["ambient-spire:soloLicenseKey", ...(options.secretKeys ?? [])],
        ...(options.preview !== undefined ? { preview: options.preview } : {}),
        ...(options.computed ? { computed: options.computed } : {}),
        ...(options.stackOutputs ? { stackOutputs: options.stackOutputs } : {}),
    });
}

export async function plan(values: StackSettings): Promise<Plan> {
    return (await record(values)).plan;
}

export function named(p: Plan, name: string): PlannedResource {
    const found = p.resources.find((r) => r.name === name);
    if (!found) throw new Error(`no resource named ${name}; have ${p.resources.map((r) => r.name).join(", ")}`);
    return found;
}

/** Reads a path such as ["values", "global", "hub"] out of a resource's inputs. */
export function input(r: PlannedResource, ...path: (string | number)[]): unknown {
    let value: unknown = r.inputs;
    for (const key of path) {
        if (value === null || typeof value !== "object") return undefined;
        value = (value as Record<string | number, unknown>)[key];
    }
    return value;
}

export function ofType(p: Plan, suffix: string): PlannedResource[] {
    return p.resources.filter((r) => r.type.endsWith(suffix));
}
