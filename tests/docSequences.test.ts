import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { docCommands, stackOf, subcommandOf } from "./e2e/support/docCommands";
import { readStackFile, referencedStacks } from "./e2e/support/stackPerCluster";

/**
 * The stack-per-cluster sequences of docs/multicluster.md are run command for command by the real-engine
 * scenario (tests/e2e/stackPerCluster.e2e.ts). This checks, without an engine, that they stay readable by it
 * and consistent with the committed stack files, so that a docs edit breaking them fails `npm test` too.
 */
const projectDir = path.resolve(__dirname, "..");
const page = path.join(projectDir, "docs", "multicluster.md");
const qualified = (stack: string) => `organization/ambient-spire/${stack}`;

describe("docs/multicluster.md stack-per-cluster sequences", () => {
    test("first deployment: initialises every stack the example stack files refer to, then ups only those", () => {
        const commands = docCommands(page, "First deployment");
        const initialised = commands.filter((c) => subcommandOf(c.argv) === "stack init").map((c) => c.argv[3]);
        const referenced = new Set(initialised.flatMap((name) => referencedStacks(readStackFile(projectDir, name))));
        assert.deepEqual([...referenced].sort(), initialised.map(qualified).sort());
        const firstUp = commands.findIndex((c) => subcommandOf(c.argv) === "up");
        assert.ok(firstUp > 0 && commands.slice(0, firstUp).every((c) => subcommandOf(c.argv) === "stack init"), "every stack exists before the first up");
        for (const command of commands.slice(firstUp)) {
            assert.equal(subcommandOf(command.argv), "up", command.text);
            assert.ok(initialised.includes(stackOf(command.argv) ?? ""), `${command.text} names its stack`);
        }
    });

    test("rotation: ups the cluster stack, then pki, then the cluster stack again", () => {
        const commands = docCommands(page, "Rotating a cluster's CAs in this shape");
        const stacks = commands.map((c) => stackOf(c.argv));
        assert.ok(commands.every((c) => subcommandOf(c.argv) === "up"));
        assert.equal(readStackFile(projectDir, stacks[0]!).pkiStack, qualified(stacks[1]!));
        assert.deepEqual(stacks, [stacks[0], stacks[1], stacks[0]]);
    });

    test("changed east-west address: ups the changed cluster's stack, then exactly the stacks that link to it", () => {
        const commands = docCommands(page, "When an east-west address changes in this shape");
        assert.ok(commands.every((c) => subcommandOf(c.argv) === "up"));
        const [moved, ...rest] = commands.map((c) => stackOf(c.argv)!);
        const stacks = fs.readdirSync(projectDir).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);
        const linking = stacks.filter((name) => name !== moved && readStackFile(projectDir, name).pkiStack !== undefined && referencedStacks(readStackFile(projectDir, name)).includes(qualified(moved)));
        assert.ok(linking.length > 0);
        assert.deepEqual(rest.sort(), linking.sort());
    });

    test("a block needing a shell (quotes, variables) or holding another program is refused, comments are not commands", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "doc-sequences-"));
        const file = path.join(dir, "page.md");
        const block = (line: string) => `Steps:\n\n\`\`\`sh\n${line}\n\`\`\`\n`;
        fs.writeFileSync(file, block("pulumi up -s a && pulumi up -s b   # both; not: pulumi destroy"));
        assert.deepEqual(docCommands(file, "Steps").map((c) => c.text), ["pulumi up -s a", "pulumi up -s b"]);
        fs.writeFileSync(file, block(`pulumi config set key "$VALUE"`));
        assert.throws(() => docCommands(file, "Steps"), /needs a shell/);
        fs.writeFileSync(file, block("kubectl get pods"));
        assert.throws(() => docCommands(file, "Steps"), /not a pulumi command/);
        fs.writeFileSync(file, "Steps:\n\nA paragraph.\n\n```sh\npulumi up\n```\n");
        assert.throws(() => docCommands(file, "Steps"), /not followed by a fenced shell block/);
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
