import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/**
 * Helm values a user puts over a component's own, for what the component does not model: resources,
 * nodeSelector, tolerations, image registries of air-gapped clusters.
 */
export type ValuesOverride = Readonly<Record<string, unknown>>;

export type ValuesTree = Record<string, unknown>;

const isMap = (value: unknown): value is ValuesTree => value !== null && typeof value === "object" && !Array.isArray(value);

/** Merges `override` over `base` as Helm merges a values file over another: maps key by key, anything else (lists too) replaced. */
export function mergeValues<T extends object>(base: T, override: ValuesOverride | undefined): T {
    if (!override) return base;
    const merge = (under: unknown, over: unknown): unknown => {
        if (!isMap(under) || !isMap(over)) return over;
        const merged: ValuesTree = { ...under };
        for (const [key, value] of Object.entries(over)) merged[key] = key in under ? merge(under[key], value) : value;
        return merged;
    };
    return merge(base, override) as T;
}

/** A values path the component sets for correctness, and the setting that decides it instead. */
export interface OwnedValue {
    /** Dotted path, e.g. `meshConfig.trustDomain`; everything under it is owned too. */
    readonly path: string;
    /** What it is, for the message: "the trust domain". */
    readonly what: string;
    /** Where to set it instead: "clusters[].trustDomain". */
    readonly instead: string;
}

/** Every path `override` sets: its leaves, and each map it replaces with something that is not a map. */
function leaves(value: unknown, at: readonly string[] = []): { path: string[]; value: unknown }[] {
    if (!isMap(value) || Object.keys(value).length === 0) return at.length === 0 ? [] : [{ path: [...at], value }];
    return Object.entries(value).flatMap(([key, inner]) => leaves(inner, [...at, key]));
}

/**
 * The first path of `override` that would change an owned value: one inside it, or one above it that replaces
 * the map holding it (a scalar, a list or null there drops it). Undefined when the override leaves them all.
 */
export function ownedValueTouched(override: ValuesOverride, owned: readonly OwnedValue[]): { path: string; value: unknown; owned: OwnedValue } | undefined {
    for (const leaf of leaves(override)) {
        const dotted = leaf.path.join(".");
        const hit = owned.find((o) => dotted === o.path || dotted.startsWith(`${o.path}.`) || o.path.startsWith(`${dotted}.`));
        if (hit) return { path: dotted, value: leaf.value, owned: hit };
    }
    return undefined;
}

/**
 * The keys a user may set in a chart directory's values: its values.yaml, with Istio's defaults from under
 * `_internal_defaults_do_not_set` (which users set at the top level) and each subchart's under its name, and
 * under each alias Chart.yaml gives it. Undefined when the directory (or .tgz) has no values.yaml to read.
 */
export function chartValuesTree(chartDirectory: string): ValuesTree | undefined {
    const file = path.join(chartDirectory, "values.yaml");
    if (!fs.existsSync(file)) return undefined;
    let tree = valuesFileTree(file);
    for (const [key, subchartDirectory] of subchartKeys(chartDirectory)) {
        const subtree = chartValuesTree(subchartDirectory);
        // What the parent sets for a subchart lies over the subchart's own tree at every depth: spire's values.yaml
        // sets spire-server.controllerManager.enabled, and every other controllerManager key stays a value.
        if (subtree) tree = { ...tree, [key]: isMap(tree[key]) ? mergeValues(subtree, tree[key] as ValuesTree) : subtree };
    }
    return tree;
}

/** Values key → directory of each subchart in charts/: its directory name, and the aliases Chart.yaml gives it. */
function subchartKeys(chartDirectory: string): [string, string][] {
    const subcharts = path.join(chartDirectory, "charts");
    if (!fs.existsSync(subcharts)) return [];
    const keys: [string, string][] = fs.readdirSync(subcharts, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => [entry.name, path.join(subcharts, entry.name)]);
    const chartFile = path.join(chartDirectory, "Chart.yaml");
    const chart = fs.existsSync(chartFile) ? (parse(fs.readFileSync(chartFile, "utf8")) as { dependencies?: { name?: unknown; alias?: unknown }[] } | null) : null;
    for (const dependency of chart?.dependencies ?? []) {
        const { name, alias } = dependency;
        if (typeof name === "string" && typeof alias === "string" && fs.existsSync(path.join(subcharts, name))) keys.push([alias, path.join(subcharts, name)]);
    }
    return keys;
}

/** The keys of one values file, with Istio's `_internal_defaults_do_not_set` lifted to the top level. */
export function valuesFileTree(file: string): ValuesTree {
    const document = parse(fs.readFileSync(file, "utf8")) as unknown;
    const values = isMap(document) ? document : {};
    const { _internal_defaults_do_not_set: internal, ...top } = values;
    return { ...(isMap(internal) ? internal : {}), ...top };
}

/** A key the chart does not declare, with the declared sibling it most resembles. */
export interface UnknownValue {
    readonly path: string;
    readonly siblings: readonly string[];
}

/**
 * Paths of `values` that the chart's tree does not declare. A declared map with keys is checked key by key; an
 * empty map, a list or a scalar is free-form below (env, tolerations, podAnnotations). `accepted` are dotted
 * paths the chart reads although values.yaml does not list them (Solo-only keys, `profile`), and free-form maps.
 */
export function unknownValues(values: unknown, tree: ValuesTree, accepted: readonly string[] = []): UnknownValue[] {
    const unknown: UnknownValue[] = [];
    const walk = (ours: unknown, theirs: unknown, at: readonly string[]) => {
        if (!isMap(ours)) return;
        for (const [key, value] of Object.entries(ours)) {
            const keyPath = [...at, key];
            const dotted = keyPath.join(".");
            if (accepted.some((p) => dotted === p || dotted.startsWith(`${p}.`))) continue;
            if (!isMap(theirs) || Object.keys(theirs).length === 0) continue; // free-form below this point
            if (!(key in theirs)) {
                unknown.push({ path: dotted, siblings: Object.keys(theirs) });
                continue;
            }
            walk(value, theirs[key], keyPath);
        }
    };
    walk(values, tree, []);
    return unknown;
}

/**
 * A chart's values with a user's override merged over them; an override of an owned value is refused here too,
 * since a component may be used without the stack's validation (from another language, say).
 */
export function valuesWithOverride<T extends object>(where: string, base: T, override: ValuesOverride | undefined, owned: readonly OwnedValue[]): T {
    if (!override) return base;
    const touched = ownedValueTouched(override, owned);
    if (touched) throw new Error(`${where}: the values override sets ${touched.path}, which would change ${touched.owned.what}; set ${touched.owned.instead} instead`);
    return mergeValues(base, override);
}
