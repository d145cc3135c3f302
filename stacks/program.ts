import * as pulumi from "@pulumi/pulumi";
import { configNamespace } from "./config/errors";
import { loadStackSpec } from "./config/load";
import { readCertificateRequests, readClusterStackReferences } from "./references";
import { buildMesh, buildPki, MeshOutputs } from "./topology";
import { PkiStackOutputs } from "./references";

/** Which settings the stack holds as secrets: the SDK records it, but its typings do not export the check. */
const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret(key: string): boolean }).isConfigSecret;

/**
 * The whole program, as `pulumi up` and the offline plan both run it: validate every setting first (a
 * ConfigError leaves nothing registered), read referenced stacks, then build.
 */
export async function program(): Promise<MeshOutputs | PkiStackOutputs<pulumi.Output<string>>> {
    const config = pulumi.runtime.allConfig();
    const stack = loadStackSpec(config, Object.keys(config).filter(isConfigSecret));
    if (stack.kind === "pki") return buildPki({ pki: stack.spec.pki, requests: await readCertificateRequests(stack.spec) });
    const spec = stack.spec;
    const licenseKey = new pulumi.Config(configNamespace).requireSecret("soloLicenseKey");
    if (spec.pkiStack === undefined) return buildMesh({ spec, licenseKey });
    return buildMesh({ spec, licenseKey, referenced: await readClusterStackReferences(spec) });
}
