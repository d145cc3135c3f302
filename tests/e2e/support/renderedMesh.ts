import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { chartValuesTree, unknownValues } from "../../../components/helm/values";
import { descopePilot, IstioChart, istioValuesBeyondValuesYaml } from "../../../components/istio/meshValues";
import { Kube, KubeObject } from "./kube";

/**
 * What the real charts rendered from our values, read back from the cluster as the software will read it: the
 * SPIRE server's and agent's configuration files, the controller manager's, the Secret volumes behind the paths
 * they name, istiod's mesh config and environment. Each function returns the problems it found (none: empty).
 * Networks, chains, releases and readiness are `npm run verify`'s checks and not repeated here.
 */
interface Container { name: string; env?: { name: string; value?: string }[]; volumeMounts?: { name: string; mountPath: string }[] }
interface PodTemplate { spec: { template: { spec: { containers: Container[]; volumes?: { name: string; secret?: { secretName: string; items?: { key: string; path: string }[] } }[] } } } }

function required<T>(value: T | undefined, what: string): T {
    if (value === undefined) throw new Error(`${what}: not found`);
    return value;
}

export interface SpireExpectation {
    readonly namespace: string;
    readonly trustDomain: string;
    readonly clusterName: string;
    readonly className: string;
    readonly upstreamSecret: string;
    readonly ztunnelSpiffeId: string;
}

export function spireRendered(kube: Kube, expected: SpireExpectation): string[] {
    const problems: string[] = [];
    const configMap = (name: string) => required(kube.get<KubeObject>("configmap", name, expected.namespace), `ConfigMap ${expected.namespace}/${name}`).data ?? {};
    const server = JSON.parse(required(configMap("spire-server")["server.conf"], "server.conf")) as {
        server: { trust_domain?: string };
        plugins: { UpstreamAuthority?: { disk?: { plugin_data: Record<string, string> } }[] };
    };
    if (server.server.trust_domain !== expected.trustDomain) problems.push(`server.conf trust_domain ${JSON.stringify(server.server.trust_domain)}`);
    const disk = server.plugins.UpstreamAuthority?.map((p) => p.disk).find((d) => d !== undefined)?.plugin_data;
    if (!disk) {
        problems.push("server.conf has no disk UpstreamAuthority");
    } else {
        // Every file the plugin reads must come from the upstream Secret, under a key the program writes.
        const statefulSet = required(kube.get<PodTemplate>("statefulset", "spire-server", expected.namespace), "StatefulSet spire-server");
        const pod = statefulSet.spec.template.spec;
        const container = required(pod.containers.find((c) => c.name === "spire-server"), "container spire-server");
        const secretKeys = Object.keys(required(kube.secretData(expected.upstreamSecret, expected.namespace), `Secret ${expected.upstreamSecret}`));
        for (const setting of ["cert_file_path", "key_file_path", "bundle_file_path"]) {
            const file = disk[setting];
            if (file === undefined) { problems.push(`server.conf disk UpstreamAuthority has no ${setting}`); continue; }
            const mount = container.volumeMounts?.find((m) => path.posix.dirname(file) === m.mountPath.replace(/\/$/, ""));
            const volume = pod.volumes?.find((v) => v.name === mount?.name);
            const key = volume?.secret?.items?.find((item) => item.path === path.posix.basename(file))?.key ?? path.posix.basename(file);
            if (volume?.secret?.secretName !== expected.upstreamSecret) problems.push(`${setting} ${file}: not on a volume of Secret ${expected.upstreamSecret} (volume ${JSON.stringify(volume ?? mount ?? null)})`);
            else if (!secretKeys.includes(key)) problems.push(`${setting} ${file}: the Secret has no key ${key} (it has ${secretKeys.join(", ")})`);
        }
    }
    const agent = JSON.parse(required(configMap("spire-agent")["agent.conf"], "agent.conf")) as { agent: { trust_domain?: string; authorized_delegates?: string[] } };
    if (agent.agent.trust_domain !== expected.trustDomain) problems.push(`agent.conf trust_domain ${JSON.stringify(agent.agent.trust_domain)}`);
    if (!agent.agent.authorized_delegates?.includes(expected.ztunnelSpiffeId)) problems.push(`agent.conf authorized_delegates ${JSON.stringify(agent.agent.authorized_delegates)} lacks ${expected.ztunnelSpiffeId}`);
    const manager = parse(required(configMap("spire-controller-manager")["controller-manager-config.yaml"], "controller-manager-config.yaml")) as Record<string, unknown>;
    for (const [key, want] of [["className", expected.className], ["trustDomain", expected.trustDomain], ["clusterName", expected.clusterName]] as const) {
        if (manager[key] !== want) problems.push(`controller manager ${key} ${JSON.stringify(manager[key])}, want ${JSON.stringify(want)}`);
    }
    return problems;
}

