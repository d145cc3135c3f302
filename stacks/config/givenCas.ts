import * as pulumi from "@pulumi/pulumi";
import { checkGivenCas, GivenCas } from "./caMaterial";
import { MeshSpec } from "./load";

/**
 * The given CAs of a `provided`/`external` stack, read relative to the working directory (the project's, where
 * Pulumi runs the program) and checked against the clock now; certificates close to expiry are warned about.
 * The clock only decides errors and warnings, never an input.
 */
export function checkedGivenCas(spec: MeshSpec, cwd: string = process.cwd()): GivenCas | undefined {
    const given = checkGivenCas(spec, { cwd, now: new Date() });
    for (const warning of given?.warnings ?? []) pulumi.log.warn(warning);
    return given;
}
