export * from './http/state.js';
export * from './http/problem.js';
export * from './http/route.js';
