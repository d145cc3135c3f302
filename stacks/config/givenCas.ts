import * as pulumi from "@pulumi/pulumi";
import { checkGivenCas, GivenCas } from "./caMaterial";
import { MeshSpec } from "./load";
import { projectRoot } from "./localSources";

/**
 * The given CAs of a `provided`/`external` stack, read relative to the project directory (where Pulumi.yaml is, as
 * the docs say; Pulumi runs the program in the directory of `main`, infra/, so the working directory is not it —
 * first seen by the adoption e2e) and checked against the clock now; certificates close to expiry are warned
 * about. The clock only decides errors and warnings, never an input.
 */
export function checkedGivenCas(spec: MeshSpec, cwd: string = projectRoot(process.cwd())): GivenCas | undefined {
    const given = checkGivenCas(spec, { cwd, now: new Date() });
    for (const warning of given?.warnings ?? []) pulumi.log.warn(warning);
    return given;
}
