// Kits for tests, the fault suite and benchmarks (no test-runner imports: `readModels.testkit.ts`
// uses vitest's expect and is imported by path from specs only).
export * from './boardEvents.testkit.js';
export * from './boardHistory.testkit.js';
export * from './statsReference.js';
export * from './bigBoard.testkit.js';
export * from './searchWorkload.testkit.js';
export * from './searchConvergence.testkit.js';
