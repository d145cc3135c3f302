export { ConfigError, configNamespace } from "./config/errors";
export { loadMeshSpec, MeshSpec, ClusterSpec, DirectedLink } from "./config/load";
export { buildMesh, MeshOutputs, ClusterOutputs } from "./topology";
export { program } from "./program";
