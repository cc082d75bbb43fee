// The composition root: each process's wiring (docs/adr/0017-read-model-and-server-workspaces.md).
export { startEmbedded, type EmbeddedOptions, type EmbeddedSystem } from './embedded.js';
export { startCommandApiNode, type CommandApiNode } from './apiNode.js';
export { startRealtimeNode, type RealtimeNode } from './realtimeNode.js';
export {
  rebuildClusterReadModels,
  startProjectorNode,
  startRelayNode,
  type PortDecorators,
  type ServiceNode,
} from './projectorNodes.js';
export { startSearchNode } from './searchNode.js';
export { searchIndexFromConfig, createdBeforeWrites } from './searchIndex.js';
