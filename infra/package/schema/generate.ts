import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { PackageComponent } from "../components";
import { ObjectTypeSpec, PackageSchema, PropertySpec, ResourceSpec, TypeSpec } from "./model";

/**
 * Writes the package schema from the components' TypeScript: each args interface gives a resource's inputs
 * (name, type, whether required, its doc comment with the default it states), each public readonly property of
 * the class an output. So what a C# or YAML user reads is the TypeScript doc, and a changed argument changes the
 * schema (a test compares it with the committed one).
 *
 * Rules, each of which a component author relies on:
 * - `pulumi.Input<T>` may be an eventual value; every other argument is `plain` (it shapes what is built, so it
 *   must be known when the component is constructed).
 * - A doc comment that says "Pulumi secret" marks the property secret.
 * - Every number these components take is a whole number (days, bits, path lengths, rotations): `integer`.
 * - A union of object types (`{ issuer } | { signedElsewhere }`) becomes one object whose members are all
 *   optional; the component itself checks that exactly one is given.
 * - A Kubernetes provider is a reference to the kubernetes package's provider; an argument holding resources to
 *   wait for must be the component's `dependsOnArg` (other languages give them as the `dependsOn` option).
 */
export function generateSchema(components: readonly PackageComponent[], projectDir: string): PackageSchema {
    const files = components.map((c) => path.join(projectDir, c.file));
    const program = ts.createProgram(files, { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, skipLibCheck: true, esModuleInterop: true });
    const writer = new SchemaWriter(program.getTypeChecker(), projectDir, kubernetesVersion(projectDir));
    const resources: Record<string, ResourceSpec> = {};
    for (const component of components) {
        const source = program.getSourceFile(path.join(projectDir, component.file));
        if (!source) throw new Error(`${component.file}: not found`);
        resources[component.token] = writer.resource(component, source);
    }
    return {
        name: "ambient-spire",
        displayName: "ambient-spire",
        version: packageVersion(projectDir),
        description: "A SPIRE-attested Istio ambient mesh (Solo distribution) on one cluster or N peered clusters, as Pulumi components.",
        keywords: ["pulumi", "kubernetes", "istio", "ambient", "spire", "spiffe", "category/infrastructure", "kind/component"],
        publisher: "ambient-spire",
        language: {
            csharp: {
                rootNamespace: "Pulumi",
                packageReferences: { Pulumi: "3.*", "Pulumi.Kubernetes": "4.*", "Pulumi.Tls": "5.*" },
                namespaces: { "ambient-spire": "AmbientSpire", index: "AmbientSpire", pki: "Pki", spire: "Spire", istio: "Istio", multicluster: "Multicluster", helm: "Helm" },
                respectSchemaVersion: true,
            },
        },
        types: writer.sortedTypes(),
        resources,
    };
}

function kubernetesVersion(projectDir: string): string {
    return (JSON.parse(fs.readFileSync(path.join(projectDir, "node_modules", "@pulumi", "kubernetes", "package.json"), "utf8")) as { version: string }).version;
}

function packageVersion(projectDir: string): string {
    return (JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")) as { version: string }).version;
}

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);
const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

/** What a TypeScript type becomes: a schema type, a Kubernetes provider, or resources (not a schema type). */
type Mapped = { readonly kind: "type"; readonly spec: TypeSpec; readonly input: boolean } | { readonly kind: "resources" };

class SchemaWriter {
    private readonly types = new Map<string, ObjectTypeSpec>();

    constructor(
        private readonly checker: ts.TypeChecker,
        private readonly projectDir: string,
        private readonly kubernetesVersion: string,
    ) {}

    sortedTypes(): Record<string, ObjectTypeSpec> {
        return Object.fromEntries([...this.types.entries()].sort(([a], [b]) => a.localeCompare(b)));
    }

    resource(component: PackageComponent, source: ts.SourceFile): ResourceSpec {
        const args = findDeclaration(source, component.argsInterface, ts.isInterfaceDeclaration);
        const cls = findDeclaration(source, component.className, ts.isClassDeclaration);
        const inputs = this.members(args, stripArgs(component.argsInterface), "input", component);
        const outputs: Record<string, PropertySpec> = {};
        const required: string[] = [];
        for (const member of cls.members) {
            if (!ts.isPropertyDeclaration(member) || !member.type || !isPublicReadonly(member)) continue;
            const name = member.name.getText();
            const mapped = this.map(member.type, `${component.className}${pascal(name)}`);
            if (mapped.kind === "resources") continue; // a resource to wait for: dependsOn the component instead
            outputs[name] = this.property(mapped, this.checker.getSymbolAtLocation(member.name), false);
            const optional = member.questionToken !== undefined || containsUndefined(member.type);
            if (!optional) required.push(name);
        }
        return {
            isComponent: true,
            description: docOf(this.checker, this.checker.getSymbolAtLocation(cls.name ?? cls)),
            inputProperties: inputs.properties,
            requiredInputs: inputs.required,
            properties: outputs,
            required,
        };
    }

