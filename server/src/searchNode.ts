import {
  clusterSettings,
  createMetrics,
  createPostgresSql,
  databaseCheck,
  openBoardEventsBus,
  startOpsServer,
  type Config,
  type Logger,
} from '@primetrade/platform';
import { createSearchProjection } from '@primetrade/projector';
import { runMigrations } from '@primetrade/read-model';
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
  const projection = createSearchProjection({ bus, sql, index, logger, metrics });
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
