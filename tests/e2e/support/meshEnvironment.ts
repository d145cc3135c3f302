import * as fs from "node:fs";
import * as path from "node:path";
import { RunningControlPlanes, startControlPlanes } from "./controlPlane";
import { EastWestController } from "./gatewayController";
import { Kube } from "./kube";
import { E2eProject, openProject } from "./project";
import { StandIns, writeStandIns } from "./standInCharts";
import { findToolchain, toolsBin } from "./tools";
import { Transcript } from "./transcript";

/** What a scenario on N clusters runs against: control planes, kubectl per cluster, istiod's stand-in, a project copy. */
export interface MeshEnvironment {
    readonly planes: RunningControlPlanes;
    /** By cluster name. */
    readonly kubes: Map<string, Kube>;
    readonly controller: EastWestController;
    readonly project: E2eProject;
    readonly standIns: StandIns;
}

export interface MeshEnvironmentOptions {
    /** Simulated nodes per cluster (see controlPlane.ts); default 0: objects are stored, no pod is scheduled. */
    readonly nodes?: number;
    /** The stand-in for istiod also publishes `istio-ca-root-cert` from `cacerts` (see gatewayController.ts); default false. */
    readonly publishRootCert?: boolean;
}

/**
 * Starts one control plane per cluster (contexts named as the stack files name them), the east-west stand-in
 * on all of them, and a copy of the project with stand-in charts. On failure it stops what it had started.
 */
export async function startMeshEnvironment(root: string, clusters: readonly { name: string; context: string }[], options: MeshEnvironmentOptions = {}): Promise<MeshEnvironment> {
    const toolchain = findToolchain();
    const planes = await startControlPlanes({ contexts: clusters.map((c) => c.context), binDir: toolsBin, workDir: path.join(root, "control-plane"), nodes: options.nodes ?? 0 });
    const kubes = new Map(clusters.map((c) => [c.name, new Kube(planes.kubeconfig, c.context)]));
    const controller = new EastWestController([...kubes.values()], { publishRootCert: options.publishRootCert ?? false });
    try {
        const project = await openProject(root, toolchain, planes.kubeconfig);
        return { planes, kubes, controller, project, standIns: writeStandIns(path.join(root, "stand-ins"), project.dir) };
    } catch (error) {
        await controller.stop();
        await planes.stop();
        throw error;
    }
}

/** A scenario's end, pass or fail: stops what it started, prints its transcript, removes its directory (unless kept). */
export async function closeScenario(root: string, transcript: Transcript, environment: MeshEnvironment | undefined): Promise<void> {
    await environment?.controller.stop();
    await environment?.planes.stop();
    console.log(transcript.render());
    if (!process.env.AMBIENT_SPIRE_E2E_KEEP) fs.rmSync(root, { recursive: true, force: true });
}
