// The real-engine bench's floor, copied as the entry point of a project of its own: the same number of
// resources as the program's preview, registered as bare components (no provider, so no plugin), by a
// TypeScript program that ts-node compiles as it does ours. Its preview is the fixed cost of the CLI, the
// language host, ts-node and the engine, apart from anything our program or its providers add.
import * as pulumi from "@pulumi/pulumi";

class BareComponent extends pulumi.ComponentResource {
    constructor(name: string) {
        super("floor:index:Bare", name, {}, {});
        this.registerOutputs({});
    }
}

const count = new pulumi.Config().requireNumber("resources");
for (let index = 0; index < count; index++) new BareComponent(`bare-${index}`);
