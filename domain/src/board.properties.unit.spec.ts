import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { foldBoard } from './board.evolve.js';
import { checkInvariants, intent, playScenario } from './board.scenario.testkit.js';

describe('Board decider, property-based', () => {
  it('never breaks its invariants over random command sequences (undo included), and evolve never throws', () => {
    fc.assert(
      fc.property(fc.array(intent, { minLength: 20, maxLength: 120 }), (steps) => {
        const { log, states, changes } = playScenario(steps);
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
  }, 120_000);
});
