// The domain's unit specs alone, for mutation testing (stryker.config.json): the root config's
// projects include the integration specs, which need Kafka and PostgreSQL.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['domain/src/**/*.unit.spec.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/dist-spec/**'],
    // Instrumented code on a shared machine runs the long folds and the property specs slowly.
    testTimeout: 120_000,
  },
});
