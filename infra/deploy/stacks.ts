import { listStacks, readStackConfig } from "../plan/stackFiles";

/**
 * What the `deploy` workflow deploys, read from the stack files rather than written into the workflow, so a
 * new `Pulumi.cluster3.yaml` (named in the pki stack's `signFor`) is deployed without a workflow edit.
 */
export interface DeployStacks {
    /** All-in-one stacks (`dev`, `multicluster`): they own their clusters and their root, and wait on no stack. */
    readonly single: readonly string[];
    /** The stack-per-cluster root (its file has `signFor`), or undefined when none is deployed. */
    readonly pki: string | undefined;
    /** Its cluster stacks (their files name it in `pkiStack`), in name order. */
    readonly clusters: readonly string[];
    /** Each cluster stack's peers among `clusters` (its `remotePeers` stacks), by stack name. */
    readonly peers: Readonly<Record<string, readonly string[]>>;
}

export class DeployStacksError extends Error {}

/**
 * The stacks to deploy when the repository lists `selected` (the variable PULUMI_DEPLOY_STACKS): each listed
 * all-in-one stack, and for a listed pki stack every cluster stack it signs for. A cluster stack cannot be
 * listed alone: its first `up` only requests a CA, which nothing would sign.
 */
export function deployStacks(projectDir: string, selected: readonly string[]): DeployStacks {
    const files = listStacks(projectDir);
    const roles = new Map(files.map((name) => [name, roleOf(projectDir, name)]));
    const single: string[] = [];
    const pkis: string[] = [];
    for (const name of selected) {
        const role = roles.get(name);
        if (role === undefined) throw new DeployStacksError(`${name} is listed but there is no Pulumi.${name}.yaml. Fix: list only ${files.join(", ")}`);
        if (role.kind === "cluster") throw new DeployStacksError(`${name} is a cluster stack. Fix: list its pki stack (${role.pkiStack}), which deploys every cluster stack it signs for`);
        (role.kind === "pki" ? pkis : single).push(name);
    }
    if (pkis.length > 1) throw new DeployStacksError(`${pkis.join(" and ")} are both pki stacks; the workflow deploys one stack-per-cluster mesh`);
    const pki = pkis[0];
    if (pki === undefined) return { single, pki, clusters: [], peers: {} };

    const clusters = files.filter((name) => { const role = roles.get(name); return role?.kind === "cluster" && role.pkiStack === pki; });
    const signed = (roles.get(pki) as PkiRole).signFor;
    // Both files say which clusters belong together; a mismatch would leave a request unsigned or a stack undeployed.
    if (signed.join() !== clusters.join()) {
        throw new DeployStacksError(`Pulumi.${pki}.yaml signs for ${signed.join(", ") || "nothing"}, but the stack files naming ${pki} as pkiStack are ${clusters.join(", ") || "none"}. Fix: make them the same`);
    }
    const peers = Object.fromEntries(clusters.map((name) => [name, (roles.get(name) as ClusterRole).peers.filter((peer) => clusters.includes(peer))]));
    return { single, pki, clusters, peers };
}

interface PkiRole { readonly kind: "pki"; readonly signFor: readonly string[] }
interface ClusterRole { readonly kind: "cluster"; readonly pkiStack: string; readonly peers: readonly string[] }
type Role = PkiRole | ClusterRole | { readonly kind: "single" };

function roleOf(projectDir: string, name: string): Role {
    const { project, config } = readStackConfig(projectDir, name);
    const setting = (key: string): string | undefined => config[`${project}:${key}`];
    const signFor = setting("signFor");
    if (signFor !== undefined) return { kind: "pki", signFor: (JSON.parse(signFor) as string[]).map(stackName).sort() };
    const pkiStack = setting("pkiStack");
    if (pkiStack === undefined) return { kind: "single" };
    const remotePeers = JSON.parse(setting("remotePeers") ?? "[]") as { stack: string }[];
    return { kind: "cluster", pkiStack: stackName(pkiStack), peers: remotePeers.map((peer) => stackName(peer.stack)) };
}

/** `organization/ambient-spire/cluster1` → `cluster1`: the stack files name the others fully qualified. */
function stackName(qualified: string): string {
    return qualified.split("/").pop() ?? qualified;
}
