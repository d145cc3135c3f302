/**
 * Helm 3 keeps each revision of a release in a Secret `sh.helm.release.v1.<name>.v<N>` (type helm.sh/release.v1),
 * labelled owner=helm, name, version (the revision) and status. Its `release` data is the release JSON, gzipped
 * and base64-encoded by Helm, then base64-encoded again as all Secret data is.
 */
import { gunzipSync } from "zlib";
import { HelmRevision, KubeObject } from "./snapshot";

export const helmReleaseSelector = (release: string) => `owner=helm,name=${release}`;

/** One revision as verify needs it: number and status from the labels, chart name and version from the payload. */
export function helmRevisionOf(secret: KubeObject): HelmRevision {
    const labels = secret.metadata.labels ?? {};
    const revision = Number(labels.version);
    const status = labels.status ?? "unknown";
    try {
        const payload = secret.data?.release;
        if (payload === undefined) throw new Error("no release data");
        const helmEncoded = Buffer.from(payload, "base64").toString("utf8");
        const json = gunzipSync(Buffer.from(helmEncoded, "base64")).toString("utf8");
        const release = JSON.parse(json) as { chart?: { metadata?: { name?: unknown; version?: unknown } } };
        const metadata = release.chart?.metadata ?? {};
        return {
            revision,
            status,
            ...(typeof metadata.version === "string" ? { chartVersion: metadata.version } : {}),
            ...(typeof metadata.name === "string" ? { chartName: metadata.name } : {}),
        };
    } catch (error) {
        return { revision, status, decodeError: error instanceof Error ? error.message : String(error) };
    }
}
