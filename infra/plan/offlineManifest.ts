import { stringify } from "yaml";
import { gatewayApi, gatewayApiCrdNames, isUrl, readManifestSource } from "../../components/istio/gatewayApiCrds";

/**
 * The plan stays offline: a local manifest is read as `pulumi up` reads it, but a URL is not fetched. In its place
 * the plan shows the release's CRDs by name, each spec a note saying where `pulumi up` reads it from.
 */
export async function offlineManifest(source: string): Promise<string> {
    if (!isUrl(source)) return readManifestSource(source);
    return gatewayApiCrdNames(gatewayApi.version)
        .map((name) => stringify({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name }, spec: { readAtDeploy: source } }))
        .join("---\n");
}
