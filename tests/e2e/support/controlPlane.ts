/**
 * Real Kubernetes control planes for the end-to-end suite, which runs `pulumi up` with the real engine and
 * Kubernetes provider: server-side apply, CRD schemas, defaulting, RBAC and namespace finalization only behave
 * as in a cluster when a real kube-apiserver stores the objects. Per cluster: etcd, kube-apiserver, and a
 * kube-controller-manager running only the controllers that make object lifecycles real (namespace deletion,
 * garbage collection, service accounts, role aggregation, kube-root-ca.crt). No kubelet, no scheduler: pods
 * never run and Services have no endpoints; objects are validated and stored, nothing more.
 *
 * With `nodes: n` (n > 0) each cluster also gets simulated nodes: kube-scheduler, the KWOK controller (`kwok`,
 * KWOK's default stages: nodes Ready with a lease heartbeat, scheduled pods Running/Ready, Job pods Succeeded,
 * deleted pods removed), n Node objects the harness creates, and the workload controllers in the controller
 * manager (Deployments, ReplicaSets, DaemonSets, StatefulSets, Jobs, CronJobs, endpoints, PDBs, pod GC, TTL
 * after finished, PV binding), and a default StorageClass `kwok-volume` whose claims KWOK's volume stages bind to a
 * made-up hostPath PV (StatefulSet volumeClaimTemplates work). Pods never run a process: readiness is what KWOK
 * reports, so probes, webhooks and Services behind them are never served. The harness starts these itself rather than
 * through `kwokctl --runtime binary`: kwokctl binds 0.0.0.0 unless configured otherwise and detaches what it starts
 * (setsid, parent init, PID files, SIGKILL on `kwokctl delete cluster`), so no harness could own those processes.
 *
 * PKI (openssl, EC P-256): each cluster has its own CA, as separate kind clusters do, so a context paired with
 * another cluster's CA fails TLS instead of passing unnoticed; also its own front-proxy CA and service-account
 * key. The admin is a bearer token in group system:masters.
 *
 * Everything listens on 127.0.0.1, on ports the OS picked. Children are not detached, run under `setpriv
 * --pdeathsig KILL` where available (so they die even if this process is killed), and a process 'exit' hook
 * SIGKILLs any still running. Readiness is polled with node's https (a built-in beyond child_process/fs/net/path).
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as net from "net";
import * as path from "path";

export interface ControlPlaneOptions {
    /** Cluster names; each becomes a kubeconfig context of exactly that name. */
    contexts: string[];
    /** Directory containing etcd, kube-apiserver, kube-controller-manager. */
    binDir: string;
    /** Work directory (certs, data, logs, kubeconfig); created; the caller deletes it. */
    workDir: string;
    /** true: one etcd shared by all API servers, each with --etcd-prefix=/<context>; default false (one etcd each). */
    sharedEtcd?: boolean;
    /** false: no kube-controller-manager (nothing is deleted or needs a service account, e.g. previews only); default true. */
    controllerManager?: boolean;
    /**
     * Simulated nodes per cluster (KWOK), named `<context>-node-<i>`; default 0: no scheduler, no kwok, no workload
     * controllers (as before). Needs the controller manager, kube-scheduler and kwok in binDir, and kwokStages.
     */
    nodes?: number;
    /** KWOK stage configuration (`npm run e2e:tools` writes .tools/kwok/stages.yaml); default <binDir>/../kwok/stages.yaml. */
    kwokStages?: string;
}

export interface RunningControlPlanes {
    /** Path of a kubeconfig with one context per cluster (names as given), current-context = the first. */
    kubeconfig: string;
    /** Per context: the API server URL and the admin bearer token. */
    clusters: Record<string, { server: string; token: string }>;
    /** Per context: the simulated nodes' names (empty without `nodes`). */
    nodes: Record<string, string[]>;
    /** PIDs of every process started, including API servers since stopped (for assertions and diagnostics). */
    pids(): number[];
    /**
     * Stop one cluster's kube-apiserver (fault injection: SIGKILL, like a crash) and start it again on the same
     * port/state; startApiServer resolves once /readyz is ok (and only waits if the server is running).
     */
    stopApiServer(context: string): Promise<void>;
    startApiServer(context: string): Promise<void>;
    /** Stops exactly the processes this harness started (SIGTERM, then SIGKILL after a grace period), waits until they have exited. Idempotent. */
    stop(): Promise<void>;
    /** Tail of each process's log, for failure messages. */
    logs(): string;
}

