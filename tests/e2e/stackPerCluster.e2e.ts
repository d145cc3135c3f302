import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import { Stack } from "@pulumi/pulumi/automation";
import { Plan } from "../../infra/plan/model";
import { CaSnapshot, decoded, snapshotCaSecrets, snapshotChanges, verifyAgainstRoot } from "./support/caSecrets";
import { EastWestController } from "./support/gatewayController";
import { Kube } from "./support/kube";
import { closeScenario, MeshEnvironment, startMeshEnvironment } from "./support/meshEnvironment";
import { E2eProject, recorder } from "./support/project";
import { CliRun, runPulumi, runPulumiOk, stackOutputs, stateResources } from "./support/pulumiCli";
import { DocCommand, docCommands, stackOf, subcommandOf } from "./support/docCommands";
import { sequence } from "./support/sequence";
import { ownStateUrns, planUrns, readStackFile, referencedStacks, StackFile, staleReferenceOutputs, writeReferences } from "./support/stackPerCluster";
import { StandIns } from "./support/standInCharts";
import { expectNoChanges, normalised, ownSteps } from "./support/steps";
import { projectDir } from "./support/tools";
import { Transcript } from "./support/transcript";

/**
 * The stack-per-cluster shape exactly as docs/multicluster.md tells a user: the commands of its "First
 * deployment" and "Rotating a cluster's CAs" blocks are read from that file and run one by one with the real `pulumi` binary,
 * on the committed `pki` and cluster stack files, with real StackReferences on the file backend and one control
 * plane per cluster. Only environment set-up is added (the licence, as a secret through the CLI, and `sources`
 * for the stand-in charts), between `stack init` and the first `up`, as a user sets the licence there.
 */
const licence = "E2E-LICENCE-93c5-DO-NOT-LEAK";
const licenceSetting = "ambient-spire:soloLicenseKey";
const page = path.join(projectDir, "docs", "multicluster.md");
const caMaterialKeys = ["istio-system/cacerts:ca-cert.pem", "istio-system/cacerts:ca-key.pem", "istio-system/cacerts:cert-chain.pem", "spire-server/spiffe-upstream-ca:tls.crt", "spire-server/spiffe-upstream-ca:tls.key"];

