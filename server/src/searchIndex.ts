import type { Config, Sql } from '@primetrade/platform';
import {
  createOpenSearchIndex,
  createPgSearchIndex,
  type OpenSearchIndex,
  type SearchIndex,
} from '@primetrade/read-model';

/**
 * The search index of this installation (docs/adr/0026-search-projection.md): OpenSearch when
 * `SEARCH_URL` is set, else PostgreSQL full text in the read-model database. One instance per
 * process, shared by the search projection (writes) and the API (reads).
 */
export function searchIndexFromConfig(config: Config, sql: Sql): SearchIndex {
  if (!config.SEARCH_URL) return createPgSearchIndex(sql);
  return createdBeforeWrites(createOpenSearchIndex({ url: config.SEARCH_URL, prefix: config.SEARCH_INDEX_PREFIX }));
}

/**
 * Creates generation 1 before the first write (once; tried again while OpenSearch is down), so a
 * write never reaches an alias that does not exist yet (OpenSearch would create an unmapped index
 * by that name). A process may start while OpenSearch is down: the projection retries meanwhile.
 */
export function createdBeforeWrites(index: OpenSearchIndex): OpenSearchIndex {
  let created: Promise<void> | null = null;
  const ensureCreated = () =>
    (created ??= index.ensureCreated().catch((error: unknown) => {
      created = null;
      throw error;
    }));
  return {
    ...index,
    ensureCreated,
    async apply(changes) {
      await ensureCreated();
      await index.apply(changes);
    },
  };
}

/**
 * The search feed in `/readyz`: "degraded" while the index is behind (the feed retries; commands and
 * every other read go on, and a restart would not help), never "unavailable"; down once stopped.
 */
export function searchReadiness(status: { state: string; breaker: string; lastError?: string | undefined }) {
  if (status.state === 'running') return { ok: true };
  if (status.state === 'retrying')
    return { ok: false, degraded: true, detail: `index behind (breaker ${status.breaker}): ${status.lastError ?? ''}` };
  return { ok: false, detail: `search feed ${status.state}` };
}
