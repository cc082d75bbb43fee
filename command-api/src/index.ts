export * from './http/state.js';
export * from './http/problem.js';
export * from './http/route.js';
export { commandApiDeps } from './commandApiDeps.js';
export { createCommandHandler, type CommandHandler } from './commands/handleCommand.js';
export { createApp, type AppDeps } from './app.js';
export { commandNodeReadiness, replicasCheck } from './ops/readiness.js';
export { createApiServer } from './http/server.js';
export { graphqlSchema } from './graphql/graphql.schema.js';
