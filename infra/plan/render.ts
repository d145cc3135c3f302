import { JsonValue, Plan, PlannedResource, unknownMarker } from "./model";

/** The plan as one JSON document; keys were sorted when recorded, so equal plans print equal bytes. */
export function renderJson(plan: Plan): string {
    return JSON.stringify(plan, null, 2) + "\n";
}

/** Short type names for the tree: `kubernetes:helm.sh/v3:Release` → `Release`. */
function shortType(type: string): string {
    return type.split(":").pop() ?? type;
}

/** The few settings a reviewer looks for, per kind of resource. */
function summary(r: PlannedResource): string {
    const inputs = (r.inputs ?? {}) as { [key: string]: JsonValue };
    const get = (...path: string[]): JsonValue | undefined =>
        path.reduce<JsonValue | undefined>((v, k) => (v && typeof v === "object" && !Array.isArray(v) ? v[k] : undefined), inputs);
    const parts: string[] = [];
    switch (shortType(r.type)) {
        case "Release":
            parts.push(`${get("name")} ${get("chart")}@${get("version")} in ${get("namespace")}`);
            break;
        case "Namespace":
        case "Secret": {
            const ns = get("metadata", "namespace");
            const labels = get("metadata", "labels");
            parts.push(`${ns ? `${ns}/` : ""}${get("metadata", "name")}`);
            if (labels && typeof labels === "object") parts.push(`labels ${JSON.stringify(labels)}`);
            if (get("stringData") !== undefined) parts.push(`data ${JSON.stringify(get("stringData"))}`);
            break;
        }
        case "CustomResourceDefinitionPatch": {
            parts.push(`${get("metadata", "name")}  applied: created, or taken over where the cluster has it`);
            const readAtDeploy = get("spec", "readAtDeploy");
            if (readAtDeploy !== undefined) parts.push(`spec read from ${readAtDeploy} by pulumi up (not fetched offline)`);
            break;
        }
        case "PrivateKey":
            parts.push(`${get("algorithm")} ${get("rsaBits") ?? get("ecdsaCurve") ?? ""}`.trim());
            break;
        case "SelfSignedCert":
        case "LocallySignedCert":
            parts.push(`CA pathlen ${get("maxPathLength") ?? "none"}, ${Number(get("validityPeriodHours")) / 24} days`);
            break;
        case "CertRequest":
            parts.push(`CN=${get("subject", "commonName")}`);
            break;
        case "kubernetes":
            parts.push(`context ${get("context") ?? "(current)"}`);
            break;
        default:
            // Custom resources (Gateways, ClusterSPIFFEIDs) register as kubernetes:<apiVersion>:<kind>.
            if (r.type.startsWith("kubernetes:") && get("metadata", "name") !== undefined) {
                const ns = get("metadata", "namespace");
                parts.push(`${ns ? `${ns}/` : ""}${get("metadata", "name")}`);
                const labels = get("metadata", "labels");
                if (labels) parts.push(`labels ${JSON.stringify(labels)}`);
                const addresses = get("spec", "addresses");
                if (addresses) parts.push(`addresses ${JSON.stringify(addresses)}`);
            }
    }
    if (r.import) parts.push(`imports ${JSON.stringify(r.import.id)}`);
    if (r.read) parts.push(`reads ${r.read.id === unknownMarker ? "the live object (id known once it exists)" : JSON.stringify(r.read.id)} on every run`);
    const flags = [r.options.protect ? "protect" : "", r.options.retainOnDelete ? "retain on delete" : ""].filter(Boolean);
    if (flags.length) parts.push(`[${flags.join(", ")}]`);
    return parts.filter(Boolean).join("  ");
}

/** A tree per cluster: component → resources, each with its key settings and what it waits for. */
export function renderTree(plan: Plan): string {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const children = new Map<string | null, PlannedResource[]>();
    for (const r of plan.resources) {
        const list = children.get(r.parent) ?? [];
        list.push(r);
        children.set(r.parent, list);
    }
    const lines: string[] = [`${plan.project}/${plan.stack}: ${plan.resources.length} resources`];
    const groups = new Map<string, PlannedResource[]>();
    for (const r of children.get(null) ?? []) {
        const key = r.cluster ?? "(no cluster: PKI held in Pulumi state)";
        groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    const write = (r: PlannedResource, depth: number) => {
        const waits = r.dependsOn.map((u) => byUrn.get(u)?.name ?? u);
        const after = waits.length ? `  ← after ${waits.join(", ")}` : "";
        lines.push(`${"  ".repeat(depth)}${shortType(r.type)} ${r.name}  ${summary(r)}${after}`.trimEnd());
        for (const child of children.get(r.urn) ?? []) write(child, depth + 1);
    };
    for (const [group, roots] of groups) {
        lines.push("", `${group}`);
        for (const r of roots) write(r, 1);
    }
    return lines.join("\n") + "\n";
}
