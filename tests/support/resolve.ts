import * as pulumi from "@pulumi/pulumi";

/** Resolves every Output inside a value, as `pulumi stack output --show-secrets` would show it (updates only: a preview's unknowns never resolve). */
export async function resolved(value: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) return resolved(await new Promise((resolve) => (value as pulumi.Output<unknown>).apply(resolve)));
    if (Array.isArray(value)) return Promise.all(value.map(resolved));
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolved(v)] as const)));
    }
    return value;
}
