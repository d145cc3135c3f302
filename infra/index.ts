// Entry point of `pulumi up`. A stack-file mistake becomes a RunError: Pulumi prints its message alone,
// without a stack trace, and nothing has been registered by then.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, program } from "../stacks";

function run() {
    try {
        return program();
    } catch (error) {
        if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
        throw error;
    }
}

const outputs = run();
export const rootCaCertPem = outputs.rootCaCertPem;
export const clusters = outputs.clusters;
