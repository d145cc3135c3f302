/** The plan document: what `pulumi up` would register, as `plan --json` prints it. */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface PlannedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** The cluster whose provider the resource uses; null for cluster-free resources. */
    readonly cluster: string | null;
    /** The URN of the provider given to the resource; null when it uses the default (none here: disabled). */
    readonly provider: string | null;
    /** The parent's URN; null when the parent is the stack itself. */
    readonly parent: string | null;
    /** Explicit and input-derived dependencies, sorted. */
    readonly dependsOn: string[];
    /** Inputs as the provider would receive them; secrets as "[secret]", provider-computed values as "[unknown]" (a secret map keeps its keys, each value masked). */
    readonly inputs: JsonValue;
    /**
     * Set for a resource registered with an id (a read): the engine manages nothing here but reads the live
     * object with that id on every preview and up ("[unknown]" while the object is yet to be created, when a
     * preview skips the read). Absent for every managed resource.
     */
    readonly read?: { readonly id: JsonValue };
    /**
     * Set for a resource registered with the `import` option (ambient-spire:adopt): the engine takes over the live
     * object with this id instead of creating it, then updates whatever differs from the inputs. Absent otherwise.
     */
    readonly import?: { readonly id: string };
    /**
     * Earlier URNs of this resource (its own or an ancestor's type alias): the engine takes a resource deployed
     * under one of them for this one, so a diff does too. Absent when there are none.
     */
    readonly aliases?: readonly string[];
    readonly options: {
        readonly protect: boolean;
        readonly retainOnDelete: boolean;
        /** The engine replaces the resource when this changes (intermediate CA rotation). */
        readonly replacementTrigger: JsonValue;
    };
}

export interface Plan {
    readonly project: string;
    readonly stack: string;
    readonly resources: PlannedResource[];
}

export const secretMarker = "[secret]";
export const unknownMarker = "[unknown]";

/** Resource types that are Pulumi components (no provider CRUD of their own). */
export function isComponentType(type: string): boolean {
    return type.startsWith("ambient-spire:");
}
