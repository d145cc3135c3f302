import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { parse } from "yaml";
import { isComponentType, Plan, PlannedResource } from "../../infra/plan/model";
import { RunningControlPlanes, startControlPlanes } from "./support/controlPlane";
import { CliResult, messages, RunningCli, runCli, startCli } from "./support/faultsCli";
import { Deployment, exportDeployment, helmRecords, liveProblems, stateProblems } from "./support/faultsConvergence";
import { holdInstall, LoadBalancerStandIn } from "./support/faultsGate";
import { Kube } from "./support/kube";
import { closeScenario, MeshEnvironment, startMeshEnvironment } from "./support/meshEnvironment";
import { E2eProject, openProject, recorder } from "./support/project";
import { sequence } from "./support/sequence";
import { writeStandIns } from "./support/standInCharts";
import { expectNoChanges, normalised, ownSteps } from "./support/steps";
import { findToolchain, projectDir, toolsBin } from "./support/tools";
import { Transcript } from "./support/transcript";

/**
 * Faults in the middle of a deployment, each on control planes and a stack of its own, each ending with the
 * stack converged: nothing lost, nothing twice, no pending operation, checked in `pulumi stack export` against
 * the offline plan and on the live objects. The recovery commands are the ones a user types.
 */
const licence = "E2E-LICENCE-f4a1-DO-NOT-LEAK";
const clustersOf = (stack: string) =>
    (parse(fs.readFileSync(path.join(projectDir, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> }).config["ambient-spire:clusters"] as { name: string; context: string }[];

/** The planned Helm release of that chart release name. */
function release(plan: Plan, name: string): PlannedResource & { inputs: { name: string; namespace: string } } {
    const found = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && (r.inputs as { name?: string }).name === name);
    if (!found) throw new Error(`no Helm release ${name} in the plan of ${plan.stack}`);
    return found as PlannedResource & { inputs: { name: string; namespace: string } };
}

const started = (events: readonly EngineEvent[], urn: string) => events.some((e) => e.resourcePreEvent?.metadata.urn === urn);
const finished = (events: readonly EngineEvent[], urn: string) => events.some((e) => e.resOutputsEvent?.metadata.urn === urn);

async function waitUntil(what: string, check: () => boolean, limitMs = 120_000): Promise<void> {
    for (const deadline = Date.now() + limitMs; !check(); ) {
        if (Date.now() > deadline) throw new Error(`${what}: not within ${limitMs / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
}

/** What docs/operations.md can quote of a CLI run: its exit code and the lines a user reads. */
function report(step: string, result: CliResult): void {
    console.log(`[${step}] $ ${result.command}\n  exit ${result.code ?? result.signal} after ${result.seconds.toFixed(1)} s\n  ${messages(result).join("\n  ")}`);
}

/** Resources the engine creates through a provider: not components, not reads. */
const isCustom = (r: PlannedResource) => !isComponentType(r.type) && !r.read;

/** Everything that waits for `urn`, directly or through others. */
function dependents(plan: Plan, urn: string): Set<string> {
    const found = new Set<string>();
    for (let grew = true; grew; ) {
        grew = false;
        for (const r of plan.resources) {
            if (!found.has(r.urn) && r.dependsOn.some((d) => d === urn || found.has(d))) {
                found.add(r.urn);
                grew = true;
            }
        }
    }
    return found;
}

const urns = (deployment: Deployment) => new Set(deployment.resources.map((r) => r.urn));
const ids = (deployment: Deployment) => new Map(deployment.resources.map((r) => [r.urn, r.id]));

describe("fault: the pulumi CLI killed (SIGKILL) halfway through up of the dev stack", () => {
    const test = sequence();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-e2e-kill-"));
    const transcript = new Transcript("fault: CLI killed mid-up");
    const [cluster] = clustersOf("dev");
    const stackName = "dev";
    let planes: RunningControlPlanes | undefined;
    let loadBalancers: LoadBalancerStandIn | undefined;
    let running: RunningCli | undefined;
    let project: E2eProject;
    let kube: Kube;
    let plan: Plan;
    let afterKill: Deployment;
    const cli = (name: string, args: string[]) =>
        transcript.step(name, () => runCli(project, [...args, "--stack", stackName]), (r) => ({ "exit code": r.code ?? -1 })).then((result) => {
            report(name, result);
            return result;
        });

    before(async () => {
        const toolchain = findToolchain();
        planes = await startControlPlanes({ contexts: [cluster.context], binDir: toolsBin, workDir: path.join(root, "control-plane") });
        project = await openProject(root, toolchain, planes.kubeconfig);
        const standIns = writeStandIns(path.join(root, "stand-ins"), project.dir);
        holdInstall(path.join(root, "stand-ins"), "istiod");
        kube = new Kube(planes.kubeconfig, cluster.context);
        const stack = await project.stack(stackName);
        await stack.setConfig("ambient-spire:soloLicenseKey", { value: licence, secret: true });
        project.editStackFile(stackName, { "ambient-spire:sources": standIns.sources });
        plan = project.plan(stackName);
    });

    after(async () => {
        if (running) await running.killTree();
        await loadBalancers?.stop();
        await planes?.stop();
        console.log(transcript.render());
        if (!process.env.AMBIENT_SPIRE_E2E_KEEP) fs.rmSync(root, { recursive: true, force: true });
    });

    test("up is SIGKILLed once SPIRE's releases exist and while istiod's is being installed", async () => {
        const [spireCrds, spire, istiod, ztunnel] = ["spire-crds", "spire", "istiod", "ztunnel"].map((name) => release(plan, name));
        running = startCli(project, ["up", "--stack", stackName, "--yes", "--skip-preview", "--non-interactive", "--json"]);
        const cliRun = running;
        // Held by its gate, istiod cannot finish, so nothing that depends on it can start: once everything else is
        // created, the one operation in flight is istiod's, whatever the machine's speed.
        const blocked = dependents(plan, istiod.urn);
        const others = plan.resources.filter((r) => isCustom(r) && r.urn !== istiod.urn && !blocked.has(r.urn));
        assert.ok(blocked.has(ztunnel.urn) && others.some((r) => r.urn === spireCrds.urn) && others.some((r) => r.urn === spire.urn));
        await transcript.step("up, until all but istiod and what needs it are created", () =>
            cliRun.waitFor("every resource but istiod's dependents created, istiod's create started", (events) => started(events, istiod.urn) && others.every((r) => finished(events, r.urn))),
        );
        // Helm has written istiod's record: the install is under way in the cluster, held open by its gate.
        await waitUntil("istiod's Helm record pending-install", () => helmRecords(kube).some((h) => h.name === istiod.inputs.name && h.status === "pending-install"));
        // The engine reports a step before its checkpoint is on disk: kill only once the file backend holds every
        // finished create (the state the test means), so the kill does not land in a checkpoint write.
        await waitUntil("the checkpoint on disk holds every finished create", () => checkpointHolds(path.join(root, "backend"), stackName, others.map((r) => r.urn)));
        assert.equal(finished(cliRun.events, istiod.urn), false, "istiod's create is still in flight");
        const survivors = await transcript.step("SIGKILL the CLI's process group, then what outlived it", () => cliRun.killTree(), (s) => ({ "outlived the CLI": s.length }));
        running = undefined;
        const killed = await cliRun.done;
        assert.equal(killed.signal, "SIGKILL");
        console.log(`processes that outlived the CLI's SIGKILL (then killed by the test):\n  ${survivors.map((s) => `${s.pid} ${s.command.slice(0, 120)}`).join("\n  ")}`);
        const created = plan.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release" && finished(cliRun.events, r.urn)).map((r) => r.name);
        console.log(`releases created before the kill: ${created.join(", ")}`);
        assert.equal(started(cliRun.events, ztunnel.urn), false, "ztunnel's create never started");

        // Seen 2 of 2 runs on 2026-12-02: the kill lands while the file backend writes the checkpoint's sidecar
        // `<stack>.json.attrs`, which is left empty; every command then fails with "failed to load checkpoint: EOF",
        // though `<stack>.json` beside it holds the last whole snapshot. docs/operations.md's first step, as written.
        const repaired = emptyCheckpointAttrs(path.join(root, "backend"), stackName);
        console.log(repaired ? `the kill left ${repaired} empty: removed, as docs/operations.md says` : "the checkpoint's sidecar survived the kill");
        afterKill = await exportDeployment(project, stackName);
        assert.deepEqual((afterKill.pending_operations ?? []).map((op) => [op.type, op.resource.urn]), [["creating", istiod.urn]]);
        const inState = urns(afterKill);
        assert.ok(inState.has(spireCrds.urn) && inState.has(spire.urn), "SPIRE's releases are in the state");
        assert.ok(!inState.has(istiod.urn) && !inState.has(ztunnel.urn));
        assert.ok(plan.resources.some((r) => !inState.has(r.urn)), "the kill left resources to create");
    });

    test("the next command stops at the lock the killed CLI left and names `pulumi cancel`; cancel removes it", async () => {
        const locked = await cli("refresh while locked", ["refresh", "--yes", "--skip-preview", "--non-interactive"]);
        assert.notEqual(locked.code, 0);
        assert.match(locked.output, /the stack is currently locked by 1 lock\(s\)\. Either wait for the other process\(es\) to end or delete the lock file with `pulumi cancel`/);
        const cancel = await cli("pulumi cancel", ["cancel", "--yes"]);
        assert.equal(cancel.code, 0);
        assert.match(cancel.output, /has been canceled/);
        assert.deepEqual(lockFiles(project), []);
    });

    test("a plain refresh --yes (no terminal) exits 0 and keeps the pending create; up then fails on the half-installed release", async () => {
        const istiod = release(plan, "istiod");
        const refresh = await cli("refresh", ["refresh", "--yes", "--skip-preview", "--non-interactive"]);
        assert.equal(refresh.code, 0);
        assert.deepEqual(((await exportDeployment(project, stackName)).pending_operations ?? []).map((op) => op.resource.urn), [istiod.urn]);
        // From here on, Helm's wait is not what holds an install: a cloud's controller would give the address.
        loadBalancers = new LoadBalancerStandIn(kube);
        const up = await cli("up with the pending create", ["up", "--yes", "--skip-preview", "--non-interactive"]);
        assert.notEqual(up.code, 0);
        assert.match(up.output, /interrupted while creating/);
        assert.match(up.output, /`pulumi refresh` will need to be run interactively to clear pending CREATE operations/);
        assert.match(up.output, /cannot re-use a name that is still in use/);
        assert.equal(helmRecords(kube).find((h) => h.name === istiod.inputs.name)?.status, "pending-install");
    });

    test("refresh --clear-pending-creates drops it; up still fails until the half-installed Helm release is removed", async () => {
        const istiod = release(plan, "istiod");
        const cleared = await cli("refresh --clear-pending-creates", ["refresh", "--clear-pending-creates", "--yes", "--skip-preview", "--non-interactive"]);
        assert.equal(cleared.code, 0);
        const deployment = await exportDeployment(project, stackName);
        assert.deepEqual(deployment.pending_operations ?? [], []);
        assert.equal(urns(deployment).has(istiod.urn), false);
        const up = await cli("up, pending create cleared", ["up", "--yes", "--skip-preview", "--non-interactive"]);
        assert.notEqual(up.code, 0);
        assert.match(up.output, /cannot re-use a name that is still in use/);
        assert.deepEqual((await exportDeployment(project, stackName)).pending_operations ?? [], [], "the failed create leaves nothing pending");
    });

    test("after deleting the half-installed release's Helm record, up creates exactly what was missing and the stack converges", async () => {
        const istiod = release(plan, "istiod");
        const selector = `owner=helm,name=${istiod.inputs.name},status=pending-install`;
        const deleted = await transcript.step("kubectl delete secret -l " + selector, async () => kube.run(["delete", "secret", "-n", istiod.inputs.namespace, "-l", selector]));
        console.log(`[kubectl] $ kubectl delete secret -n ${istiod.inputs.namespace} -l ${selector}\n  ${deleted.trim()}`);
        assert.match(deleted, /deleted/);
        const before = await exportDeployment(project, stackName);
        const up = await cli("up, recovered", ["up", "--yes", "--skip-preview", "--non-interactive"]);
        assert.equal(up.code, 0, up.output);
        const after = await exportDeployment(project, stackName);
        assert.deepEqual(stateProblems(after, plan), []);
        assert.deepEqual(liveProblems(plan, new Map([[cluster.name, kube]])), []);
        const missing = plan.resources.filter((r) => !urns(before).has(r.urn)).map((r) => r.urn).sort();
        assert.deepEqual([...urns(after)].filter((u) => !urns(before).has(u)).sort(), missing, "up added exactly what was missing");
        const [idsBefore, idsAfter] = [ids(before), ids(after)];
        assert.deepEqual([...idsBefore].filter(([urn, id]) => idsAfter.get(urn) !== id).map(([urn]) => urn), [], "nothing already created was replaced");
        assert.deepEqual([...ids(afterKill)].filter(([urn, id]) => idsAfter.get(urn) !== id).map(([urn]) => urn), [], "nor since the kill");
        await expectNoChanges(await project.stack(stackName), transcript);
    });
});

