import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printedSchema } from './graphql.schema.js';

describe('The GraphQL schema', () => {
  it('is checked in as docs/schema.graphql (npm run docs:graphql regenerates it)', () => {
    const checkedIn = readFileSync(new URL('../../../docs/schema.graphql', import.meta.url), 'utf8');
    expect(printedSchema(), 'docs/schema.graphql is stale: run `npm run docs:graphql`').toBe(checkedIn);
  });
});
