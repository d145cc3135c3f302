import * as fs from "node:fs";
import * as path from "node:path";

/** A Markdown file's lines with fenced blocks blanked (so line numbers hold and code is not read as links). */
function proseLines(text: string): string[] {
    let fenced = false;
    return text.split("\n").map((line) => {
        if (line.startsWith("```")) {
            fenced = !fenced;
            return "";
        }
        return fenced ? "" : line;
    });
}

/** The anchors GitHub gives a file's headings: lower case, punctuation dropped, each space a hyphen, repeats -1, -2…. */
export function headingAnchors(text: string): Set<string> {
    const anchors = new Set<string>();
    const seen = new Map<string, number>();
    for (const line of proseLines(text)) {
        const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
        if (heading === undefined) continue;
        const slug = heading.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
        const count = seen.get(slug) ?? 0;
        seen.set(slug, count + 1);
        anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    return anchors;
}

/**
 * Every relative link or image of the given Markdown files that does not resolve, as `file:line: target (why)`:
 * the file or directory is missing, or the `#anchor` is no heading of the Markdown file it points into. Links
 * with a scheme (`https:`, `mailto:`) are not followed; a path starting with `/` is taken from `root`.
 */
export function brokenLinks(root: string, files: readonly string[]): string[] {
    const broken: string[] = [];
    for (const file of files) {
        const lines = proseLines(fs.readFileSync(file, "utf8"));
        for (const [index, line] of lines.entries()) {
            // Code spans are not links, but a link's text may be one: drop the spans, keep the brackets.
            const text = line.replace(/`[^`]*`/g, "");
            for (const [, target] of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
                if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
                const where = `${path.relative(root, file)}:${index + 1}: ${target}`;
                const [pathPart, anchor] = target.split("#", 2) as [string, string | undefined];
                const decoded = decodeURIComponent(pathPart);
                const resolved = decoded === "" ? file : decoded.startsWith("/") ? path.join(root, decoded) : path.resolve(path.dirname(file), decoded);
                if (!fs.existsSync(resolved)) {
                    broken.push(`${where} (no such file or directory)`);
                    continue;
                }
                if (anchor !== undefined && resolved.endsWith(".md") && !headingAnchors(fs.readFileSync(resolved, "utf8")).has(decodeURIComponent(anchor))) {
                    broken.push(`${where} (no heading with that anchor in ${path.relative(root, resolved)})`);
                }
            }
        }
    }
    return broken;
}
