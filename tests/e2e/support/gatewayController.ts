import { Kube, KubeObject } from "./kube";

const rootCertConfigMap = "istio-ca-root-cert";

/**
 * Plays istiod's part for east-west Gateways (there are no pods to run it): once a Gateway of class
 * istio-eastwest exists, it publishes an address in its status and marks it Programmed, as istiod does when
 * the LoadBalancer Service gets one. The provider's `pulumi.com/waitFor: condition=Programmed` then returns
 * and the address flows into peers' links. Addresses are hostnames: nothing ever connects to them.
 *
 * With `publishRootCert`, it also does what istiod does at start with a plug-in CA: publish the `cacerts` root
 * (`root-cert.pem`) as the `istio-ca-root-cert` ConfigMap of istio-system, once, when it is missing — so a
 * `cacerts` changed later is not followed, as istiod without a restart would not follow it.
 */
export class EastWestController {
    private running = true;
    private readonly loop: Promise<void>;
    /** Address published per context; change one to simulate a new load balancer address. */
    readonly addresses = new Map<string, string>();

    constructor(private readonly clusters: readonly Kube[], private readonly options: { readonly publishRootCert?: boolean } = {}) {
        for (const kube of clusters) this.addresses.set(kube.context, `${kube.context}.eastwest.e2e.invalid`);
        this.loop = this.run();
    }

    private async run(): Promise<void> {
        while (this.running) {
            for (const kube of this.clusters) {
                try {
                    if (this.options.publishRootCert) this.publishRootCert(kube);
                    for (const gateway of kube.list("gateways.gateway.networking.k8s.io")) this.program(kube, gateway);
                } catch {
                    // The CRD is not there yet, or the API server is stopped on purpose: try again.
                }
            }
            await new Promise((resolve) => setTimeout(resolve, 500));
        }
    }

    private program(kube: Kube, gateway: KubeObject): void {
        if (gateway.spec?.gatewayClassName !== "istio-eastwest") return;
        const address = this.addresses.get(kube.context)!;
        const status = gateway.status as { addresses?: { value: string }[]; conditions?: { type: string; status: string }[] } | undefined;
        const programmed = status?.conditions?.some((c) => c.type === "Programmed" && c.status === "True");
        if (programmed && status?.addresses?.[0]?.value === address) return;
        const now = new Date().toISOString();
        const patch = {
            status: {
                addresses: [{ type: "Hostname", value: address }],
                conditions: [
                    { type: "Accepted", status: "True", reason: "Accepted", message: "e2e stand-in for istiod", lastTransitionTime: now, observedGeneration: 1 },
                    { type: "Programmed", status: "True", reason: "Programmed", message: "e2e stand-in for istiod", lastTransitionTime: now, observedGeneration: 1 },
                ],
            },
        };
        kube.run(["patch", "gateways.gateway.networking.k8s.io", gateway.metadata.name, "-n", gateway.metadata.namespace!, "--subresource=status", "--type=merge", "-p", JSON.stringify(patch)]);
    }

    private publishRootCert(kube: Kube): void {
        if (kube.get("configmap", rootCertConfigMap, "istio-system")) return;
        const root = kube.secretData("cacerts", "istio-system")?.["root-cert.pem"];
        if (root === undefined) return;
        const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: rootCertConfigMap, namespace: "istio-system", labels: { "istio.io/config": "true" } }, data: { "root-cert.pem": root } };
        kube.run(["create", "-f", "-"], JSON.stringify(configMap));
    }

    async stop(): Promise<void> {
        this.running = false;
        await this.loop;
    }
}
