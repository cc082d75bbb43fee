import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { documentHash } from './graphql.routes.js';

/**
 * The allow-list of GRAPHQL_PERSISTED_QUERIES: a JSON array of documents, keyed by the sha256 hex of
 * each text (what a client sends as `extensions.persistedQuery.sha256Hash`). Read once at start; a
 * file that is missing, not an array of strings, or holds a document that does not parse stops the
 * start with a message naming the setting (docs/adr/0028-graphql-endpoint.md).
 */
export function loadPersistedQueries(path: string): ReadonlyMap<string, string> {
  const fail = (why: string): never => {
    throw new Error(`GRAPHQL_PERSISTED_QUERIES (${path}): ${why}`);
  };
  let documents: unknown;
  try {
    documents = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return fail(`cannot be read as JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(documents) || documents.some((document) => typeof document !== 'string')) {
    return fail('expected a JSON array of GraphQL documents (strings)');
  }
  const list = new Map<string, string>();
  for (const [index, document] of (documents as string[]).entries()) {
    try {
      parse(document);
    } catch (error) {
      fail(`document ${index} does not parse: ${(error as Error).message}`);
    }
    list.set(documentHash(document), document);
  }
  return list;
}
