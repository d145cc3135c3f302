import { Plan } from "../../../infra/plan/model";
import { runCli } from "./faultsCli";
import { Kube } from "./kube";
import { E2eProject } from "./project";
import { ownSteps } from "./steps";

/**
 * "Converged, nothing duplicated, nothing lost", judged twice: in the state (`pulumi stack export`) against the
 * offline plan, and on the live objects of each cluster. Each check returns what is wrong, one line per problem.
 */
export interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly id?: string;
    readonly outputs?: Record<string, unknown>;
}

export interface Deployment {
    readonly resources: readonly StateResource[];
    readonly pending_operations?: readonly { readonly type: string; readonly resource: { readonly urn: string } }[];
}

/** `pulumi stack export`, as a user runs it. */
export async function exportDeployment(project: E2eProject, stack: string): Promise<Deployment> {
    const result = await runCli(project, ["stack", "export", "--stack", stack]);
    if (result.code !== 0) throw new Error(`pulumi stack export: exit ${result.code}\n${result.output}`);
    return (JSON.parse(result.output) as { deployment: Deployment }).deployment;
}

/** Pending operations, a URN held twice, a planned resource missing, a resource of ours the plan does not have. */
export function stateProblems(deployment: Deployment, plan: Plan): string[] {
    const problems = (deployment.pending_operations ?? []).map((op) => `pending ${op.type}: ${op.resource.urn}`);
    const counts = new Map<string, number>();
    for (const r of deployment.resources) counts.set(r.urn, (counts.get(r.urn) ?? 0) + 1);
    for (const [urn, n] of counts) if (n > 1) problems.push(`${urn}: ${n} times in the state`);
    for (const r of plan.resources) if (!counts.has(r.urn)) problems.push(`${r.urn}: planned, not in the state`);
    const planned = new Set(plan.resources.map((r) => r.urn));
    // The engine's own resources (stack, default providers) are not in the plan.
    const ours = ownSteps(deployment.resources.map((r) => ({ op: "same", urn: r.urn, type: r.type, inputs: undefined, diffs: [] })));
    for (const r of ours) if (!planned.has(r.urn)) problems.push(`${r.urn}: in the state, not planned`);
    return problems;
}

interface Metadata {
    readonly name?: string;
    readonly namespace?: string;
}

/** kubectl resource names of the Kubernetes types the program creates, for a live lookup by metadata. */
const liveKinds: Record<string, { kind: string; namespaced: boolean }> = {
    "kubernetes:core/v1:Namespace": { kind: "namespace", namespaced: false },
    "kubernetes:core/v1:Secret": { kind: "secret", namespaced: true },
    "kubernetes:spire.spiffe.io/v1alpha1:ClusterSPIFFEID": { kind: "clusterspiffeids.spire.spiffe.io", namespaced: false },
    "kubernetes:gateway.networking.k8s.io/v1:Gateway": { kind: "gateways.gateway.networking.k8s.io", namespaced: true },
    "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinitionPatch": { kind: "customresourcedefinition", namespaced: false },
    "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition": { kind: "customresourcedefinition", namespaced: false },
};

/**
 * Live objects that should be there and are not, and Helm releases that are half-installed or not planned.
 * `only` restricts the check to some resources by engine name (for a deployment that stopped halfway).
 */
export function liveProblems(plan: Plan, kubes: ReadonlyMap<string, Kube>, only?: (resource: { name: string; cluster: string }) => boolean): string[] {
    const problems: string[] = [];
    const releases = new Map<string, Set<string>>();
    const records = new Map<string, HelmRecord[]>();
    const recordsOf = (cluster: string): HelmRecord[] => records.get(cluster) ?? records.set(cluster, helmRecords(kubes.get(cluster)!)).get(cluster)!;
    for (const r of plan.resources) {
        if (r.cluster === null || r.read) continue;
        const cluster = r.cluster;
        if (only && !only({ name: r.name, cluster })) continue;
        const kube = kubes.get(r.cluster);
        if (!kube) throw new Error(`no kubectl for cluster ${r.cluster}`);
        const inputs = r.inputs as { metadata?: Metadata; name?: string; namespace?: string };
        if (r.type === "kubernetes:helm.sh/v3:Release") {
            const name = String(inputs.name);
            const namespace = String(inputs.namespace);
            const statuses = recordsOf(r.cluster).filter((h) => h.name === name && h.namespace === namespace).map((h) => h.status);
            if (statuses.filter((s) => s === "deployed").length !== 1 || statuses.some((s) => s !== "deployed" && s !== "superseded")) {
                problems.push(`${r.cluster}: Helm release ${namespace}/${name} has records ${JSON.stringify(statuses)}, want one deployed`);
            }
            (releases.get(r.cluster) ?? releases.set(r.cluster, new Set()).get(r.cluster)!).add(`${namespace}/${name}`);
        } else if (r.type.startsWith("kubernetes:") && r.type !== "pulumi:providers:kubernetes") {
            const kind = liveKinds[r.type];
            const metadata = inputs.metadata;
            if (!kind || !metadata?.name) {
                problems.push(`${r.urn}: no live check for this type; add one to liveKinds`);
                continue;
            }
            const object = kube.get(kind.kind, metadata.name, kind.namespaced ? metadata.namespace ?? "default" : undefined);
            if (!object) problems.push(`${r.cluster}: ${kind.kind} ${metadata.namespace ? `${metadata.namespace}/` : ""}${metadata.name} (${r.name}) missing`);
        }
    }
    for (const [cluster, planned] of releases) {
        const extra = [...new Set(recordsOf(cluster).map((h) => `${h.namespace}/${h.name}`))].filter((n) => !planned.has(n));
        if (!only && extra.length > 0) problems.push(`${cluster}: Helm releases not in the plan: ${extra.join(", ")}`);
    }
    return problems;
}

export interface HelmRecord {
    readonly namespace: string;
    readonly name: string;
    readonly status: string;
    readonly version: string;
}

/** Helm's release records (one Secret per revision, labelled owner=helm). */
export function helmRecords(kube: Kube): HelmRecord[] {
    return kube
        .list("secrets")
        .filter((s) => s.metadata.labels?.owner === "helm")
        .map((s) => ({ namespace: s.metadata.namespace!, name: s.metadata.labels!.name, status: s.metadata.labels!.status, version: s.metadata.labels!.version }));
}
