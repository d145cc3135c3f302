import { Kube } from "./kube";
import { Step } from "./project";
import { ownSteps } from "./steps";

/** What a preview of an adoption did, by operation: what the adoption e2e scenarios assert and print. */

export const nameOf = (step: Step): string => step.urn.split("::").pop()!;

/** Steps by operation, as resource names (the stack and default providers left out). */
export function byOp(steps: readonly Step[]): Record<string, string[]> {
    const ops: Record<string, string[]> = {};
    for (const step of ownSteps(steps)) (ops[step.op] ??= []).push(nameOf(step));
    for (const list of Object.values(ops)) list.sort();
    return ops;
}

export const counts = (ops: Record<string, string[]>): Record<string, number> => Object.fromEntries(Object.entries(ops).map(([op, names]) => [op, names.length]));

/** What an adoption must never do to what the guide made. */
export const forbiddenOps = ["replace", "create-replacement", "delete-replaced", "delete", "discard", "import-replacement"];

/** The Helm release names the guide installs in every cluster, by namespace. */
export const guideReleases = [["spire-server", "spire-crds"], ["spire-server", "spire"], ["istio-system", "istio-base"], ["istio-system", "istiod"], ["istio-system", "istio-cni"], ["istio-system", "ztunnel"]] as const;

/** What the guide's commands create in one cluster, by the program's resource name (the imports the preview must show). */
export function guideObjectsOf(cluster: string, multicluster: boolean): string[] {
    const single = ["spire-namespace", "spire-upstream-ca", "spire-crds", "spire-release", "spire-istio-ztunnel-reg", "spire-istio-waypoint-reg", "spire-istio-ambient-reg",
        "mesh-system-namespace", "mesh-istio-base", "mesh-istiod", "mesh-istio-cni", "mesh-ztunnel"];
    const more = multicluster ? ["mesh-cacerts", "eastwest-namespace", "eastwest-gateway"] : [];
    return [...single, ...more].map((name) => `${cluster}-${name}`);
}

/** Dotted paths of the leaves that differ between two values trees (a key added, removed or changed), sorted. */
export function changedPaths(before: unknown, after: unknown, prefix = ""): string[] {
    const isTree = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
    if (isTree(before) && isTree(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        return keys.flatMap((key) => changedPaths(before[key], after[key], prefix === "" ? key : `${prefix}.${key}`));
    }
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [prefix];
}

/** `helm get values` of each of the guide's releases: the values the guide (or, after adoption, the program) gave. */
export function releaseValues(kube: Kube): Record<string, unknown> {
    return Object.fromEntries(guideReleases.map(([ns, name]) => [name, JSON.parse(kube.helm(["get", "values", name, "-n", ns, "-o", "json"])) as unknown]));
}

/** The releases whose adoption corrects no value of the guide's: their upgrade only moves the chart to its source. */
export const releasesWithoutCorrections = ["spire-crds", "istio-base", "istio-cni", "ztunnel"];
