import * as fs from "node:fs";
import * as path from "node:path";
import { Kube } from "./kube";
import { ChartKey, standInCharts } from "./standInCharts";

/**
 * Holds one stand-in chart's Helm install open until the test lets it finish, so that a fault lands while that
 * release is being created, every time, whatever the machine's speed. The chart gets a LoadBalancer Service:
 * Helm's wait (the provider's default, skipAwait false) does not return until the Service has an address, and
 * with no cloud controller nothing gives it one, until a LoadBalancerStandIn runs.
 */
export function holdInstall(standInsDir: string, chart: ChartKey): string {
    const template = path.join(standInsDir, "charts", standInCharts[chart], "templates", "install-gate.yaml");
    fs.writeFileSync(
        template,
        [
            "apiVersion: v1",
            "kind: Service",
            "metadata:",
            "  name: {{ .Release.Name }}-install-gate",
            "  namespace: {{ .Release.Namespace }}",
            "spec:",
            "  type: LoadBalancer",
            "  ports:",
            "    - port: 15443",
            "",
        ].join("\n"),
    );
    return template;
}

/** Plays a cloud's load-balancer controller: gives every LoadBalancer Service without one an address (TEST-NET-1). */
export class LoadBalancerStandIn {
    private running = true;
    private readonly loop: Promise<void>;

    constructor(private readonly kube: Kube) {
        this.loop = this.run();
    }

    private async run(): Promise<void> {
        while (this.running) {
            try {
                for (const service of this.kube.list("services")) {
                    const spec = service.spec as { type?: string } | undefined;
                    const status = service.status as { loadBalancer?: { ingress?: unknown[] } } | undefined;
                    if (spec?.type !== "LoadBalancer" || (status?.loadBalancer?.ingress ?? []).length > 0) continue;
                    const patch = { status: { loadBalancer: { ingress: [{ ip: "192.0.2.10" }] } } };
                    this.kube.run(["patch", "service", service.metadata.name, "-n", service.metadata.namespace!, "--subresource=status", "--type=merge", "-p", JSON.stringify(patch)]);
                }
            } catch {
                // The API server is busy or the Service went away between list and patch: try again.
            }
            await new Promise((resolve) => setTimeout(resolve, 500));
        }
    }

    async stop(): Promise<void> {
        this.running = false;
        await this.loop;
    }
}
