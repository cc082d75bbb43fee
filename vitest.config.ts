import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./${pkg}/src/index.ts`, import.meta.url));

// Tests import workspace packages from source, so no build is needed to run them.
const alias = {
  // Test kits other workspaces' specs share; listed before the package itself, as the first match wins.
  '@primetrade/platform/testkit': fileURLToPath(new URL('./platform/src/testkit', import.meta.url)),
  '@primetrade/domain': src('domain'),
  '@primetrade/platform': src('platform'),
  '@primetrade/read-model': src('read-model'),
  '@primetrade/projector': src('projector'),
  '@primetrade/realtime': src('realtime'),
  '@primetrade/command-api': src('command-api'),
  '@primetrade/server': src('server'),
  // One graphql-js instance: Node loads graphql-http's `import 'graphql'` as the CommonJS main, and
  // Vite would otherwise give our sources graphql's `module` build, a second copy it refuses to mix.
  graphql: fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url)),
};
// .stryker-tmp holds mutation testing's sandboxes, copies of the specs (docs/testing.md).
const exclude = ['**/node_modules/**', '**/dist/**', '**/dist-spec/**', '.stryker-tmp/**'];

export default defineConfig({
  resolve: { alias },
  test: {
    reporters: ['default', './tests/kit/closingLine.reporter.ts'],
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['**/*.unit.spec.ts'],
          exclude: [...exclude, 'web/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        // The web's state classes use runes: they need the Svelte compiler and its browser build.
        plugins: [svelte({ configFile: false })],
        resolve: { alias, conditions: ['browser'] },
        test: { name: 'web-unit', include: ['web/src/**/*.unit.spec.ts'], exclude, sequence: { groupOrder: 0 } },
      },
      {
        resolve: { alias },
        test: {
          name: 'int',
          include: ['**/*.int.spec.ts'],
          globalSetup: ['./tests/kit/kafka.globalSetup.ts', './tests/kit/opensearch.globalSetup.ts'],
          sequence: { groupOrder: 1 },
          exclude,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: 'forks',
          maxWorkers: 2,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['**/*.e2e.spec.ts'],
          globalSetup: ['./tests/kit/kafka.globalSetup.ts'],
          sequence: { groupOrder: 2 },
          exclude,
          testTimeout: 120_000,
          hookTimeout: 180_000,
          pool: 'forks',
          maxWorkers: 1,
          fileParallelism: false,
        },
      },
    ],
  },
});