export interface IstioExpectation {
    readonly namespace: string;
    readonly trustDomain: string;
    /** N > 1: istiod's and ztunnel's cluster id, and `cacerts` mounted into istiod. */
    readonly multicluster?: { readonly clusterName: string };
}

export function istioRendered(kube: Kube, expected: IstioExpectation): string[] {
    const problems: string[] = [];
    const mesh = parse(required(kube.get<KubeObject>("configmap", "istio", expected.namespace)?.data?.mesh, "mesh config")) as { trustDomain?: string };
    if (mesh.trustDomain !== expected.trustDomain) problems.push(`mesh config trustDomain ${JSON.stringify(mesh.trustDomain)}`);
    const istiod = required(kube.get<PodTemplate>("deployment", "istiod", expected.namespace), "Deployment istiod").spec.template.spec;
    const discovery = required(istiod.containers.find((c) => c.name === "discovery"), "istiod container discovery");
    const env = (container: Container, name: string) => container.env?.find((e) => e.name === name)?.value;
    const ztunnel = required(kube.get<PodTemplate>("daemonset", "ztunnel", expected.namespace), "DaemonSet ztunnel").spec.template.spec.containers[0];
    if (expected.multicluster) {
        const { clusterName } = expected.multicluster;
        if (env(discovery, "CLUSTER_ID") !== clusterName) problems.push(`istiod CLUSTER_ID ${JSON.stringify(env(discovery, "CLUSTER_ID"))}`);
        if (env(ztunnel, "ISTIO_META_CLUSTER_ID") !== clusterName) problems.push(`ztunnel ISTIO_META_CLUSTER_ID ${JSON.stringify(env(ztunnel, "ISTIO_META_CLUSTER_ID"))}`);
        const volume = istiod.volumes?.find((v) => v.secret?.secretName === "cacerts");
        if (!volume || !discovery.volumeMounts?.some((m) => m.name === volume.name)) problems.push("istiod does not mount the cacerts Secret");
    }
    return problems;
}

/** Nodes the pods of a DaemonSet (by label) run on, sorted: one each is the expectation. */
export function podNodes(kube: Kube, namespace: string, selector: string): string[] {
    const pods = JSON.parse(kube.run(["get", "pods", "-n", namespace, "-l", selector, "-o", "json"])) as { items: { spec: { nodeName?: string } }[] };
    return pods.items.map((p) => p.spec.nodeName ?? "(unscheduled)").sort();
}

/**
 * The keys of the values we send to an Istio chart that the chart in this directory does not declare, each with
 * why we send it (istioValuesBeyondValuesYaml): Solo's charts read some, the community ones ignore them. Listed,
 * not hidden (the transcript prints them).
 */
export function undeclaredValues(chart: IstioChart, chartDir: string, values: object): string[] {
    const tree = chartValuesTree(chartDir) ?? {};
    // istiod's chart reads everything under pilot. at the top level as well.
    const [declared, sent] = chart === "istiod" ? [{ ...tree, ...descopePilot(tree) }, descopePilot(values)] : [tree, values];
    const reasons = Object.entries(istioValuesBeyondValuesYaml[chart]);
    return unknownValues(sent, declared).map((u) => {
        const reason = reasons.find(([key]) => u.path === key || u.path.startsWith(`${key}.`))?.[1];
        return `${u.path} (${reason ?? "not on the documented list"})`;
    }).sort();
}

/** Lines of an API server's log that show it calling an admission webhook (nothing may: no pod serves one). */
export function webhookCalls(logFile: string): string[] {
    return fs.readFileSync(logFile, "utf8").split("\n").filter((line) => /calling webhook|failed calling|webhook.*(dial|connect)/i.test(line));
}
