import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../stacks";
import { ObjectTypeSpec, ResourceSpec, TypeSpec } from "./schema/model";

/**
 * Turns the inputs the engine hands a `construct` call back into a component's TypeScript args, guided by the
 * schema. The engine wraps a whole top-level input into one Output as soon as any part of it is secret or comes
 * from another resource (a `remote` whose `address` is a gateway's output, `clusters` with one secret
 * kubeconfig). The components read `plain` members directly, so those are taken out known; members that may be
 * eventual are handed on as Outputs of their own that keep the input's secretness and dependencies, and stay
 * unknown in a preview where they are.
 */
export async function argumentsOf(
    component: string,
    inputs: Readonly<Record<string, unknown>>,
    resource: ResourceSpec,
    types: Readonly<Record<string, ObjectTypeSpec>>,
): Promise<Record<string, unknown>> {
    const args: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(resource.inputProperties)) {
        const value = inputs[name];
        if (value === undefined || value === null) {
            if (resource.requiredInputs.includes(name)) {
                throw new ConfigError(`${component}.${name}`, "is not set", `give it: ${spec.description ?? name}`);
            }
            continue;
        }
        if (isProviderReference(spec)) {
            if (!pulumi.ProviderResource.isInstance(value)) {
                throw new ConfigError(`${component}.${name}`, "is not a Kubernetes provider", "pass a kubernetes Provider resource");
            }
            args[name] = value;
            continue;
        }
        const lifted = await lift(value);
        args[name] = new Rebuild(component, lifted, types).value(lifted.raw, spec, [name]);
    }
    return args;
}

function isProviderReference(spec: TypeSpec): boolean {
    return "$ref" in spec && spec.$ref.startsWith("/kubernetes/");
}

/** The parts of an Output the SDK keeps internal; its own provider server builds Outputs the same way. */
interface OutputInternals {
    readonly isSecret: Promise<boolean>;
    resources(): Set<pulumi.Resource>;
    allResources(): Promise<Set<pulumi.Resource>>;
    /** With `true`, unknown parts read as the SDK's unknown marker instead of the whole value as undefined. */
    promise(withUnknowns: boolean): Promise<unknown>;
}
type OutputImplementation = new (
    resources: Set<pulumi.Resource>,
    promise: Promise<unknown>,
    isKnown: Promise<boolean>,
    isSecret: Promise<boolean>,
    allResources: Promise<Set<pulumi.Resource>>,
) => pulumi.Output<unknown>;

interface Lifted {
    /** The whole input, with unknown markers where parts are unknown. */
    readonly raw: unknown;
    readonly secret: boolean;
    readonly resources: Set<pulumi.Resource>;
    readonly allResources: Promise<Set<pulumi.Resource>>;
}

async function lift(value: unknown): Promise<Lifted> {
    const output = pulumi.output(value) as unknown as OutputInternals;
    return { raw: await output.promise(true), secret: await output.isSecret, resources: output.resources(), allResources: output.allResources() };
}

class Rebuild {
    constructor(
        private readonly component: string,
        private readonly input: Lifted,
        private readonly types: Readonly<Record<string, ObjectTypeSpec>>,
    ) {}

    value(raw: unknown, spec: TypeSpec, path: readonly (string | number)[]): unknown {
        if (raw === undefined || raw === null) return undefined;
        if (!spec.plain) return this.eventual(raw);
        if ("$ref" in spec) return this.object(raw, this.typeOf(spec.$ref), path);
        if (spec.type === "array") {
            if (!Array.isArray(raw)) return this.known(raw, path);
            return raw.map((item, index) => this.value(item, spec.items, [...path, index]));
        }
        if (spec.type === "object") {
            if (typeof raw !== "object") return this.known(raw, path);
            return Object.fromEntries(Object.entries(raw).map(([key, item]) => [key, this.value(item, spec.additionalProperties, [...path, key])]));
        }
        return this.known(raw, path);
    }

    private object(raw: unknown, type: ObjectTypeSpec, path: readonly (string | number)[]): unknown {
        if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return this.known(raw, path);
        const members = raw as Record<string, unknown>;
        const built: Record<string, unknown> = {};
        for (const [name, spec] of Object.entries(type.properties)) {
            const member = this.value(members[name], spec, [...path, name]);
            if (member !== undefined) built[name] = member;
        }
        return built;
    }

    /** A plain value: the component reads it as it is, so it must be known now. */
    private known(raw: unknown, path: readonly (string | number)[]): unknown {
        if (pulumi.containsUnknowns(raw)) {
            throw new ConfigError(
                `${this.component}.${path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("").slice(1)}`,
                "is not known yet (it comes from another resource's output)",
                "give a value known before the update: a literal, or a configuration value",
            );
        }
        return raw;
    }

    /** A value that may be eventual: an Output of its own with the input's secretness and dependencies. */
    private eventual(raw: unknown): pulumi.Output<unknown> {
        const Output = pulumi.Output as unknown as OutputImplementation;
        return new Output(this.input.resources, Promise.resolve(raw), Promise.resolve(true), Promise.resolve(this.input.secret), this.input.allResources);
    }

    private typeOf(ref: string): ObjectTypeSpec {
        const type = this.types[ref.replace(/^#\/types\//, "")];
        if (!type) throw new Error(`schema: ${ref} is not a type of the package`);
        return type;
    }
}

/** What a `construct` call returns as the component's outputs: each output property the schema declares. */
export function outputsOf(instance: pulumi.ComponentResource, resource: ResourceSpec): Record<string, unknown> {
    const values = instance as unknown as Record<string, unknown>;
    return Object.fromEntries(Object.keys(resource.properties).filter((name) => values[name] !== undefined).map((name) => [name, values[name]]));
}



