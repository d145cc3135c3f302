import * as pulumi from "@pulumi/pulumi";

/**
 * Taking over an installation made by hand (the guide's kubectl, helm and istioctl steps) instead of creating it.
 * A component given one imports each object the guide creates, by the id the provider reads it with, and creates
 * the rest as usual.
 */
export interface Adoption {
    /**
     * Keep every object of the component in the cluster when it is deleted: `pulumi destroy` then ends Pulumi's
     * management and leaves the installation running, as the team had it before adopting (plus the corrections).
     * Objects created beside the adopted ones (the licence Secret istiod's secretRef reads, the fourth
     * ClusterSPIFFEID) are kept too: the corrected releases depend on them.
     */
    readonly keepOnDestroy: boolean;
}

/**
 * Options of an object the guide created: imported by `id` (`<namespace>/<name>`, or `<name>` when cluster-scoped;
 * a Helm release's is `<namespace>/<release>` and keeps its revision history). Since pulumi/pulumi#19339 the
 * engine imports and then updates when the live object differs from the program, so the guide's gaps show in
 * the preview as an import plus an update; an import that would replace is what the tests forbid.
 */
export function adoptedOptions(adoption: Adoption | undefined, id: string): Pick<pulumi.CustomResourceOptions, "import" | "retainOnDelete"> {
    if (!adoption) return {};
    return { import: id, ...keptOptions(adoption) };
}

/** Options of an object created beside adopted ones: kept on destroy when the adoption says so. */
export function keptOptions(adoption: Adoption | undefined): Pick<pulumi.CustomResourceOptions, "retainOnDelete"> {
    return adoption?.keepOnDestroy ? { retainOnDelete: true } : {};
}

/** The import id of a namespaced object. */
export function namespacedId(namespace: string, name: string): string {
    return `${namespace}/${name}`;
}
