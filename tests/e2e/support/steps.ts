import assert from "node:assert/strict";
import { Stack } from "@pulumi/pulumi/automation";
import { diffPlans } from "../../../infra/plan/diff";
import { Plan, PlannedResource } from "../../../infra/plan/model";
import { knownDifferences } from "./compare";
import { changedUrns, Step } from "./project";
import { Transcript } from "./transcript";

/** The engine names a replacement in up to three steps; they are one "replace" here. */
export function normalised(steps: readonly Step[]): Record<string, string[]> {
    const byOp = changedUrns(steps.map((s) => (["create-replacement", "replace", "delete-replaced"].includes(s.op) ? { ...s, op: "replace" } : s)));
    for (const op of Object.keys(byOp)) byOp[op] = [...new Set(byOp[op])];
    return byOp;
}

/** What `npm run plan -- diff` predicts, in the same shape. */
export function predicted(before: Plan, next: Plan): Record<string, string[]> {
    const diff = diffPlans(before, next);
    // A read is no change when it appears (the engine reads every run); when it goes, the engine discards it
    // from the state without deleting anything in the cluster.
    const managed = (r: PlannedResource) => !r.read;
    const shape: Record<string, string[]> = {
        create: diff.added.filter(managed).map((r) => r.urn),
        update: diff.changed.map((c) => c.resource.urn),
        replace: diff.replaced.map((c) => c.resource.urn),
        delete: diff.removed.filter(managed).map((r) => r.urn),
        discard: diff.removed.filter((r) => r.read).map((r) => r.urn),
    };
    return Object.fromEntries(Object.entries(shape).filter(([, urns]) => urns.length > 0).map(([op, urns]) => [op, urns.sort()]));
}

/** Resources the program registers itself; the engine adds the stack and default providers. */
export function ownSteps(steps: readonly Step[]): Step[] {
    return steps.filter((s) => s.type !== "pulumi:pulumi:Stack" && !/::pulumi:providers:[^:]+::default/.test(s.urn));
}

/**
 * Where the offline plan and a real preview of an empty stack disagree: URNs, types, and inputs wherever both
 * know them. Components report no inputs to the engine.
 */
export function planVersusPreview(plan: Plan, steps: readonly Step[]): string[] {
    const real = ownSteps(steps);
    const byUrn = new Map(real.map((s) => [s.urn, s] as const));
    const planned = new Set(plan.resources.map((r) => r.urn));
    return [
        ...real.filter((s) => !planned.has(s.urn)).map((s) => `${s.urn}: in the preview only`),
        ...plan.resources.flatMap((r) => [
            ...(byUrn.get(r.urn)?.type === r.type ? [] : [`${r.urn}: plan type ${r.type}, preview ${byUrn.get(r.urn)?.type ?? "(absent)"}`]),
            ...(hasEngineInputs(r) ? knownDifferences(r.inputs, engineView(byUrn.get(r.urn)?.inputs)).map((d) => `${r.name}${d}`) : []),
        ]),
    ];
}

function hasEngineInputs(r: PlannedResource): boolean {
    return !r.type.startsWith("ambient-spire:");
}

/**
 * The provider's check moves a Secret's known `stringData` into `data`; as one secret map, its keys do not
 * show. Compared as `stringData`, so that a secret there is skipped like any other.
 */
function engineView(inputs: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
    if (inputs?.kind !== "Secret" || inputs.stringData !== undefined || inputs.data === undefined) return inputs;
    const { data, ...rest } = inputs;
    return { ...rest, stringData: data };
}

/** `preview` and `refresh` of a stack that was just deployed: the engine must find nothing to do. */
export async function expectNoChanges(stack: Stack, transcript: Transcript): Promise<void> {
    const preview = await transcript.step("preview after up", () => stack.preview(), (r) => r.changeSummary);
    // Reads of live objects (east-west gateways) happen on every run and change nothing.
    assert.deepEqual(Object.keys(preview.changeSummary ?? {}).filter((op) => op !== "read"), ["same"]);
    const refresh = await transcript.step("refresh", () => stack.refresh(), (r) => r.summary.resourceChanges);
    assert.deepEqual(Object.keys(refresh.summary.resourceChanges ?? {}), ["same"]);
}
