import * as fs from "node:fs";

/**
 * Memory of a process tree, from /proc: who is whose child (`stat`), and each one's resident set (`status`
 * VmRSS) and proportional set (`smaps_rollup` Pss). A preview is several processes (the CLI, its language host,
 * the node program, one process per provider plugin), so no single process's high-water mark says what it
 * costs; their sum, sampled, does. Summed RSS counts a page mapped by k processes k times: the kubernetes
 * plugin's ~100 MiB of binary pages are the same pages in every cluster's plugin process. Summed PSS splits
 * each shared page among the processes mapping it, so over a tree it counts each page once (pages shared with
 * processes outside the tree, such as the node binary the suite itself runs, are split with those too).
 * The parsing and summing are pure over a ProcReader, so they are tested on made-up /proc text.
 */
export interface ProcReader {
    pids(): number[];
    /** Text of /proc/<pid>/<file>, or undefined if the process is gone. */
    read(pid: number, file: "stat" | "status" | "cmdline" | "smaps_rollup"): string | undefined;
}

export interface ProcEntry {
    readonly pid: number;
    readonly ppid: number;
    readonly name: string;
    /** Start time in clock ticks since boot: with the PID, it names one process even if the PID is reused. */
    readonly startTicks: number;
}

export interface ProcessRss {
    readonly pid: number;
    readonly name: string;
    /** VmRSS. */
    readonly bytes: number;
    /** Pss, when it was read and the kernel gave one; else counted as its VmRSS. */
    readonly pssBytes: number;
}

export interface TreeSample {
    /** Sum of VmRSS. */
    readonly totalBytes: number;
    /** Sum of Pss. */
    readonly totalPssBytes: number;
    readonly processes: readonly ProcessRss[];
}

/**
 * `pid (comm) state ppid … starttime …`: comm may hold spaces and parentheses, so fields are counted after
 * the last ')'. starttime is field 22, the 20th after comm.
 */
export function parseStat(text: string): ProcEntry | undefined {
    const open = text.indexOf("(");
    const close = text.lastIndexOf(")");
    if (open < 0 || close < open) return undefined;
    const pid = Number(text.slice(0, open).trim());
    const rest = text.slice(close + 1).trim().split(/\s+/);
    const [ppid, startTicks] = [Number(rest[1]), Number(rest[19])];
    if (!Number.isInteger(pid) || !Number.isInteger(ppid) || !Number.isInteger(startTicks)) return undefined;
    return { pid, ppid, name: text.slice(open + 1, close), startTicks };
}

/** VmRSS in bytes; undefined where the kernel gives none (a kernel thread, a zombie). */
export function parseVmRss(status: string): number | undefined {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
}

/** Pss in bytes from smaps_rollup; undefined where the kernel gives none. */
export function parsePss(smapsRollup: string): number | undefined {
    const match = /^Pss:\s+(\d+)\s+kB$/m.exec(smapsRollup);
    return match ? Number(match[1]) * 1024 : undefined;
}

/**
 * Every process, from one read of each stat file; given the previous table, only processes new since then are
 * read (a process's parent and start time do not change while it lives), so a 100 ms tick stays cheap.
 */
export function processTable(reader: ProcReader, previous?: ReadonlyMap<number, ProcEntry>): Map<number, ProcEntry> {
    const table = new Map<number, ProcEntry>();
    for (const pid of reader.pids()) {
        const known = previous?.get(pid);
        const text = known ? undefined : reader.read(pid, "stat");
        const entry = known ?? (text === undefined ? undefined : parseStat(text));
        if (entry) table.set(pid, entry);
    }
    return table;
}

/** root and everything below it. */
export function descendants(table: ReadonlyMap<number, ProcEntry>, root: number): number[] {
    const children = new Map<number, number[]>();
    for (const entry of table.values()) {
        const list = children.get(entry.ppid) ?? [];
        list.push(entry.pid);
        children.set(entry.ppid, list);
    }
    const found: number[] = [];
    const queue = table.has(root) ? [root] : [];
    while (queue.length > 0) {
        const pid = queue.shift() as number;
        found.push(pid);
        queue.push(...(children.get(pid) ?? []));
    }
    return found;
}

/** The program's file name (argv[0]); comm is cut at 15 characters ("pulumi-resource"), which hides the plugin. */
export function programName(cmdline: string | undefined, comm: string): string {
    const argv0 = cmdline?.split("\0")[0] ?? "";
    return argv0 === "" ? comm : argv0.slice(argv0.lastIndexOf("/") + 1);
}

/** RSS of root's tree now; a process that exits between the reads simply counts nothing. */
/** With `pss`, each process's smaps_rollup is read too (a page-table walk: only for the tree being measured). */
export function sampleTree(reader: ProcReader, table: ReadonlyMap<number, ProcEntry>, root: number, options: { readonly pss?: boolean } = {}): TreeSample {
    const processes: ProcessRss[] = [];
    for (const pid of descendants(table, root)) {
        const status = reader.read(pid, "status");
        const bytes = status === undefined ? undefined : parseVmRss(status);
        if (bytes === undefined) continue;
        const rollup = options.pss ? reader.read(pid, "smaps_rollup") : undefined;
        const pssBytes = (rollup === undefined ? undefined : parsePss(rollup)) ?? bytes;
        processes.push({ pid, name: programName(reader.read(pid, "cmdline"), (table.get(pid) as ProcEntry).name), bytes, pssBytes });
    }
    return { totalBytes: processes.reduce((sum, p) => sum + p.bytes, 0), totalPssBytes: processes.reduce((sum, p) => sum + p.pssBytes, 0), processes };
}

/** The processes of one program in one sample: how many, and their summed RSS and PSS. */
export interface ProgramShare {
    readonly name: string;
    readonly count: number;
    readonly bytes: number;
    readonly pssBytes: number;
}

/** A sample's processes grouped by program, largest summed RSS first (ties by name, so the order is stable). */
export function byProgram(processes: readonly ProcessRss[]): ProgramShare[] {
    const shares = new Map<string, ProgramShare>();
    for (const p of processes) {
        const known = shares.get(p.name) ?? { name: p.name, count: 0, bytes: 0, pssBytes: 0 };
        shares.set(p.name, { name: p.name, count: known.count + 1, bytes: known.bytes + p.bytes, pssBytes: known.pssBytes + p.pssBytes });
    }
    return [...shares.values()].sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
}

/**
 * The highest sums seen (RSS and PSS, each its own peak), the largest single process seen (in any sample), and
 * the summed-RSS peak's sample by program: which processes that peak is made of.
 */
export class PeakRss {
    totalBytes = 0;
    totalPssBytes = 0;
    largest: ProcessRss | undefined;
    atRssPeak: readonly ProgramShare[] = [];

    add(sample: TreeSample): void {
        if (sample.totalBytes > this.totalBytes) this.atRssPeak = byProgram(sample.processes);
        this.totalBytes = Math.max(this.totalBytes, sample.totalBytes);
        this.totalPssBytes = Math.max(this.totalPssBytes, sample.totalPssBytes);
        for (const p of sample.processes) if (p.bytes > (this.largest?.bytes ?? 0)) this.largest = p;
    }
}

/** The real /proc. */
export const procFs: ProcReader = {
    pids: () => fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name)).map(Number),
    read(pid, file) {
        try {
            return fs.readFileSync(`/proc/${pid}/${file}`, "utf8");
        } catch {
            return undefined;
        }
    },
};
