import { gatewayApi, gatewayApiCrdDocuments, gatewayApiCrdNames, GatewayApiManifestError, readGatewayApiManifest } from "../../components/istio/gatewayApiCrds";
import { ConfigError, configNamespace } from "./errors";
import { MeshSpec } from "./load";

/** Where a stack's Gateway API CRDs come from: its setting, or the guide's release on GitHub. */
function gatewayApiSourceOf(spec: MeshSpec): string {
    return spec.sources.gatewayApiCrds ?? gatewayApi.standardInstallUrl(gatewayApi.version);
}

/**
 * The Gateway API manifest, read and checked before anything is registered, so that an unreachable URL or a
 * manifest of another release stops the run with the setting named rather than half-way through a deployment.
 */
export async function readGatewayApiCrds(spec: MeshSpec): Promise<string> {
    const source = gatewayApiSourceOf(spec);
    const setting = `${configNamespace}:sources.gatewayApiCrds`;
    try {
        const text = await readGatewayApiManifest(source);
        gatewayApiCrdDocuments(text, source, gatewayApiCrdNames(gatewayApi.version));
        return text;
    } catch (error) {
        if (error instanceof GatewayApiManifestError) throw new ConfigError(setting, error.problem, error.fix);
        throw error;
    }
}
