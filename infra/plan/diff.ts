import { JsonValue, Plan, PlannedResource, unknownMarker } from "./model";

/** One input (or option) whose value differs; `undefined` means absent on that side. */
export interface InputChange {
    readonly path: string;
    readonly before: JsonValue | undefined;
    readonly after: JsonValue | undefined;
}

export interface ResourceChange {
    readonly resource: PlannedResource;
    readonly changes: readonly InputChange[];
    /** Why the engine would delete and re-create it, when it would; empty for an in-place update. */
    readonly replaceBecause: readonly string[];
}

export interface PlanDiff {
    readonly added: readonly PlannedResource[];
    readonly removed: readonly PlannedResource[];
    readonly replaced: readonly ResourceChange[];
    readonly changed: readonly ResourceChange[];
}

/**
 * What `pulumi up` would do to go from `before` to `after`, matched by URN. Secrets are compared as their
 * "[secret]" marker, so a changed secret value is not visible here (nor is it in a real preview's values).
 */
export function diffPlans(before: Plan, after: Plan): PlanDiff {
    const byUrn = new Map(before.resources.map((r) => [r.urn, r] as const));
    // A resource is the one deployed under its URN, or under one of its aliases (as the engine matches it).
    const old = new Map<string, PlannedResource>();
    for (const resource of after.resources) {
        const previous = [resource.urn, ...(resource.aliases ?? [])].map((urn) => byUrn.get(urn)).find((r) => r !== undefined);
        if (previous) old.set(resource.urn, previous);
    }
    const matched = new Set([...old.values()].map((r) => r.urn));
    const replaced: ResourceChange[] = [];
    const changed: ResourceChange[] = [];
    for (const resource of after.resources) {
        const previous = old.get(resource.urn);
        if (!previous) continue;
        const changes = [
            ...compare("", previous.inputs, resource.inputs),
            ...compare("options", previous.options as unknown as JsonValue, resource.options as unknown as JsonValue),
        ];
        if (changes.length === 0) continue;
        const replaceBecause = changes.filter((c) => forcesReplacement(resource, c.path)).map((c) => c.path);
        (replaceBecause.length > 0 ? replaced : changed).push({ resource, changes, replaceBecause });
    }
    // A value known only at deploy changes when the resource it comes from is replaced (a rotated certificate
    // reaches its Secret): the engine updates the consumer although both plans print "[unknown]".
    const replacedUrns = new Set(replaced.map((c) => c.resource.urn));
    const listed = new Set([...replacedUrns, ...changed.map((c) => c.resource.urn)]);
    for (const resource of after.resources) {
        if (listed.has(resource.urn) || !old.has(resource.urn) || !mentionsUnknown(resource.inputs)) continue;
        const sources = resource.dependsOn.filter((urn) => replacedUrns.has(urn));
        if (sources.length === 0) continue;
        const names = sources.map((urn) => urn.split("::").pop()).join(", ");
        changed.push({ resource, changes: [{ path: `(values known at deploy, from replaced ${names})`, before: unknownMarker, after: unknownMarker }], replaceBecause: [] });
    }
    return {
        added: after.resources.filter((r) => !old.has(r.urn)),
        removed: before.resources.filter((r) => !matched.has(r.urn)),
        replaced,
        changed,
    };
}

export function isEmpty(diff: PlanDiff): boolean {
    return diff.added.length + diff.removed.length + diff.replaced.length + diff.changed.length === 0;
}

function compare(path: string, before: JsonValue | undefined, after: JsonValue | undefined): InputChange[] {
    if (before === after) return [];
    const bothObjects = isRecord(before) && isRecord(after);
    const bothArrays = Array.isArray(before) && Array.isArray(after);
    if (bothObjects) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        return keys.flatMap((key) => compare(join(path, key), before[key], after[key]));
    }
    if (bothArrays) {
        const length = Math.max(before.length, after.length);
        return Array.from({ length }, (_, index) => compare(`${path}[${index}]`, before[index], after[index])).flat();
    }
    return [{ path: path === "" ? "(inputs)" : path, before, after }];
}

