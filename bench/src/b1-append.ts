import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createPostgresSql, createSqlEventStore, createTestDatabase } from '@primetrade/platform';
import { closedLoop, interleaved, type RatioResult } from './lib/measure.js';
import { log } from './lib/results.js';

const sampleMs = 1500;
const streams = 64;

/**
 * B1: our store's append (one event, exact expected revision) vs a raw prepared INSERT of the same
 * row, each on ONE connection to the same PostgreSQL database, interleaved.
 */
export async function benchAppend(pairs: number): Promise<RatioResult> {
  const database = await createTestDatabase('bench_b1', { max: 1 });
  const storeSql = createPostgresSql({ connectionString: database.url, max: 1 });
  const raw = new pg.Pool({ connectionString: database.url, max: 1 });
  try {
    const store = await createSqlEventStore(storeSql);
    await raw.query(`CREATE TABLE raw_events (global_position bigserial PRIMARY KEY, stream_id text NOT NULL, revision bigint NOT NULL,
      event_id uuid NOT NULL UNIQUE, type text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(), UNIQUE (stream_id, revision))`);
    const data = { taskId: randomUUID(), title: 'Benchmark task', columnId: randomUUID() };
    const metadata = {
      occurredAt: new Date().toISOString(),
      actorId: randomUUID(),
      correlationId: randomUUID(),
      causationId: null,
      schemaVersion: 1,
    };
    const revisions = new Map<string, bigint>();
    const rawRevisions = new Map<string, number>();
    let round = 0;
    return await interleaved({
      name: 'B1 append (1 connection)',
      unit: 'appends/s',
      pairs,
      goal: '≥ 0.8× raw INSERT',
      log,
      baseline: {
        label: 'raw prepared INSERT',
        run: () => {
          round += 1;
          return closedLoop(1, sampleMs, async (_, i) => {
            const stream = `raw-${round}-${i % streams}`;
            const revision = (rawRevisions.get(stream) ?? -1) + 1;
            rawRevisions.set(stream, revision);
            await raw.query({
              name: 'raw_insert',
              text: 'INSERT INTO raw_events (stream_id, revision, event_id, type, data, metadata) VALUES ($1, $2, $3, $4, $5, $6)',
              values: [stream, revision, randomUUID(), 'TaskCreated', data, metadata],
            });
          });
        },
      },
      subject: {
        label: 'store.appendToStream',
        run: () => {
          round += 1;
          return closedLoop(1, sampleMs, async (_, i) => {
            const stream = `board-${round}-${i % streams}`;
            const expected = revisions.get(stream);
            const result = await store.appendToStream(
              stream,
              [{ id: randomUUID(), type: 'TaskCreated', data, metadata }],
              {
                expectedRevision: expected ?? 'no_stream',
              },
            );
            revisions.set(stream, result.nextExpectedRevision);
          });
        },
      },
    });
  } finally {
    await raw.end();
    await storeSql.close();
    await database.drop();
  }
}
