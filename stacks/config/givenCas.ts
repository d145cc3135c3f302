import * as pulumi from "@pulumi/pulumi";
import { checkGivenCas, GivenCas } from "./caMaterial";
import { MeshSpec } from "./load";
import { projectRoot } from "./localSources";

/** How a message names a setting: as the stack file does, or renamed (the Mesh names its arguments, `Mesh.pki…`). */
export type SettingNames = (text: string) => string;

const asInStackFile: SettingNames = (text) => text;

/**
 * The given CAs of a `provided`/`external` stack, read relative to the project directory (where Pulumi.yaml is, as
 * the docs say; Pulumi runs the program in the directory of `main`, infra/, so the working directory is not it —
 * first seen by the adoption e2e) and checked against the clock now; certificates close to expiry are warned
 * about. The clock only decides errors and warnings, never an input. `named` renames the settings in the warnings
 * and in each CA's `setting`, which the deploy-time check of external signing names.
 */
export function checkedGivenCas(spec: MeshSpec, named: SettingNames = asInStackFile, cwd: string = projectRoot(process.cwd())): GivenCas | undefined {
    const given = checkGivenCas(spec, { cwd, now: new Date() });
    if (!given) return undefined;
    const warnings = given.warnings.map(named);
    for (const warning of warnings) pulumi.log.warn(warning);
    const clusters = Object.fromEntries(
        Object.entries(given.clusters).map(([cluster, cas]) => [cluster, Object.fromEntries(Object.entries(cas).map(([role, ca]) => [role, { ...ca, setting: named(ca.setting) }]))]),
    );
    return { ...given, clusters, warnings };
}
