import { test as nodeTest, TestContext } from "node:test";

/**
 * Steps of one scenario run in order on the state the previous step left; after a failure the rest are
 * skipped (each would fail for the same reason and bury the first message).
 */
export function sequence(): (name: string, body: (t: TestContext) => Promise<void>) => void {
    let failedAt: string | undefined;
    return (name, body) =>
        nodeTest(name, async (t) => {
            if (failedAt !== undefined) {
                t.skip(`skipped: "${failedAt}" failed`);
                return;
            }
            try {
                await body(t);
            } catch (error) {
                failedAt = name;
                throw error;
            }
        });
}
