import * as pulumi from "@pulumi/pulumi";
import { configNamespace } from "./config/errors";
import { loadStackSpec } from "./config/load";
import { checkedGivenCas } from "./config/givenCas";
import { withLocalFiles } from "./config/localSources";
import { engineSecretKeys } from "./config/secretKeys";
import { readCertificateRequests, readClusterStackReferences } from "./references";
import { buildMesh, buildPki, MeshOutputs } from "./topology";
import { PkiStackOutputs } from "./references";
import { skipPromiseLeakStacks } from "./promiseStacks";
import { readGatewayApiCrds } from "./config/gatewayApiSource";

/**
 * The whole program, as `pulumi up` and the offline plan both run it: validate every setting first (a
 * ConfigError leaves nothing registered), read referenced stacks, then build.
 */
export async function program(): Promise<MeshOutputs | PkiStackOutputs<pulumi.Output<string>>> {
    // Before any registration: the SDK's per-promise stacks were most of the program's time (promiseStacks.ts).
    skipPromiseLeakStacks();
    const stack = loadStackSpec(pulumi.runtime.allConfig(), engineSecretKeys());
    if (stack.kind === "pki") return buildPki({ pki: stack.spec.pki, requests: await readCertificateRequests(stack.spec) });
    const spec = withLocalFiles(stack.spec);
    const given = checkedGivenCas(spec);
    const licenseKey = new pulumi.Config(configNamespace).requireSecret("soloLicenseKey");
    const gatewayApiCrdsManifest = await readGatewayApiCrds(spec);
    if (spec.pkiStack === undefined) return buildMesh({ spec, licenseKey, gatewayApiCrdsManifest, ...(given ? { given } : {}) });
    return buildMesh({ spec, licenseKey, gatewayApiCrdsManifest, referenced: await readClusterStackReferences(spec) });
}
