// Entry point of `pulumi up`. The program is async (it reads referenced stacks before registering anything),
// so the module exports a function; Pulumi awaits it and takes the object it returns as the stack outputs.
// A stack-file mistake ends the run with its one-line message; nothing has been registered by then.
import { program } from "../stacks";
import { forEngine } from "./engineError";

export = async () => {
    try {
        return await program();
    } catch (error) {
        throw forEngine(error);
    }
};
