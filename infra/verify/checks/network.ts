/**
 * One network per cluster, the same everywhere it is written: the istio-system label (what istiod itself reads),
 * the east-west Gateway's label, istiod's `global.network` (what it stamps into the gateways it injects), ztunnel's
 * NETWORK, and on each remote-peer Gateway the remote's network. What `istioctl multicluster check` calls the
 * Network Configuration Check, plus istiod's value, which that check does not read.
 */
import { networkLabel } from "../../../components/istio/meshValues";
import { ClusterExpectation } from "../expected";
import { ClusterSnapshot, KubeObject, objectKey } from "../snapshot";
import { eastWestGatewayName, eastWestNamespace, injectorConfigMap, istioNamespace, networkContainers, peerGatewayName, workloadTarget } from "../targets";
import { CheckResult, fail, found, pass, quote } from "./result";

export function networkChecks(cluster: ClusterExpectation, snapshot: ClusterSnapshot): CheckResult[] {
    return [
        labelCheck("network.namespace", `namespace ${istioNamespace}`, snapshot.namespaces[istioNamespace], cluster.network),
        labelCheck("network.eastwest", `Gateway ${eastWestNamespace}/${eastWestGatewayName}`, gatewayLookup(snapshot, eastWestGatewayName), cluster.network),
        istiodNetwork(cluster, snapshot),
        ztunnelNetwork(cluster, snapshot),
        ...cluster.peers.map((peer) => peerNetwork(cluster, peer, snapshot)),
    ];
}

function labelCheck(id: string, what: string, lookup: ClusterSnapshot["namespaces"][string] | undefined, expected: string): CheckResult {
    const object = found(id, lookup, what);
    if ("result" in object) return object.result;
    const value = object.value.metadata.labels?.[networkLabel];
    return value === expected
        ? pass(id, `${what} has ${networkLabel}=${value}`)
        : fail(id, `${what} has ${networkLabel}=${quote(value)}; the cluster's network is ${quote(expected)}`);
}

export function gatewayLookup(snapshot: ClusterSnapshot, name: string): ClusterSnapshot["namespaces"][string] {
    const gateways = snapshot.gateways;
    if (!("found" in gateways)) return gateways;
    const gateway = gateways.found[name];
    return gateway ? { found: gateway } : { absent: true };
}

/** The `value` of env var `name` in container `container` of a workload's pod template. */
export function envOf(workload: KubeObject, container: string, name: string): string | undefined {
    const template = workload.spec?.template as { spec?: { containers?: { name: string; env?: { name: string; value?: string }[] }[] } } | undefined;
    return template?.spec?.containers?.find((c) => c.name === container)?.env?.find((e) => e.name === name)?.value;
}

/**
 * The community istiod chart renders no NETWORK on the Deployment: istiod reads its own network from the
 * istio-system label (checked above) and writes `global.network` into the injector ConfigMap's values, from
 * which the east-west gateway and waypoints get theirs. Solo's chart is not public: a NETWORK it may add to the
 * Deployment is compared too.
 */
function istiodNetwork(cluster: ClusterExpectation, snapshot: ClusterSnapshot): CheckResult {
    const id = "network.istiod";
    const where = `ConfigMap ${istioNamespace}/${injectorConfigMap.name}`;
    const configMap = found(id, snapshot.configMaps[objectKey(istioNamespace, injectorConfigMap.name)], where);
    if ("result" in configMap) return configMap.result;
    let value: unknown;
    try {
        value = (JSON.parse(configMap.value.data?.[injectorConfigMap.key] ?? "{}") as { global?: { network?: unknown } }).global?.network;
    } catch {
        return fail(id, `${where}: key ${injectorConfigMap.key} is not JSON`);
    }
    if (value !== cluster.network) return fail(id, `istiod's global.network (${where}) is ${quote(value)}; the cluster's network is ${quote(cluster.network)}`);
    const deployment = snapshot.workloads[istiodTarget.id];
    const env = deployment && "found" in deployment ? envOf(deployment.found.object, networkContainers.istiod, "NETWORK") : undefined;
    if (env !== undefined && env !== cluster.network) return fail(id, `istiod's Deployment sets NETWORK=${quote(env)}; the cluster's network is ${quote(cluster.network)}`);
    return pass(id, `istiod's global.network is ${value}${env !== undefined ? ` and its NETWORK too` : " (its Deployment sets no NETWORK: istiod reads the namespace label)"}`);
}

const istiodTarget = workloadTarget("istiod");
const ztunnelTarget = workloadTarget("ztunnel");

function ztunnelNetwork(cluster: ClusterExpectation, snapshot: ClusterSnapshot): CheckResult {
    const id = "network.ztunnel";
    const daemonSet = found(id, snapshot.workloads[ztunnelTarget.id], `DaemonSet ${ztunnelTarget.namespace}/${ztunnelTarget.name}`);
    if ("result" in daemonSet) return daemonSet.result;
    const value = envOf(daemonSet.value.object, networkContainers.ztunnel, "NETWORK");
    return value === cluster.network
        ? pass(id, `ztunnel's NETWORK is ${value}`)
        : fail(id, `ztunnel's NETWORK (container ${networkContainers.ztunnel}) is ${quote(value)}; the cluster's network is ${quote(cluster.network)}`);
}

function peerNetwork(cluster: ClusterExpectation, peer: ClusterExpectation["peers"][number], snapshot: ClusterSnapshot): CheckResult {
    const id = `network.peer.${peer.name}`;
    const name = peerGatewayName(peer.name);
    const gateway = found(id, gatewayLookup(snapshot, name), `Gateway ${eastWestNamespace}/${name}`);
    if ("result" in gateway) return gateway.result;
    const value = gateway.value.metadata.labels?.[networkLabel];
    if (peer.network !== undefined) {
        return value === peer.network
            ? pass(id, `${name} has ${networkLabel}=${value}, ${peer.name}'s network`)
            : fail(id, `${name} has ${networkLabel}=${quote(value)}; ${peer.name}'s network is ${quote(peer.network)}`);
    }
    // A cluster of another stack: its network is that stack's output, which verify does not read (no Pulumi state).
    const unknown = `${peer.name}'s network is an output of stack ${peer.stack ?? "?"}, not read here`;
    if (value === undefined || value === "") return fail(id, `${name} has no ${networkLabel} label (the peering controller rejects it); ${unknown}`);
    if (value === cluster.network) return fail(id, `${name} has ${networkLabel}=${quote(value)}, this cluster's own network; ${unknown}`);
    return pass(id, `${name} has ${networkLabel}=${value} (${unknown})`);
}
