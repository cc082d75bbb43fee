import {
  clusterSettings,
  createMetrics,
  openClusterEventStore,
  createPostgresSql,
  databaseCheck,
  openBoardEventsBus,
  startOpsServer,
  type Config,
  type Logger,
} from '@primetrade/platform';
import { createSearchProjection, rebuildSearchIndex, type SearchRebuildResult } from '@primetrade/projector';
import { createOpenSearchIndex, runMigrations } from '@primetrade/read-model';
import type { ServiceNode } from './projectorNodes.js';
import { searchIndexFromConfig, searchReadiness } from './searchIndex.js';

/**
 * The search process (docs/adr/0026-search-projection.md): Kafka group `search` → the search index
 * (OpenSearch with `SEARCH_URL`, else PostgreSQL full text), with its own offsets. While the index
 * is down it retries the same batch with a growing pause and commits nothing past it; `/readyz`
 * says "degraded" meanwhile, `/status` has the breaker and the last error.
 */
export async function startSearchNode(config: Config, logger: Logger): Promise<ServiceNode> {
  const settings = clusterSettings(config, 'search');
  const metrics = createMetrics();
  const sql = createPostgresSql({
    connectionString: settings.databaseUrl,
    max: 4,
    applicationName: 'primetrade-search',
  });
  await runMigrations(sql, logger);
  const bus = await openBoardEventsBus(config, settings, { logger, metrics });
  const index = searchIndexFromConfig(config, sql);
  const projection = createSearchProjection({ bus, sql, index, logger, metrics, gatherMs: config.SEARCH_GATHER_MS });
  await projection.start();
  const ops = await startOpsServer({
    port: config.OPS_PORT,
    host: config.HOST,
    metrics,
    readiness: async () => ({ database: await databaseCheck(sql), search: searchReadiness(projection.status()) }),
    documents: { '/status': () => ({ node: settings.nodeName, index: index.kind, ...projection.status() }) },
  });
  logger.info({ ops: ops.url, node: settings.nodeName, index: index.kind }, 'search node running');
  return {
    opsUrl: ops.url,
    async close() {
      await ops.close();
      await projection.stop();
      await bus.close();
      await sql.close();
    },
  };
}

/**
 * `node server/dist/projector.main.js search-rebuild` (what `npm run ops -- search-rebuild` does):
 * the next OpenSearch generation from the store and the read models, switched in with no downtime
 * while the search node keeps feeding the live one (docs/adr/0026-search-projection.md).
 */
export async function rebuildClusterSearchIndex(config: Config, logger: Logger): Promise<SearchRebuildResult> {
  if (!config.SEARCH_URL) throw new Error('search-rebuild needs SEARCH_URL (the OpenSearch node)');
  const settings = clusterSettings(config, 'search-rebuild');
  const sql = createPostgresSql({
    connectionString: settings.databaseUrl,
    max: 4,
    applicationName: 'primetrade-search-rebuild',
  });
  const opened = await openClusterEventStore(config, settings, { logger, metrics: createMetrics(), role: 'rebuild' });
  try {
    await runMigrations(sql, logger);
    const live = createOpenSearchIndex({ url: config.SEARCH_URL, prefix: config.SEARCH_INDEX_PREFIX });
    await live.ensureCreated();
    return await rebuildSearchIndex({ live, store: opened.store, sql, logger });
  } finally {
    await opened.close();
    await sql.close();
  }
}
