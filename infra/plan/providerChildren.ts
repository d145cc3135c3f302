import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";

/**
 * What a provider-side component registers by itself. A `yaml/v2` ConfigFile is expanded by the Kubernetes
 * provider at deploy time, so the program (and the mock engine) never sees its children; the real engine then
 * shows one child per object in the file, named `<ConfigFile name>:<namespace/>name`. The plan reads the file when
 * it is local and names them; a URL is not fetched (the plan stays offline), and `names` is null.
 */
export interface ProviderChildren {
    /** The manifest the provider reads. */
    readonly from: string;
    /** The children's resource names as the engine gives them; null when the source is not read offline. */
    readonly names: string[] | null;
}

export function providerChildren(type: string, name: string, inputs: Record<string, unknown>, projectDir: string): ProviderChildren | undefined {
    if (type !== "kubernetes:yaml/v2:ConfigFile" || typeof inputs.file !== "string") return undefined;
    const file = inputs.file;
    if (/^[a-z][a-z0-9+.-]*:\/\//.test(file)) return { from: file, names: null };
    const documents = parseAllDocuments(fs.readFileSync(path.resolve(projectDir, file), "utf8"));
    const names = documents
        .map((d) => d.toJS() as { metadata?: { name?: string; namespace?: string } } | null)
        .filter((o): o is { metadata: { name: string; namespace?: string } } => typeof o?.metadata?.name === "string")
        .map((o) => `${name}:${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`);
    return { from: file, names };
}
