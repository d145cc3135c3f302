// The benchmark's floor: what the Pulumi SDK and the recorder cost for the program's shape with none of its logic.
import * as pulumi from "@pulumi/pulumi";
import { isComponentType, Plan } from "../plan/model";

/** One registration of a plan, reduced to what the SDK's cost depends on: its kind, its name and its parent. */
export interface SkeletonEntry {
    readonly type: string;
    readonly name: string;
    readonly component: boolean;
    /** Index of the parent in the skeleton (always an earlier entry); null for a child of the stack. */
    readonly parent: number | null;
}

export type Skeleton = readonly SkeletonEntry[];

/** The plan's resources in registration order, each pointing at its parent's position. */
export function skeletonOf(plan: Plan): Skeleton {
    const indexOf = new Map<string, number>();
    return plan.resources.map((r, index) => {
        const parent = r.parent === null ? null : indexOf.get(r.parent);
        // A component registers before its children, so a parent is always already placed.
        if (parent === undefined) throw new Error(`${r.urn}: parent ${r.parent} is not registered before it`);
        indexOf.set(r.urn, index);
        return { type: r.type, name: r.name, component: isComponentType(r.type), parent };
    });
}

/** Small, fixed inputs for every bare resource: nothing computed, nothing secret, no Output. */
const staticInputs = { floor: "static" };

/** `CustomResource` is abstract in the SDK's types; generated resource classes subclass it just as thinly. */
class BareResource extends pulumi.CustomResource {
    constructor(type: string, name: string, opts: pulumi.CustomResourceOptions) {
        super(type, name, staticInputs, opts);
    }
}

/** A component that, as each of the program's does, ends by registering its outputs (none here). */
class BareComponent extends pulumi.ComponentResource {
    constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
        this.registerOutputs({});
    }
}

/**
 * A program that registers the skeleton as bare SDK resources: a `CustomResource` of the same type and name
 * with `staticInputs`, a `ComponentResource` (which registers empty outputs, as the program's components
 * register theirs) nesting exactly the same children. No providers, no dependencies, no values flowing
 * between resources: whatever this costs per resource, the program cannot cost less.
 */
export function floorProgram(skeleton: Skeleton): () => void {
    return () => {
        const made: pulumi.Resource[] = [];
        for (const entry of skeleton) {
            const opts: pulumi.ResourceOptions = entry.parent === null ? {} : { parent: made[entry.parent] };
            made.push(entry.component ? new BareComponent(entry.type, entry.name, opts) : new BareResource(entry.type, entry.name, opts));
        }
    };
}
