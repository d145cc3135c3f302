// A resource's inputs as the plan prints them: plain JSON, secrets masked, unknowns marked, keys kept.
import * as pulumi from "@pulumi/pulumi";
import { JsonValue, secretMarker, unknownMarker } from "./model";

const sigKey = pulumi.runtime.specialSigKey;
const secretSig = pulumi.runtime.specialSecretSig;

/** What the SDK's Output implementation offers beyond its public type (the recorder reads these too). */
interface OutputWithUnknowns {
    /** The value with unknowns left in place, as the SDK resolves it for itself. */
    promise(withUnknowns: true): Promise<unknown>;
    readonly isSecret: Promise<boolean>;
    readonly isKnown: Promise<boolean>;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value) && !pulumi.Output.isInstance(value) && !pulumi.Resource.isInstance(value) && !pulumi.isUnknown(value) && !(value instanceof Promise);
}

/**
 * The engine receives an Output that holds any unknown as one unknown, and the Kubernetes SDK wraps a
 * Secret's whole `stringData` in one secret Output: a Secret whose certificate is not known yet reached the
 * mock engine as a bare unknown, its keys lost, so a renamed key passed review unseen. Where the engine
 * saw an unknown, this puts back the keys from the resource's own `props` (the Output's value with its
 * unknowns in place), wrapped as a secret when the Output is one, so `toJson` masks every value in it.
 */
export async function revealKeys(input: unknown, prop: unknown): Promise<unknown> {
    if (!containsUnknown(input)) return input;
    let value = prop;
    if (pulumi.Output.isInstance(prop)) {
        const output = prop as unknown as OutputWithUnknowns;
        value = await output.promise(true);
        if (pulumi.isUnknown(input) && isPlainRecord(value)) {
            return (await output.isSecret) ? { [sigKey]: secretSig, value } : value;
        }
    }
    if (Array.isArray(input)) {
        return Promise.all(input.map((item, index) => revealKeys(item, Array.isArray(value) ? value[index] : undefined)));
    }
    if (isPlainRecord(input) && input[sigKey] === undefined && isPlainRecord(value)) {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(input)) out[key] = await revealKeys(input[key], value[key]);
        return out;
    }
    return input;
}

function containsUnknown(value: unknown): boolean {
    if (pulumi.isUnknown(value)) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    return isPlainRecord(value) && Object.values(value).some(containsUnknown);
}

/** Inputs as plain JSON: secrets masked, unknowns marked, object keys sorted so output is byte-stable. */
export function toJson(value: unknown): JsonValue {
    if (value === undefined || value === null) return null;
    if (pulumi.isUnknown(value)) return unknownMarker;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
    if (Array.isArray(value)) return value.map(toJson);
    if (pulumi.Resource.isInstance(value)) return "[resource]";
    if (typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[sigKey] === secretSig) return masked(record.value);
        return mapKeys(record, toJson);
    }
    return String(value);
}

/**
 * A secret's value with every value hidden but its keys shown: a Secret's `stringData` lists `tls.crt`,
 * `tls.key`, … each as "[secret]", or "[unknown]" where not known yet (as the engine would see it).
 */
function masked(value: unknown): JsonValue {
    if (pulumi.isUnknown(value)) return unknownMarker;
    if (isPlainRecord(value) && value[sigKey] === undefined) return mapKeys(value, masked);
    if (isPlainRecord(value)) return masked(value.value);
    return secretMarker;
}

function mapKeys(record: Record<string, unknown>, each: (value: unknown) => JsonValue): { [key: string]: JsonValue } {
    const out: { [key: string]: JsonValue } = {};
    for (const key of Object.keys(record).sort()) {
        if (record[key] !== undefined) out[key] = each(record[key]);
    }
    return out;
}

/** A single value (an id given as an Output, say) as the plan prints it: unknown while a preview cannot know it. */
export async function valueToJson(value: unknown): Promise<JsonValue> {
    if (!pulumi.Output.isInstance(value)) return toJson(value);
    const output = value as unknown as OutputWithUnknowns;
    // A resource's id is unknown by `isKnown` alone: its value is then undefined, not the unknown sentinel.
    if (!(await output.isKnown)) return unknownMarker;
    const resolved = await output.promise(true);
    return (await output.isSecret) ? masked(resolved) : toJson(resolved);
}
