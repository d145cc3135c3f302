/**
 * All checks of a stack: `(expectations, snapshots, now) → report`, pure (no I/O, the clock passed in), so tests
 * run them on recorded objects and the e2e on live ones. Each check appears only where it applies: a single
 * cluster has no cacerts, east-west gateway, network or peers to check.
 */
import { ClusterExpectation, Expectations } from "../expected";
import { ClusterSnapshot } from "../snapshot";
import { networkChecks } from "./network";
import { eastWestProgrammed, peerConnected, podChecks, registrationChecks, releaseChecks } from "./platform";
import { cacertsChain, sameRoot, upstreamCaChecks } from "./pki";
import { CheckResult, fail } from "./result";

export { CheckResult } from "./result";

export interface ClusterReport {
    readonly name: string;
    readonly context: string;
    readonly checks: readonly CheckResult[];
}

export interface StackReport {
    readonly stack: string;
    readonly ok: boolean;
    readonly clusters: readonly ClusterReport[];
}

/** Snapshots are matched to the stack's clusters by name; a cluster with no snapshot is reported unreachable. */
export function runChecks(expected: Expectations, snapshots: readonly ClusterSnapshot[], now: Date = new Date()): StackReport {
    const byName = new Map(snapshots.map((s) => [s.name, s] as const));
    const clusters = expected.clusters.map((cluster): ClusterReport => {
        const snapshot = byName.get(cluster.name);
        const context = snapshot?.context ?? cluster.context ?? "(current context)";
        if (!snapshot) return { name: cluster.name, context, checks: [fail("reachable", `cluster ${cluster.name} was not read`)] };
        if (snapshot.unreachable !== undefined) return { name: cluster.name, context, checks: [fail("reachable", `cluster ${cluster.name} (context ${context}): ${snapshot.unreachable}`)] };
        return { name: cluster.name, context, checks: clusterChecks(expected, cluster, snapshot, snapshots.filter((s) => s.name !== cluster.name), now) };
    });
    return { stack: expected.stack, ok: clusters.every((c) => c.checks.every((check) => check.ok)), clusters };
}

function clusterChecks(expected: Expectations, cluster: ClusterExpectation, snapshot: ClusterSnapshot, others: readonly ClusterSnapshot[], now: Date): CheckResult[] {
    const reachable: CheckResult = { id: "reachable", ok: true, detail: `API server of context ${snapshot.context} answered` };
    const multicluster = expected.multicluster
        ? [
              ...networkChecks(cluster, snapshot),
              cacertsChain(snapshot),
              ...(expected.clusters.length > 1 ? [sameRoot(snapshot, others)] : []),
          ]
        : [];
    const gateways = expected.multicluster ? [eastWestProgrammed(snapshot), ...cluster.peers.map((peer) => peerConnected(peer, snapshot))] : [];
    return [
        reachable,
        ...multicluster,
        ...upstreamCaChecks(snapshot, expected.earlyRenewalDays, now),
        ...registrationChecks(expected.registrations, snapshot),
        ...releaseChecks(expected.releases, snapshot),
        ...podChecks(snapshot),
        ...gateways,
    ];
}
