// The Pulumi SDK (3.248, runtime/debuggable.js) reads `new Error().stack` for every promise it makes, to print
// where a leaked promise came from, but prints it only when PULUMI_DEBUG_PROMISE_LEAKS is set. It makes four
// such promises for every output property of every resource (rpc.js transferProperties), so a Helm release
// with its thirty-odd properties costs about 120 formatted, source-mapped stack traces. A CPU profile of the
// 16-cluster mesh put 43 % of the program's time in formatting them and 13 % in capturing them
// (docs/benchmarks.md). Nothing reads them unless that variable is set, so the program stops them being
// formatted: every other stack — errors, and the source positions the SDK sends with each resource — is
// formatted exactly as before, by whichever formatter was installed (Node's source maps under tsx,
// source-map-support under ts-node).

/** What a debuggable promise's stack reads instead; only seen by someone inspecting SDK internals. */
export const unformattedPromiseStack = "Error: stack not kept (set PULUMI_DEBUG_PROMISE_LEAKS=1 to keep promise stacks)";

type PrepareStackTrace = (error: Error, trace: NodeJS.CallSite[]) => unknown;

const debuggableFile = /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]debuggable\.js$/;

/** The stack of an Error made by the SDK's debuggablePromise: its first frame is that function in that file. */
function fromDebuggablePromise(trace: readonly NodeJS.CallSite[]): boolean {
    const top = trace[0];
    return top !== undefined && top.getFunctionName() === "debuggablePromise" && debuggableFile.test(top.getFileName() ?? "");
}

const installed = new WeakSet<PrepareStackTrace>();

/**
 * Makes the SDK's promise-leak stacks cost nothing to format, unless PULUMI_DEBUG_PROMISE_LEAKS asks for them.
 * Idempotent. Does nothing where no formatter is exposed as Error.prepareStackTrace to hand other stacks to
 * (Node 20 exposes its own; a replacement of it would lose source maps).
 */
export function skipPromiseLeakStacks(env: NodeJS.ProcessEnv = process.env): void {
    // The SDK's own test of the variable (runtime/debuggable.js): any non-empty value turns leak debugging on.
    if (env.PULUMI_DEBUG_PROMISE_LEAKS) return;
    const current = Error.prepareStackTrace as PrepareStackTrace | undefined;
    if (current === undefined || installed.has(current)) return;
    const skipping: PrepareStackTrace = function (this: unknown, error, trace) {
        return fromDebuggablePromise(trace) ? unformattedPromiseStack : current.call(this, error, trace);
    };
    installed.add(skipping);
    Error.prepareStackTrace = skipping;
}
