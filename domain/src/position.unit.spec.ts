import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  evenlySpacedBetween,
  evenlySpacedKeys,
  isPositionKey,
  keyBetween,
  keysAfter,
  positionDigits,
} from './position.js';

const key = fc
  .array(fc.constantFrom(...positionDigits), { minLength: 1, maxLength: 8 })
  .map((digits) => digits.join(''))
  .filter(isPositionKey);

const orderedPair = fc
  .tuple(key, key)
  .filter(([a, b]) => a !== b)
  .map(([a, b]) => (a < b ? ([a, b] as const) : ([b, a] as const)));

describe('Position keys', () => {
  it('orders the digit alphabet in plain byte order', () => {
    const codes = [...positionDigits].map((char) => char.charCodeAt(0));
    expect(codes).toEqual([...codes].sort((a, b) => a - b));
  });

  it('makes a first key from nothing', () => {
    expect(isPositionKey(keyBetween(null, null))).toBe(true);
  });

  it('puts a key strictly between any two ordered keys', () => {
    fc.assert(
      fc.property(orderedPair, ([a, b]) => {
        const middle = keyBetween(a, b);
        expect(a < middle && middle < b).toBe(true);
        expect(isPositionKey(middle)).toBe(true);
      }),
    );
  });

  it('puts a key after any key, and before any key', () => {
    fc.assert(
      fc.property(key, (k) => {
        const after = keyBetween(k, null);
        const before = keyBetween(null, k);
        expect(k < after && before < k).toBe(true);
        expect(isPositionKey(after) && isPositionKey(before)).toBe(true);
      }),
    );
  });

  it('never ends a key in the minimum digit, even squeezed against it', () => {
    expect(keyBetween(null, '1')).not.toMatch(/0$/);
    expect(keyBetween('1', '2')).not.toMatch(/0$/);
    expect(keyBetween('01', '1')).not.toMatch(/0$/);
  });

  it('keeps order through long random insert sequences', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 300 }), (choices) => {
        const keys: string[] = [];
        for (const choice of choices) {
          const at = choice % (keys.length + 1);
          keys.splice(at, 0, keyBetween(keys[at - 1] ?? null, keys[at] ?? null));
        }
        expect(keys.every(isPositionKey)).toBe(true);
        expect(new Set(keys).size).toBe(keys.length);
        expect([...keys].sort()).toEqual(keys);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps keys short when cards are appended one after another', () => {
    const keys = keysAfter(null, 5000);
    expect([...keys].sort()).toEqual(keys);
    expect(Math.max(...keys.map((k) => k.length))).toBeLessThan(100);
  });

  describe('when the keys are not usable', () => {
    it('refuses keys out of order', () => {
      expect(() => keyBetween('b', 'a')).toThrow(RangeError);
      expect(() => keyBetween('a', 'a')).toThrow(RangeError);
    });

    it('refuses keys ending in the minimum digit or with foreign characters', () => {
      expect(() => keyBetween('a0', null)).toThrow(RangeError);
      expect(() => keyBetween(null, 'a-b')).toThrow(RangeError);
    });
  });

  describe('keysAfter', () => {
    it('makes n ascending keys after the given one', () => {
      const keys = keysAfter('V', 3);
      expect(keys).toHaveLength(3);
      expect(['V', ...keys]).toEqual(['V', ...keys].sort());
      expect(new Set(keys).size).toBe(3);
    });
  });

  describe('evenlySpacedKeys', () => {
    it('makes n distinct ascending valid keys, as short as leaves room between neighbours', () => {
      fc.assert(
        fc.property(fc.nat(5_000), (n) => {
          const keys = evenlySpacedKeys(n);
          expect(keys).toHaveLength(n);
          expect([...keys].sort()).toEqual(keys);
          expect(new Set(keys).size).toBe(n);
          expect(keys.every(isPositionKey)).toBe(true);
          expect(Math.max(0, ...keys.map((k) => k.length))).toBeLessThanOrEqual(n <= 30 ? 1 : n <= 1_921 ? 2 : 3);
        }),
      );
    });

    it('spreads them over the whole range, with a key between any two neighbours', () => {
      expect(evenlySpacedKeys(3)).toEqual(['F', 'U', 'j']);
      expect(evenlySpacedKeys(31)[0]).toHaveLength(2);
      const keys = evenlySpacedKeys(1_921);
      for (const [index, key] of keys.slice(1).entries())
        expect(keyBetween(keys[index]!, key).length).toBeLessThanOrEqual(3);
    });

    it('fits n keys strictly between two keys when they are short enough, else says so', () => {
      const bound = fc.option(key, { nil: null });
      fc.assert(
        fc.property(bound, bound, fc.nat(300), fc.integer({ min: 1, max: 8 }), (a, b, n, maxLength) => {
          if (a !== null && b !== null && !(a < b)) return;
          const keys = evenlySpacedBetween(a, b, n, maxLength);
          if (keys === null) return;
          expect(keys).toHaveLength(n);
          expect([...new Set(keys)].sort()).toEqual(keys);
          // One assertion per case, not per key: 300 cases of up to 300 keys each ran past the
          // unit timeout on a loaded machine.
          const misplaced = keys.filter(
            (k) => !isPositionKey(k) || k.length > maxLength || (a !== null && !(a < k)) || (b !== null && !(k < b)),
          );
          expect(misplaced).toEqual([]);
        }),
        { numRuns: 300 },
      );
      expect(evenlySpacedBetween('V', 'W', 3, 1)).toBeNull();
      expect(evenlySpacedBetween('V', 'W', 3, 2)).toEqual(['VF', 'VU', 'Vj']);
      expect(evenlySpacedBetween('Vzzzzz1', 'W', 1, 6)).toBeNull();
    });

    it('refuses a count it cannot space', () => {
      expect(() => evenlySpacedKeys(-1)).toThrow(RangeError);
      expect(() => evenlySpacedKeys(1.5)).toThrow(RangeError);
    });
  });
});
