import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Just enough of C# to hold a program to a generated Pulumi SDK without a compiler (none runs on our machines):
 * the SDK's classes with their public members, and in the program the classes it constructs, the properties
 * its object initializers set and the members it reads.
 */
export interface SdkClass {
    readonly namespace: string;
    readonly name: string;
    readonly members: ReadonlySet<string>;
}

export function readSdk(dir: string): Map<string, SdkClass> {
    const classes = new Map<string, SdkClass>();
    for (const file of fs.readdirSync(dir, { recursive: true }) as string[]) {
        if (!file.endsWith(".cs")) continue;
        const text = fs.readFileSync(path.join(dir, file), "utf8");
        const namespace = /^namespace ([\w.]+)/m.exec(text)?.[1] ?? "";
        const declarations = [...text.matchAll(/\bclass (\w+)/g)];
        declarations.forEach((declaration, index) => {
            const body = text.slice(declaration.index, declarations[index + 1]?.index ?? text.length);
            const members = new Set([...body.matchAll(/\bpublic (?:readonly |static )?[\w.<>?, ]+? (\w+)\s*(?:\{|=>|;|\n\s*\{)/g)].map((m) => m[1]));
            classes.set(`${namespace}.${declaration[1]}`, { namespace, name: declaration[1], members });
        });
    }
    return classes;
}

/** The body of the `{ … }` that opens at `open` (an index of "{"). */
function braced(text: string, open: number): string {
    let depth = 0;
    for (let i = open; i < text.length; i++) {
        if (text[i] === "{") depth++;
        else if (text[i] === "}" && --depth === 0) return text.slice(open + 1, i);
    }
    throw new Error(`unbalanced braces from offset ${open}`);
}

/** Assignments `Name =` at the top level of an object initializer's body (not `==` or `=>`). */
function initialized(body: string): string[] {
    const names: string[] = [];
    let depth = 0;
    for (let i = 0; i < body.length; i++) {
        const c = body[i];
        if ("({[".includes(c)) depth++;
        else if (")}]".includes(c)) depth--;
        else if (depth === 0) {
            const match = /^(\w+)\s*=(?![=>])/.exec(body.slice(i));
            if (match && (i === 0 || /[\s,{]/.test(body[i - 1]))) {
                names.push(match[1]);
                i += match[0].length - 1;
            }
        }
    }
    return names;
}

/**
 * Every way `program` uses `sdk` that the SDK does not have: a class it constructs that none of its `using`
 * namespaces holds (`external` lists the classes that come from elsewhere, such as Pulumi's `Config`), a property
 * set in an object initializer, or a member read as `<receiver>.<Member>` — receivers are the variables assigned a
 * `new` SDK class, and those `reads` names with their class (a lambda's parameter over an output, say). Empty when
 * the program is consistent with the SDK.
 */
export function sdkMismatches(program: string, sdk: ReadonlyMap<string, SdkClass>, external: readonly string[], reads: Readonly<Record<string, string>> = {}): string[] {
    const namespaces = [...program.matchAll(/^using ([\w.]+);/gm)].map((m) => m[1]);
    const byName = (name: string) => namespaces.map((namespace) => sdk.get(`${namespace}.${name}`)).find((c) => c !== undefined) ?? [...sdk.values()].find((c) => c.name === name);
    const problems: string[] = [];
    const receivers = new Map<string, SdkClass | undefined>(Object.entries(reads).map(([receiver, name]) => [receiver, byName(name)]));
    for (const construction of program.matchAll(/(?:var (\w+) = )?new (\w+)\s*([({])/g)) {
        const [text, variable, name, opener] = construction;
        if (external.includes(name)) continue;
        const cls = namespaces.map((namespace) => sdk.get(`${namespace}.${name}`)).find((c) => c !== undefined);
        if (!cls) {
            problems.push(`new ${name}: no class ${name} in ${namespaces.join(", ")}`);
            continue;
        }
        if (variable) receivers.set(variable, cls);
        if (opener !== "{") continue;
        for (const property of initialized(braced(program, construction.index + text.length - 1))) {
            if (!cls.members.has(property)) problems.push(`${name} { ${property} = … }: ${name} has no property ${property}`);
        }
    }
    for (const [receiver, cls] of receivers) {
        if (!cls) {
            problems.push(`${receiver}: its class ${reads[receiver]} is not in the SDK`);
            continue;
        }
        const pattern = new RegExp(`(?<!\\w)${receiver.replace(/[.?]/g, (c) => `\\${c}`)}\\.([A-Z]\\w*)`, "g");
        for (const [, member] of program.matchAll(pattern)) {
            if (!cls.members.has(member)) problems.push(`${receiver}.${member}: ${cls.name} has no member ${member}`);
        }
    }
    return [...new Set(problems)];
}
