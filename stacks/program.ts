import * as pulumi from "@pulumi/pulumi";
import { configNamespace } from "./config/errors";
import { loadMeshSpec } from "./config/load";
import { buildMesh, MeshOutputs } from "./topology";

/**
 * The whole program, as `pulumi up` and the offline plan both run it: validate every setting first (a
 * ConfigError leaves nothing registered), then build.
 */
export function program(): MeshOutputs {
    const spec = loadMeshSpec(pulumi.runtime.allConfig());
    const licenseKey = new pulumi.Config(configNamespace).requireSecret("soloLicenseKey");
    return buildMesh({ spec, licenseKey });
}
