import { createRequire } from 'node:module';

/**
 * kafkajs 2.2 asks the broker which node coordinates a transactional id (`FindCoordinator`) before
 * every `AddPartitionsToTxn` and every `EndTxn`: two extra round trips per relay batch, one of them
 * before the batch reaches the log, i.e. on the realtime push's path (docs/adr/0025). The Java
 * client looks the coordinator up once and again only after an error; this does the same for
 * kafkajs: the answer is kept per client (per kafkajs `Cluster`, so a fresh producer starts with
 * none) and transactional id, and dropped when a coordinator request of that id fails for a reason
 * that blames the coordinator, when it is `ttlMs` old, or when the client refreshes its metadata
 * (brokers may have moved; kafkajs refreshes after every retriable error).
 *
 * Only coordinator *lookups* are cached, never a broker connection: kafkajs still resolves the node
 * id to its current connection on every call. Fencing is untouched: the coordinator checks the
 * producer epoch on every request whoever found it (docs/adr/0009).
 */
export interface CoordinatorCache<T> {
  /** The cached lookup for (client, id), or `fetch()`'s answer, cached. */
  lookup(client: object, transactionalId: string, fetch: () => Promise<T>): Promise<T>;
  /** Forget every client's lookup of this id (a coordinator request of it failed). */
  invalidate(transactionalId: string): void;
  /** Forget this client's lookups (it refreshed its metadata: brokers may have moved). */
  forgetClient(client: object): void;
}

export function createCoordinatorCache<T>(options: { ttlMs: number; now?: () => number }): CoordinatorCache<T> {
  const now = options.now ?? Date.now;
  const byClient = new WeakMap<object, Map<string, { value: T; at: number; generation: number }>>();
  // Bumped by a failure: entries of an older generation are stale, whichever client holds them.
  const generations = new Map<string, number>();
  const generationOf = (id: string) => generations.get(id) ?? 0;
  return {
    async lookup(client, transactionalId, fetch) {
      let entries = byClient.get(client);
      const hit = entries?.get(transactionalId);
      if (hit && hit.generation === generationOf(transactionalId) && now() - hit.at < options.ttlMs) return hit.value;
      const generation = generationOf(transactionalId);
      const value = await fetch();
      if (!entries) {
        entries = new Map<string, { value: T; at: number; generation: number }>();
        byClient.set(client, entries);
      }
      entries.set(transactionalId, { value, at: now(), generation });
      return value;
    },
    invalidate(transactionalId) {
      generations.set(transactionalId, generationOf(transactionalId) + 1);
    },
    forgetClient(client) {
      byClient.delete(client);
    },
  };
}

/** kafkajs's `COORDINATOR_TYPES.TRANSACTION` (FindCoordinator's key type). */
const transactionCoordinator = 1;

type Request<A> = (this: object, args: A) => Promise<unknown>;

interface KafkajsInternals {
  readonly Cluster: {
    prototype: {
      findGroupCoordinatorMetadata: Request<{ groupId: string; coordinatorType?: number }>;
      refreshMetadata: (this: object, ...args: unknown[]) => Promise<unknown>;
    };
  };
  readonly Broker: {
    prototype: Record<'initProducerId' | 'addPartitionsToTxn' | 'endTxn', Request<{ transactionalId?: string }>>;
  };
}

/**
 * Answers that say the coordinator is elsewhere or not ready: the lookup is asked again. A failure
 * without a protocol error type (connection lost, timeout) too; a fenced epoch or a transaction
 * still completing (`CONCURRENT_TRANSACTIONS`) came from the right coordinator.
 */
const coordinatorErrors = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS']);
const blamesCoordinator = (error: unknown): boolean => {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type !== 'string' || coordinatorErrors.has(type);
};

let installed = false;

/**
 * Installs the cache into kafkajs (once per process; idempotent). It touches only lookups of
 * transaction coordinators: consumer groups already keep theirs.
 */
export function cacheTransactionCoordinators(ttlMs = 60_000): void {
  if (installed) return;
  installed = true;
  const require = createRequire(import.meta.url);
  const internals: KafkajsInternals = {
    Cluster: require('kafkajs/src/cluster/index.js') as KafkajsInternals['Cluster'],
    Broker: require('kafkajs/src/broker/index.js') as KafkajsInternals['Broker'],
  };
  const cache = createCoordinatorCache<unknown>({ ttlMs });
  const cluster = internals.Cluster.prototype;
  const findMetadata = cluster.findGroupCoordinatorMetadata;
  cluster.findGroupCoordinatorMetadata = function (this: object, args) {
    if (args.coordinatorType !== transactionCoordinator) return findMetadata.call(this, args);
    return cache.lookup(this, args.groupId, () => findMetadata.call(this, args));
  };
  const refreshMetadata = cluster.refreshMetadata;
  cluster.refreshMetadata = function (this: object, ...args) {
    cache.forgetClient(this);
    return refreshMetadata.apply(this, args);
  };
  const broker = internals.Broker.prototype;
  for (const name of ['initProducerId', 'addPartitionsToTxn', 'endTxn'] as const) {
    const request = broker[name];
    broker[name] = async function (this: object, args) {
      try {
        return await request.call(this, args);
      } catch (error) {
        if (args.transactionalId !== undefined && blamesCoordinator(error)) cache.invalidate(args.transactionalId);
        throw error;
      }
    };
  }
}
