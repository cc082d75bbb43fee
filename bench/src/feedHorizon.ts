import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSqlEventStore, createTestDatabase, type Sql, type StoredEvent } from '@primetrade/platform';
import { createLatencyHistogram, formatLatency, recordMs, summarize } from './lib/measure.js';

/**
 * `node bench/dist/feedHorizon.js [rounds] [holdMs]` (ADR 0030): append start → delivery of the store's feed
 * while a neighbour keeps transactions of `holdMs` (default 8) open back to back, each with a
 * transaction id: the neighbour in **another database** of the same server, in **the store's
 * database**, or none. 100 appends at 25/s per setting and round, the settings taking turns.
 */
type Setting = 'none' | 'other database' | 'store database';

async function neighbourLoop(sql: Sql, holdMs: number, stop: AbortSignal): Promise<void> {
  while (!stop.aborted) {
    await sql.tx(async (tx) => {
      await tx.query('SELECT pg_current_xact_id()');
      await sleep(holdMs);
    });
  }
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 3);
  const holdMs = Number(process.argv[3] ?? 8);
  const storeDb = await createTestDatabase('bench_feed_horizon', { max: 4 });
  const otherDb = await createTestDatabase('bench_feed_neighbour', { max: 2 });
  const store = await createSqlEventStore(storeDb.sql, { schema: 'bench_feed' });
  const sent = new Map<string, number>();
  const histograms = new Map<Setting, ReturnType<typeof createLatencyHistogram>>();
  let current: Setting = 'none';
  const subscription = store.subscribeToAll({}, async (batch: readonly StoredEvent[]) => {
    const now = performance.now();
    for (const event of batch) {
      const at = sent.get(event.streamId);
      if (at !== undefined) recordMs(histograms.get(current)!, now - at);
    }
  });
  try {
    const settings: Setting[] = ['none', 'other database', 'store database'];
    for (const setting of settings) histograms.set(setting, createLatencyHistogram());
    for (let round = 0; round < rounds; round += 1) {
      for (const setting of round % 2 === 0 ? settings : [...settings].reverse()) {
        current = setting;
        const stop = new AbortController();
        const neighbour =
          setting === 'none'
            ? Promise.resolve()
            : neighbourLoop(setting === 'other database' ? otherDb.sql : storeDb.sql, holdMs, stop.signal);
        await sleep(200);
        for (let i = 0; i < 100; i += 1) {
          const stream = `s-${randomUUID()}`;
          sent.set(stream, performance.now());
          await store.appendToStream(stream, [{ id: randomUUID(), type: 'Tested', data: {}, metadata: {} }]);
          await sleep(40);
        }
        await sleep(1_000); // the last deliveries land under this setting
        stop.abort();
        await neighbour;
      }
    }
    for (const [setting, histogram] of histograms)
      process.stdout.write(`append → delivery, neighbour ${setting}: ${formatLatency(summarize(histogram))}\n`);
  } finally {
    await subscription.stop();
    await store.close();
    await storeDb.drop();
    await otherDb.drop();
  }
}

await main();