const [readyTimeoutMs, stopGraceMs, pollMs] = [60_000, 5_000, 100];
const controllers = "namespace,garbagecollector,serviceaccount,serviceaccount-token,clusterrole-aggregation,root-ca-cert-publisher";
/**
 * With simulated nodes: what drives workloads to Helm's idea of ready (Deployments Available, DaemonSets and StatefulSets
 * rolled out, Jobs complete), and nodelifecycle, which lifts the node.kubernetes.io/not-ready taint the API server's
 * admission puts on every new Node once KWOK reports it Ready (without it nothing schedules).
 */
const workloadControllers = "nodelifecycle,deployment,replicaset,daemonset,statefulset,job,cronjob,endpoint,endpointslice," +
    "endpointslicemirroring,disruption,podgc,ttl-after-finished,persistentvolume-binder,pvc-protection,pv-protection";
/** As kwokctl's: a node is only declared unhealthy after 200 s without a lease renewal (our CPUs are shared). */
const nodeMonitorArgs = ["--node-monitor-period=25s", "--node-monitor-grace-period=200s"];

interface Proc { name: string; log: string; child: ChildProcess; exited: Promise<void>; status?: string }
interface Cluster {
    name: string; dir: string; port: number; token: string; caPem: string; etcdPort: number; etcd: Proc; api?: Proc; kcm?: Proc;
    scheduler?: Proc; kwok?: Proc; nodes: string[];
}

/** Children of every harness still running, SIGKILLed synchronously if this process exits first. */
const live = new Set<ChildProcess>();
process.on("exit", () => live.forEach((child) => child.kill("SIGKILL")));
let pdeathsig: boolean | undefined;

function spawnProc(name: string, bin: string, args: string[], log: string, env?: NodeJS.ProcessEnv): Proc {
    try { pdeathsig ??= execFileSync("setpriv", ["--pdeathsig", "KILL", "--", "true"]) !== undefined; } catch { pdeathsig = false; }
    const fd = fs.openSync(log, "a");
    const options = { stdio: ["ignore", fd, fd] as ["ignore", number, number], ...(env ? { env } : {}) };
    const child = pdeathsig ? spawn("setpriv", ["--pdeathsig", "KILL", "--", bin, ...args], options) : spawn(bin, args, options);
    fs.closeSync(fd); // the child has its own copy
    live.add(child);
    const proc: Proc = { name, log, child, exited: Promise.resolve() };
    proc.exited = new Promise((resolve) => {
        const done = (status: string): void => { proc.status ??= status; live.delete(child); resolve(); };
        child.once("exit", (code, signal) => done(signal ? `killed by ${signal}` : `exit code ${code}`));
        child.once("error", (err) => { if (child.pid === undefined) done(`failed to start: ${err.message}`); });
    });
    return proc;
}

/** SIGTERM, then SIGKILL once graceMs is over (at once if 0); resolves when the process has exited. */
async function stopProc(proc: Proc | undefined, graceMs = stopGraceMs): Promise<void> {
    if (!proc || proc.status !== undefined) return;
    if (graceMs > 0) {
        proc.child.kill("SIGTERM");
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([proc.exited, new Promise((resolve) => { timer = setTimeout(resolve, graceMs); })]);
        clearTimeout(timer);
    }
    if (proc.status === undefined) proc.child.kill("SIGKILL");
    await proc.exited;
}

function tail(proc: Proc, lines = 25): string {
    let text = "";
    try { text = fs.readFileSync(proc.log, "utf8").trimEnd().split("\n").slice(-lines).join("\n"); } catch { /* no log yet */ }
    return `--- ${proc.name} [pid ${proc.child.pid ?? "none"}, ${proc.status ?? "running"}] ${proc.log}\n${text}`;
}

