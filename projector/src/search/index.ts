export * from './searchTouches.js';
export * from './searchProjection.js';
export * from './embeddedSearchFeed.js';
export * from './searchRebuild.js';
