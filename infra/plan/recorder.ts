import * as pulumi from "@pulumi/pulumi";
import { revealKeys, toJson, valueToJson } from "./inputs";
import { isComponentType, Plan, PlannedResource } from "./model";
import { withManifestReader } from "../../components/istio/gatewayApiCrds";
import { offlineManifest } from "./offlineManifest";

/** What a mock returns for a resource: its id and the outputs a provider would compute. */
export type ComputedOutputs = (resource: {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface RecordOptions {
    readonly project: string;
    readonly stack: string;
    /** `namespace:key` to text, as the CLI passes configuration. */
    readonly config: Readonly<Record<string, string>>;
    readonly secretKeys: readonly string[];
    /**
     * true (default): a preview, where values computed by providers are unknown. false: an update, where
     * `computed` supplies them (tests use this to issue real certificates).
     */
    readonly preview?: boolean;
    readonly computed?: ComputedOutputs;
    /**
     * Outputs of the stacks the program references, by stack name (as `pulumi stack output --json` prints
     * them). A referenced stack not listed here has unknown outputs, as in a preview before it is deployed.
     */
    readonly stackOutputs?: Readonly<Record<string, Record<string, unknown>>>;
}

interface Seen {
    readonly resource: pulumi.Resource;
    readonly type: string;
    readonly name: string;
    readonly opts: pulumi.ResourceOptions & { provider?: pulumi.ProviderResource };
    readonly props: unknown;
}

/** A run of the program on Pulumi's mock engine, with every registration it made. */
export interface Recording {
    readonly plan: Plan;
    /** What the program returned (its stack outputs), for tests. */
    readonly outputs: unknown;
}

/**
 * Runs `program` as `pulumi preview` would, against Pulumi's mock engine, and returns every resource it
 * registered with inputs, parent, provider, dependencies and options. Nothing leaves the process.
 * The Pulumi runtime is process-global: run one recording at a time.
 */
export async function recordPlan(program: () => unknown, options: RecordOptions): Promise<Recording> {
    const inputsByKey = new Map<string, Record<string, unknown>>();
    const duplicates: string[] = [];
    const preview = options.preview ?? true;
    await pulumi.runtime.setMocks(
        {
            async newResource(args) {
                if (args.type === "pulumi:pulumi:StackReference") {
                    const stack = String(args.inputs.name);
                    const outputs = options.stackOutputs?.[stack];
                    // Not listed: unknown in a preview; in an update, a stack that exists but exports nothing yet.
                    const state = outputs ? { name: stack, outputs, secretOutputNames: [] } : preview ? { name: stack } : { name: stack, outputs: {}, secretOutputNames: [] };
                    return { id: stack, state };
                }
                const key = `${args.type}::${args.name}`;
                if (inputsByKey.has(key)) duplicates.push(key);
                inputsByKey.set(key, withoutSdkMarkers(args.type, args.inputs as Record<string, unknown>));
                const extra = (await options.computed?.({ type: args.type, name: args.name, inputs: args.inputs })) ?? {};
                return { id: preview ? "" : `${args.name}-id`, state: { ...args.inputs, ...extra } };
            },
            call(args) {
                return args.inputs;
            },
        },
        options.project,
        options.stack,
        preview,
    );
    pulumi.runtime.setAllConfig({ ...options.config }, [...options.secretKeys]);

    const seen: Seen[] = [];
    let outputs: unknown;
    let failure: { error: unknown } | undefined;
    // Offline, as the rest of the mock engine: a Gateway API manifest at a URL is not fetched (offlineManifest.ts).
    await withManifestReader(offlineManifest, () =>
        pulumi.runtime.runInPulumiStack(async () => {
            pulumi.runtime.registerStackTransformation((args) => {
                seen.push({ resource: args.resource, type: args.type, name: args.name, opts: args.opts, props: args.props });
                return undefined;
            });
            try {
                outputs = await program();
            } catch (error) {
                // Rethrown below: a rejection left inside the stack would also surface as an unhandled one.
                failure = { error };
            }
            return {};
        }),
    );
    // A component registers its outputs once they resolve, which can be after the program returned (the Mesh's
    // certificateRequests): let those RPCs reach this mock engine, not the next recording's, which knows no such URN.
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    if (failure) throw failure.error;

    const stackResource = pulumi.runtime.getStackResource();
    const urnOf = new Map<pulumi.Resource, string>();
    await Promise.all(seen.map(async (s) => urnOf.set(s.resource, engineUrn(await valueOf(s.resource.urn)))));
    if (duplicates.length > 0) {
        throw new Error(`duplicate resource (type, name) pairs; a real pulumi up rejects them: ${duplicates.join(", ")}`);
    }
    const nameOf = new Map(seen.map((s) => [s.resource, s.name] as const));
    const seenOf = new Map(seen.map((s) => [s.resource, s] as const));

    const resources: PlannedResource[] = [];
    for (const s of seen) {
        const urn = urnOf.get(s.resource)!;
        const parent = s.opts.parent && s.opts.parent !== stackResource ? urnOf.get(s.opts.parent) ?? null : null;
        // A read waits for whatever its id comes from, as an input would.
        const dependencies = new Set<pulumi.Resource>([
            ...(await explicitDependencies(s.opts.dependsOn)),
            ...(await inputDependencies(s.props)),
            ...(await inputDependencies(s.opts.id)),
        ]);
        const dependsOn = [...dependencies]
            .filter((d) => d !== s.resource && d !== stackResource)
            .map((d) => urnOf.get(d) ?? "")
            .filter((u) => u !== "");
        resources.push({
            urn,
            type: s.type,
            name: s.name,
            cluster: clusterOf(s, nameOf),
            provider: s.opts.provider ? urnOf.get(s.opts.provider) ?? null : null,
            parent,
            dependsOn: [...new Set(dependsOn)].sort(),
            inputs: isComponentType(s.type) ? {} : toJson(await revealKeys(inputsByKey.get(`${s.type}::${s.name}`) ?? {}, s.props)),
            ...(s.opts.id === undefined ? {} : { read: { id: await valueToJson(s.opts.id) } }),
            // The transformation sees the option as the program gave it; the mock engine would only echo it back.
            ...importOf(s.opts),
            ...aliasesOf(urn, s, seenOf),
            options: {
                protect: s.opts.protect === true,
                retainOnDelete: s.opts.retainOnDelete === true,
                replacementTrigger: s.opts.replacementTrigger === undefined ? null : toJson(s.opts.replacementTrigger),
            },
        });
    }
    return { plan: { project: options.project, stack: options.stack, resources }, outputs };
}

/** The `import` option of a custom resource (a plain string: the engine needs the id before anything runs). */
function importOf(opts: pulumi.ResourceOptions): { import?: { id: string } } {
    const id = (opts as pulumi.CustomResourceOptions).import;
    return id === undefined ? {} : { import: { id: String(id) } };
}

/**
 * The URNs a resource had before a type alias of its own or of an ancestor: the same type chain with that one
 * type as it was. (Children follow their parent's aliases: the engine matches them the same way.)
 */
function aliasesOf(urn: string, s: Seen, seenOf: ReadonlyMap<pulumi.Resource, Seen>): { aliases?: string[] } {
    const [head, project, typeChain, ...name] = urn.split("::");
    const types = typeChain.split("$");
    const lineage: Seen[] = [];
    for (let at: Seen | undefined = s; at; at = at.opts.parent ? seenOf.get(at.opts.parent) : undefined) lineage.unshift(at);
    // The chain holds one type per generation under the stack, the resource's own last.
    const offset = types.length - lineage.length;
    const aliases = lineage.flatMap((generation, index) =>
        typeAliases(generation.opts.aliases).map((type) => [head, project, types.map((t, i) => (i === index + offset ? type : t)).join("$"), ...name].join("::")),
    );
    return aliases.length > 0 ? { aliases: [...new Set(aliases)].sort() } : {};
}

function typeAliases(aliases: pulumi.ResourceOptions["aliases"]): string[] {
    return (aliases ?? []).flatMap((alias) => (typeof alias === "object" && alias !== null && "type" in alias && typeof alias.type === "string" ? [alias.type] : []));
}

/**
 * The cluster is named by the Kubernetes provider the resource uses: providers are named after their cluster,
 * optionally followed by `/<purpose>` when a cluster has more than one.
 */
function clusterOf(s: Seen, nameOf: ReadonlyMap<pulumi.Resource, string>): string | null {
    const providerName = s.type === "pulumi:providers:kubernetes" ? s.name : s.opts.provider ? nameOf.get(s.opts.provider) : undefined;
    return providerName === undefined ? null : providerName.split("/")[0];
}

/**
 * The URN the engine gives a resource. The mock monitor puts the stack's type in front of every top-level
 * resource's type (`…::pulumi:pulumi:Stack$kubernetes:core/v1:Namespace::…`); the engine leaves the root
 * stack out of the type chain, and plans must name resources as `pulumi preview` does.
 */
export function engineUrn(mockUrn: string): string {
    return mockUrn.replace("::pulumi:pulumi:Stack$", "::");
}

/**
 * The Helm Release SDK adds `compat: "true"` to every release's inputs, a marker the provider's check removes:
 * `pulumi preview` never shows it, so the plan does not either.
 */
function withoutSdkMarkers(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
    if (type !== "kubernetes:helm.sh/v3:Release" || !("compat" in inputs)) return inputs;
    const { compat: _marker, ...rest } = inputs;
    return rest;
}

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((v) => resolve(v)));
}

