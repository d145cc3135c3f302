// The entry point of the `pulumi-resource-ambient-spire` plugin (package/pulumi-resource-ambient-spire runs it):
// serves the component provider to the engine, which prints the port it listens on.
import * as provider from "@pulumi/pulumi/provider";
import { ComponentProvider, readSchema } from "./provider";

provider.main(new ComponentProvider(readSchema()), process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`pulumi-resource-ambient-spire: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
});