describe("fault: one cluster's API server stopped during up of the multicluster stack", () => {
    const test = sequence();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-e2e-apidown-"));
    const transcript = new Transcript("fault: API server down mid-up");
    const clusters = clustersOf("multicluster");
    const [intact, stopped] = clusters;
    let environment: MeshEnvironment | undefined;
    let planes: RunningControlPlanes;
    let project: E2eProject;
    let stack: Stack;
    let kubes: Map<string, Kube>;
    let plan: Plan;

    before(async () => {
        environment = await startMeshEnvironment(root, clusters);
        ({ planes, kubes, project } = environment);
        const standIns = environment.standIns;
        stack = await project.stack("multicluster");
        await stack.setConfig("ambient-spire:soloLicenseKey", { value: licence, secret: true });
        project.editStackFile("multicluster", { "ambient-spire:sources": standIns.sources });
        plan = project.plan("multicluster");
    });

    after(() => closeScenario(root, transcript, environment));

    test(`up fails naming ${stopped.name} once its API server stops; ${intact.name}'s resources are intact`, async () => {
        const planned = new Map(plan.resources.map((r) => [r.urn, r.cluster]));
        const clusterOf = (urn: string) => planned.get(urn);
        const isObject = (urn: string, type: string) => type.startsWith("kubernetes:") && clusterOf(urn) !== undefined;
        let stopping: Promise<void> | undefined;
        let stoppedAfter: string | undefined;
        const run = recorder();
        const failed: string[] = [];
        // The stop waits for one release of the intact cluster: which cluster's objects the engine creates first is
        // not fixed (once cluster2's east-west namespace came before any release of cluster1, and the check below
        // that cluster1 kept a release then had nothing to check).
        let intactRelease = false;
        const onEvent = (event: EngineEvent): void => {
            run.onEvent(event);
            const done = event.resOutputsEvent?.metadata;
            if (done && done.type.startsWith("kubernetes:helm") && clusterOf(done.urn) === intact.name) intactRelease = true;
            if (!stopping && intactRelease && done && isObject(done.urn, done.type) && clusterOf(done.urn) === stopped.name) {
                stoppedAfter = done.urn;
                stopping = planes.stopApiServer(stopped.context);
            }
            const failure = event.resOpFailedEvent?.metadata;
            if (failure) failed.push(failure.urn);
        };
        const error = await transcript.step(`up, ${stopped.name}'s API server stopped`, () =>
            stack.up({ onEvent, onOutput: run.onOutput, signal: AbortSignal.timeout(20 * 60_000) }).then(
                () => undefined,
                (e: unknown) => String(e),
            ),
        );
        assert.ok(stopping, `no object of ${stopped.name} was created after a release of ${intact.name}, so its API server was never stopped`);
        await stopping;
        console.log(`[${stopped.name}'s API server stopped after] ${stoppedAfter}`);
        assert.ok(error, "up must fail");
        const diagnostics = [...new Set(error.split("\n").filter((l) => /error: /.test(l) || /^\s+\S+ \([^)]+\):$/.test(l)).map((l) => l.trim()))];
        console.log(`[up, ${stopped.name}'s API server stopped]\n  ${diagnostics.join("\n  ")}`);
        assert.match(error, new RegExp(`\\(${stopped.name}-[^)]+\\):\\s*\\n\\s*error: `), `an error under a ${stopped.name} resource`);
        // The provider's messages name the API server by address, never by context: "dial tcp <host:port>:
        // connect: connection refused" when the server was already gone, `Post "https://<host:port>/…":
        // unexpected EOF` when it died during the request (both seen).
        const server = new URL(planes.clusters[stopped.context].server).host;
        assert.ok(error.includes(`dial tcp ${server}: `) || error.includes(`"https://${server}/`), `the error names ${stopped.name}'s API server, ${server}`);
        assert.equal(error.includes(`dial tcp ${new URL(planes.clusters[intact.context].server).host}:`), false, `nothing failed against ${intact.name}'s API server`);
        assert.ok(failed.length > 0, "some operation failed");
        assert.deepEqual(failed.filter((urn) => clusterOf(urn) !== stopped.name), [], `only ${stopped.name}'s operations failed`);

        const deployment = await exportDeployment(project, "multicluster");
        console.log(`[state after the failed up] ${deployment.resources.length} resources; pending: ${JSON.stringify((deployment.pending_operations ?? []).map((op) => `${op.type} ${op.resource.urn.split("::").pop()}`))}`);
        const inState = urns(deployment);
        const intactInState = plan.resources.filter((r) => r.cluster === intact.name && inState.has(r.urn));
        assert.ok(intactInState.some((r) => r.type.startsWith("kubernetes:helm")), `${intact.name} got at least one release before the failure`);
        assert.deepEqual((deployment.pending_operations ?? []).filter((op) => clusterOf(op.resource.urn) === intact.name), []);
        const namesInState = new Set(deployment.resources.map((r) => r.urn.split("::").pop()!));
        assert.deepEqual(liveProblems(plan, kubes, (r) => r.cluster === intact.name && namesInState.has(r.name)), [], `${intact.name}'s objects in the state are live`);
        const twice = deployment.resources.filter((r, i, all) => all.findIndex((o) => o.urn === r.urn) !== i);
        assert.deepEqual(twice, []);
    });

    test(`after ${stopped.name}'s API server is back, up converges and a preview shows no changes`, async () => {
        await planes.startApiServer(stopped.context);
        // When the server died during a Helm install, the release is left with a pending-install record and every
        // up fails with "cannot re-use a name that is still in use" (seen once): the documented
        // recovery deletes such records first, as after a killed CLI. Their releases are not in the state.
        const kube = kubes.get(stopped.name)!;
        const cutOff = helmRecords(kube).filter((h) => h.status === "pending-install");
        console.log(`[${stopped.name}] Helm releases cut off mid-install: ${JSON.stringify(cutOff.map((h) => `${h.namespace}/${h.name}`))}`);
        for (const h of cutOff) kube.run(["delete", "secret", "-n", h.namespace, "-l", `owner=helm,name=${h.name},status=pending-install`]);
        const before = await exportDeployment(project, "multicluster");
        const result = await transcript.step("up, API server back", () => stack.up(), (r) => r.summary.resourceChanges);
        assert.equal(result.summary.result, "succeeded");
        const after = await exportDeployment(project, "multicluster");
        assert.deepEqual(stateProblems(after, plan), []);
        assert.deepEqual(liveProblems(plan, kubes), []);
        const idsAfter = ids(after);
        assert.deepEqual([...ids(before)].filter(([urn, id]) => idsAfter.get(urn) !== id).map(([urn]) => urn), [], "nothing created before the failure was replaced");
        await expectNoChanges(stack, transcript);
    });
});

