import { createInProcessEventBus, type EventStore, type Metrics, type Sql } from '@primetrade/platform';
import type { SearchIndex } from '@primetrade/read-model';
import type { ProjectorLogger } from '../logging.js';
import { createRelay } from '../relay.js';
import {
  createSearchProjection,
  searchGroup,
  type SearchProjectionOptions,
  type SearchProjection,
} from './searchProjection.js';

export interface EmbeddedSearchFeedOptions extends Pick<
  SearchProjectionOptions,
  'backoffMs' | 'breakerResetMs' | 'readModelWaitMs'
> {
  readonly store: EventStore;
  readonly sql: Sql;
  readonly index: SearchIndex;
  readonly logger?: ProjectorLogger;
  readonly metrics?: Pick<Metrics, 'breakerState'>;
  /** The relay's checkpoint; default `search`. A rebuild feeds its new generation under a name of its own. */
  readonly checkpointName?: string;
}

/**
 * Embedded mode's search feed (docs/adr/0026-search-projection.md, "Embedded"): a relay of its own,
 * with its own checkpoint (`search`), publishing to an in-process bus only the search projection
 * listens to. The main bus's `publish` waits for every group, so a search index that is down would
 * hold the projector and the realtime fan-out back if the projection sat on it; here it holds back
 * only its own relay, whose checkpoint stays where the index stopped, and catches up when it returns.
 */
export function createEmbeddedSearchFeed(options: EmbeddedSearchFeedOptions): SearchProjection {
  const { store, sql, index, logger, metrics, checkpointName, ...tuning } = options;
  const bus = createInProcessEventBus();
  const projection = createSearchProjection({
    ...tuning,
    bus,
    sql,
    index,
    ...(logger ? { logger } : {}),
    ...(metrics ? { metrics } : {}),
  });
  const relay = createRelay({
    store,
    bus,
    sql,
    checkpointName: checkpointName ?? searchGroup,
    ...(logger ? { logger } : {}),
  });
  return {
    async start() {
      await projection.start();
      await relay.start();
    },
    async stop() {
      // The relay first: a batch it publishes to a projection already gone would count as delivered.
      await relay.stop();
      await projection.stop();
      await bus.close();
    },
    status: () => projection.status(),
  };
}
