import { execFileSync, spawnSync } from "node:child_process";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { toolsBin } from "./tools";

/** kubectl against one context of the suite's kubeconfig: live objects are read back as the cluster has them. */
export class Kube {
    constructor(private readonly kubeconfig: string, readonly context: string) {}

    run(args: string[], input?: string): string {
        return execFileSync(path.join(toolsBin, "kubectl"), ["--kubeconfig", this.kubeconfig, "--context", this.context, ...args], {
            encoding: "utf8",
            timeout: 60_000,
            // kubectl's complaints go into the thrown error, not the suite's output: the east-west stand-in
            // polls clusters that have no Gateway CRD yet, twice a second.
            stdio: ["pipe", "pipe", "pipe"],
            ...(input !== undefined ? { input } : {}),
        });
    }

    /** helm (built by `npm run e2e:tools`) against the same cluster, as an operator would run it. */
    helm(args: string[]): string {
        return execFileSync(path.join(toolsBin, "helm"), ["--kubeconfig", this.kubeconfig, "--kube-context", this.context, ...args], {
            encoding: "utf8",
            timeout: 180_000,
            stdio: ["ignore", "pipe", "pipe"],
        });
    }

    /** The object, or undefined when the API server says NotFound. */
    get<T = KubeObject>(kind: string, name: string, namespace?: string): T | undefined {
        const result = spawnSync(path.join(toolsBin, "kubectl"), ["--kubeconfig", this.kubeconfig, "--context", this.context, "get", kind, name, ...(namespace ? ["-n", namespace] : []), "-o", "json"], { encoding: "utf8", timeout: 60_000 });
        if (result.status !== 0) {
            if (/NotFound|not found/.test(result.stderr)) return undefined;
            throw new Error(`kubectl get ${kind} ${name}: ${result.stderr}`);
        }
        return JSON.parse(result.stdout) as T;
    }

    list(kind: string, namespace?: string): KubeObject[] {
        const args = ["get", kind, "-o", "json", ...(namespace ? ["-n", namespace] : ["--all-namespaces"])];
        return (JSON.parse(this.run(args)) as { items: KubeObject[] }).items;
    }

    /** A Secret's data, decoded. */
    secretData(name: string, namespace: string): Record<string, string> | undefined {
        const secret = this.get<KubeObject & { data?: Record<string, string> }>("secret", name, namespace);
        if (!secret) return undefined;
        return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
    }
}

export interface KubeObject {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    readonly spec?: Record<string, unknown>;
    readonly status?: Record<string, unknown>;
    readonly data?: Record<string, string>;
}

/** Everything readable in an object, Helm release records included (base64 of gzip JSON inside the Secret). */
export function readableText(object: KubeObject): string {
    const parts = [JSON.stringify(object)];
    for (const [key, value] of Object.entries(object.data ?? {})) {
        const decoded = object.kind === "Secret" ? Buffer.from(value, "base64") : Buffer.from(value, "utf8");
        parts.push(decoded.toString("utf8"));
        if (object.kind === "Secret" && key === "release") {
            parts.push(zlib.gunzipSync(Buffer.from(decoded.toString("utf8"), "base64")).toString("utf8"));
        }
    }
    return parts.join("\n");
}