describe("fault: the SPIRE upstream CA Secret deleted out of band", () => {
    const test = sequence();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-e2e-secret-"));
    const transcript = new Transcript("fault: upstream CA Secret deleted");
    const [cluster] = clustersOf("dev");
    let planes: RunningControlPlanes | undefined;
    let project: E2eProject;
    let stack: Stack;
    let kube: Kube;
    let plan: Plan;
    let upstream: PlannedResource & { inputs: { metadata: { name: string; namespace: string } } };
    let deployedBefore: { data: Record<string, string>; deployment: Deployment };

    before(async () => {
        const toolchain = findToolchain();
        planes = await startControlPlanes({ contexts: [cluster.context], binDir: toolsBin, workDir: path.join(root, "control-plane") });
        project = await openProject(root, toolchain, planes.kubeconfig);
        const standIns = writeStandIns(path.join(root, "stand-ins"), project.dir);
        kube = new Kube(planes.kubeconfig, cluster.context);
        stack = await project.stack("dev");
        await stack.setConfig("ambient-spire:soloLicenseKey", { value: licence, secret: true });
        project.editStackFile("dev", { "ambient-spire:sources": standIns.sources });
        plan = project.plan("dev");
        upstream = plan.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && (r.inputs as { metadata?: { name?: string } }).metadata?.name === "spiffe-upstream-ca") as typeof upstream;
    });

    after(async () => {
        await planes?.stop();
        console.log(transcript.render());
        if (!process.env.AMBIENT_SPIRE_E2E_KEEP) fs.rmSync(root, { recursive: true, force: true });
    });

    test("up; then kubectl delete secret spiffe-upstream-ca", async () => {
        assert.ok(upstream, "the plan has the upstream CA Secret");
        const result = await transcript.step("up", () => stack.up(), (r) => r.summary.resourceChanges);
        assert.equal(result.summary.result, "succeeded");
        const data = kube.secretData(upstream.inputs.metadata.name, upstream.inputs.metadata.namespace);
        assert.ok(data?.["tls.crt"] && data["bundle.crt"] && data["tls.key"]);
        deployedBefore = { data, deployment: await exportDeployment(project, "dev") };
        const deleted = kube.run(["delete", "secret", upstream.inputs.metadata.name, "-n", upstream.inputs.metadata.namespace]);
        console.log(`[kubectl] $ kubectl delete secret ${upstream.inputs.metadata.name} -n ${upstream.inputs.metadata.namespace}\n  ${deleted.trim()}`);
        assert.equal(kube.get("secret", upstream.inputs.metadata.name, upstream.inputs.metadata.namespace), undefined);
    });

    test("refresh notices it: one resource deleted from the state, nothing else changed", async () => {
        const run = recorder();
        const result = await transcript.step("refresh", () => stack.refresh({ onEvent: run.onEvent, onOutput: run.onOutput }), (r) => r.summary.resourceChanges);
        console.log(`[refresh] summary ${JSON.stringify(result.summary.resourceChanges)}\n  ${run.log.join("").split("\n").filter((l) => /spire-upstream-ca|deleted/.test(l)).map((l) => l.trim()).join("\n  ")}`);
        const changes = Object.entries(result.summary.resourceChanges ?? {}).filter(([op]) => op !== "same");
        assert.deepEqual(changes, [["delete", 1]]);
        const deployment = await exportDeployment(project, "dev");
        assert.deepEqual(plan.resources.filter((r) => !urns(deployment).has(r.urn)).map((r) => r.urn), [upstream.urn]);
    });

    test("up restores it with the same certificate and bundle; no CA is re-issued; the stack converges", async () => {
        const run = recorder();
        await transcript.step("up, restoring", () => stack.up({ onEvent: run.onEvent }), (r) => r.summary.resourceChanges);
        assert.deepEqual(normalised(ownSteps(run.steps)), { create: [upstream.urn] });
        const data = kube.secretData(upstream.inputs.metadata.name, upstream.inputs.metadata.namespace)!;
        assert.equal(data["tls.crt"], deployedBefore.data["tls.crt"]);
        assert.equal(data["bundle.crt"], deployedBefore.data["bundle.crt"]);
        // Compared without printing: the key is a secret.
        assert.ok(data["tls.key"] === deployedBefore.data["tls.key"], "tls.key is the one issued before");
        const after = await exportDeployment(project, "dev");
        const idsAfter = ids(after);
        const tls = deployedBefore.deployment.resources.filter((r) => r.type.startsWith("tls:"));
        assert.ok(tls.length > 0);
        assert.deepEqual(tls.filter((r) => idsAfter.get(r.urn) !== r.id).map((r) => r.urn), [], "keys and certificates kept their ids");
        assert.deepEqual(stateProblems(after, plan), []);
        assert.deepEqual(liveProblems(plan, new Map([[cluster.name, kube]])), []);
        await expectNoChanges(stack, transcript);
    });
});

