/**
 * Statistics equal a recomputation from the raw events (`statsFromEvents`): seeded random
 * histories of a few hundred domain-decided commands, projected by the projector's own batch apply
 * (random batches, redeliveries) on PGlite and PostgreSQL; every query answer compared with the
 * reference at several points of the history, then the live tables with a fresh fold of the store.
 */
import { describe, expect, it } from 'vitest';
import { createSqlEventStore, seededRandom, type Sql } from '@primetrade/platform';
import { applyEnvelopes } from '../applyBatch.js';
import {
  daysBetween,
  getBoardFlow,
  getBoardStats,
  getMyStats,
  compareReadModels,
  readModelBackends,
} from '@primetrade/read-model';
import { foldReadModels } from '../rebuild.js';
import { appendHistories, feedShows } from '../testing/boardHistory.testkit.js';
import { useDatabase } from '../testing/readModels.testkit.js';
import { statsFromEvents } from '../testing/statsReference.js';
import { statsScenario, type StatsScenario } from '../testing/statsScenario.testkit.js';

const seeds = [11, 29, 4242];

/** Projects `scenario` in seeded random batches, sometimes delivering the previous batch again. */
async function* projectInBatches(sql: Sql, scenario: StatsScenario, seed: number) {
  const random = seededRandom(seed);
  let from = 0;
  let previous = 0;
  while (from < scenario.events.length) {
    const to = Math.min(scenario.events.length, from + 1 + Math.floor(random() * 40));
    await applyEnvelopes(sql, scenario.events.slice(random() < 0.3 ? previous : from, to));
    previous = from;
    from = to;
    yield to;
  }
}

async function expectQueriesEqualReference(sql: Sql, scenario: StatsScenario, upTo: number) {
  const events = scenario.events.slice(0, upTo);
  const now = new Date(Date.parse(events.at(-1)!.occurredAt) + 3_600_000);
  const reference = statsFromEvents(events, now);
  expect(await getBoardStats(sql, scenario.boardId, now)).toEqual(reference.stats);
  const days = daysBetween({ from: events[0]!.occurredAt.slice(0, 10), to: now.toISOString().slice(0, 10) });
  expect(await getBoardFlow(sql, scenario.boardId, { from: days[0]!, to: days.at(-1)! })).toEqual(reference.flow(days));
  for (const person of scenario.people) expect(await getMyStats(sql, person, now)).toEqual(reference.myStats(person));
}

describe.each(readModelBackends('stats'))('Statistics on $name', ({ open }) => {
  let sql: Sql;
  useDatabase(open, (database) => (sql = database));

  // First, while the database holds nothing else: the whole read models are compared.
  it('rebuild to exactly the rows the live projector wrote', async () => {
    const scenarios = seeds.map((seed) => statsScenario(seed + 1, 200));
    for (const [index, scenario] of scenarios.entries()) {
      for await (const upTo of projectInBatches(sql, scenario, index)) expect(upTo).toBeGreaterThan(0);
    }
    const store = await createSqlEventStore(sql);
    try {
      const appended = await appendHistories(
        store,
        scenarios.map((scenario) => scenario.events),
      );
      await feedShows(store, appended);
      const fold = await foldReadModels({ sql, store });
      try {
        expect(await compareReadModels({ sql, schema: 'public' }, { sql, schema: fold.schema })).toEqual([]);
        const [rows] = await sql.query<{ breaches: string; flow: string }>(
          `SELECT (SELECT count(*) FROM ${fold.schema}.wip_breaches)::text AS breaches, (SELECT count(*) FROM ${fold.schema}.column_flow)::text AS flow`,
        );
        expect(Number(rows?.breaches)).toBeGreaterThan(0);
        expect(Number(rows?.flow)).toBeGreaterThan(20);
      } finally {
        await fold.drop();
      }
    } finally {
      await store.close();
    }
  });

  it('are compared over histories that include undone deletes and restored completions', () => {
    const events = seeds.flatMap((seed) => statsScenario(seed, 300).events);
    expect(events.filter((event) => event.type === 'TaskReinstated').length).toBeGreaterThan(0);
    expect(events.some((event) => event.type === 'TaskCompleted' && event.data.completedAt !== undefined)).toBe(true);
  });

  it.each(seeds)('equal a recomputation from the raw events all along a random history (seed %i)', async (seed) => {
    const scenario = statsScenario(seed, 300);
    let checks = 0;
    for await (const upTo of projectInBatches(sql, scenario, seed)) {
      // About ten checkpoints per history, and the end.
      if (upTo === scenario.events.length || seededRandom(seed + upTo)() < 0.15) {
        await expectQueriesEqualReference(sql, scenario, upTo);
        checks++;
      }
    }
    expect(checks).toBeGreaterThan(2);
    // The history exercised what the statistics are about (or the comparison proves little).
    const final = statsFromEvents(scenario.events, scenario.now).stats;
    expect(final.wipBreaches.length).toBeGreaterThan(0);
    expect(final.cycleTime.count).toBeGreaterThan(0);
    expect(final.throughput.perDay.length).toBeGreaterThan(3);
  });
});
