/** The shape of every check's outcome, and the small helpers all checks share. */
import { KubeObject, Lookup } from "../snapshot";

export interface CheckResult {
    /** Stable id (docs/verify.md lists them): `network.namespace`, `release.istiod`, `network.peer.cluster2`… */
    readonly id: string;
    readonly ok: boolean;
    /** Why, in one line; never a secret. */
    readonly detail: string;
}

export const pass = (id: string, detail: string): CheckResult => ({ id, ok: true, detail });
export const fail = (id: string, detail: string): CheckResult => ({ id, ok: false, detail });

/** The object of a lookup, or the failing check saying why there is none. */
export function found<T>(id: string, lookup: Lookup<T> | undefined, what: string): { value: T } | { result: CheckResult } {
    if (lookup === undefined || "absent" in lookup) return { result: fail(id, `${what} not found`) };
    if ("error" in lookup) return { result: fail(id, `${what} could not be read: ${lookup.error}`) };
    return { value: lookup.found };
}

/** A Secret's value, decoded from base64; undefined when the key is missing. */
export function secretText(secret: KubeObject, key: string): string | undefined {
    const value = secret.data?.[key];
    return value === undefined ? undefined : Buffer.from(value, "base64").toString("utf8");
}

export interface Condition {
    readonly type: string;
    readonly status: string;
    readonly reason?: string;
    readonly message?: string;
}

export function conditionsOf(object: KubeObject): readonly Condition[] {
    const conditions = object.status?.conditions;
    return Array.isArray(conditions) ? (conditions as Condition[]) : [];
}

export const quote = (value: unknown) => (value === undefined ? "none" : JSON.stringify(value));
