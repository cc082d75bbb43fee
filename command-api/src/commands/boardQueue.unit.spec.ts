import { describe, expect, it } from 'vitest';
import { createKeyedQueue } from './boardQueue.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('Keyed queue', () => {
  describe('when tasks share a key', () => {
    it('runs them one at a time, in call order, even when one fails', async () => {
      const run = createKeyedQueue();
      const log: string[] = [];
      let running = 0;
      const task =
        (name: string, fail = false) =>
        async () => {
          running += 1;
          expect(running).toBe(1);
          log.push(`start ${name}`);
          await tick();
          log.push(`end ${name}`);
          running -= 1;
          if (fail) throw new Error(name);
          return name;
        };
      const results = await Promise.allSettled([run('a', task('1')), run('a', task('2', true)), run('a', task('3'))]);
      expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    });
  });

  describe('when tasks have different keys', () => {
    it('runs them concurrently', async () => {
      const run = createKeyedQueue();
      let running = 0;
      let most = 0;
      const task = async () => {
        running += 1;
        most = Math.max(most, running);
        await tick();
        running -= 1;
      };
      await Promise.all([run('a', task), run('b', task), run('c', task)]);
      expect(most).toBe(3);
    });
  });
});