/** Lock files in the project's file backend (each update holds one while it runs). */
function lockFiles(project: E2eProject): string[] {
    const backend = new URL(project.env.PULUMI_BACKEND_URL).pathname;
    const locks = path.join(backend, ".pulumi", "locks");
    if (!fs.existsSync(locks)) return [];
    return (fs.readdirSync(locks, { recursive: true }) as string[]).filter((f) => f.endsWith(".json"));
}

/** The stack's checkpoint file as the file backend holds it, or undefined while it cannot be read whole. */
function checkpointOnDisk(backendDir: string, stack: string): { resources: { urn: string }[]; pending_operations?: unknown[] } | undefined {
    try {
        const file = path.join(backendDir, ".pulumi", "stacks", "ambient-spire", `${stack}.json`);
        return (JSON.parse(fs.readFileSync(file, "utf8")) as { checkpoint: { latest?: { resources: { urn: string }[] } } }).checkpoint.latest;
    } catch {
        return undefined;
    }
}

function checkpointHolds(backendDir: string, stack: string, urns: readonly string[]): boolean {
    const held = new Set((checkpointOnDisk(backendDir, stack)?.resources ?? []).map((r) => r.urn));
    return urns.every((urn) => held.has(urn));
}

/**
 * The file backend's sidecar of the stack's checkpoint (`.pulumi/stacks/<project>/<stack>.json.attrs`), if a kill
 * left it empty: removed (gocloud's file blobs read as having no attributes without it), its path returned. The
 * checkpoint itself must be whole JSON, or this is not the case docs/operations.md describes.
 */
function emptyCheckpointAttrs(backendDir: string, stack: string): string | undefined {
    const checkpoint = path.join(backendDir, ".pulumi", "stacks", "ambient-spire", `${stack}.json`);
    const attrs = `${checkpoint}.attrs`;
    if (!fs.existsSync(attrs) || fs.statSync(attrs).size > 0) return undefined;
    JSON.parse(fs.readFileSync(checkpoint, "utf8"));
    fs.rmSync(attrs);
    return path.relative(backendDir, attrs);
}
