import { secretMarker, unknownMarker } from "../../../infra/plan/model";

/** The engine's marker for a value not known until deploy, as events carry it. */
const engineUnknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Paths where the offline plan and the engine disagree, judged only where the plan knows the value: a plan
 * value of "[unknown]" or "[secret]" is skipped, and so is an engine value that is unknown or a secret.
 * Keys the engine holds beyond the plan's are provider defaults and are not compared.
 */
export function knownDifferences(planned: unknown, real: unknown, path = ""): string[] {
    if (planned === unknownMarker || planned === secretMarker) return [];
    if (real === engineUnknown || real === secretMarker || isSecretObject(real)) return [];
    if (Array.isArray(planned)) {
        if (!Array.isArray(real) || real.length !== planned.length) return [`${path}: plan ${JSON.stringify(planned)}, engine ${JSON.stringify(real)}`];
        return planned.flatMap((item, index) => knownDifferences(item, real[index], `${path}[${index}]`));
    }
    if (planned !== null && typeof planned === "object") {
        if (real === null || typeof real !== "object" || Array.isArray(real)) return [`${path}: plan an object, engine ${JSON.stringify(real)}`];
        return Object.entries(planned).flatMap(([key, value]) => knownDifferences(value, (real as Record<string, unknown>)[key], `${path}.${key}`));
    }
    return planned === real ? [] : [`${path}: plan ${JSON.stringify(planned)}, engine ${JSON.stringify(real)}`];
}

function isSecretObject(value: unknown): boolean {
    return value !== null && typeof value === "object" && (value as Record<string, unknown>)["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270";
}
