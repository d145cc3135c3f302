/**
 * A stack-file mistake, reported as one message that names the setting and says how to fix it. Thrown before
 * any resource is registered.
 */
export class ConfigError extends Error {
    constructor(
        /** The full setting path, e.g. `ambient-spire:clusters[1].trustDomain`. */
        public readonly setting: string,
        /** What is wrong. */
        public readonly problem: string,
        /** How to fix it. */
        public readonly fix: string,
    ) {
        super(`${setting}: ${problem}. Fix: ${fix}`);
        this.name = "ConfigError";
    }
}

export const configNamespace = "ambient-spire";

const longestQuote = 100;

/**
 * The offending value as a message quotes it: JSON, so a string shows its quotes (`"Cluster1"`) and an empty
 * or padded one is visible; cut short past 100 characters to keep the message one readable line.
 */
export function quoteValue(value: unknown): string {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > longestQuote ? `${text.slice(0, longestQuote)}…` : text;
}

/** Quotes a setting's value, or says "[secret]" for a secret setting, whose value no message may show. */
export type Quote = (value: unknown) => string;
export const quoteSecret: Quote = () => "[secret]";

/** Renders a path such as ["clusters", 1, "trustDomain"] as `ambient-spire:clusters[1].trustDomain`. */
export function settingName(path: ReadonlyArray<PropertyKey>): string {
    let out = configNamespace;
    path.forEach((part, i) => {
        if (typeof part === "number") out += `[${part}]`;
        else out += i === 0 ? `:${String(part)}` : `.${String(part)}`;
    });
    return out;
}

/** Levenshtein distance, for "did you mean" hints on misspelt keys. */
export function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let diagonal = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const above = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
            diagonal = above;
        }
    }
    return row[b.length];
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of candidates) {
        const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
        if (distance < bestDistance) {
            best = candidate;
            bestDistance = distance;
        }
    }
    return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}
