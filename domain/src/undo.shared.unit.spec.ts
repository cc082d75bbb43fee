import { describe, expect, it } from 'vitest';
import { freePosition, sameValue } from './undo.shared.js';

describe('freePosition', () => {
  it('keeps the old key when no sibling holds it', () => {
    expect(freePosition('V', ['U', 'W'])).toBe('V');
  });

  it('takes a key between the sibling now holding the old key and the next one', () => {
    const key = freePosition('V', ['V', 'W']);
    expect(key > 'V' && key < 'W').toBe(true);
  });

  it('finds the next sibling whatever order the siblings come in', () => {
    const key = freePosition('V', ['X', 'V', 'W', 'U']);
    expect(key > 'V' && key < 'W').toBe(true);
  });

  it('takes a key after the old one when the sibling holding it is the last', () => {
    expect(freePosition('V', ['U', 'V']) > 'V').toBe(true);
  });
});

describe('sameValue', () => {
  it('holds for equal values, key order aside', () => {
    expect(sameValue({ a: 1, b: { c: [1, 'x', null] } }, { b: { c: [1, 'x', null] }, a: 1 })).toBe(true);
    expect(sameValue('x', 'x')).toBe(true);
  });

  it('tells different values apart', () => {
    expect(sameValue({ a: 1 }, { a: 2 })).toBe(false);
    expect(sameValue([1, 2], [1, 2, 3])).toBe(false);
    expect(sameValue({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameValue({ a: undefined }, { b: undefined })).toBe(false);
  });

  it('does not take a list for an object with the same entries', () => {
    expect(sameValue(['a'], { 0: 'a' })).toBe(false);
  });

  it('does not take null, or a primitive, for an object', () => {
    expect(sameValue(null, {})).toBe(false);
    expect(sameValue({}, null)).toBe(false);
    expect(sameValue('1', 1)).toBe(false);
    expect(sameValue({}, '')).toBe(false);
  });
});
