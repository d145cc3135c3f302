// Entry point of `pulumi up`. The program is async (it reads referenced stacks before registering anything),
// so the module exports a function; Pulumi awaits it and takes the object it returns as the stack outputs.
// A stack-file mistake becomes a RunError: Pulumi prints its message alone, without a stack trace, and
// nothing has been registered by then.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, program } from "../stacks";

export = async () => {
    try {
        return await program();
    } catch (error) {
        if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
        throw error;
    }
};
