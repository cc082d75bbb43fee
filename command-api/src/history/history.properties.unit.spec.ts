import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEvent, type Envelope } from '@primetrade/domain';
import { intent, playScenario } from '../../../domain/src/board.scenario.testkit.js';
import { historyOf, stateAt } from './history.js';

/** The scenario's events as the store hands them out. */
const envelopes = (log: ReturnType<typeof playScenario>['log']): Envelope[] =>
  log.map((event) => ({
    ...event,
    id: `e${event.revision}`,
    boardId: 'b',
    position: String(event.revision),
    correlationId: `c${event.revision}`,
    causationId: null,
    schemaVersion: 1,
  }));

describe('History and time travel over recorded scenarios of several hundred random commands', () => {
  it('time travel to every revision, and to every instant, equals the live state then', () => {
    fc.assert(
      fc.property(fc.array(intent, { minLength: 200, maxLength: 400 }), (steps) => {
        const { log, states } = playScenario(steps);
        const events = envelopes(log);
        for (const [revision, live] of states.entries()) expect(stateAt(events, { revision })).toEqual(live);
        // At an instant: everything that happened up to and including it (commands are a minute apart).
        for (const event of log.filter((_, index) => index % 7 === 0)) {
          const last = log.findLastIndex((other) => other.occurredAt <= event.occurredAt);
          expect(stateAt(events, { at: event.occurredAt })).toEqual(states[last]);
        }
      }),
      { numRuns: 6, endOnFailure: true },
    );
  }, 120_000);

  it('gives one history entry per event, in order, each describing its event against the state before it', () => {
    fc.assert(
      fc.property(fc.array(intent, { minLength: 200, maxLength: 400 }), (steps) => {
        const { log, states } = playScenario(steps);
        const entries = historyOf(envelopes(log));
        expect(entries.map((entry) => [entry.revision, entry.type, entry.actorId, entry.occurredAt])).toEqual(
          log.map((event) => [event.revision, event.type, event.actorId, event.occurredAt]),
        );
        for (const [index, entry] of entries.entries()) {
          const event = log[index];
          if (event === undefined) throw new Error('more entries than events');
          const before = index === 0 ? { status: 'initial' as const } : states[index - 1];
          if (before === undefined) throw new Error('no state');
          const { summary, changes } = describeEvent(event, before);
          expect({ summary: entry.summary, changes: entry.changes }).toEqual({ summary, changes });
          expect(entry.taskId).toBe('taskId' in event.data ? event.data.taskId : null);
        }
      }),
      { numRuns: 10, endOnFailure: true },
    );
  }, 60_000);
});
