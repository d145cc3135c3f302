/**
 * What the program installed, as running software: the Helm releases at the program's chart versions, the
 * ClusterSPIFFEIDs with the class name the controller manager reconciles, Ready pods, and the gateways' status.
 */
import { Expectations, PeerExpectation } from "../expected";
import { ClusterSnapshot, KubeObject, WorkloadSnapshot } from "../snapshot";
import { eastWestGatewayName, eastWestNamespace, peerGatewayName, WorkloadTarget, workloadTargets } from "../targets";
import { gatewayLookup } from "./network";
import { CheckResult, conditionsOf, fail, found, pass, quote } from "./result";

export function registrationChecks(expected: Expectations["registrations"], snapshot: ClusterSnapshot): CheckResult[] {
    return expected.map(({ name, className }) => {
        const id = `clusterspiffeid.${name}`;
        const all = found(id, snapshot.clusterSpiffeIds, "ClusterSPIFFEIDs (spire.spiffe.io/v1alpha1)");
        if ("result" in all) return all.result;
        const registration = all.value[name];
        if (!registration) return fail(id, `ClusterSPIFFEID ${name} not found`);
        const actual = registration.spec?.className;
        return actual === className
            ? pass(id, `className ${className}`)
            : fail(id, `className is ${quote(actual)}; the controller manager reconciles only ${quote(className)}, so it skips this one`);
    });
}

export function releaseChecks(expected: Expectations["releases"], snapshot: ClusterSnapshot): CheckResult[] {
    return expected.map((release) => {
        const id = `release.${release.name}`;
        const revisions = found(id, snapshot.releases[release.name], `Helm release ${release.namespace}/${release.name}`);
        if ("result" in revisions) return revisions.result;
        if (revisions.value.length === 0) return fail(id, `Helm release ${release.namespace}/${release.name} not found (no sh.helm.release.v1.${release.name}.v* Secret)`);
        const latest = revisions.value.reduce((a, b) => (b.revision > a.revision ? b : a));
        const at = `revision ${latest.revision}`;
        if (latest.status !== "deployed") return fail(id, `${at} is ${quote(latest.status)}, not "deployed"`);
        if (latest.decodeError !== undefined) return fail(id, `${at} is deployed, but its release data could not be decoded (${latest.decodeError})`);
        if (release.version === undefined) return pass(id, `${at} deployed, chart ${latest.chartName ?? "?"} ${latest.chartVersion ?? "?"} (not compared: ${release.versionFrom})`);
        return latest.chartVersion === release.version
            ? pass(id, `${at} deployed, chart ${latest.chartName ?? "?"} ${latest.chartVersion} (${release.versionFrom})`)
            : fail(id, `${at} is chart version ${quote(latest.chartVersion)}; the program installs ${quote(release.version)} (${release.versionFrom})`);
    });
}

export function podChecks(snapshot: ClusterSnapshot): CheckResult[] {
    return workloadTargets.map((target) => {
        const id = `pods.${target.id}`;
        const workload = found(id, snapshot.workloads[target.id], `${target.kinds.join(" or ")} ${target.namespace}/${target.name}`);
        return "result" in workload ? workload.result : workloadReady(id, target, workload.value);
    });
}

function workloadReady(id: string, target: WorkloadTarget, workload: WorkloadSnapshot): CheckResult {
    const status = workload.object.status ?? {};
    const what = `${workload.kind} ${target.namespace}/${target.name}`;
    const number = (key: string) => (typeof status[key] === "number" ? (status[key] as number) : 0);
    const [ready, wanted] = workload.kind === "DaemonSet"
        ? [number("numberReady"), number("desiredNumberScheduled")]
        : [number("readyReplicas"), typeof workload.object.spec?.replicas === "number" ? (workload.object.spec.replicas as number) : 1];
    if (wanted === 0) return fail(id, `${what} wants 0 pods`);
    if (ready < wanted) return fail(id, `${what}: ${ready} of ${wanted} ${workload.kind === "DaemonSet" ? "scheduled pods" : "replicas"} ready`);
    const live = workload.pods.filter((pod) => pod.metadata.deletionTimestamp === undefined);
    if (live.length === 0) return fail(id, `${what} reports ${ready} ready but no pod matches its selector`);
    const notReady = live.filter((pod) => !podReady(pod));
    if (notReady.length > 0) return fail(id, `${what}: pod(s) not Ready: ${notReady.map(describePod).join(", ")}`);
    return pass(id, `${what}: ${ready}/${wanted} ready, ${live.length} pod(s) Ready`);
}

function podReady(pod: KubeObject): boolean {
    return conditionsOf(pod).some((c) => c.type === "Ready" && c.status === "True");
}

function describePod(pod: KubeObject): string {
    const statuses = (pod.status?.containerStatuses ?? []) as { state?: { waiting?: { reason?: string } } }[];
    const waiting = statuses.map((s) => s.state?.waiting?.reason).find((r) => r !== undefined);
    return `${pod.metadata.name} (${waiting ?? String(pod.status?.phase ?? "unknown phase")})`;
}

export function eastWestProgrammed(snapshot: ClusterSnapshot): CheckResult {
    const id = "gateway.eastwest.programmed";
    const gateway = found(id, gatewayLookup(snapshot, eastWestGatewayName), `Gateway ${eastWestNamespace}/${eastWestGatewayName}`);
    if ("result" in gateway) return gateway.result;
    const programmed = conditionsOf(gateway.value).find((c) => c.type === "Programmed");
    const addresses = ((gateway.value.status?.addresses ?? []) as { value?: string }[]).map((a) => a.value).filter(Boolean);
    if (programmed?.status !== "True") {
        return fail(id, `Programmed is ${quote(programmed?.status)}${programmed?.reason ? ` (${programmed.reason}${programmed.message ? `: ${programmed.message}` : ""})` : ""}; istiod gives it an address once its Service has one`);
    }
    return pass(id, `Programmed=True, address ${addresses.join(", ") || "none listed"}`);
}

/** Solo's peering controller reports these on each remote-peer Gateway. */
export const peerConditions = ["gloo.solo.io/PeerConnected", "gloo.solo.io/PeeringSucceeded"] as const;

export function peerConnected(peer: PeerExpectation, snapshot: ClusterSnapshot): CheckResult {
    const id = `gateway.peer.${peer.name}.connected`;
    const name = peerGatewayName(peer.name);
    const gateway = found(id, gatewayLookup(snapshot, name), `Gateway ${eastWestNamespace}/${name}`);
    if ("result" in gateway) return gateway.result;
    const conditions = conditionsOf(gateway.value);
    const present = peerConditions.map((type) => ({ type, condition: conditions.find((c) => c.type === type) }));
    const bad = present.filter((p) => p.condition !== undefined && p.condition.status !== "True");
    if (bad.length > 0) {
        return fail(id, bad.map((p) => `${p.type}=${p.condition!.status}${p.condition!.reason ? ` (${p.condition!.reason}${p.condition!.message ? `: ${p.condition!.message}` : ""})` : ""}`).join("; "));
    }
    const absent = present.filter((p) => p.condition === undefined).map((p) => p.type);
    const shown = present.filter((p) => p.condition !== undefined).map((p) => `${p.type}=True`);
    return pass(id, [...shown, ...(absent.length > 0 ? [`${absent.join(", ")} absent: not checked`] : [])].join("; "));
}
