import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The commands of one fenced shell block of a Markdown page (the stack-per-cluster blocks live in
 * docs/multicluster.md), as a user copies them: the block that follows the paragraph starting with `intro`,
 * comments stripped, split at `;` and `&&`. A scenario runs exactly these, so a docs edit that breaks the
 * sequence breaks the scenario. Only plain `pulumi` commands are accepted: no
 * quoting, variables or redirections, which the test would have to interpret (and could interpret wrongly).
 */
export interface DocCommand {
    /** The command as written (without its comment). */
    readonly text: string;
    /** Its words; argv[0] is `pulumi`. */
    readonly argv: readonly string[];
}

export function docCommands(pageFile: string, intro: string): DocCommand[] {
    const lines = fs.readFileSync(pageFile, "utf8").split("\n");
    const where = `${path.basename(pageFile)}, the block after "${intro}…"`;
    const start = lines.findIndex((line) => line.startsWith(intro));
    if (start < 0) throw new Error(`${where}: no paragraph starts so`);
    let at = start;
    while (at < lines.length && lines[at].trim() !== "" && !lines[at].startsWith("```")) at++;
    if (lines[at]?.trim() === "") at++;
    if (!/^```(sh|bash|shell)?\s*$/.test(lines[at] ?? "")) throw new Error(`${where}: the paragraph is not followed by a fenced shell block`);
    const end = lines.findIndex((line, index) => index > at && line.startsWith("```"));
    if (end < 0) throw new Error(`${where}: the block is not closed`);
    const commands = lines
        .slice(at + 1, end)
        .map(withoutComment)
        .flatMap((line) => line.split(/&&|;/))
        .map((text) => text.trim())
        .filter((text) => text !== "")
        .map((text) => ({ text, argv: text.split(/\s+/) }));
    for (const command of commands) {
        if (command.argv[0] !== "pulumi") throw new Error(`${where}: "${command.text}" is not a pulumi command`);
        if (/["'`$|<>\\(){}*?]/.test(command.text)) throw new Error(`${where}: "${command.text}" needs a shell to interpret; keep documented sequences to plain words`);
    }
    if (commands.length === 0) throw new Error(`${where}: the block holds no command`);
    return commands;
}

/** A shell comment starts at a `#` at the start of a line or after a blank. */
function withoutComment(line: string): string {
    const match = /(^|\s)#/.exec(line);
    return match ? line.slice(0, match.index) : line;
}

/** `-s <stack>` / `--stack <stack>` / `--stack=<stack>` of a command, if it names one. */
export function stackOf(argv: readonly string[]): string | undefined {
    for (const [index, word] of argv.entries()) {
        if (word === "-s" || word === "--stack") return argv[index + 1];
        if (word.startsWith("--stack=")) return word.slice("--stack=".length);
    }
    return undefined;
}

/** The CLI subcommand words before the first flag or argument, e.g. ["stack", "init"] or ["up"]. */
export function subcommandOf(argv: readonly string[]): string {
    const words = argv.slice(1);
    if (words[0] === "stack" && words[1] !== undefined && !words[1].startsWith("-")) return `stack ${words[1]}`;
    return words[0] ?? "";
}
