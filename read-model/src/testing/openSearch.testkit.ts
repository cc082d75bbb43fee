import type {} from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /**
     * The OpenSearch node the test run started (tests/kit/opensearch.globalSetup.ts), or
     * `OPENSEARCH_TEST_URL`; '' when this run started none.
     */
    openSearchUrl: string;
  }
}
