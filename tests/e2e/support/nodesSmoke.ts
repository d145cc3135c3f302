/**
 * By hand: does `startControlPlanes({ nodes })` give workloads that become ready the way Helm's --wait and hook Jobs
 * expect? Run `node --import tsx tests/e2e/support/nodesSmoke.ts [--clusters 2] [--nodes 2]` after `npm run e2e:tools`.
 *
 * Per cluster: a Deployment with 2 replicas becomes Available, a DaemonSet has one Ready pod per node, a StatefulSet
 * with a volumeClaimTemplate (no storageClassName: the default kwok-volume) rolls out, a Job completes, `kubectl wait --for=condition=Ready pods --all` returns (in the namespace without the Job:
 * a completed Job's pod is never Ready), and deleting the namespace removes its pods. While it runs, every listening
 * socket of the started processes must be on 127.0.0.1; after stop() none of them may still exist. Prints timings and
 * RSS per process; exit code 1 on any failure.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startControlPlanes, RunningControlPlanes } from "./controlPlane";
import { toolsBin } from "./tools";

const arg = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const clusterCount = arg("clusters", 1);
const nodeCount = arg("nodes", 2);

const manifest = (nodes: number): string => `
apiVersion: v1
kind: Namespace
metadata: {name: smoke}
---
apiVersion: v1
kind: Namespace
metadata: {name: smoke-jobs}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: smoke}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: example.invalid/web:1, readinessProbe: {httpGet: {path: /, port: 8080}}}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: smoke}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: smoke}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: true
      containers: [{name: agent, image: example.invalid/agent:1}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: smoke}
spec:
  serviceName: db
  replicas: ${nodes}
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: example.invalid/db:1, volumeMounts: [{name: data, mountPath: /data}]}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: hook, namespace: smoke-jobs}
spec:
  backoffLimit: 0
  ttlSecondsAfterFinished: 600
  template:
    spec:
      restartPolicy: Never
      containers: [{name: hook, image: example.invalid/hook:1, command: ["/bin/true"]}]
`;

interface PodLite { metadata: { name: string }; spec: { nodeName?: string }; status: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] } }

function kubectl(cp: RunningControlPlanes, context: string, args: string[], input?: string): string {
    return execFileSync(path.join(toolsBin, "kubectl"), ["--kubeconfig", cp.kubeconfig, "--context", context, ...args], {
        encoding: "utf8", timeout: 150_000, stdio: ["pipe", "pipe", "pipe"], ...(input !== undefined ? { input } : {}),
    });
}

/** Every listening TCP/UDP socket owned by one of pids, as "address:port (name pid)". */
function listeners(pids: number[]): string[] {
    const out = execFileSync("ss", ["-ltunpH"], { encoding: "utf8" });
    const mine = new Set(pids);
    return out.split("\n").filter(Boolean).flatMap((line) => {
        const owners = [...line.matchAll(/\("([^"]+)",pid=(\d+),/g)].filter((m) => mine.has(Number(m[2])));
        if (owners.length === 0) return [];
        const local = line.trim().split(/\s+/)[4];
        return [`${local} (${owners.map((m) => `${m[1]} ${m[2]}`).join(", ")})`];
    });
}

function rssKiB(pid: number): { name: string; kib: number } {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    return { name: fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0].split("/").pop() ?? "?", kib: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) };
}

const alive = (pid: number): boolean => {
    try { process.kill(pid, 0); return true; } catch { return false; }
};

