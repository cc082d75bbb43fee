import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryLimitsRule } from './graphql.limits.js';
import { documentHash } from './graphql.routes.js';
import { graphqlSchema } from './graphql.schema.js';
import { loadPersistedQueries } from './persistedQueries.js';

const refusals = (query: string, maxDepth = 10, maxCost = 50_000) =>
  validate(graphqlSchema, parse(query), [queryLimitsRule({ maxDepth, maxCost })]).map((error) => error.extensions);

describe('Query limits', () => {
  it('accepts the seed example and a whole board with comments', () => {
    expect(refusals('{ me { name email tasks(status: "open") { items { title dueDate } } } }')).toEqual([]);
    expect(refusals('{ board(id: "x") { columns { tasks { title comments { body } } } } }')).toEqual([]);
  });

  it('counts depth through fragments, and not introspection', () => {
    const query = 'query { board(id: "x") { ...B } } fragment B on Board { columns { tasks { board { name } } } }';
    expect(refusals(query, 4)).toEqual([{ code: 'VALIDATION.FAILED', limit: 'depth', value: 5, max: 4 }]);
    expect(refusals('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }', 2)).toEqual([]);
  });

  it('prices a page by its size (first, default 50) and each root field at 1,000 more', () => {
    const cost = (first: string) =>
      refusals(`{ me { tasks${first} { items { createdBy { name } } } } }`, 10, 1)[0]?.['value'] as number;
    // me: 1,000 + 1, and per task of the page: tasks 1 + items 1 + createdBy 1
    expect(cost('(first: 10)')).toBe(1_001 + 3 * 10);
    expect(cost('')).toBe(1_001 + 3 * 50);
    const aliases = Array.from({ length: 50 }, (_, index) => `a${index}: me { name }`).join(' ');
    expect(refusals(`{ ${aliases} }`)).toEqual([
      { code: 'VALIDATION.FAILED', limit: 'cost', value: 50_050, max: 50_000 },
    ]);
  });

  it('refuses boards × columns × tasks × comments × authors', () => {
    const [refusal] = refusals(
      '{ boards(first: 100) { items { columns { tasks { comments { author { name } } } } } } }',
    );
    expect(refusal).toMatchObject({ code: 'VALIDATION.FAILED', limit: 'cost', max: 50_000 });
  });
});

describe('The persisted-query allow-list file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pt-persisted-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('keys each document by its sha256', async () => {
    const file = path.join(dir, 'ok.json');
    await writeFile(file, JSON.stringify(['{ me { name } }']));
    expect([...loadPersistedQueries(file)]).toEqual([[documentHash('{ me { name } }'), '{ me { name } }']]);
  });

  it('stops the start with a message naming the setting', async () => {
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify(['{ me { name }']));
    expect(() => loadPersistedQueries(bad)).toThrow(/^GRAPHQL_PERSISTED_QUERIES .*document 0 does not parse/);
    await writeFile(bad, JSON.stringify({ query: '{ me { name } }' }));
    expect(() => loadPersistedQueries(bad)).toThrow(/expected a JSON array/);
    expect(() => loadPersistedQueries(path.join(dir, 'missing.json'))).toThrow(/cannot be read/);
  });
});
