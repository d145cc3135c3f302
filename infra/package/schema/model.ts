/** The parts of Pulumi's package schema (pulumi.com/docs/iac/extending-pulumi/schema) this package uses. */

export type TypeSpec = (
    | { readonly type: "string" | "integer" | "boolean" }
    | { readonly type: "array"; readonly items: TypeSpec }
    | { readonly type: "object"; readonly additionalProperties: TypeSpec }
    | { readonly $ref: string }
) & {
    /** Not an eventual value: known when the component is constructed. */
    readonly plain?: boolean;
};

export type PropertySpec = TypeSpec & {
    readonly description?: string;
    readonly secret?: boolean;
};

export interface ObjectTypeSpec {
    readonly type: "object";
    readonly description?: string;
    readonly properties: Readonly<Record<string, PropertySpec>>;
    readonly required?: readonly string[];
}

export interface ResourceSpec {
    readonly isComponent: true;
    readonly description: string;
    readonly inputProperties: Readonly<Record<string, PropertySpec>>;
    readonly requiredInputs: readonly string[];
    readonly properties: Readonly<Record<string, PropertySpec>>;
    readonly required: readonly string[];
}

export interface PackageSchema {
    readonly name: string;
    readonly displayName: string;
    readonly version: string;
    readonly description: string;
    readonly keywords: readonly string[];
    readonly publisher: string;
    readonly language: { readonly csharp: Readonly<Record<string, unknown>> };
    readonly types: Readonly<Record<string, ObjectTypeSpec>>;
    readonly resources: Readonly<Record<string, ResourceSpec>>;
}