async function main(): Promise<number> {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-nodes-smoke-"));
    const contexts = Array.from({ length: clusterCount }, (_, i) => `cluster${i + 1}`);
    const timings: Record<string, number> = {};
    const failures: string[] = [];
    const timed = <T>(label: string, fn: () => T): T => {
        const t = Date.now();
        try { return fn(); } finally { timings[label] = Date.now() - t; }
    };
    let cp: RunningControlPlanes | undefined;
    let pids: number[] = [];
    try {
        const t0 = Date.now();
        cp = await startControlPlanes({ contexts, binDir: toolsBin, workDir, nodes: nodeCount });
        timings["start (control planes + nodes Ready)"] = Date.now() - t0;
        pids = cp.pids();
        for (const context of contexts) {
            const run = cp;
            const k = (args: string[], input?: string): string => kubectl(run, context, args, input);
            console.log(`[${context}] nodes: ${k(["get", "nodes", "-o", "wide", "--no-headers"]).trim().split("\n").map((l) => l.split(/\s+/).slice(0, 2).join(" ")).join("; ")}`);
            timed(`${context}: apply`, () => k(["apply", "-f", "-"], manifest(nodeCount)));
            timed(`${context}: deployment Available`, () => k(["-n", "smoke", "wait", "--for=condition=Available", "deployment/web", "--timeout=120s"]));
            timed(`${context}: daemonset rollout`, () => k(["-n", "smoke", "rollout", "status", "daemonset/agent", "--timeout=120s"]));
            timed(`${context}: statefulset rollout`, () => k(["-n", "smoke", "rollout", "status", "statefulset/db", "--timeout=120s"]));
            timed(`${context}: job Complete`, () => k(["-n", "smoke-jobs", "wait", "--for=condition=Complete", "job/hook", "--timeout=120s"]));
            timed(`${context}: wait Ready pods --all`, () => k(["-n", "smoke", "wait", "--for=condition=Ready", "pods", "--all", "--timeout=120s"]));

            const pods = (JSON.parse(k(["-n", "smoke", "get", "pods", "-o", "json"])) as { items: PodLite[] }).items;
            const ready = (p: PodLite): boolean => p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
            const agents = pods.filter((p) => p.metadata.name.startsWith("agent-"));
            const agentNodes = new Set(agents.map((p) => p.spec.nodeName));
            if (agents.length !== nodeCount || agentNodes.size !== nodeCount || !agents.every(ready)) {
                failures.push(`${context}: DaemonSet pods ${agents.map((p) => `${p.metadata.name}@${p.spec.nodeName}`).join(", ")}: want one Ready pod on each of ${nodeCount} nodes`);
            }
            const web = pods.filter((p) => p.metadata.name.startsWith("web-"));
            if (web.length !== 2 || !web.every(ready)) failures.push(`${context}: Deployment pods: ${web.length}, want 2 Ready`);
            const slices = k(["-n", "smoke", "get", "endpointslices", "-l", "kubernetes.io/service-name=web", "-o", "jsonpath={.items[*].endpoints[*].addresses[*]}"]).trim();
            console.log(`[${context}] pods: ${pods.map((p) => `${p.metadata.name}@${p.spec.nodeName} ${p.status.phase} ${p.status.podIP}`).join("; ")}`);
            console.log(`[${context}] Service web endpoints: ${slices || "(none)"}`);
            if (slices.split(/\s+/).filter(Boolean).length !== 2) failures.push(`${context}: Service web has endpoints ${q(slices)}, want 2`);
            const claims = k(["-n", "smoke", "get", "pvc", "-o", "jsonpath={range .items[*]}{.metadata.name}={.status.phase}/{.spec.storageClassName} {end}"]).trim();
            console.log(`[${context}] claims: ${claims}`);
            if (claims.split(" ").filter((c) => c.includes("=Bound/kwok-volume")).length !== nodeCount) failures.push(`${context}: claims ${q(claims)}, want ${nodeCount} Bound`);
            console.log(`[${context}] job: ${k(["-n", "smoke-jobs", "get", "job/hook", "-o", "jsonpath={.status.succeeded} succeeded, conditions {.status.conditions[*].type}"])}`);
        }

        const sockets = listeners(pids);
        console.log(`listening sockets of the ${pids.length} processes started:\n  ${sockets.join("\n  ")}`);
        const exposed = sockets.filter((s) => !s.startsWith("127.0.0.1:"));
        if (exposed.length > 0) failures.push(`listening beyond 127.0.0.1: ${exposed.join(", ")}`);

        const rss = pids.filter(alive).map((pid) => ({ pid, ...rssKiB(pid) }));
        const byName = new Map<string, number>();
        for (const r of rss) byName.set(r.name, (byName.get(r.name) ?? 0) + r.kib);
        console.log(`RSS (MiB): ${[...byName].map(([name, kib]) => `${name} ${(kib / 1024).toFixed(0)}`).join(", ")}; total ${(rss.reduce((a, r) => a + r.kib, 0) / 1024).toFixed(0)} for ${clusterCount} cluster(s)`);

        for (const context of contexts) {
            const run = cp;
            timed(`${context}: delete namespaces (pods removed)`, () => kubectl(run, context, ["delete", "namespace", "smoke", "smoke-jobs", "--wait", "--timeout=120s"]));
        }
    } catch (err) {
        failures.push(err instanceof Error ? err.message : String(err));
    } finally {
        const t = Date.now();
        await cp?.stop();
        timings["stop"] = Date.now() - t;
        const left = pids.filter(alive);
        const strays = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" }).split("\n").filter((l) => l.includes(workDir) && !l.includes(" ps "));
        if (left.length > 0) failures.push(`still running after stop(): ${left.join(", ")}`);
        if (strays.length > 0) failures.push(`processes naming ${workDir} after stop():\n${strays.join("\n")}`);
        console.log(`after stop(): ${pids.length} started, ${left.length} alive; ps lines naming the work dir: ${strays.length}`);
        if (failures.length === 0) fs.rmSync(workDir, { recursive: true, force: true });
        else console.log(`work dir kept: ${workDir}`);
    }
    console.log(`timings (s): ${Object.entries(timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join("; ")}`);
    if (failures.length > 0) {
        console.log(`FAILED:\n- ${failures.join("\n- ")}${cp ? `\n${cp.logs()}` : ""}`);
        return 1;
    }
    console.log("nodes smoke: ok");
    return 0;
}

const q = (value: unknown): string => JSON.stringify(value);

main().then((code) => { process.exitCode = code; }, (err: unknown) => { console.error(err); process.exitCode = 1; });
