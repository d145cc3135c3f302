import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { gatewayApi, gatewayApiCrdNames } from "../../components/istio/gatewayApiCrds";

/** The upstream CRD schemas and chart values beside the clone (../shared/upstream). */
export const upstreamDir = path.resolve(__dirname, "..", "..", "..", "shared", "upstream");

/**
 * A manifest with the CRDs of Gateway API v1.3.0's standard-install.yaml: the real Gateway CRD (the only one
 * the suite has upstream), and a stand-in for each other one.
 */
export function standInGatewayApiManifest(): string {
    const gateways = fs.readFileSync(path.join(upstreamDir, "gateway-api-v1.3.0", "gateway.networking.k8s.io_gateways.yaml"), "utf8");
    const others = gatewayApiCrdNames(gatewayApi.version).filter((name) => name !== "gateways.gateway.networking.k8s.io");
    return [gateways, ...others.map(standInCrd)].join("\n---\n");
}

/**
 * A CRD of the standard channel other than Gateway, which is the only one the suite has upstream: the same name,
 * group and kind, with a schema that takes any object (nothing the suite makes is of these kinds).
 */
function standInCrd(name: string): string {
    const [plural, ...group] = name.split(".");
    const kinds: Record<string, string> = { gatewayclasses: "GatewayClass", grpcroutes: "GRPCRoute", httproutes: "HTTPRoute", referencegrants: "ReferenceGrant" };
    const kind = kinds[plural!];
    if (!kind) throw new Error(`no stand-in kind for the CRD ${name}`);
    return stringify({
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        // *.k8s.io groups need the approval annotation, as the real ones carry; the API server refuses them without.
        metadata: {
            name,
            annotations: {
                "api-approved.kubernetes.io": "https://github.com/kubernetes-sigs/gateway-api/pull/3328",
                "gateway.networking.k8s.io/bundle-version": gatewayApi.version,
                "gateway.networking.k8s.io/channel": "standard",
            },
        },
        spec: {
            group: group.join("."),
            names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
            scope: kind === "GatewayClass" ? "Cluster" : "Namespaced",
            versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
        },
    });
}
