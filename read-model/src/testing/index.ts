// Kits for tests, the fault suite and benchmarks: migrated databases and read-model comparison.
export * from './compareReadModels.js';
export * from './database.testkit.js';
export * from './taskBoard.testkit.js';
export * from './openSearch.testkit.js';
