import { randomBytes } from 'node:crypto';
import type {} from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap servers of the broker the test run started (tests/kit/kafka.globalSetup.ts), comma-separated. */
    kafkaBrokers: string;
  }
}

/** A topic name no other test (or run) uses: `pt-test-<purpose>-<random>`. */
export function uniqueTopic(purpose: string): string {
  return `pt-test-${purpose.toLowerCase().replace(/[^a-z0-9-]/g, '-')}-${randomBytes(5).toString('hex')}`;
}
