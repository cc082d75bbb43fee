export * from './http/state.js';
export * from './http/problem.js';
export * from './http/route.js';
export { commandApiDeps, startEmbedded, type EmbeddedOptions, type EmbeddedSystem } from './embedded.js';
export { createApp, type AppDeps } from './app.js';
