export { ConfigError, configNamespace } from "./config/errors";
export { loadMeshSpec, loadStackSpec, MeshSpec, PkiStackSpec, StackSpec, ClusterSpec, DirectedLink } from "./config/load";
export { buildMesh, buildPki, MeshOutputs, ClusterOutputs } from "./topology";
export { PkiStackOutputs, ClusterStackOutputs } from "./references";
export { program } from "./program";
export { Mesh, MeshArgs, MeshClusterArgs, MeshClusterOutputs, meshType } from "./mesh";