    /** The members of an interface or type literal, as schema properties. */
    private members(
        node: ts.InterfaceDeclaration | ts.TypeLiteralNode,
        owner: string,
        use: "input" | "object",
        component?: PackageComponent,
    ): { properties: Record<string, PropertySpec>; required: string[] } {
        const properties: Record<string, PropertySpec> = {};
        const required: string[] = [];
        for (const member of node.members) {
            if (!ts.isPropertySignature(member) || !member.type) continue;
            const name = member.name.getText();
            const mapped = this.map(member.type, `${owner}${pascal(name)}`);
            if (mapped.kind === "resources") {
                if (use === "input" && component?.dependsOnArg === name) continue;
                throw new Error(`${owner}.${name}: resources are no schema type; make it the component's dependsOnArg`);
            }
            properties[name] = this.property(mapped, this.checker.getSymbolAtLocation(member.name), true);
            if (!member.questionToken) required.push(name);
        }
        return { properties, required };
    }

    private property(mapped: Extract<Mapped, { kind: "type" }>, symbol: ts.Symbol | undefined, isInput: boolean): PropertySpec {
        const description = docOf(this.checker, symbol);
        return {
            ...mapped.spec,
            ...(description ? { description } : {}),
            ...(/Pulumi secret/.test(description) ? { secret: true } : {}),
            ...(isInput && !mapped.input && !("$ref" in mapped.spec && (mapped.spec.$ref.startsWith("/") || mapped.spec.$ref.startsWith("pulumi.json#"))) ? { plain: true } : {}),
        };
    }

    private map(node: ts.TypeNode, nameHint: string): Mapped {
        const plainType = (spec: TypeSpec): Mapped => ({ kind: "type", spec, input: false });
        switch (node.kind) {
            case ts.SyntaxKind.StringKeyword:
                return plainType({ type: "string" });
            case ts.SyntaxKind.NumberKeyword:
                return plainType({ type: "integer" });
            case ts.SyntaxKind.BooleanKeyword:
                return plainType({ type: "boolean" });
            case ts.SyntaxKind.UnknownKeyword:
                return plainType({ $ref: "pulumi.json#/Any" });
        }
        if (ts.isParenthesizedTypeNode(node)) return this.map(node.type, nameHint);
        if (ts.isTypeOperatorNode(node) && node.operator === ts.SyntaxKind.ReadonlyKeyword) return this.map(node.type, nameHint);
        if (ts.isArrayTypeNode(node)) {
            const items = this.map(node.elementType, nameHint);
            return items.kind === "resources" ? items : plainType({ type: "array", items: element(items) });
        }
        if (ts.isLiteralTypeNode(node)) return plainType({ type: ts.isNumericLiteral(node.literal) ? "integer" : "string" });
        if (ts.isUnionTypeNode(node)) return this.union(node, nameHint);
        if (ts.isTypeLiteralNode(node)) return plainType(this.objectType(node, nameHint, node));
        if (ts.isTypeReferenceNode(node)) return this.reference(node, nameHint);
        throw new Error(`${nameHint}: no schema type for \`${node.getText()}\``);
    }

