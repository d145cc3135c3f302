import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as provider from "@pulumi/pulumi/provider";
// Registers the kubernetes package, so a provider reference in a construct call becomes a k8s.Provider.
import "@pulumi/kubernetes";
import { argumentsOf, outputsOf } from "./arguments";
import { PackageComponent, packageComponents } from "./components";
import { PackageSchema } from "./schema/model";

/** package/schema.json, beside the compiled or the source tree alike (both keep the project's layout). */
export const schemaPath = path.resolve(__dirname, "..", "..", "package", "schema.json");

/**
 * The `ambient-spire` component provider: the engine calls `construct` for each component a program in any
 * language declares, and this runs the same TypeScript component the TypeScript program uses.
 */
export class ComponentProvider implements provider.Provider {
    readonly version: string;
    readonly schema: string;
    private readonly parsed: PackageSchema;

    constructor(schemaText: string, private readonly components: readonly PackageComponent[] = packageComponents) {
        this.schema = schemaText;
        this.parsed = JSON.parse(schemaText) as PackageSchema;
        this.version = this.parsed.version;
    }

    async construct(name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions): Promise<provider.ConstructResult> {
        const component = this.components.find((c) => c.token === type);
        const resource = this.parsed.resources[type];
        if (!component || !resource) throw new Error(`unknown component type ${type}; this package has ${this.components.map((c) => c.token).join(", ")}`);
        const given = { ...inputs };
        if (component.providerArg && given[component.providerArg] === undefined) given[component.providerArg] = providersOf(options)["kubernetes"];
        const args = await argumentsOf(component.className, given, resource, this.parsed.types);
        if (component.dependsOnArg) args[component.dependsOnArg] = [...dependsOnOf(options)];
        const instance = component.create(name, args as never, options);
        return { urn: instance.urn, state: outputsOf(instance, resource) };
    }
}

function dependsOnOf(options: pulumi.ComponentResourceOptions): pulumi.Input<pulumi.Resource>[] {
    const given = options.dependsOn;
    if (given === undefined) return [];
    return Array.isArray(given) ? given : [given as pulumi.Input<pulumi.Resource>];
}

function providersOf(options: pulumi.ComponentResourceOptions): Record<string, pulumi.ProviderResource> {
    const given = options.providers;
    if (!given) return {};
    if (Array.isArray(given)) return Object.fromEntries(given.map((p) => [providerPackage(p), p]));
    return given as Record<string, pulumi.ProviderResource>;
}

function providerPackage(p: pulumi.ProviderResource): string {
    return (p as unknown as { getPackage(): string }).getPackage();
}

export function readSchema(): string {
    return fs.readFileSync(schemaPath, "utf8");
}