describe("stack-per-cluster on the real engine, as docs/multicluster.md tells it", () => {
    const test = sequence();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-e2e-spc-"));
    const transcript = new Transcript("stack-per-cluster");
    const runs: CliRun[] = [];
    let firstDeployment: DocCommand[];
    let stackFiles: Map<string, StackFile>;
    let clusterStacks: StackFile[];
    let pkiStack: StackFile;
    let environment: MeshEnvironment | undefined;
    let controller: EastWestController;
    let project: E2eProject;
    let standIns: StandIns;
    let kubes: Map<string, Kube>;
    let qualified: Map<string, string>;
    let rootPem: string;

    /** One CLI command as a transcript row; its change summary and exit code are the row's counts. */
    const cli = (label: string, argv: readonly string[], options: { input?: string; mayFail?: boolean } = {}): Promise<CliRun> =>
        transcript.step(label, async () => {
            const run = options.mayFail ? await runPulumi(project, argv, options) : await runPulumiOk(project, argv, options);
            runs.push(run);
            return run;
        }, (run) => ({ ...run.summary, exit: run.code ?? -1 }));

    const clustersOf = (file: StackFile) => file.clusters ?? [];
    const allClusters = () => clusterStacks.flatMap(clustersOf);
    const snapshots = (): Map<string, CaSnapshot> => new Map(allClusters().map((c) => [c.name, snapshotCaSecrets(kubes.get(c.name)!)]));
    const referencesFile = path.join(root, "references.json");
    const planOf = async (stack: string): Promise<Plan> => {
        await writeReferences(project, stackNames(), referencesFile);
        return project.plan(stack, referencesFile);
    };
    const stackNames = () => [...stackFiles.keys()].map((name) => ({ name, qualified: qualified.get(name)! }));
    /**
     * A preview that changes nothing. Its "read" steps are the plan's reads of live objects (the east-west
     * gateway) and StackReferences; the summary counts the former, and of the latter only those whose
     * referenced stack has changed its outputs since this stack's last up (the engine reads them again; the
     * CLI counts them as unchanged): exactly those, computed from the state and the referenced stacks' outputs.
     */
    const previewsClean = async (name: string): Promise<void> => {
        const stale = Object.keys(staleReferenceOutputs(await stateResources(project, name), await writeReferences(project, stackNames(), referencesFile))).sort();
        // StackReferences are reads too (the plan marks them so); only reads of cluster objects count every run.
        const liveReads = new Set((await planOf(name)).resources.filter((r) => r.read && r.type !== "pulumi:pulumi:StackReference").map((r) => r.urn));
        const stack = await Stack.select(name, project.workspace);
        const run = recorder();
        const preview = await transcript.step(`preview -s ${name}`, () => stack.preview({ onEvent: run.onEvent }), (r) => r.changeSummary);
        assert.deepEqual(Object.keys(preview.changeSummary ?? {}).filter((op) => op !== "read"), ["same"], `${name}: ${JSON.stringify(preview.changeSummary)}`);
        const reads = run.steps.filter((s) => s.op === "read");
        assert.ok(reads.every((s) => s.type === "pulumi:pulumi:StackReference" || liveReads.has(s.urn)), `${name} reads only StackReferences and the plan's live objects`);
        for (const urn of liveReads) assert.ok(reads.some((s) => s.urn === urn), `${name} reads ${urn} on every run`);
        assert.equal(preview.changeSummary?.read ?? 0, stale.length + liveReads.size, `${name}: reads counted ${JSON.stringify(preview.changeSummary)}, stale references ${JSON.stringify(stale)}, live reads ${liveReads.size}`);
        for (const reference of stale) assert.ok(reads.some((s) => s.urn.endsWith(`::${reference}`)), `${name} reads ${reference} again`);
    };

    before(async () => {
        firstDeployment = docCommands(page, "First deployment");
        const initialised = firstDeployment.filter((c) => subcommandOf(c.argv) === "stack init").map((c) => c.argv[3]);
        stackFiles = new Map(initialised.map((name) => [name, readStackFile(projectDir, name)]));
        clusterStacks = [...stackFiles.values()].filter((f) => f.pkiStack !== undefined);
        const pkiStacks = [...stackFiles.values()].filter((f) => f.signFor !== undefined);
        assert.equal(pkiStacks.length, 1, `docs/multicluster.md's sequence initialises one pki stack (has: ${initialised.join(", ")})`);
        pkiStack = pkiStacks[0];
        assert.ok(clusterStacks.length >= 2, "docs/multicluster.md's sequence initialises at least two cluster stacks");

        environment = await startMeshEnvironment(root, allClusters());
        ({ controller, kubes, project, standIns } = environment);
    });

    after(() => closeScenario(root, transcript, environment));

    test("docs/multicluster.md's first deployment, command for command", async () => {
        let environmentReady = false;
        const upsSoFar = new Map<string, number>();
        for (const command of firstDeployment) {
            const subcommand = subcommandOf(command.argv);
            if (subcommand === "up" && !environmentReady) {
                // Environment set-up, not a command of the docs: what a user supplies between `stack init` and the
                // first `up` (the licence; `sources` only because this machine has no chart registry).
                for (const file of clusterStacks) {
                    await cli(`set-up: pulumi config set --secret ${licenceSetting} -s ${file.name} (value on stdin)`, ["config", "set", "--secret", licenceSetting, "-s", file.name], { input: licence });
                    project.editStackFile(file.name, { "ambient-spire:sources": standIns.sources });
                }
                environmentReady = true;
            }
            await cli(`docs: ${command.text}`, command.argv);
            const stack = stackOf(command.argv);
            if (subcommand !== "up" || stack === undefined) continue;
            upsSoFar.set(stack, (upsSoFar.get(stack) ?? 0) + 1);
            const file = stackFiles.get(stack);
            if (upsSoFar.get(stack) === 1 && file?.pkiStack !== undefined) {
                // docs/multicluster.md: "keys and CSRs only; outputs awaitingSignature: [clusterN]".
                const outputs = await stackOutputs(project, stack);
                assert.deepEqual(outputs.awaitingSignature, clustersOf(file).map((c) => c.name), `${stack} after its first up`);
                const types = new Set((await stateResources(project, stack)).map((r) => r.type));
                assert.deepEqual([...types].filter((t) => !/^(pulumi:|tls:index\/(privateKey|certRequest)|ambient-spire:pki:IntermediateCa$)/.test(t)), [], `${stack} holds keys and CSRs only`);
                for (const cluster of clustersOf(file)) assert.equal(kubes.get(cluster.name)!.get("namespace", "spire-server"), undefined, `nothing in ${cluster.name} yet`);
            }
        }
        assert.ok(environmentReady, "the sequence has an up");
    });

    test("each stack is named organization/ambient-spire/<stack> on the file backend, as the stack files refer to them", async () => {
        qualified = new Map();
        for (const name of stackFiles.keys()) {
            const run = await runPulumiOk(project, ["stack", "--show-name", "--fully-qualify-stack-names", "-s", name]);
            qualified.set(name, run.stdout.trim());
        }
        assert.deepEqual([...qualified.values()], [...stackFiles.keys()].map((name) => `organization/ambient-spire/${name}`));
        const known = new Set(qualified.values());
        for (const file of stackFiles.values()) {
            for (const reference of referencedStacks(file)) assert.ok(known.has(reference), `${file.name} refers to ${reference}, a stack the sequence made`);
        }
    });

    test("every stack's state holds exactly its offline plan, given the real stacks' outputs as references", async () => {
        for (const name of stackFiles.keys()) {
            const plan = await planOf(name);
            assert.deepEqual(ownStateUrns(await stateResources(project, name)), planUrns(plan), `${name}: state vs npm run plan -- ${name} --references`);
            if (stackFiles.get(name)!.pkiStack !== undefined) assert.ok(plan.resources.some((r) => r.name.endsWith("-eastwest-gateway")), `${name}'s plan is the whole cluster`);
        }
    });

    test("each cluster's spiffe-upstream-ca and cacerts chain to the pki stack's root (openssl verify -x509_strict)", async () => {
        rootPem = (await stackOutputs(project, pkiStack.name)).rootCaCertPem as string;
        assert.match(rootPem, /BEGIN CERTIFICATE/);
        for (const file of clusterStacks) {
            assert.equal((await stackOutputs(project, file.name)).rootCaCertPem, rootPem, `${file.name} exports pki's root`);
            for (const cluster of clustersOf(file)) {
                const secrets = snapshotCaSecrets(kubes.get(cluster.name)!);
                assert.equal(decoded(secrets, "spire-server/spiffe-upstream-ca", "bundle.crt").trim(), rootPem.trim());
                assert.equal(decoded(secrets, "istio-system/cacerts", "root-cert.pem").trim(), rootPem.trim());
                for (const [label, pem] of [["spire", decoded(secrets, "spire-server/spiffe-upstream-ca", "tls.crt")], ["istio", decoded(secrets, "istio-system/cacerts", "ca-cert.pem")]]) {
                    assert.match(verifyAgainstRoot(path.join(root, "certs"), `${cluster.name}-${label}`, rootPem, pem), /: OK/, `${cluster.name} ${label}`);
                }
            }
        }
    });

    test("linked both ways: each cluster has istio-remote-peer-<other> carrying the other's published address and network", async () => {
        for (const cluster of allClusters()) {
            const others = allClusters().filter((c) => c.name !== cluster.name);
            const kube = kubes.get(cluster.name)!;
            const links = kube.list("gateways.gateway.networking.k8s.io", "istio-eastwest").map((g) => g.metadata.name).filter((n) => n.startsWith("istio-remote-peer-")).sort();
            assert.deepEqual(links, others.map((o) => `istio-remote-peer-${o.name}`).sort(), `${cluster.name}'s links`);
            for (const other of others) {
                const link = kube.get("gateways.gateway.networking.k8s.io", `istio-remote-peer-${other.name}`, "istio-eastwest")!;
                assert.deepEqual((link.spec as { addresses: unknown }).addresses, [{ type: "Hostname", value: controller.addresses.get(other.context) }]);
                assert.equal(link.metadata.labels?.["topology.istio.io/network"], other.network ?? other.name);
            }
        }
    });

    test("every stack previews with no changes (pki reads its stale references again); the cluster stacks also refresh with none", async () => {
        for (const file of clusterStacks) await expectNoChanges(await Stack.select(file.name, project.workspace), transcript);
        await previewsClean(pkiStack.name);
    });

    test("refresh --expect-no-changes -s pki: fails exactly when pki's StackReferences hold outputs the cluster stacks have since changed", async () => {
        const current = await writeReferences(project, stackNames(), referencesFile);
        const stale = staleReferenceOutputs(await stateResources(project, pkiStack.name), current);
        const staleCount = Object.keys(stale).length;
        console.log(`pki's StackReferences, outputs changed since pki's up: ${JSON.stringify(stale)}`);
        const cliPreview = await cli(`pulumi preview --expect-no-changes -s ${pkiStack.name}`, ["preview", "--expect-no-changes", "-s", pkiStack.name], { mayFail: true });
        assert.equal(cliPreview.code, 0, "the CLI's preview counts the references read again as unchanged");
        const refresh = await cli(`pulumi refresh --expect-no-changes -s ${pkiStack.name}`, ["refresh", "--expect-no-changes", "-s", pkiStack.name], { mayFail: true });
        const said = [...refresh.stdout.split("\n"), ...refresh.stderr.split("\n")].filter((line) => /error:|StackReference .*updated/.test(line));
        console.log(`pulumi refresh --expect-no-changes -s ${pkiStack.name}: exit ${refresh.code}, summary ${JSON.stringify(refresh.summary)}\n${said.join("\n")}`);
        assert.equal(refresh.code === 0, staleCount === 0, "refresh --expect-no-changes fails if and only if a reference is stale");
        assert.equal(refresh.summary.update ?? 0, staleCount, "refresh updates exactly the stale references");
        if (staleCount > 0) assert.ok(said.some((line) => line.includes("no changes were expected for refresh but changes were proposed")), said.join("\n"));
        const again = await cli(`pulumi refresh --expect-no-changes -s ${pkiStack.name} (again)`, ["refresh", "--expect-no-changes", "-s", pkiStack.name], { mayFail: true });
        assert.equal(again.code, 0, `${again.stdout}\n${again.stderr}`);
        await previewsClean(pkiStack.name);
    });

    test("docs/multicluster.md's rotation of one cluster: nothing in any cluster changes until the last command, then only that cluster's CA material", async () => {
        const rotation = docCommands(page, "Rotating a cluster's CAs in this shape");
        const target = stackFiles.get(stackOf(rotation[0].argv) ?? "");
        assert.ok(target?.pkiStack !== undefined, `the rotation block starts with a cluster stack's up: ${rotation[0].text}`);
        assert.equal(clustersOf(target).length, 1, "docs/multicluster.md's cluster stacks hold one cluster each");
        const [cluster] = clustersOf(target);
        const oldRotation = cluster.rotation ?? 0;
        /** Per CA of the target stack (by name), the rotations of the requests it exports. */
        const requestRotations = async (): Promise<number[][]> => {
            const requests = (await stackOutputs(project, target.name)).certificateRequests as Record<string, { rotation: number }[]>;
            assert.ok(Object.keys(requests).length > 0);
            return Object.keys(requests).sort().map((ca) => requests[ca].map((r) => r.rotation).sort());
        };
        const before = snapshots();
        // docs/multicluster.md's step before its commands: bump clusters[].rotation in the cluster stack's file.
        project.editStackFile(target.name, { "ambient-spire:clusters": [{ ...cluster, rotation: oldRotation + 1 }] });
        for (const [index, command] of rotation.entries()) {
            await cli(`docs: ${command.text}`, command.argv);
            const now = snapshots();
            if (index === 0) {
                const rotations = await requestRotations();
                assert.deepEqual(rotations, rotations.map(() => [oldRotation, oldRotation + 1]), "a new request beside the one in use");
            }
            if (index < rotation.length - 1) {
                for (const other of allClusters()) assert.deepEqual(snapshotChanges(before.get(other.name)!, now.get(other.name)!), [], `${other.name} after "${command.text}"`);
                continue;
            }
            for (const other of allClusters()) {
                const changes = snapshotChanges(before.get(other.name)!, now.get(other.name)!);
                const rotated = other.name === cluster.name;
                assert.deepEqual(changes.filter((c) => c.includes(":")), rotated ? caMaterialKeys : [], `${other.name}: CA keys changed by the rotation`);
                if (rotated) {
                    const secrets = now.get(other.name)!;
                    for (const [label, pem] of [["spire-r", decoded(secrets, "spire-server/spiffe-upstream-ca", "tls.crt")], ["istio-r", decoded(secrets, "istio-system/cacerts", "ca-cert.pem")]]) {
                        assert.match(verifyAgainstRoot(path.join(root, "certs"), `${cluster.name}-${label}`, rootPem, pem), /: OK/);
                    }
                }
            }
            const rotations = await requestRotations();
            assert.deepEqual(rotations, rotations.map(() => [oldRotation + 1]), "only the new request is left");
        }
        assert.equal((await stackOutputs(project, pkiStack.name)).rootCaCertPem, rootPem, "pki's root is unchanged");
    });

    test("after the rotation: the cluster stacks preview with no changes; pki's preview drops exactly the old signatures, and its next up does", async () => {
        for (const file of clusterStacks) await previewsClean(file.name);
        const pki = await Stack.select(pkiStack.name, project.workspace);
        const planned = new Set(planUrns(await planOf(pkiStack.name)));
        const dropped = ownStateUrns(await stateResources(project, pkiStack.name)).filter((urn) => !planned.has(urn));
        assert.ok(dropped.length > 0, "the pki stack keeps the old certificates until its next run, as docs/multicluster.md says");
        const run = recorder();
        await transcript.step(`preview -s ${pkiStack.name}`, () => pki.preview({ onEvent: run.onEvent }), (r) => r.changeSummary);
        const shown = normalised(ownSteps(run.steps));
        console.log(`pki preview after the rotation: ${JSON.stringify(shown)}`);
        assert.deepEqual(shown, dropped.length > 0 ? { delete: dropped } : {});
        const before = snapshots();
        const up = await cli(`pulumi up -s ${pkiStack.name} (its next run, which docs/multicluster.md says drops the old certificate)`, ["up", "-s", pkiStack.name]);
        assert.equal(up.summary.delete ?? 0, dropped.length);
        const after = snapshots();
        for (const cluster of allClusters()) assert.deepEqual(snapshotChanges(before.get(cluster.name)!, after.get(cluster.name)!), [], cluster.name);
        for (const name of stackFiles.keys()) await previewsClean(name);
    });

    test("docs/multicluster.md's changed east-west address: the changed cluster's up exports it, then each linking stack's up carries it", async () => {
        const commands = docCommands(page, "When an east-west address changes in this shape");
        const movedStack = stackFiles.get(stackOf(commands[0].argv) ?? "");
        assert.ok(movedStack?.pkiStack !== undefined, `the block starts with the changed cluster stack's up: ${commands[0].text}`);
        const [moved] = clustersOf(movedStack);
        const linking = clusterStacks.filter((f) => referencedStacks(f).includes(qualified.get(movedStack.name)!)).map((f) => f.name);
        assert.deepEqual(commands.slice(1).map((c) => stackOf(c.argv)).sort(), linking.sort(), "then an up of every stack that links to it");
        const newAddress = `moved.${moved.context}.eastwest.e2e.invalid`;
        controller.addresses.set(moved.context, newAddress);
        const kube = kubes.get(moved.name)!;
        const liveAddress = () => (kube.get("gateways.gateway.networking.k8s.io", "istio-eastwest", "istio-eastwest")?.status as { addresses?: { value: string }[] } | undefined)?.addresses?.[0]?.value;
        for (let waited = 0; liveAddress() !== newAddress; waited += 250) {
            assert.ok(waited < 30_000, "the stand-in did not publish the new address");
            await new Promise((resolve) => setTimeout(resolve, 250));
        }
        const linkAddress = (cluster: string) =>
            (kubes.get(cluster)!.get("gateways.gateway.networking.k8s.io", `istio-remote-peer-${moved.name}`, "istio-eastwest")!.spec as { addresses: { value: string }[] }).addresses[0].value;
        const linkingClusters = linking.flatMap((name) => clustersOf(stackFiles.get(name)!).map((c) => c.name));
        for (const [index, command] of commands.entries()) {
            const run = await cli(`docs: ${command.text}`, command.argv);
            if (index === 0) {
                const exported = (await stackOutputs(project, movedStack.name)).clusters as Record<string, { eastWestAddress?: { value: string } }>;
                assert.equal(exported[moved.name].eastWestAddress?.value, newAddress, `${movedStack.name} exports the live address`);
                assert.deepEqual(Object.keys(run.summary).filter((op) => op !== "same"), [], `${command.text} changes no resource`);
                for (const cluster of linkingClusters) assert.notEqual(linkAddress(cluster), newAddress, `${cluster} is not linked anew before its own up`);
            } else {
                assert.equal(run.summary.update, 1, `${command.text} updates its one link`);
            }
        }
        for (const cluster of linkingClusters) assert.equal(linkAddress(cluster), newAddress, `${cluster}'s link carries the new address`);
        for (const name of stackFiles.keys()) await previewsClean(name);
    });

    test("no CLI output shows the licence", async () => {
        for (const run of runs) assert.ok(!run.stdout.includes(licence) && !run.stderr.includes(licence), run.command);
    });
});