function mentionsUnknown(value: JsonValue): boolean {
    if (value === unknownMarker) return true;
    if (Array.isArray(value)) return value.some(mentionsUnknown);
    return value !== null && typeof value === "object" && Object.values(value).some(mentionsUnknown);
}

function isRecord(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
    return value !== null && value !== undefined && typeof value === "object" && !Array.isArray(value);
}

function join(path: string, key: string): string {
    const segment = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
    return path === "" ? segment : /^[A-Za-z_$]/.test(segment) ? `${path}.${segment}` : `${path}[${segment}]`;
}

/**
 * The inputs whose change makes the engine replace rather than update, for the resource kinds this program
 * uses: any TLS key or certificate input but the early-renewal window (the tls provider's schema marks every
 * other one RequiresReplace), an object's name or namespace, a Helm release's name or namespace, a provider's
 * cluster, and the replacement trigger.
 */
function forcesReplacement(resource: PlannedResource, path: string): boolean {
    if (path === "options.replacementTrigger") return true;
    if (path.startsWith("options.")) return false;
    if (resource.type.startsWith("tls:")) return path !== "earlyRenewalHours";
    if (resource.type === "pulumi:providers:kubernetes") return ["context", "cluster", "kubeconfig"].includes(path);
    if (resource.type === "kubernetes:helm.sh/v3:Release") return path === "name" || path === "namespace";
    return path === "metadata.name" || path === "metadata.namespace";
}

const maxValueLength = 160;

function show(value: JsonValue | undefined): string {
    if (value === undefined) return "(absent)";
    if (value === unknownMarker) return "[unknown] (known at deploy)";
    const text = JSON.stringify(value);
    return text.length > maxValueLength ? `${text.slice(0, maxValueLength)}…` : text;
}

function label(r: PlannedResource): string {
    const kind = r.type.split(":").pop() ?? r.type;
    return `\`${kind} ${r.name}\`${r.cluster ? ` (${r.cluster})` : ""}${r.read ? " — a read of the live object, not managed" : ""}`;
}

/** Managed resources and reads counted apart, as the engine's summary does ("create" vs "read"). */
function countOf(resources: readonly PlannedResource[], verb: string): string {
    const reads = resources.filter((r) => r.read).length;
    return `${resources.length - reads} to ${verb}${reads > 0 ? ` (+${reads} ${reads === 1 ? "read" : "reads"})` : ""}`;
}

/** The diff as Markdown, for a terminal and for a pull-request comment alike. */
export function renderDiff(diff: PlanDiff, title: string): string {
    const counts = `${countOf(diff.added, "add")}, ${diff.changed.length} to change, ${diff.replaced.length} to replace, ${countOf(diff.removed, "delete")}`;
    const lines = [`### ${title}: ${isEmpty(diff) ? "no changes" : counts}`];
    const changeLines = (c: ResourceChange) => c.changes.map((change) => `  - \`${change.path}\`: ${show(change.before)} → ${show(change.after)}`);
    if (diff.replaced.length > 0) {
        lines.push("", "**Replace** (delete and create again):");
        for (const c of diff.replaced) lines.push(`- ${label(c.resource)}, because of ${c.replaceBecause.map((p) => `\`${p}\``).join(", ")}`, ...changeLines(c));
    }
    if (diff.changed.length > 0) {
        lines.push("", "**Change** (update in place):");
        for (const c of diff.changed) lines.push(`- ${label(c.resource)}`, ...changeLines(c));
    }
    if (diff.added.length > 0) {
        lines.push("", "**Add:**", ...diff.added.map((r) => `- ${label(r)}`));
    }
    if (diff.removed.length > 0) {
        lines.push("", "**Delete:**", ...diff.removed.map((r) => `- ${label(r)}${r.options.protect ? " — protected: the engine refuses until unprotected" : r.options.retainOnDelete ? " — retained in the cluster" : ""}`));
    }
    return `${lines.join("\n")}\n`;
}