async function explicitDependencies(dependsOn: pulumi.ResourceOptions["dependsOn"]): Promise<pulumi.Resource[]> {
    if (dependsOn === undefined) return [];
    const flat: pulumi.Resource[] = [];
    const visit = async (item: unknown): Promise<void> => {
        if (item === undefined || item === null) return;
        if (pulumi.Resource.isInstance(item)) flat.push(item);
        else if (Array.isArray(item)) for (const inner of item) await visit(inner);
        else if (pulumi.Output.isInstance(item)) await visit(await valueOf(item as pulumi.Output<unknown>));
        else if (item instanceof Promise) await visit(await item);
    };
    await visit(dependsOn);
    return flat;
}

interface OutputInternals {
    resources(): Set<pulumi.Resource>;
    allResources?: () => Promise<Set<pulumi.Resource>>;
}

/** Resources whose outputs flow into these inputs: the dependencies the engine derives by itself. */
async function inputDependencies(props: unknown): Promise<pulumi.Resource[]> {
    const found: pulumi.Resource[] = [];
    const visit = async (value: unknown): Promise<void> => {
        if (pulumi.Output.isInstance(value)) {
            const internals = value as unknown as OutputInternals;
            const all = internals.allResources ? await internals.allResources() : internals.resources();
            found.push(...all);
        } else if (pulumi.Resource.isInstance(value)) {
            found.push(value);
        } else if (Array.isArray(value)) {
            for (const item of value) await visit(item);
        } else if (value !== null && typeof value === "object" && !(value instanceof Promise)) {
            for (const item of Object.values(value)) await visit(item);
        }
    };
    await visit(props);
    return found;
}
