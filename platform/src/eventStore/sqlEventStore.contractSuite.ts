import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { Sql } from '../sql/sql.port.js';
import { events } from './eventStore.contractSuite.js';
import type { StoredEvent } from './eventStore.port.js';
import { createFeedWatchdog } from './feedWatchdog.js';
import { createSqlEventStore } from './sqlEventStore.js';
import { faultyAppendSql } from './sqlEventStore.testkit.js';
import type { Logger } from '../observability/logger.js';

const freshSchema = () => `es_${randomBytes(5).toString('hex')}`;

/** What only the SQL adapter promises, beyond the shared contract (docs/architecture.md). */
export function sqlEventStoreContract(
  name: string,
  getSql: () => Sql,
  options: { readonly concurrentTransactions: boolean },
): void {
  describe(`SQL event store: ${name}`, () => {
    it('creates its tables once and finds the events again when opened a second time', async () => {
      const schema = freshSchema();
      const first = await createSqlEventStore(getSql(), { schema });
      await first.appendToStream('s-1', events(2));
      await first.close();
      const second = await createSqlEventStore(getSql(), { schema });
      expect(await second.streamRevision('s-1')).toBe(1n);
      await second.close();
      await getSql().exec(`DROP SCHEMA "${schema}" CASCADE`);
    });

    it('wakes live subscriptions by NOTIFY, not by polling', async () => {
      const schema = freshSchema();
      const store = await createSqlEventStore(getSql(), { schema, pollIntervalMs: 60_000 });
      const seen: StoredEvent[] = [];
      const subscription = store.subscribeToAll({}, async (batch) => {
        seen.push(...batch);
      });
      await sleep(1_000); // past the short re-reads that follow the start
      const appendedAt = Date.now();
      await store.appendToStream(`s-${randomUUID()}`, events(1));
      await vi.waitFor(() => expect(seen).toHaveLength(1), { timeout: 5_000, interval: 10 });
      expect(Date.now() - appendedAt).toBeLessThan(5_000);
      await subscription.stop();
      await store.close();
      await getSql().exec(`DROP SCHEMA "${schema}" CASCADE`);
    });

    if (options.concurrentTransactions) {
      it('holds back a later commit while an earlier transaction is open, then delivers both in transaction order', async () => {
        const schema = freshSchema();
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        const store = await createSqlEventStore(
          faultyAppendSql(getSql(), async (streamId) => (streamId === 'slow' ? held : undefined)),
          { schema, pollIntervalMs: 50 },
        );
        const seen: string[] = [];
        const subscription = store.subscribeToAll({}, async (batch) => {
          seen.push(...batch.map((e) => e.streamId));
        });
        const slow = store.appendToStream('slow', events(1));
        await sleep(100); // the slow transaction has its id now
        await store.appendToStream('fast', events(1));
        await sleep(400);
        expect(seen).toEqual([]);
        release();
        await slow;
        await vi.waitFor(() => expect(seen).toEqual(['slow', 'fast']), { timeout: 10_000, interval: 10 });
        await subscription.stop();
        await store.close();
        await getSql().exec(`DROP SCHEMA "${schema}" CASCADE`);
      });

      it('warns once when a long transaction holds committed events back', async () => {
        const schema = freshSchema();
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        const store = await createSqlEventStore(
          faultyAppendSql(getSql(), async (id) => (id === 'slow' ? held : undefined)),
          { schema },
        );
        const warnings: unknown[] = [];
        const logger = { warn: (details: unknown) => warnings.push(details) } as unknown as Logger;
        let clock = 0;
        const watchdog = createFeedWatchdog({
          db: getSql(),
          schema: `"${schema}"`,
          logger,
          stallMs: 1_000,
          now: () => clock,
        });
        const slow = store.appendToStream('slow', events(1));
        await sleep(100);
        await store.appendToStream('fast', events(1));
        for (const at of [1_000, 1_600, 2_200, 2_800]) {
          clock = at;
          await watchdog(null);
        }
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatchObject({ heldEvents: 1 });
        release();
        await slow;
        await store.close();
        await getSql().exec(`DROP SCHEMA "${schema}" CASCADE`);
      });
    }
  });
}
