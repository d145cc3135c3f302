import * as pulumi from "@pulumi/pulumi";
import { AmbientMesh, EastWestGateway, IntermediateCa, PeerLink, RootCa, SpireRelease } from "../../components";
import { Mesh } from "../../stacks";

/**
 * The components the `ambient-spire` package offers every Pulumi language: the schema is generated from each
 * one's args interface (so the docs a C# user reads are the TypeScript ones), and the provider constructs them.
 */
export interface PackageComponent {
    /** The type token the component registers, and the schema's resource token. */
    readonly token: string;
    /** The file (relative to the project directory) declaring the class and its args interface. */
    readonly file: string;
    readonly className: string;
    readonly argsInterface: string;
    /**
     * An argument of resources to wait for, filled from the `dependsOn` option in other languages (a list of
     * resources is no schema type). Default: none.
     */
    readonly dependsOnArg?: string;
    /** An argument holding the Kubernetes provider; the `providers` option can give it instead. Default: none. */
    readonly providerArg?: string;
    readonly create: (name: string, args: never, opts: pulumi.ComponentResourceOptions) => pulumi.ComponentResource;
}

const made =
    <A,>(Component: new (name: string, args: A, opts?: pulumi.ComponentResourceOptions) => pulumi.ComponentResource) =>
    (name: string, args: A, opts: pulumi.ComponentResourceOptions) =>
        new Component(name, args, opts);

export const packageComponents: readonly PackageComponent[] = [
    { token: "ambient-spire:index:Mesh", file: "stacks/mesh.ts", className: "Mesh", argsInterface: "MeshArgs", create: made(Mesh) },
    { token: "ambient-spire:pki:RootCa", file: "components/pki/rootCa.ts", className: "RootCa", argsInterface: "RootCaArgs", create: made(RootCa) },
    { token: "ambient-spire:pki:IntermediateCa", file: "components/pki/intermediateCa.ts", className: "IntermediateCa", argsInterface: "IntermediateCaArgs", create: made(IntermediateCa) },
    {
        token: "ambient-spire:spire:SpireRelease",
        file: "components/spire/spireRelease.ts",
        className: "SpireRelease",
        argsInterface: "SpireReleaseArgs",
        providerArg: "provider",
        create: made(SpireRelease),
    },
    {
        token: "ambient-spire:istio:AmbientMesh",
        file: "components/istio/ambientMesh.ts",
        className: "AmbientMesh",
        argsInterface: "AmbientMeshArgs",
        providerArg: "provider",
        dependsOnArg: "spireReady",
        create: made(AmbientMesh),
    },
    {
        token: "ambient-spire:multicluster:EastWestGateway",
        file: "components/multicluster/eastWestGateway.ts",
        className: "EastWestGateway",
        argsInterface: "EastWestGatewayArgs",
        providerArg: "provider",
        dependsOnArg: "after",
        create: made(EastWestGateway),
    },
    {
        token: "ambient-spire:multicluster:PeerLink",
        file: "components/multicluster/peerLink.ts",
        className: "PeerLink",
        argsInterface: "PeerLinkArgs",
        providerArg: "provider",
        dependsOnArg: "after",
        create: made(PeerLink),
    },
];