/** Polls check until true; fails fast if a watched process exits, or after the timeout. */
async function waitFor(what: string, watched: (Proc | undefined)[], check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
        const dead = watched.find((proc) => proc?.status !== undefined);
        if (dead) throw new Error(`${what}: ${dead.name} exited early (${dead.status})`);
        if (await check()) return;
        if (Date.now() > deadline) throw new Error(`${what}: not ready after ${readyTimeoutMs / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
}

/** Status code of an authenticated GET against a cluster's API server, 0 if it could not be reached. */
function apiGet(cluster: Cluster, urlPath: string): Promise<number> {
    return new Promise((resolve) => {
        const req = https.get({
            host: "127.0.0.1", port: cluster.port, path: urlPath, ca: cluster.caPem, agent: false, timeout: 2000,
            headers: { Authorization: `Bearer ${cluster.token}` },
        }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
        req.on("timeout", () => req.destroy());
        req.on("error", () => resolve(0));
    });
}

/** An authenticated JSON request; resolves with the status code and body (status 0 if unreachable). */
function apiRequest(cluster: Cluster, method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: string }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve) => {
        const req = https.request({
            host: "127.0.0.1", port: cluster.port, path: urlPath, method, ca: cluster.caPem, agent: false, timeout: 5000,
            headers: { Authorization: `Bearer ${cluster.token}`, ...(payload ? { "Content-Type": "application/json" } : {}) },
        }, (res) => {
            let text = "";
            res.setEncoding("utf8").on("data", (chunk: string) => { text += chunk; }).on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on("timeout", () => req.destroy());
        req.on("error", () => resolve({ status: 0, body: "" }));
        req.end(payload);
    });
}

/** The default StorageClass KWOK's volume stages act on (they match storageClassName kwok-volume); nothing provisions it but KWOK. */
const storageClass = {
    apiVersion: "storage.k8s.io/v1", kind: "StorageClass",
    metadata: { name: "kwok-volume", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
    provisioner: "kwok.x-k8s.io/volume", reclaimPolicy: "Delete", volumeBindingMode: "Immediate",
};

interface FakeNodeStatus { spec?: { taints?: { key: string }[] }; status?: { conditions?: { type: string; status: string }[] } }

/** A Node object for KWOK to manage (the annotation is what its selector matches); KWOK fills in status. */
function fakeNode(name: string, index: number): unknown {
    return {
        apiVersion: "v1", kind: "Node",
        metadata: {
            name,
            annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
            labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", type: "kwok" },
        },
        // Each node its own pod range, as a CNI would give it (KWOK assigns pod IPs from it; nothing routes them), and an
        // InternalIP from TEST-NET-2 (hostNetwork pods report it; nothing listens on it). KWOK keeps addresses it is given.
        spec: { podCIDR: `10.244.${index}.0/24`, podCIDRs: [`10.244.${index}.0/24`] },
        status: { addresses: [{ type: "InternalIP", address: `198.51.100.${index + 1}` }, { type: "Hostname", address: name }] },
    };
}

/** Ports the OS picks on 127.0.0.1; all held open together so none is handed out twice. */
async function freePorts(count: number): Promise<number[]> {
    const servers = await Promise.all(Array.from({ length: count }, () => new Promise<net.Server>((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve(server));
    })));
    const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    return ports;
}

const leafExt = "basicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature,keyEncipherment";
const opensslConfig = ["[req]", "distinguished_name = dn", "prompt = no", "[dn]",
    "[ca]", "basicConstraints = critical,CA:TRUE", "keyUsage = critical,keyCertSign,cRLSign,digitalSignature", "subjectKeyIdentifier = hash",
    "[server]", leafExt, "extendedKeyUsage = serverAuth", "subjectAltName = IP:127.0.0.1,DNS:localhost",
    "[client]", leafExt, "extendedKeyUsage = clientAuth", ""].join("\n");

/** Writes ca, apiserver, front-proxy-ca, front-proxy-client (.crt/.key) and sa.key/sa.pub into dir; returns a token. */
function makePki(dir: string, name: string): string {
    const openssl = (...args: string[]): string => execFileSync("openssl", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    fs.writeFileSync(path.join(dir, "openssl.cnf"), opensslConfig);
    const key = ["-config", "openssl.cnf", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
    const ca = (base: string, cn: string): void => {
        openssl("req", "-x509", ...key, "-extensions", "ca", "-days", "3650", "-subj", `/CN=${cn}`, "-keyout", `${base}.key`, "-out", `${base}.crt`);
    };
    const leaf = (base: string, cn: string, issuer: string, profile: string): void => {
        openssl("req", "-new", ...key, "-subj", `/CN=${cn}`, "-keyout", `${base}.key`, "-out", `${base}.csr`);
        openssl("x509", "-req", "-in", `${base}.csr`, "-CA", `${issuer}.crt`, "-CAkey", `${issuer}.key`, "-CAcreateserial",
            "-CAserial", `${issuer}.srl`, "-days", "365", "-extfile", "openssl.cnf", "-extensions", profile, "-out", `${base}.crt`);
    };
    ca("ca", `${name}-ca`);
    leaf("apiserver", "kube-apiserver", "ca", "server");
    ca("front-proxy-ca", `${name}-front-proxy-ca`);
    leaf("front-proxy-client", "front-proxy-client", "front-proxy-ca", "client");
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "sa.key");
    openssl("pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub");
    return openssl("rand", "-hex", "24").trim();
}

/** YAML with JSON-quoted strings (a JSON string is a valid YAML scalar); cluster, user and context share the name, as kind's do. */
function kubeconfig(clusters: Cluster[]): string {
    const out = ["apiVersion: v1", "kind: Config", `current-context: ${q(clusters[0].name)}`, "clusters:"];
    for (const c of clusters) {
        out.push(`- name: ${q(c.name)}`, "  cluster:", `    server: ${q(`https://127.0.0.1:${c.port}`)}`,
            `    certificate-authority-data: ${Buffer.from(c.caPem).toString("base64")}`);
    }
    out.push("users:", ...clusters.flatMap((c) => [`- name: ${q(c.name)}`, "  user:", `    token: ${q(c.token)}`]));
    out.push("contexts:", ...clusters.flatMap((c) => [`- name: ${q(c.name)}`, "  context:", `    cluster: ${q(c.name)}`, `    user: ${q(c.name)}`]));
    return out.join("\n") + "\n";
}

const q = (value: unknown): string => JSON.stringify(value);

export async function startControlPlanes(options: ControlPlaneOptions): Promise<RunningControlPlanes> {
    const { contexts, binDir, sharedEtcd = false, controllerManager = true, nodes = 0 } = options;
    if (!Number.isInteger(nodes) || nodes < 0 || nodes > 250) throw new Error(`nodes must be an integer from 0 to 250: ${q(nodes)}`);
    if (nodes > 0 && !controllerManager) throw new Error("nodes need the controller manager (its workload controllers create the pods)");
    const kwokStages = path.resolve(options.kwokStages ?? path.join(binDir, "..", "kwok", "stages.yaml"));
    if (contexts.length === 0 || new Set(contexts).size !== contexts.length) throw new Error(`contexts must be non-empty and unique: ${q(contexts)}`);
    const bad = contexts.find((name) => !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name));
    if (bad !== undefined) throw new Error(`context ${q(bad)}: use letters, digits, '.', '_', '-' (it names a directory and an etcd prefix)`);
    for (const bin of ["etcd", "kube-apiserver", "kube-controller-manager", ...(nodes > 0 ? ["kube-scheduler", "kwok"] : [])]) {
        fs.accessSync(path.join(binDir, bin), fs.constants.X_OK);
    }
    if (nodes > 0) fs.accessSync(kwokStages, fs.constants.R_OK);
    const workDir = path.resolve(options.workDir);
    fs.mkdirSync(workDir, { recursive: true });

    const procs: Proc[] = [];
    const clusters: Cluster[] = [];
    const start = (name: string, bin: string, args: string[], env?: NodeJS.ProcessEnv): Proc => {
        const proc = spawnProc(name, path.join(binDir, bin), args, path.join(workDir, `${name}.log`), env);
        procs.push(proc);
        return proc;
    };
    const logs = (): string => procs.map((proc) => tail(proc)).join("\n");
    const withLogs = (err: unknown): Error => new Error(`${err instanceof Error ? err.message : String(err)}\n${logs()}`);
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => stopping ??= (async () => {
        await Promise.all(clusters.flatMap((c) => [stopProc(c.kwok), stopProc(c.scheduler), stopProc(c.kcm), stopProc(c.api)]));
        await Promise.all(procs.map((proc) => stopProc(proc))); // the etcds
    })();

    const ports = await freePorts(contexts.length * 3 + 2);
    const startEtcd = (name: string): { proc: Proc; port: number } => {
        const [port, peerPort] = [ports.pop() as number, ports.pop() as number];
        const [client, peer] = [`http://127.0.0.1:${port}`, `http://127.0.0.1:${peerPort}`];
        fs.mkdirSync(path.join(workDir, name), { recursive: true });
        // No --listen-metrics-urls: etcd then serves /metrics on the client URL only.
        const proc = start(`${name}/etcd`, "etcd", [`--name=${name}`, `--data-dir=${path.join(workDir, name, "etcd")}`,
            `--listen-client-urls=${client}`, `--advertise-client-urls=${client}`, `--listen-peer-urls=${peer}`,
            `--initial-advertise-peer-urls=${peer}`, `--initial-cluster=${name}=${peer}`, "--initial-cluster-state=new",
            "--unsafe-no-fsync", "--log-level=warn"]);
        return { proc, port };
    };
    const startApi = (c: Cluster): void => {
        c.api = start(`${c.name}/kube-apiserver`, "kube-apiserver", [
            "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", `--secure-port=${c.port}`, "--endpoint-reconciler-type=none",
            `--etcd-servers=http://127.0.0.1:${c.etcdPort}`, `--etcd-prefix=/${c.name}`, "--allow-privileged=true",
            `--tls-cert-file=${c.dir}/apiserver.crt`, `--tls-private-key-file=${c.dir}/apiserver.key`, `--client-ca-file=${c.dir}/ca.crt`,
            `--token-auth-file=${c.dir}/tokens.csv`, "--authorization-mode=Node,RBAC", "--service-cluster-ip-range=10.96.0.0/16",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local", // as kind's
            `--service-account-key-file=${c.dir}/sa.pub`, `--service-account-signing-key-file=${c.dir}/sa.key`,
            `--requestheader-client-ca-file=${c.dir}/front-proxy-ca.crt`, "--requestheader-allowed-names=front-proxy-client",
            "--requestheader-extra-headers-prefix=X-Remote-Extra-", "--requestheader-group-headers=X-Remote-Group",
            "--requestheader-username-headers=X-Remote-User",
            `--proxy-client-cert-file=${c.dir}/front-proxy-client.crt`, `--proxy-client-key-file=${c.dir}/front-proxy-client.key`,
        ]);
    };
    const apiReady = (c: Cluster): Promise<void> =>
        waitFor(`cluster ${c.name}: kube-apiserver /readyz`, [c.etcd, c.api], async () => (await apiGet(c, "/readyz")) === 200);
    const startKcm = (c: Cluster): Promise<void> => {
        fs.writeFileSync(path.join(c.dir, "kcm.kubeconfig"), kubeconfig([c]), { mode: 0o600 });
        c.kcm = start(`${c.name}/kube-controller-manager`, "kube-controller-manager", [
            `--kubeconfig=${c.dir}/kcm.kubeconfig`, `--controllers=${nodes > 0 ? `${controllers},${workloadControllers}` : controllers}`,
            `--service-account-private-key-file=${c.dir}/sa.key`,
            `--root-ca-file=${c.dir}/ca.crt`, "--bind-address=127.0.0.1", "--secure-port=0", "--leader-elect=false",
            "--use-service-account-credentials=false", ...(nodes > 0 ? nodeMonitorArgs : []),
        ]);
        // The serviceaccount controller creating default/default shows the controller manager works.
        return waitFor(`cluster ${c.name}: kube-controller-manager (default service account)`, [c.etcd, c.api, c.kcm],
            async () => (await apiGet(c, "/api/v1/namespaces/default/serviceaccounts/default")) === 200);
    };
    // kube-scheduler serves nothing (--secure-port=0); kwok serves nothing either (no --server-address/--node-port), and
    // KWOK_WORKDIR keeps it from reading a user's ~/.kwok/kwok.yaml.
    const startNodes = async (c: Cluster): Promise<void> => {
        c.scheduler = start(`${c.name}/kube-scheduler`, "kube-scheduler", [
            `--kubeconfig=${c.dir}/kcm.kubeconfig`, "--bind-address=127.0.0.1", "--secure-port=0", "--leader-elect=false",
        ]);
        const kwokDir = path.join(c.dir, "kwok");
        fs.mkdirSync(kwokDir, { recursive: true });
        c.kwok = start(`${c.name}/kwok`, "kwok", [
            `--kubeconfig=${c.dir}/kcm.kubeconfig`, `--config=${kwokStages}`,
            "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake", "--node-lease-duration-seconds=40",
        ], { ...process.env, KWOK_WORKDIR: kwokDir });
        const sc = await apiRequest(c, "POST", "/apis/storage.k8s.io/v1/storageclasses", storageClass);
        if (sc.status !== 201) throw new Error(`cluster ${c.name}: creating StorageClass kwok-volume: HTTP ${sc.status} ${sc.body.slice(0, 300)}`);
        for (let i = 0; i < nodes; i++) {
            const name = `${c.name}-node-${i}`;
            const res = await apiRequest(c, "POST", "/api/v1/nodes", fakeNode(name, i));
            if (res.status !== 201) throw new Error(`cluster ${c.name}: creating node ${name}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
            c.nodes.push(name);
        }
        // Schedulable: Ready (KWOK) and without the not-ready taint (nodelifecycle).
        await waitFor(`cluster ${c.name}: ${nodes} KWOK node(s) Ready and untainted`, [c.etcd, c.api, c.kcm, c.scheduler, c.kwok], async () => {
            const res = await apiRequest(c, "GET", "/api/v1/nodes?labelSelector=type%3Dkwok");
            if (res.status !== 200) return false;
            const items = (JSON.parse(res.body) as { items: FakeNodeStatus[] }).items;
            return items.filter((n) => n.status?.conditions?.some((cond) => cond.type === "Ready" && cond.status === "True")
                && !n.spec?.taints?.some((t) => t.key === "node.kubernetes.io/not-ready")).length >= nodes;
        });
    };

    try {
        // etcd first: it boots while openssl works (kube-apiserver retries until etcd answers).
        const shared = sharedEtcd ? startEtcd("_shared") : undefined; // no context starts with "_"
        const etcds = contexts.map((name) => shared ?? startEtcd(name));
        for (const [i, name] of contexts.entries()) {
            const dir = path.join(workDir, name);
            fs.mkdirSync(dir, { recursive: true });
            const token = makePki(dir, name);
            fs.writeFileSync(path.join(dir, "tokens.csv"), `${token},admin,admin,system:masters\n`, { mode: 0o600 });
            const caPem = fs.readFileSync(path.join(dir, "ca.crt"), "utf8");
            clusters.push({ name, dir, port: ports.pop() as number, token, caPem, etcdPort: etcds[i].port, etcd: etcds[i].proc, nodes: [] });
            startApi(clusters[i]); // boots while the next cluster's PKI is made
        }
        await Promise.all(clusters.map(apiReady));
        if (controllerManager) await Promise.all(clusters.map(startKcm));
        if (nodes > 0) await Promise.all(clusters.map(startNodes));
    } catch (err) {
        await stop();
        throw withLogs(err);
    }

    const kubeconfigPath = path.join(workDir, "kubeconfig");
    fs.writeFileSync(kubeconfigPath, kubeconfig(clusters), { mode: 0o600 });
    const byName = (name: string): Cluster => {
        const cluster = clusters.find((c) => c.name === name);
        if (!cluster) throw new Error(`no cluster ${q(name)} (have ${q(contexts)})`);
        if (stopping) throw new Error("control planes already stopped");
        return cluster;
    };
    return {
        kubeconfig: kubeconfigPath,
        clusters: Object.fromEntries(clusters.map((c) => [c.name, { server: `https://127.0.0.1:${c.port}`, token: c.token }])),
        nodes: Object.fromEntries(clusters.map((c) => [c.name, [...c.nodes]])),
        pids: () => procs.flatMap((proc) => (proc.child.pid === undefined ? [] : [proc.child.pid])),
        // SIGKILL: a crash, and immediate (on SIGTERM it drains open watches, e.g. the controller manager's, for seconds).
        stopApiServer: async (name) => stopProc(byName(name).api, 0),
        startApiServer: async (name) => {
            const c = byName(name);
            if (c.api?.status !== undefined) startApi(c);
            await apiReady(c).catch((err: unknown) => { throw withLogs(err); });
        },
        stop,
        logs,
    };
}