    private union(node: ts.UnionTypeNode, nameHint: string): Mapped {
        const members = node.types.filter((t) => !isNullish(t));
        if (members.length === 1) return this.map(members[0], nameHint);
        if (members.every((t) => ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal))) return { kind: "type", spec: { type: "string" }, input: false };
        if (members.every((t) => ts.isLiteralTypeNode(t) && ts.isNumericLiteral(t.literal))) return { kind: "type", spec: { type: "integer" }, input: false };
        if (members.every(ts.isTypeLiteralNode)) return { kind: "type", spec: this.mergedObjectType(members, nameHint), input: false };
        throw new Error(`${nameHint}: no schema type for the union \`${node.getText()}\``);
    }

    private reference(node: ts.TypeReferenceNode, nameHint: string): Mapped {
        const name = node.typeName.getText();
        const args = node.typeArguments ?? [];
        if (name === "pulumi.Input" || name === "pulumi.Output") {
            const inner = this.map(args[0], nameHint);
            return inner.kind === "resources" ? inner : { ...inner, input: name === "pulumi.Input" };
        }
        if (name === "Readonly" || name === "Partial") return this.map(args[0], nameHint);
        if (name === "Record") {
            const values = this.map(args[1], nameHint);
            if (values.kind === "resources") throw new Error(`${nameHint}: a map of resources`);
            return { kind: "type", spec: { type: "object", additionalProperties: element(values) }, input: false };
        }
        if (name === "k8s.Provider") return { kind: "type", spec: { $ref: `/kubernetes/v${this.kubernetesVersion}/schema.json#/provider` }, input: false };
        if (name === "pulumi.Resource" || name.startsWith("k8s.")) return { kind: "resources" };
        const declaration = this.declarationOf(node.typeName);
        if (ts.isTypeAliasDeclaration(declaration)) return this.map(declaration.type, stripArgs(declaration.name.text));
        if (ts.isInterfaceDeclaration(declaration)) return { kind: "type", spec: this.objectType(declaration, stripArgs(declaration.name.text), declaration), input: false };
        throw new Error(`${nameHint}: no schema type for \`${name}\``);
    }

    private declarationOf(name: ts.EntityName): ts.Declaration {
        let symbol = this.checker.getSymbolAtLocation(name);
        if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
        const declaration = symbol?.declarations?.[0];
        if (!declaration) throw new Error(`${name.getText()}: declaration not found`);
        return declaration;
    }

    /** A named object type (registered once), referenced by token. */
    private objectType(node: ts.InterfaceDeclaration | ts.TypeLiteralNode, name: string, declared: ts.Node): TypeSpec {
        const token = `ambient-spire:${this.moduleOf(declared)}:${name}`;
        if (!this.types.has(token)) {
            this.types.set(token, { type: "object", properties: {} }); // placeholder against recursion
            const { properties, required } = this.members(node, name, "object");
            const symbol = ts.isInterfaceDeclaration(node) ? this.checker.getSymbolAtLocation(node.name) : undefined;
            const description = docOf(this.checker, symbol);
            this.types.set(token, { type: "object", ...(description ? { description } : {}), properties, ...(required.length > 0 ? { required } : {}) });
        }
        return { $ref: `#/types/${token}` };
    }

    /** `{ a } | { b }`: one object type, every member optional; the component checks that one is given. */
    private mergedObjectType(members: ts.TypeLiteralNode[], name: string): TypeSpec {
        const token = `ambient-spire:${this.moduleOf(members[0])}:${name}`;
        if (!this.types.has(token)) {
            const properties: Record<string, PropertySpec> = {};
            for (const member of members) Object.assign(properties, this.members(member, name, "object").properties);
            const alias = members[0].parent.parent;
            const symbol = ts.isTypeAliasDeclaration(alias) ? this.checker.getSymbolAtLocation(alias.name) : undefined;
            const description = oneLine(`${docOf(this.checker, symbol)} Give exactly one of: ${Object.keys(properties).join(", ")}.`);
            this.types.set(token, { type: "object", description, properties });
        }
        return { $ref: `#/types/${token}` };
    }

    /** The schema module of a declaration: its folder under components/, or `index` for the stacks' Mesh. */
    private moduleOf(node: ts.Node): string {
        const file = path.relative(this.projectDir, node.getSourceFile().fileName).split(path.sep);
        return file[0] === "components" ? file[1] : "index";
    }
}

/** The element type of a list or map: `plain` unless each element may be an eventual value. */
function element(mapped: Extract<Mapped, { kind: "type" }>): TypeSpec {
    return mapped.input ? mapped.spec : { ...mapped.spec, plain: true };
}

function findDeclaration<T extends ts.Node>(source: ts.SourceFile, name: string, is: (node: ts.Node) => node is T): T {
    for (const statement of source.statements) {
        if (is(statement) && (statement as unknown as { name?: ts.Identifier }).name?.text === name) return statement;
    }
    throw new Error(`${source.fileName}: ${name} not found`);
}

function isPublicReadonly(member: ts.PropertyDeclaration): boolean {
    const modifiers = ts.getModifiers(member) ?? [];
    return modifiers.some((m) => m.kind === ts.SyntaxKind.ReadonlyKeyword) && !modifiers.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword);
}

function isNullish(node: ts.TypeNode): boolean {
    return node.kind === ts.SyntaxKind.UndefinedKeyword || (ts.isLiteralTypeNode(node) && node.literal.kind === ts.SyntaxKind.NullKeyword);
}

function containsUndefined(node: ts.TypeNode): boolean {
    return ts.isUnionTypeNode(node) && node.types.some(isNullish);
}

function docOf(checker: ts.TypeChecker, symbol: ts.Symbol | undefined): string {
    return symbol ? oneLine(ts.displayPartsToString(symbol.getDocumentationComment(checker))) : "";
}

/** `MeshClusterArgs` → `MeshCluster`: C# adds `Args` to every input type itself. */
function stripArgs(name: string): string {
    return name.endsWith("Args") ? name.slice(0, -"Args".length) : name;
}
