import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../stacks";

/**
 * The error the program hands the engine. The SDK formats any uncaught error that has a stack with
 * `util.inspect`, which on Node 20.20 and 22.23 loops on stack frames under node_modules (nodejs/node#64011)
 * until the heap runs out: `pulumi preview` then prints nothing for minutes. An error without a stack is printed
 * as its message, so every error leaves here stackless: a ConfigError as its one-line message (a RunError, which
 * the SDK prints without "unhandled exception" framing), anything else with its stack text in the message.
 */
export function forEngine(error: unknown): Error {
    const reported =
        error instanceof ConfigError
            ? new pulumi.RunError(error.message)
            : new Error(error instanceof Error ? error.stack ?? error.message : String(error));
    reported.stack = undefined;
    return reported;
}
