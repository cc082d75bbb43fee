import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { foldBoard } from './board.evolve.js';
import { checkInvariants, created, crowdedStart, intent, playScenario } from './board.scenario.testkit.js';

describe('Board decider, property-based', () => {
  it.each([
    ['a new board', created],
    ['a board whose columns get rebalanced', crowdedStart],
  ] as const)(
    'never breaks its invariants on %s over random command sequences (undo included), and evolve never throws',
    (_name, start) => {
      fc.assert(
        fc.property(fc.array(intent, { minLength: 20, maxLength: 120 }), (steps) => {
          const { log, states, changes } = playScenario(steps, start());
          // Between commands, that is: inside one command's events a board may be half-made.
          for (const { last } of changes) {
            const state = states[last];
            if (state === undefined || state.status === 'initial') throw new Error(`no state at revision ${last}`);
            checkInvariants(state);
          }
          expect(foldBoard(log)).toEqual(states.at(-1));
        }),
        { numRuns: 200 },
      );
    },
    120_000,
  );
});
