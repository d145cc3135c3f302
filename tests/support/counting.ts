import * as pulumi from "@pulumi/pulumi";

/**
 * Runs `program` on mocks that only count registrations (with `config` as the stack's settings): returns the
 * error it ended with and how many resources it registered besides the stack.
 */
export async function runCounting(
    program: () => unknown,
    config: Record<string, string> = {},
    secretKeys: readonly string[] = [],
): Promise<{ error: unknown; registered: number }> {
    let registered = 0;
    await pulumi.runtime.setMocks({ newResource: (a) => ((registered += 1), { id: "", state: a.inputs }), call: (a) => a.inputs }, "ambient-spire", "bad", true);
    pulumi.runtime.setAllConfig(config, [...secretKeys]);
    let error: unknown;
    await pulumi.runtime.runInPulumiStack(async () => {
        try {
            await program();
        } catch (e) {
            error = e;
        }
        return {};
    });
    // Registrations reach the mock asynchronously: wait until the count settles.
    for (let last = -1; last !== registered; ) {
        last = registered;
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { error, registered: registered - 1 /* the stack itself */ };
}
