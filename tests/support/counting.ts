import * as pulumi from "@pulumi/pulumi";
import { readManifestSource, withManifestReader } from "../../components/istio/gatewayApiCrds";
import { offlineManifest } from "../../infra/plan/offlineManifest";

/**
 * Runs `program` on mocks that only count registrations (with `config` as the stack's settings): returns the
 * error it ended with and how many resources it registered besides the stack. Offline as the plan is, unless
 * `fetchUrls` (a Gateway API manifest at a URL is then fetched, as by `pulumi up`).
 */
export async function runCounting(
    program: () => unknown,
    config: Record<string, string> = {},
    secretKeys: readonly string[] = [],
    { fetchUrls = false }: { fetchUrls?: boolean } = {},
): Promise<{ error: unknown; registered: number }> {
    let registered = 0;
    await pulumi.runtime.setMocks({ newResource: (a) => ((registered += 1), { id: "", state: a.inputs }), call: (a) => a.inputs }, "ambient-spire", "bad", true);
    pulumi.runtime.setAllConfig(config, [...secretKeys]);
    let error: unknown;
    await withManifestReader(fetchUrls ? readManifestSource : offlineManifest, () =>
        pulumi.runtime.runInPulumiStack(async () => {
            try {
                await program();
            } catch (e) {
                error = e;
            }
            return {};
        }),
    );
    // Registrations reach the mock asynchronously: wait until the count settles.
    for (let last = -1; last !== registered; ) {
        last = registered;
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { error, registered: registered - 1 /* the stack itself */ };
}
