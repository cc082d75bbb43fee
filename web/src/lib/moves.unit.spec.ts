import { describe, expect, it } from 'vitest';
import { dropAnchor, keyboardMove } from './moves.js';

const cards = (...ids: string[]) => ids.map((id) => ({ id }));
const shown = new Map([
  ['todo', cards('a', 'b', 'c')],
  ['doing', cards('d')],
  ['done', cards()],
]);
const columns = ['todo', 'doing', 'done'];

describe('keyboardMove', () => {
  describe('when moving up or down in a column', () => {
    it('places the card before its upper neighbour', () => {
      expect(keyboardMove(columns, shown, 'c', 'up')).toEqual({ columnId: 'todo', anchor: { beforeTaskId: 'b' } });
    });
    it('places the card after its lower neighbour', () => {
      expect(keyboardMove(columns, shown, 'a', 'down')).toEqual({ columnId: 'todo', anchor: { beforeTaskId: 'c' } });
      expect(keyboardMove(columns, shown, 'b', 'down')).toEqual({ columnId: 'todo', anchor: { afterTaskId: 'c' } });
    });
    it('refuses to go past either end', () => {
      expect(keyboardMove(columns, shown, 'a', 'up')).toBeNull();
      expect(keyboardMove(columns, shown, 'c', 'down')).toBeNull();
    });
  });

  describe('when moving to another column', () => {
    it('keeps the card at the same height, or at the end of a shorter column', () => {
      expect(keyboardMove(columns, shown, 'a', 'right')).toEqual({ columnId: 'doing', anchor: { beforeTaskId: 'd' } });
      expect(keyboardMove(columns, shown, 'c', 'right')).toEqual({ columnId: 'doing', anchor: { afterTaskId: 'd' } });
      expect(keyboardMove(columns, shown, 'd', 'right')).toEqual({ columnId: 'done', anchor: {} });
    });
    it('refuses to leave the board', () => {
      expect(keyboardMove(columns, shown, 'a', 'left')).toBeNull();
    });
  });
});

describe('dropAnchor', () => {
  it('accounts for the dragged card leaving its own place', () => {
    expect(dropAnchor(cards('a', 'b', 'c'), 'a', 2)).toEqual({ beforeTaskId: 'c' });
    expect(dropAnchor(cards('a', 'b', 'c'), 'c', 0)).toEqual({ beforeTaskId: 'a' });
    expect(dropAnchor(cards('a', 'b'), 'x', 2)).toEqual({ afterTaskId: 'b' });
  });
});
