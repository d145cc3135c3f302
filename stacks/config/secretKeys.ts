/**
 * Which settings the engine says are secret. Without a `config:` declaration in Pulumi.yaml the CLI accepts a
 * plain-text licence, so the program itself must refuse one; the engine passes the list of secret keys to the
 * program (PULUMI_CONFIG_SECRET_KEYS), and the SDK keeps it in its runtime store with no typed reader.
 */
interface RuntimeStore {
    readonly config?: Readonly<Record<string, string | undefined>>;
}

const secretKeysVariable = "PULUMI_CONFIG_SECRET_KEYS";

/** The secret setting names (`namespace:key`), or undefined when the language host did not pass the list. */
export function engineSecretKeys(): readonly string[] | undefined {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const state = require("@pulumi/pulumi/runtime/state") as { getStore?: () => RuntimeStore };
    const text = state.getStore?.().config?.[secretKeysVariable];
    if (!text) return undefined;
    try {
        const keys: unknown = JSON.parse(text);
        return Array.isArray(keys) ? keys.map(String) : undefined;
    } catch {
        return undefined;
    }
}
