import { Plan } from "../../infra/plan/model";
import { ComputedOutputs, recordPlan, Recording } from "../../infra/plan/recorder";
import { Mesh, MeshArgs } from "../../stacks";

/**
 * The Mesh component alone, on the mock engine, as a program in another language declares it; the program's
 * outputs are the Mesh's. A preview unless `computed` is given (then an update with those provider outputs).
 */
export async function meshRecording(name: string, args: MeshArgs, computed?: ComputedOutputs): Promise<Recording> {
    return recordPlan(
        () => {
            const mesh = new Mesh(name, args);
            return {
                rootCaCertPem: mesh.rootCaCertPem,
                clusters: mesh.clusters,
                ...(mesh.certificateRequests ? { certificateRequests: mesh.certificateRequests } : {}),
                ...(mesh.awaitingSignature ? { awaitingSignature: mesh.awaitingSignature } : {}),
            };
        },
        { project: "consumer", stack: "test", config: {}, secretKeys: [], ...(computed ? { preview: false, computed } : {}) },
    );
}

/** A resource's name as the stack program names it: without the Mesh's prefix. */
export function unprefixed(name: string, prefix: string): string {
    return name.startsWith(prefix) ? name.slice(prefix.length) : `(unprefixed) ${name}`;
}

/** Resources by (type, name without the Mesh's prefix), with their inputs and options; the Mesh itself left out. */
export function byIdentity(p: Plan, prefix: string): Map<string, unknown> {
    return new Map(p.resources.filter((r) => r.type !== "ambient-spire:index:Mesh").map((r) => [`${r.type}::${unprefixed(r.name, prefix)}`, { inputs: r.inputs, options: r.options }]));
}
